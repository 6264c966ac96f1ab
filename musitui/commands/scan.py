"""musitui scan FOLDER: keep the catalog in step with a music folder, then analyse what is new."""

from __future__ import annotations

import argparse
import os
import sys
import time
from typing import TYPE_CHECKING

from musitui.commands import Context
from musitui.text_safety import printable, terminal_json

if TYPE_CHECKING:
    from musitui.analysis.pipeline import PipelineReport
    from musitui.library.scan import ScanReport

HELP = "scan a music folder: read tags into the catalog, then analyse new tracks"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("folder", help="the music folder (scanned recursively, remembered)")
    parser.add_argument("--json", action="store_true",
                        help="print one JSON object with the summary on stdout")
    parser.add_argument("--no-analyze", action="store_true",
                        help="read tags only; skip the audio analysis")
    parser.add_argument("--no-tagger", action="store_true",
                        help="skip the audio tagger (the second analysis pass)")
    parser.add_argument("--jobs", type=_jobs, default=0, metavar="N",
                        help="worker processes (default: all cores)")


def _jobs(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError("must be 0 (all cores) or more")
    return value


def run(args: argparse.Namespace, ctx: Context) -> int:
    from musitui.commands import warn
    from musitui.library.scan import normalize_folder

    started = time.monotonic()
    root = normalize_folder(args.folder)
    catalog = ctx.open_catalog(write=True)
    if not os.path.isdir(root) and root not in catalog.folders:
        what = "not a folder" if os.path.exists(root) else "no such folder"
        warn(f"cannot scan {args.folder}: {what}")
        return 2
    try:
        from musitui.analysis.pipeline import PipelineEvents, scan_analyse_tag
    except ModuleNotFoundError as exc:
        if exc.name not in ("musitui.analysis", "musitui.analysis.pipeline"):
            raise
        warn("audio analysis is not available in this build; scanning tags only")
        from musitui.library.scan import scan_folder

        report = scan_folder(catalog, root, jobs=args.jobs, show_progress=not args.json,
                             follow_symlinks=ctx.config.library.follow_symlinks)
    else:
        class Told(PipelineEvents):
            def said(self, text: str, problem: bool = False) -> None:
                print(printable(f"musitui: {text}" if problem else text), file=sys.stderr)

        done = scan_analyse_tag(ctx.home, catalog, [root], analyse=not args.no_analyze,
                                tag=not args.no_tagger, jobs=args.jobs,
                                follow_symlinks=ctx.config.library.follow_symlinks,
                                show_progress=not args.json, events=Told())
        report = done.scans[0]
        _add_passes(report, done)
    report.seconds = time.monotonic() - started
    if args.json:
        print(terminal_json(report.summary()))
    else:
        _print_summary(report, analyzed=not args.no_analyze)
    if report.interrupted:
        print("musitui: scan interrupted; what was done is saved, run it again to continue",
              file=sys.stderr)
        return 130
    return 0


def _add_passes(report: ScanReport, done: PipelineReport) -> None:
    """The scan's summary counts the analysis and lists the files either pass skipped."""
    reported = {e["path"] for e in report.errors}
    for step in (done.analysis, done.tagging):
        if step is None:
            continue
        report.errors.extend(e for e in step.errors if e["path"] not in reported)
        reported.update(e["path"] for e in step.errors)
    report.analyzed = done.analysis.analyzed if done.analysis is not None else 0
    report.interrupted = done.interrupted


def _print_summary(report: ScanReport, *, analyzed: bool) -> None:
    parts = [f"{report.added} added", f"{report.updated} updated",
             f"{report.unchanged} unchanged", f"{report.missing} missing"]
    line = f"{report.folder}: {report.tracks} tracks ({', '.join(parts)})"
    if analyzed:
        line += f", {report.analyzed} analysed"
    print(f"{line} in {report.seconds:.1f} s")
    if report.warnings:
        print(f"{len(report.warnings)} damaged file(s) kept (they play up to what decodes):")
        for warning in report.warnings:
            print(f"  {warning['path']}: {warning['warning']}")
    if report.errors:
        print(f"{len(report.errors)} file(s) skipped:")
        for error in report.errors:
            print(printable(f"  {error['path']}: {error['error']}"))
