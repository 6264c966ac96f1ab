"""The player's background work in a process of its own: write the demo library, scan folders,
analyse new tracks.

The TUI (``tui/jobs.py``) runs ``python -m musitui.background_job SPEC`` (SPEC: JSON with the
home's folders and what to do) and reads its report on stdout: typed messages
(``musitui.job_messages``: status, reading, saved, scanned, progress, tagging, problems,
notice, failed), one JSON object a line. The work is the one pipeline
(``analysis.pipeline.scan_analyse_tag``), whose events become the messages. A SPEC with
``"moods": true`` first recomputes the library's moods (with the listener's corrections).

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
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from musitui import job_messages as msg
from musitui.analysis.pipeline import PassName, PipelineEvents, skipped_lines

if TYPE_CHECKING:
    from musitui.library.scan import ScanReport
    from musitui.paths import Home
    from musitui.store.catalog import Catalog

STOPPED = 130
JOB_NICENESS = 5
Report = Callable[[msg.JobMessage], None]


class Reporter:
    """One JSON line per message on stdout; a closed pipe (the player is gone) means stop."""

    def __init__(self, stop: threading.Event) -> None:
        self.stop = stop
        self._lock = threading.Lock()

    def __call__(self, message: msg.JobMessage) -> None:
        line = msg.to_line(message)
        with self._lock:
            try:
                sys.stdout.write(line)
                sys.stdout.flush()
            except (BrokenPipeError, OSError, ValueError):
                self.stop.set()


def run_job(spec: dict[str, Any], report: Report, stop: threading.Event) -> int:
    from musitui.analysis.pipeline import scan_analyse_tag
    from musitui.config import load_config
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
    catalog = Catalog.open(home, write=True, on_wait=lambda message: report(msg.Status(message)))
    events = JobEvents(report)
    catalog.after_save = lambda: report(msg.Saved(events.saving))
    if spec.get("moods") and not stop.is_set():
        events.saving = "analysis"
        refresh_moods(home, catalog)
        events.saving = "scan"
    scan_analyse_tag(home, catalog, folders, analyse=bool(spec.get("analyze")),
                     follow_symlinks=follow_symlinks, should_stop=stop.is_set, events=events)
    return STOPPED if stop.is_set() else 0


class JobEvents(PipelineEvents):
    """The pipeline's events as report lines (progress at most every 0.1-0.2 s)."""

    def __init__(self, report: Report) -> None:
        self.report = report
        self.saving: msg.SavedWhat = "scan"  # what a catalog save now is
        self.reported: set[str] = set()  # problem lines already told
        self._reading = Throttled(lambda done, total: None)
        self._passes = {"analysis": Throttled(lambda d, t: report(msg.Progress(d, t)), interval=0.1),
                        "tagging": Throttled(lambda d, t: report(msg.Tagging(d, t)), interval=0.1)}

    def scanning(self, folder: str) -> None:
        name = Path(folder).name
        self.report(msg.Status(f"scanning {name}…"))
        self._reading = Throttled(lambda done, total: self.report(msg.Reading(done, total, name)))

    def reading(self, folder: str, done: int, total: int) -> None:
        self._reading(done, total)

    def folder_scanned(self, report: ScanReport) -> None:
        self._problems(skipped_files(report), "could not be read")

    def all_scanned(self) -> None:
        self.report(msg.Scanned())

    def said(self, text: str, problem: bool = False) -> None:
        self.report(msg.Notice(text))

    def pass_started(self, name: PassName) -> None:
        self.saving = "analysis"
        self.report(msg.Status("analysing…" if name == "analysis" else "tagging…"))

    def pass_progress(self, name: PassName, done: int, total: int) -> None:
        self._passes[name](done, total)

    def pass_finished(self, name: PassName, errors: list[dict[str, str]]) -> None:
        self._problems(skipped_lines(errors),
                       "could not be analysed" if name == "analysis" else "could not be tagged")

    def _problems(self, lines: list[str], what: str) -> None:
        fresh = [line for line in lines if line not in self.reported]
        self.reported.update(fresh)
        if fresh:
            self.report(msg.Problems(fresh, what))


class Throttled:
    """Passes ``(done, total)`` on at most every ``interval`` seconds, and always the last."""

    def __init__(self, send: Callable[[int, int], None], interval: float = 0.2) -> None:
        self.send, self.interval, self.last = send, interval, 0.0

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        if done >= total or now - self.last >= self.interval:
            self.last = now
            self.send(done, total)


def write_demo(target: Path, report: Report, stop: threading.Event) -> bool:
    from musitui.library.demo import DemoError, write_demo_library

    report(msg.Status("writing the demo library…"))

    def progress(done: int, total: int, _path: Path) -> None:
        report(msg.Status(f"writing the demo library {done}/{total}"))
        if stop.is_set():
            raise DemoError("stopped")

    try:
        write_demo_library(target, progress=progress)
    except DemoError as exc:
        if not stop.is_set():
            report(msg.Notice(f"Demo library: {exc}", "error"))
        return False
    report(msg.Notice(f"Demo library written to {target}"))
    return True


class HasErrors(Protocol):
    errors: list[dict[str, str]]


def refresh_moods(home: Home, catalog: Catalog) -> None:
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


def skipped_files(result: HasErrors) -> list[str]:
    """One line per file a scan or an analysis skipped: its name and why."""
    return skipped_lines(result.errors)


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
        report(msg.Failed(first))
        return 1


if __name__ == "__main__":
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    sys.exit(main(sys.argv[1:]))
