"""musitui tracks: the catalog, one row per track (or a JSON array)."""

from __future__ import annotations

import argparse
import shutil
from typing import TYPE_CHECKING

from musitui.commands import Context
from musitui.text_safety import printable, terminal_json

if TYPE_CHECKING:
    from collections.abc import Sequence

    from musitui.core.model import Track
    from musitui.paths import Home
    from musitui.store.catalog import Catalog

HELP = "list the tracks in the catalog"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print a JSON array of tracks")
    parser.add_argument("--search", default=None, metavar="QUERY",
                        help='only the tracks the player\'s / finds: words, pinyin ("qingtian", "zjl"), '
                             'field filters ("mood:calm genre:jazz artist:\"x y\"")')


def _searched(catalog: Catalog, query: str, home: Home) -> list[Track]:
    """The present tracks ``query`` finds, through the player's own matcher."""
    from musitui.store.notes import Notes
    from musitui.tui.library_model import LibraryModel
    from musitui.words.target import extra_search_words

    columns = catalog.columns()
    notes = {i: " ".join(n.text for n in written) for i, written in Notes.open(home).current().items()}
    extra = extra_search_words(home, columns.present().ids, notes)
    model = LibraryModel(columns, lookup=catalog.get, notes=extra)
    found = []
    for track_id in model.matching_ids(query):
        track = catalog.get(track_id)
        if track is not None:
            found.append(track)
    return found


def run(args: argparse.Namespace, ctx: Context) -> int:

    catalog = ctx.open_catalog()
    if args.search is not None:
        tracks = sorted(_searched(catalog, args.search, ctx.home), key=_order)
        if args.json:
            print(terminal_json([t.public_dict() for t in tracks]))
        elif tracks:
            print_table(tracks)
            print(f"{len(tracks)} tracks found")
        else:
            print(printable(f"no track matches {args.search!r}"))
        return 0
    tracks = sorted(catalog.tracks.values(), key=_order)
    if args.json:
        print(terminal_json([t.public_dict() for t in tracks]))
        return 0
    if not tracks:
        print("The catalog is empty: run `musitui scan FOLDER` first.")
        return 0
    print_table(tracks)
    present = sum(1 for t in tracks if not t.missing)
    analysed = sum(1 for t in tracks if t.analyzed and not t.missing)
    print(f"{present} tracks, {analysed} analysed, {len(tracks) - present} missing")
    return 0


def _order(track: Track) -> tuple[str, str, int, int, str, int]:
    return (track.artist.casefold(), track.album.casefold(), track.disc_no or 0,
            track.track_no or 0, track.title.casefold(), track.id)


def format_duration(seconds: float) -> str:
    total = int(round(seconds or 0))
    minutes, secs = divmod(total, 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def _status(track: Track) -> str:
    if track.missing:
        return "missing"
    return "✓" if track.analyzed else "·"


def print_table(tracks: Sequence[Track]) -> None:
    width = shutil.get_terminal_size((120, 24)).columns
    rows = [(str(t.id), printable(t.artist), printable(t.album), printable(t.title),
             format_duration(t.duration), _status(t))
            for t in tracks]
    header = ("id", "artist", "album", "title", "time", "an.")
    fixed = [max(len(r[i]) for r in [header, *rows]) for i in (0, 4, 5)]
    free = max(30, width - sum(fixed) - 2 * 5)
    # artist : album : title share what is left, 3 : 3 : 4
    caps = [free * 3 // 10, free * 3 // 10, free - 2 * (free * 3 // 10)]
    widths = [fixed[0]]
    for index, cap in zip((1, 2, 3), caps, strict=True):
        widths.append(min(cap, max(len(r[index]) for r in [header, *rows])))
    widths += [fixed[1], fixed[2]]
    for row in [header, *rows]:
        cells = [_fit(cell, w) for cell, w in zip(row, widths, strict=True)]
        cells[0] = cells[0].rjust(widths[0])
        cells[4] = row[4].rjust(widths[4])
        print("  ".join(cells).rstrip())


def _fit(text: str, width: int) -> str:
    return text.ljust(width) if len(text) <= width else text[: max(0, width - 1)] + "…"
