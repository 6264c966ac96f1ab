"""musitui analyze: (re)analyse the audio of the catalog's tracks."""

from __future__ import annotations

import argparse
import sys

from musitui.commands import Context
from musitui.text_safety import printable, terminal_json

HELP = "analyse the audio of tracks lacking an analysis (features, tempo, key, mood, style; then the tagger)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--force", action="store_true",
                        help="re-analyse every present track, not only new ones")
    parser.add_argument("--jobs", type=int, default=0, metavar="N",
                        help="worker processes (default: the config's analysis.jobs, 0 = all cores)")
    parser.add_argument("--no-tagger", action="store_true",
                        help="skip the second pass (the audio tagger: embedding and tag words)")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")


def run(args: argparse.Namespace, ctx: Context) -> int:
    if args.jobs < 0:
        print("musitui: --jobs must be 0 (all cores) or more", file=sys.stderr)
        return 2
    from musitui.analysis.pipeline import scan_analyse_tag

    catalog = ctx.open_catalog(write=True)
    if not catalog.present():
        print("musitui: the catalog is empty: run `musitui scan FOLDER` first", file=sys.stderr)
        return 1
    done = scan_analyse_tag(ctx.home, catalog, tag=not args.no_tagger, force=args.force,
                            jobs=args.jobs or ctx.config.analysis.jobs, show_progress=not args.json)
    report, tagged, interrupted = done.analysis, done.tagging, done.interrupted
    if report is None:  # stopped before the first pass
        return 130
    if args.json:
        data = report.to_dict()
        if tagged is not None:
            data["tagger"] = tagged.to_dict()
        print(terminal_json(data, indent=2))
    else:
        rate = report.to_dict()["tracks_per_second"]
        print(f"analysed {report.analyzed} of {report.total} tracks in {report.seconds:.1f} s "
              f"({rate} tracks/s), {len(report.errors)} failed")
        for error in report.errors:
            print(printable(f"  {error['path']}: {error['error']}"))
        if tagged is not None:
            rate = tagged.to_dict()["tracks_per_second"]
            print(f"tagged {tagged.tagged} of {tagged.total} tracks in {tagged.seconds:.1f} s "
                  f"({rate} tracks/s), {len(tagged.errors)} failed")
            for error in tagged.errors:
                print(printable(f"  {error['path']}: {error['error']}"))
        if interrupted:
            print("interrupted: finished tracks were kept; run `musitui analyze` again to continue")
    return 130 if interrupted else 0
