"""musitui mood PATH NAME: correct a track's mood (kept across rescans and re-analysis).

``NAME`` is one of the moods (happy, energetic, calm, sad, intense); ``auto`` removes the
correction (the analysis decides again). Tracks that sound like it move with it. Without
NAME, prints the track's mood and whether it was corrected.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from musitui.commands import Context
from musitui.text_safety import printable

if TYPE_CHECKING:
    from musitui.store.catalog import Catalog

HELP = "correct a track's mood, or show it (auto: let the analysis decide again)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("path", metavar="PATH", help="the track's file (as scanned)")
    parser.add_argument("name", metavar="NAME", nargs="?", default=None,
                        help="happy, energetic, calm, sad, intense, or auto (remove the correction)")


def run(args: argparse.Namespace, ctx: Context) -> int:
    from musitui.commands.event import find_track
    from musitui.core.moods import AUTO, MOOD_ORDER
    from musitui.store.mood_corrections import MoodCorrections

    if args.name is not None and args.name not in (AUTO, *MOOD_ORDER):
        print(f"musitui: unknown mood {args.name!r}; choose one of {', '.join([*MOOD_ORDER, AUTO])}",
              file=sys.stderr)
        return 2
    corrections = MoodCorrections.open(ctx.home)
    if corrections.damaged is not None:
        print(f"musitui: {printable(str(corrections.damaged))}", file=sys.stderr)
    catalog = ctx.open_catalog(write=args.name is not None)
    track = find_track(catalog, args.path)
    if track is None:
        print(f"musitui: {printable(args.path)} is not in the catalog (run `musitui scan FOLDER` first)",
              file=sys.stderr)
        return 1
    if args.name is None:
        mood = track.analysis.mood if track.analysis is not None else "not analysed yet"
        mark = " (corrected by you)" if track.id in corrections.moods else ""
        print(printable(f"{track.title or track.path}: {mood}{mark}"))
        return 0
    if args.name == AUTO:
        corrections.remove(track.id)
    else:
        corrections.set(track.id, track.path, args.name)
    corrections.save()
    moved = refresh(ctx, catalog, corrections.moods)
    title = track.title or track.path
    if args.name == AUTO:
        print(printable(f"{title}: the analysis decides its mood again"))
    else:
        print(printable(f"{title}: {args.name} (kept across rescans; {moved} similar tracks moved with it)"))
    return 0


def refresh(ctx: Context, catalog: Catalog, corrections: dict[int, str]) -> int:
    """Recompute the library's moods with the corrections and save the catalog; how many
    other tracks changed their mood label."""
    from musitui.background_job import refresh_moods

    before = {t.id: t.analysis.mood for t in catalog.present() if t.analysis is not None}
    refresh_moods(ctx.home, catalog)
    after = {t.id: t.analysis.mood for t in catalog.present() if t.analysis is not None}
    return sum(1 for k, v in after.items() if k not in corrections and before.get(k) != v)
