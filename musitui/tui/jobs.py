"""Background work for the UI: scanning folders, analysing new tracks, writing the demo library.

The work itself runs in a process of its own (``musitui.background_job``; its analysis
workers are processes too): at 50k tracks its bookkeeping, in a thread here, shared the GIL
with the UI thread and stalled frames. A Textual worker thread here only reads the job's
report lines (blocked on the pipe, not holding the GIL) and acts on them: it re-reads the
catalog when the job saved it, re-sorts the library and rebuilds the recommender's arrays
(one heavy builder at a time, off the UI thread), and shows progress through
``app.call_from_thread``.
"""

from __future__ import annotations

import contextlib
import json
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from musitui.core.contracts import SessionControl
from musitui.job_messages import (
    Failed,
    JobMessage,
    Notice,
    Problems,
    Progress,
    Reading,
    Saved,
    Scanned,
    Status,
    Tagging,
    from_line,
)

if TYPE_CHECKING:
    from musitui.store.catalog import Catalog
    from musitui.tui.app import MusituiApp
from musitui.library.watch import FolderWatch
from musitui.paths import Home
from musitui.tui.library_model import format_duration
from musitui.tui.quiet_gc import gc_paused, one_builder

REFRESH_SECONDS = 10.0  # how often analysis results are folded into Up next while it runs
TOAST_LINES = 4  # skipped files named in one notification
JOB_LOG = "background-job.log"  # the job's stderr (a traceback there is never on screen)


class BackgroundJobs:
    def __init__(self, home: Home, catalog: Catalog, session: SessionControl, *, folders: list[str],
                 analyze: bool = True, demo_dir: Path | None = None,
                 watch_folders: list[str] | None = None) -> None:
        self.home = home
        self.catalog = catalog
        self.session = session
        self.folders = folders
        self.analyze = analyze
        self.demo_dir = demo_dir
        self.stop = threading.Event()
        self.busy = threading.Lock()
        self._process: subprocess.Popen[bytes] | None = None
        self.watch_folders = list(watch_folders or [])  # followed for changes while the player runs
        self._watch: FolderWatch | None = None
        self._changed: list[str] = []  # folders changed on disk, scanned when the job is free
        self._changed_lock = threading.Lock()
        self._session_stale = self._library_stale = False  # the catalog changed since they saw it

    # -- entry points (called on the UI thread) -----------------------------------------
    def start(self, app: MusituiApp) -> None:
        if self.folders or self.analyze:
            self._run(app, {"folders": self.folders}, "startup scan")
        if self.watch_folders:
            self._watch = FolderWatch(self.watch_folders,
                                      lambda folder: self._ui(app, self.changed_on_disk, app, folder))
            self._watch.start()
            if self._watch.problem:
                self._ui(app, app.notify, self._watch.problem, severity="warning", timeout=8)

    def changed_on_disk(self, app: MusituiApp, folder: str) -> None:
        """A watched folder changed and settled: scan it (and analyse what is new) as soon as
        no other job runs; several changes while one runs make one scan."""
        with self._changed_lock:
            if folder not in self._changed:
                self._changed.append(folder)
        if self.busy.locked() or self.stop.is_set():
            return  # picked up when the running job ends
        with self._changed_lock:
            folders, self._changed = self._changed, []
        if folders:
            self._run(app, {"folders": folders}, "library change", quiet=True)

    def scan_folder(self, app: MusituiApp, folder: str) -> None:
        path = Path(folder).expanduser()
        if not path.is_dir():
            app.notify(f"Not a folder: {path}", severity="warning")
            return
        self._run(app, {"folders": [str(path.resolve())]}, "scan")
        if self._watch is not None:
            self._watch.add(str(path))

    def refresh_moods(self, app: MusituiApp) -> None:
        """Recompute the library's moods with the listener's corrections (a correction made
        with the mood key): the job saves the catalog and the views read it again."""
        self._run(app, {"folders": [], "analyze": False, "moods": True}, "moods", quiet=True)

    def make_demo(self, app: MusituiApp) -> None:
        target = self.demo_dir or Path(self.home.data_dir) / "demo-library"
        self._run(app, {"demo": str(target)}, "demo library")

    def shutdown(self) -> None:
        """Ask the job to stop (SIGTERM: it keeps what it finished, saves and exits by itself,
        and a rerun continues; still starting, it just ends: a SIGINT then, inside Python's
        own start-up, was a fatal error); the player does not wait for it."""
        self.stop.set()
        if self._watch is not None:
            self._watch.stop()
        process = self._process
        if process is not None and process.poll() is None:
            with contextlib.suppress(OSError):
                process.send_signal(signal.SIGTERM)

    # -- the job ---------------------------------------------------------------------
    def _run(self, app: MusituiApp, work: dict[str, Any], name: str, *, quiet: bool = False) -> None:
        spec = {"config_dir": str(self.home.config_dir), "data_dir": str(self.home.data_dir),
                "analyze": self.analyze, **work}

        def guarded() -> None:
            if not self.busy.acquire(blocking=False):
                if quiet:  # a change on disk: scanned once the running job ends
                    with self._changed_lock:
                        self._changed.extend(f for f in work["folders"] if f not in self._changed)
                    return
                self._ui(app, app.notify, "Still busy with the previous scan; try again when it ends",
                         severity="warning")
                return
            try:
                self._follow(app, spec, name)
            except Exception as exc:  # noqa: BLE001 - a failed job is a notification, not a crash
                self._failed(app, name, str(exc) or type(exc).__name__)
            finally:
                self.busy.release()
                self._ui(app, app.set_status, "")
                if self._changed:
                    self._ui(app, self.changed_on_disk, app, self._changed[0])

        app.run_worker(guarded, thread=True, exclusive=False, group="background", name=name)

    def _follow(self, app: MusituiApp, spec: dict[str, Any], name: str) -> None:
        if self.stop.is_set():
            return
        follower = _JobFollower(self, app)
        log = Path(self.home.data_dir) / JOB_LOG
        with open(log, "wb") as stderr:  # the last job's only: it never grows
            process = subprocess.Popen(
                [sys.executable, "-m", "musitui.background_job", json.dumps(spec)],
                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=stderr,
                start_new_session=True)
        self._process = process
        if self.stop.is_set():  # shut down while it was starting
            with contextlib.suppress(OSError):
                process.send_signal(signal.SIGTERM)
        assert process.stdout is not None
        for raw in process.stdout:
            message = from_line(raw)
            if message is not None:
                follower.take(message)
        code = process.wait()
        follower.finish()
        if code not in (0, 130) and not follower.failed and not self.stop.is_set():
            self._failed(app, name, f"the background job ended with status {code} (see {log})")

    def _failed(self, app: MusituiApp, name: str, text: str) -> None:
        first = text.strip().splitlines()[0] if text.strip() else "unknown error"
        self._ui(app, app.notify, f"{name} failed: {first}", severity="error", timeout=10)

    def _ui(self, app: MusituiApp, fn: Callable[..., object], *args: object, **kwargs: object) -> None:
        if self.stop.is_set() or not app.is_running:
            return
        with contextlib.suppress(RuntimeError):  # the app closed meanwhile
            app.call_from_thread(fn, *args, **kwargs)

    def catalog_changed(self, app: MusituiApp, *, session: bool, library: bool) -> None:
        """Re-read the catalog the job saved; then (off the UI thread: rebuilding the
        recommender's arrays is heavy at 50k tracks) have the session see new tracks and
        feature vectors and rerank, and have the app re-sort its library."""
        if self.stop.is_set():
            return
        with one_builder(), gc_paused():
            if self.catalog.reload():
                self._session_stale = self._library_stale = True
            if session and self._session_stale:
                self._session_stale = False
                self.session.reload_library()  # new tracks and vectors, then a rerank
                # Up next repaints now; the next builder waits (they would share the GIL).
                with contextlib.suppress(RuntimeError):
                    app.wait_for_repaint()
        if library and self._library_stale:
            self._library_stale = False
            self._ui(app, app.reload_library)


