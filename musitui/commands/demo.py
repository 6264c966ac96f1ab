"""musitui demo FOLDER: write the synthesised demo library (about 24 tagged tracks)."""

from __future__ import annotations

import argparse
import os
import shlex
import sys
import time
from pathlib import Path

from musitui.commands import Context

HELP = "write a small synthesised demo library (about 24 tagged tracks) into FOLDER"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("folder", metavar="FOLDER", help="new or empty folder (or an earlier demo library)")
    parser.add_argument("--jobs", type=int, default=0, metavar="N",
                        help="processes to render with (default: up to 2, one per core)")
    parser.add_argument("--quiet", action="store_true", help="print nothing but errors")


def run(args: argparse.Namespace, ctx: Context) -> int:
    from musitui.library.demo import (
        CSV_FILE,
        STYLES,
        DemoError,
        demo_tracks,
        write_demo_library,
    )
    from musitui.progress import Progress

    folder = Path(args.folder).expanduser()
    jobs = args.jobs if args.jobs > 0 else min(2, os.cpu_count() or 1)
    bar = Progress("Writing demo library", len(demo_tracks()), enabled=not args.quiet,
                   unit="tracks")
    started = time.monotonic()
    try:
        written = write_demo_library(folder, jobs=jobs, progress=lambda done, total, path:
                                     bar.advance(note=path.name))
    except DemoError as exc:
        bar.close()
        print(f"musitui: {exc}", file=sys.stderr)
        return 1
    bar.close()
    if not args.quiet:
        formats = sorted({path.suffix.lstrip(".") for path in written})
        print(f"Wrote {len(written)} tracks ({', '.join(formats)}) to {folder} "
              f"in {time.monotonic() - started:.1f} s:")
        for style in STYLES:
            print(f"  {style.artist} - {style.album}  ({style.genre}, {style.name}, "
                  f"{len(style.titles)} tracks)")
        print(f"Ground truth (style, mood, tempo, key) in {folder / CSV_FILE}")
        print(f"Play it with: musitui {shlex.quote(str(folder))}")
    return 0
