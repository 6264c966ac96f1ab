"""The player's background work in a process of its own: write the demo library, scan folders,
analyse new tracks.

The TUI (``tui/jobs.py``) runs ``python -m musitui.background_job SPEC`` (SPEC: JSON with the
home's folders and what to do) and reads its report on stdout, one JSON object a line:

    {"status": "scanning Music…"}        what it is doing now
    {"reading": [done, total], "folder": "Music"}  tags read in a scan (new/changed files)
    {"saved": "scan" | "analysis"}        the catalog on disk changed: read it again
                                          ("moods": true in SPEC: only the library's moods
                                          are recomputed, with the listener's corrections)
    {"scanned": true}                     every folder is scanned (analysis follows)
    {"progress": [done, total]}           analysis progress (the fast features)
    {"tagging": [done, total]}            the second pass's progress (the audio tagger)
    {"problems": [...], "what": "…"}      files skipped, one line each
    {"notice": "…", "severity": "…"}      anything else to tell the user
    {"failed": "…"}                       the job stopped on an error (one line)

Why a process: the bookkeeping of a scan or an analysis at 50k tracks (saving the catalog,
recomputing every track's mood and style) is Python work that, in a thread of the player,
shared the GIL with the UI thread and stalled frames for 30-80 ms. Here it costs the player
nothing; the player only re-reads the catalog when told it changed.

SIGINT or SIGTERM (the player quitting), or the player's end of the pipe closing, stops it
cleanly: work in flight is kept, the catalog is saved, and the next run continues.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import sys
import threading
import time
from pathlib import Path
from typing import Any

STOPPED = 130
JOB_NICENESS = 5


class Reporter:
    """One JSON line per message on stdout; a closed pipe (the player is gone) means stop."""

    def __init__(self, stop: threading.Event) -> None:
        self.stop = stop
        self._lock = threading.Lock()

    def __call__(self, **message: Any) -> None:
        line = json.dumps(message, ensure_ascii=False) + "\n"
        with self._lock:
            try:
                sys.stdout.write(line)
                sys.stdout.flush()
            except (BrokenPipeError, OSError, ValueError):
                self.stop.set()


def run_job(spec: dict[str, Any], report: Reporter, stop: threading.Event) -> int:
    from musitui.config import load_config
    from musitui.library.scan import scan_folder
    from musitui.paths import Home
    from musitui.store.catalog import Catalog

    home = Home(config_dir=Path(spec["config_dir"]), data_dir=Path(spec["data_dir"])).ensure()
    folders = [str(f) for f in spec.get("folders", [])]
    demo = spec.get("demo")
    if demo:
        if not write_demo(Path(demo), report, stop):
            return STOPPED if stop.is_set() else 1
        folders.append(str(demo))

    follow_symlinks = load_config(home).library.follow_symlinks  # its problems: told at start
    catalog = Catalog.open(home, write=True, on_wait=lambda message: report(status=message))
    phase = {"name": "scan"}
    catalog.after_save = lambda: report(saved=phase["name"])
    if spec.get("analyze") and folders:
        from musitui.analysis.worker import start_worker_server

        start_worker_server()  # the workers' server warms up while the folders are scanned
    added = 0
    for folder in folders:
        if stop.is_set():
            return STOPPED
        report(status=f"scanning {Path(folder).name}…")
        result = scan_folder(catalog, folder, should_stop=stop.is_set,  # saves: "saved" lines
                             follow_symlinks=follow_symlinks,
                             on_progress=Throttled(lambda done, total, name=Path(folder).name:
                                                   report(reading=[done, total], folder=name)))
        added += result.added
        problems = skipped_files(result)
        if problems:
            report(problems=problems, what="could not be read")
    report(scanned=True)
    if added and not stop.is_set():
        matched_kept_aside(home, catalog, report)
    if spec.get("moods") and not stop.is_set():
        phase["name"] = "analysis"
        refresh_moods(home, catalog)
    if spec.get("analyze") and not stop.is_set():
        phase["name"] = "analysis"
        analyze(home, catalog, report, stop)
    return STOPPED if stop.is_set() else 0


def matched_kept_aside(home: Any, catalog: Any, report: Reporter) -> None:
    """Listens imported before their files were scanned (``history import``) get them now."""
    from musitui.config import load_config
    from musitui.imports.importer import match_kept_aside
    from musitui.store.history import HistoryError

    try:
        told = match_kept_aside(home, load_config(home), catalog.columns().present())
    except (HistoryError, OSError) as exc:
        report(notice=f"could not match the listens kept aside by history imports: {exc}")
        return
    if told:
        report(notice=told)


class Throttled:
    """Passes ``(done, total)`` on at most every ``interval`` seconds, and always the last."""

    def __init__(self, send: Any, interval: float = 0.2) -> None:
        self.send, self.interval, self.last = send, interval, 0.0

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        if done >= total or now - self.last >= self.interval:
            self.last = now
            self.send(done, total)


def write_demo(target: Path, report: Reporter, stop: threading.Event) -> bool:
    from musitui.library.demo import DemoError, write_demo_library

    report(status="writing the demo library…")

    def progress(done: int, total: int, _path: Path) -> None:
        report(status=f"writing the demo library {done}/{total}")
        if stop.is_set():
            raise DemoError("stopped")

    try:
        write_demo_library(target, progress=progress)
    except DemoError as exc:
        if not stop.is_set():
            report(notice=f"Demo library: {exc}", severity="error")
        return False
    report(notice=f"Demo library written to {target}")
    return True


def analyze(home: Any, catalog: Any, report: Reporter, stop: threading.Event) -> None:
    from musitui.analysis.runner import analyze_catalog

    report(status="analysing…")
    result = analyze_catalog(home, catalog, show_progress=False, should_stop=stop.is_set,
                             on_progress=Throttled(lambda done, total: report(progress=[done, total]),
                                                   interval=0.1))
    problems = skipped_files(result)
    if problems:
        report(problems=problems, what="could not be analysed")
    if stop.is_set() or result.interrupted:
        return
    # The second pass, once the library is analysed and ranked: embeddings and tag words.
    from musitui.analysis.tagger_pass import tag_catalog

    report(status="tagging…")
    tagged = tag_catalog(home, catalog, show_progress=False, should_stop=stop.is_set,
                         on_progress=Throttled(lambda done, total: report(tagging=[done, total]),
                                               interval=0.1))
    problems = [p for p in skipped_files(tagged) if p not in problems]
    if problems:
        report(problems=problems, what="could not be tagged")


def refresh_moods(home: Any, catalog: Any) -> None:
    """The library's moods again, with the listener's corrections (musitui.store.mood_corrections):
    a correction made in the player is in the catalog at once, and similar tracks move with it."""
    from musitui.analysis.runner import update_summaries
    from musitui.store.features import FeatureStore
    from musitui.store.mood_corrections import MoodCorrections
    from musitui.store.tagger_store import TaggerStore

    store = FeatureStore.open(home)
    if len(store.ids):
        update_summaries(catalog, store, isolate_models=True, tagger=TaggerStore.open(home),
                         corrections=MoodCorrections.open(home).moods)
        catalog.save()


def skipped_files(result: Any) -> list[str]:
    """One line per file a scan or an analysis skipped: its name and why."""
    lines = []
    for error in list(getattr(result, "errors", []) or []):
        if isinstance(error, dict):
            lines.append(f"{Path(str(error.get('path', '?'))).name}: {error.get('error') or 'cannot decode'}")
        else:
            lines.append(str(error))
    return lines


def watch_parent(stop: threading.Event) -> None:
    """Stop when the player is gone (killed without a word): the job is re-parented."""
    parent = os.getppid()
    while not stop.wait(1.0):
        if os.getppid() != parent:
            stop.set()


def main(argv: list[str]) -> int:
    # Background work: the player's UI thread wins the CPU when both want it (its analysis
    # workers go lower still).
    with contextlib.suppress(OSError):
        os.nice(JOB_NICENESS)
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    report = Reporter(stop)
    threading.Thread(target=watch_parent, args=(stop,), name="musitui-watch-parent",
                     daemon=True).start()
    try:
        spec = json.loads(argv[0])
        return run_job(spec, report, stop)
    except Exception as exc:  # noqa: BLE001 - one line for the player; details on stderr (its log)
        import traceback

        traceback.print_exc()
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        report(failed=first)
        return 1


if __name__ == "__main__":
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    sys.exit(main(sys.argv[1:]))
