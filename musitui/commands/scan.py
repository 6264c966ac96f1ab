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
    from musitui.store.catalog import Catalog

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
    from musitui.library.scan import normalize_folder, scan_folder

    started = time.monotonic()
    root = normalize_folder(args.folder)
    catalog = ctx.open_catalog(write=True)
    if not os.path.isdir(root) and root not in catalog.folders:
        what = "not a folder" if os.path.exists(root) else "no such folder"
        warn(f"cannot scan {args.folder}: {what}")
        return 2
    if not args.no_analyze and _analysis_likely(catalog, root):
        _start_workers_early()
    follow = ctx.config.library.follow_symlinks
    report = scan_folder(catalog, root, jobs=args.jobs, show_progress=not args.json,
                         follow_symlinks=follow)
    if not report.interrupted and not args.no_analyze:
        _analyze(ctx, catalog, report, args)
    report.seconds = time.monotonic() - started
    if report.added and not report.interrupted:
        _match_kept_aside(ctx, catalog)
    if args.json:
        print(terminal_json(report.summary()))
    else:
        _print_summary(report, analyzed=not args.no_analyze)
    if report.interrupted:
        print("musitui: scan interrupted; what was done is saved, run it again to continue",
              file=sys.stderr)
        return 130
    return 0


def _match_kept_aside(ctx: Context, catalog: Catalog) -> None:
    """Listens imported before their files were here (``history import``) get them now."""
    from musitui.commands import warn
    from musitui.imports.importer import match_kept_aside
    from musitui.store.history import HistoryError

    try:
        told = match_kept_aside(ctx.home, ctx.config, catalog.columns().present())
    except (HistoryError, OSError) as exc:
        warn(f"could not match the listens kept aside by history imports: {exc}")
        return
    if told:
        print(printable(told), file=sys.stderr)


def _analysis_likely(catalog, root: str) -> bool:
    """A new folder, or tracks still unanalysed: worth warming the workers up front. (A
    plain rescan of an analysed library should not pay for it; a few changed files there
    start their workers when the tag pass is done.)"""
    return root not in catalog.folders or any(t.analysis is None for t in catalog.present())


def _start_workers_early() -> None:
    """The analysis workers' server warms up (~0.8 s of CPU) during the tag pass."""
    try:
        from musitui.analysis.worker import start_worker_server
    except ImportError:
        return  # no analysis in this build: _analyze says so
    start_worker_server()


def _analyze(ctx, catalog, report, args: argparse.Namespace) -> None:
    from musitui.commands import warn

    try:
        from musitui.analysis.runner import analyze_catalog
    except ModuleNotFoundError as exc:
        if exc.name not in ("musitui.analysis", "musitui.analysis.runner"):
            raise
        warn("audio analysis is not available in this build; tags were scanned")
        return
    # New or changed tracks, plus any a previous interrupted run left unanalysed.
    ids = dict.fromkeys(report.changed_ids)
    ids.update(dict.fromkeys(t.id for t in catalog.present() if t.analysis is None))
    present = {t.id for t in catalog.present()}
    track_ids = [i for i in ids if i in present]
    if track_ids:
        result = analyze_catalog(ctx.home, catalog, track_ids=track_ids, jobs=args.jobs or 0,
                                 show_progress=not args.json)
        report.analyzed = int(result.analyzed)
        report.errors.extend(result.errors)
        if result.unplayable:  # no audio decodes in these: errors, not tracks
            gone = {catalog.tracks[i].path for i in result.unplayable}
            report.tracks -= len(gone)
            report.warnings = [w for w in report.warnings if w["path"] not in gone]
        report.interrupted = report.interrupted or bool(result.interrupted)
    # The second pass: new tracks, and whatever an interrupted run left untagged.
    if not report.interrupted and not args.no_tagger:
        from musitui.analysis.tagger_pass import tag_catalog

        tagged = tag_catalog(ctx.home, catalog, jobs=args.jobs or 0, show_progress=not args.json)
        reported = {e["path"] for e in report.errors}
        report.errors.extend(e for e in tagged.errors if e["path"] not in reported)
        report.interrupted = bool(tagged.interrupted)


def _print_summary(report, *, analyzed: bool) -> None:
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