class _JobFollower:
    """Acts on the job's report lines (in the reading thread)."""

    def __init__(self, jobs: BackgroundJobs, app: MusituiApp) -> None:
        self.jobs, self.app = jobs, app
        self.failed = False
        self.started = time.monotonic()
        self.refreshed = 0.0
        self.pending = False  # analysis results not yet folded into Up next
        self.tagging_started = 0.0

    def take(self, message: JobMessage) -> None:
        jobs, app = self.jobs, self.app
        match message:
            case Status(text):
                jobs._ui(app, app.set_status, text)
            case Saved("scan"):
                jobs.catalog_changed(app, session=False, library=True)
            case Saved("analysis"):
                self.pending = True
                # New vectors reach Up next as they come, but a rebuild costs ~1 s of CPU at
                # 50k tracks: at most every REFRESH_SECONDS.
                if time.monotonic() - self.refreshed >= REFRESH_SECONDS:
                    self._fold_in()
            case Scanned():
                jobs.catalog_changed(app, session=True, library=False)
                self.started = time.monotonic()
            case Reading(done, total, folder):
                jobs._ui(app, app.set_status, f"scanning {folder} · {done}/{total} files")
            case Progress(done, total):
                jobs._ui(app, app.set_status, f"analysing {done}/{total}{_eta(self.started, done, total)}")
            case Tagging(done, total):  # the second pass (the audio tagger)
                if not self.tagging_started:
                    self.tagging_started = time.monotonic() - 1e-3
                jobs._ui(app, app.set_status, f"tagging {done}/{total}{_eta(self.tagging_started, done, total)}")
            case Problems(lines, what):
                toast = problems_toast(what, lines)
                if toast:
                    jobs._ui(app, app.notify, toast, severity="warning", timeout=12)
            case Notice(text, severity):
                jobs._ui(app, app.notify, text, severity=severity, timeout=6)
            case Failed(text):
                self.failed = True
                jobs._failed(app, "background job", text)

    def _fold_in(self) -> None:
        # The library too: its Mood column, `mood:` filter and Mood sort read the analysis.
        self.jobs.catalog_changed(self.app, session=True, library=True)
        self.refreshed = time.monotonic()
        self.pending = False

    def finish(self) -> None:
        if self.pending:
            self._fold_in()


def _eta(started: float, done: int, total: int) -> str:
    elapsed = time.monotonic() - started
    eta = (elapsed / done * (total - done)) if done and total else None
    return f" · {format_duration(eta)} left" if eta else ""


def problems_toast(what: str, problems: list[str], shown: int = TOAST_LINES) -> str:
    """One notification for all skipped files (not one toast each, covering Up next)."""
    if not problems:
        return ""
    if len(problems) == 1:
        return f"Skipped {problems[0]}"
    lines = [f"Skipped {len(problems)} files that {what}:"]
    lines += [f"· {line}" for line in problems[:shown]]
    if len(problems) > shown:
        lines.append(f"…and {len(problems) - shown} more (`musitui scan FOLDER` lists them all)")
    return "\n".join(lines)

