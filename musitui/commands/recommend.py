"""musitui recommend: the Up next list for the current listening session, with reasons.

Uses the same Session and recommender as the player, without opening any audio output.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from musitui.commands import Context
from musitui.text_safety import printable, shorten, terminal_json

if TYPE_CHECKING:
    from musitui.core.session import Session
    from musitui.store.history import History

HELP = "show what musitui would play next, and why"
EXIT_AT_ONCE = True  # see musitui.cli.entry: nothing is left to close when run() returns


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--after", action="append", default=[], metavar="PATH",
                        help="pretend PATH was just finished (repeatable)")
    parser.add_argument("--mood", default=None, metavar="NAME",
                        help="mood to match (auto, happy, energetic, calm, sad, intense)")
    parser.add_argument("--prompt", default=None, metavar="TEXT",
                        help='describe what you want ("calm piano, nothing sad"): replaces the mood')
    parser.add_argument("-n", type=int, default=10, metavar="N", help="how many (default 10)")
    parser.add_argument("--json", action="store_true", help="print a JSON list")
    parser.add_argument("--explain", action="store_true", help="show every score part")


def run(args: argparse.Namespace, ctx: Context) -> int:
    if args.n <= 0:
        print("musitui: -n must be at least 1", file=sys.stderr)
        return 2
    opened = open_session(args, ctx, length=args.n)
    if isinstance(opened, int):
        return opened
    session, history = opened
    session.rerank(notify=False)
    items = session.up_next[: args.n]
    history.close()
    if args.json:
        print(terminal_json([{
            "id": item.track.id, "path": item.track.path, "title": item.track.title,
            "artist": item.track.artist, "score": item.score,
            "parts": explained_parts(item.parts, item.weights) if args.explain else item.parts,
            "reason": item.reason} for item in items], indent=2))
        return 0
    if not items:
        print("nothing to recommend")
        return 0
    for number, item in enumerate(items, 1):
        title = item.track.title or Path(item.track.path).name
        print(printable(f"{number:2}. {item.track.artist} – {title}  (score {item.score:+.2f})  "
                        f"{item.reason}"))
        if args.explain:
            print("      " + explain_line(item.parts, item.weights, item.score))
    return 0


def open_session(args: argparse.Namespace, ctx: Context, *, length: int
                 ) -> tuple[Session, History] | int:
    """A Session like the player's for ``args.after``/``args.mood``/``args.prompt`` (checked:
    a bad one is one line and an exit code), with Up next ``length`` long; the caller closes
    the history."""
    from musitui.commands.event import find_track
    from musitui.core.moods import ALL_MOODS
    from musitui.core.session import Session
    from musitui.store.features import FeatureStore
    from musitui.store.history import History

    if args.mood is not None and args.mood not in ALL_MOODS:
        print(f"musitui: unknown mood {args.mood!r}; choose one of {', '.join(ALL_MOODS)}",
              file=sys.stderr)
        return 2
    catalog = ctx.open_catalog()
    if not catalog.columns().present():
        print("musitui: the catalog is empty (run `musitui scan FOLDER` first)", file=sys.stderr)
        return 1
    after = []
    for path in args.after:
        track = find_track(catalog, path)
        if track is None:
            print(printable(f"musitui: {path} is not in the catalog"), file=sys.stderr)
            return 1
        after.append(track)
    features = FeatureStore.open(ctx.home)
    if features.damaged:
        print(f"musitui: {features.damaged}", file=sys.stderr)
    config = ctx.config
    config.recommend = replace(config.recommend, up_next_length=length)
    history = History.open(ctx.home, config)
    session = Session(ctx.home, config, catalog, player=None, history=history, features=features)
    for message in session.messages:
        print(f"musitui: {message}", file=sys.stderr)
    if args.mood is not None:
        session.mood = args.mood
    session.after = [t.id for t in after]
    if args.prompt is not None:
        from musitui.commands.vibe import understand_in_library

        vibe, notice = understand_in_library(args.prompt, ctx)
        if notice:
            print(printable(f"musitui: {notice}"), file=sys.stderr)
        if vibe.empty:
            print(f"musitui: nothing understood in {shorten(args.prompt)!r}; ranking as usual",
                  file=sys.stderr)
        session.vibe = None if vibe.empty else vibe
    return session, history


def explained_parts(parts: dict[str, float], weights: dict[str, float]) -> dict[str, dict[str, float]]:
    """Every part with the weight it entered the score with (penalties negative, the jitter
    1): Σ value·weight is the score. A play mode's or the listener's own row has no parts."""
    return {name: {"value": value, "weight": weights.get(name, 0.0)} for name, value in parts.items()}


def explain_line(parts: dict[str, float], weights: dict[str, float], score: float) -> str:
    """"content +0.62×1.00 · cf +0.00×0.80 · ... = +0.71": each part, its weight, the sum."""
    if not parts:
        return "(not scored: queued by you or by the play mode)"
    shown = [f"{name} {value:+.3f}×{weights.get(name, 0.0):.2f}" for name, value in parts.items()]
    return " · ".join(shown) + f" = {score:+.3f}"
