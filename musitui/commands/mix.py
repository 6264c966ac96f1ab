"""musitui mix: a playlist of N tracks or M minutes from seeds, a prompt or a mood, or a path
from one track to another (musitui.recommend.mix), printed, listed as JSON or written as M3U8.

The picks are the recommender's own (the same Session and ranking as ``musitui recommend``);
the mix only chooses how many and in which order.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from musitui.commands import Context
from musitui.text_safety import printable, terminal_json

if TYPE_CHECKING:
    import numpy as np

    from musitui.core.model import Track
    from musitui.core.session import Session

HELP = "make a mix: N tracks or M minutes like a seed, a prompt or a mood, or a path to a track"
EXIT_AT_ONCE = True  # see musitui.cli.entry: nothing is left to close when run() returns
DEFAULT_COUNT = 20


def add_arguments(parser: argparse.ArgumentParser) -> None:
    size = parser.add_mutually_exclusive_group()
    size.add_argument("-n", type=int, default=None, metavar="N",
                      help=f"how many tracks (default {DEFAULT_COUNT})")
    size.add_argument("--minutes", type=float, default=None, metavar="M",
                      help="about how long, in minutes")
    parser.add_argument("--after", action="append", default=[], metavar="PATH",
                        help="seed: tracks like PATH, following it (repeatable)")
    parser.add_argument("--prompt", default=None, metavar="TEXT",
                        help='describe the mix ("calm piano, nothing sad"): replaces the mood')
    parser.add_argument("--mood", default=None, metavar="NAME",
                        help="mood to match (auto, happy, energetic, calm, sad, intense)")
    parser.add_argument("--to", default=None, metavar="PATH",
                        help="a path from the (last) seed to PATH: first the seed, last PATH")
    parser.add_argument("--out", default=None, metavar="FILE.m3u8", help="write the mix here")
    parser.add_argument("--json", action="store_true",
                        help="print a JSON list (path, title, artist, duration, energy, reason)")


def run(args: argparse.Namespace, ctx: Context) -> int:
    from musitui.commands.recommend import open_session

    if args.n is not None and args.n <= 0:
        print("musitui: -n must be at least 1", file=sys.stderr)
        return 2
    if args.minutes is not None and not 0 < args.minutes <= 24 * 60:
        print("musitui: --minutes must be between 0 and 1440", file=sys.stderr)
        return 2
    opened = open_session(args, ctx, length=1)
    if isinstance(opened, int):
        return opened
    session, history = opened
    try:
        made = _make(args, session)
    finally:
        history.close()
    if isinstance(made, int):
        return made
    return _show(args, session, made)


def _make(args: argparse.Namespace, session: Session) -> list[tuple[int, str]] | int:
    """(library row, reason) in play order, or an exit code after one line."""
    from musitui.commands.event import find_track
    from musitui.recommend import mix
    from musitui.recommend.engine import rank

    lib = session.lib
    durations = _durations(session)
    feel = mix.Transition.of(lib, _tempo(session))
    spacing = session.weights.artist_spacing
    if args.to is not None:
        target = find_track(session.catalog, args.to)
        end = None if target is None else lib.row(target.id)
        if end is None:
            print(printable(f"musitui: {args.to} is not in the catalog"), file=sys.stderr)
            return 1
        listening = session.listening()
        if session.after:
            start = lib.row(session.after[-1])
        else:  # no seed: the recommender's first pick starts the path
            picks = rank(lib, listening, session.weights, 1)
            start = picks[0].row if picks else None
        if start is None or start == end:
            print("musitui: --to needs a different track to start from (give --after PATH)",
                  file=sys.stderr)
            return 2
        steps = args.n if args.n is not None else _steps_for(args.minutes, durations, start, end)
        excluded = listening.prompt.excluded if listening.prompt is not None else None
        exclude = excluded if excluded is not None and len(excluded) == len(lib) else None
        rows = mix.path(lib, start, end, max(2, steps), feel, exclude=exclude, spacing=spacing)
        last = len(rows) - 1
        return [(row, "the start you chose" if i == 0 else "where the path ends" if i == last
                 else f"step {i} of {last} toward {lib.titles[end]}") for i, row in enumerate(rows)]
    count = args.n if args.n is not None else (None if args.minutes is not None else DEFAULT_COUNT)
    # A mix is what fits, not a lesson: no exploration slots in it.
    picks = rank(lib, session.listening(), replace(session.weights, explore_every=0), len(lib))
    reasons = {p.row: p.reason for p in picks}
    chosen = mix.take([p.row for p in picks], durations, count=count,
                      seconds=None if args.minutes is None else args.minutes * 60)
    if not chosen:
        print("nothing to mix", file=sys.stderr)
        return 1
    after = lib.row(session.after[-1]) if session.after else None
    order = mix.smooth_order(lib, chosen, feel, after=after, spacing=spacing)
    return [(row, reasons[row]) for row in order]


def _durations(session: Session) -> np.ndarray:
    """Seconds per library row (0 where unknown)."""
    import numpy as np

    lib = session.lib
    columns = session.catalog.columns().present()
    out = np.zeros(len(lib), dtype=np.float64)
    for track_id, seconds in zip(columns.ids.tolist(), columns.duration.tolist(), strict=True):
        row = lib.row(track_id)
        if row is not None:
            out[row] = seconds or 0.0
    return out


def _tempo(session: Session) -> np.ndarray | None:
    """The analysed tempo (BPM) per library row, NaN where there is none."""
    import numpy as np

    features = session.features
    if features is None or "tempo" not in features.names or not len(features.ids):
        return None
    lib = session.lib
    out = np.full(len(lib), np.nan, dtype=np.float64)
    column = features.column("tempo")
    for track_id, bpm in zip(np.asarray(features.ids).tolist(), column.tolist(), strict=True):
        row = lib.row(track_id)
        if row is not None:
            out[row] = bpm
    return out


def _steps_for(minutes: float | None, durations: np.ndarray, start: int, end: int) -> int:
    if minutes is None:
        return 8
    typical = float(durations[[start, end]].mean()) or 180.0
    return max(2, round(minutes * 60 / typical))


def _show(args: argparse.Namespace, session: Session, made: list[tuple[int, str]]) -> int:
    lib = session.lib
    tracks: list[tuple[Track, str, float]] = []
    for row, reason in made:
        track = session.catalog.get(int(lib.ids[row]))
        if track is not None:
            tracks.append((track, reason, float(lib.arousal[row])))
    total = sum(t.duration or 0.0 for t, _, _ in tracks)
    if args.out is not None:
        from musitui.playlists import save_m3u8

        try:
            written = save_m3u8(args.out, [t.path for t, _, _ in tracks],
                                titles=[f"{t.artist} - {t.title or Path(t.path).stem}"
                                        for t, _, _ in tracks],
                                durations=[t.duration or None for t, _, _ in tracks])
        except OSError as error:
            print(printable(f"musitui: cannot write {args.out}: {error.strerror or error}"),
                  file=sys.stderr)
            return 1
        print(printable(f"wrote {len(tracks)} tracks ({_clock(total)}) to {written}"),
              file=sys.stderr if args.json else sys.stdout)
    if args.json:
        print(terminal_json([{"path": t.path, "title": t.title, "artist": t.artist,
                              "duration": round(t.duration or 0.0, 1), "energy": round(energy, 3),
                              "reason": reason} for t, reason, energy in tracks], indent=2))
        return 0
    if args.out is None:
        for number, (track, reason, _energy) in enumerate(tracks, 1):
            title = track.title or Path(track.path).name
            print(printable(f"{number:2}. {track.artist} – {title}  ({_clock(track.duration)})  "
                            f"{reason}"))
        print(f"{len(tracks)} tracks, {_clock(total)}")
    return 0


def _clock(seconds: float | None) -> str:
    whole = round(seconds or 0.0)
    hours, rest = divmod(whole, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60}:{rest % 60:02d}"
