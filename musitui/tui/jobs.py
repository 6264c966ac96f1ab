"""Background work for the UI: scanning folders, analysing new tracks, writing the demo library.

Everything here runs in Textual worker *threads*; analysis itself runs in separate processes
started by ``musitui.analysis.runner`` (this process never imports librosa). Progress comes
back through ``app.call_from_thread``, throttled so the screen never stalls.
"""

from __future__ import annotations

import contextlib
import threading
import time
from pathlib import Path
from typing import Any

from musitui.tui.library_model import format_duration
from musitui.tui.quiet_gc import gc_paused, one_builder

REFRESH_SECONDS = 10.0  # how often analysis results are folded into Up next while it runs
TOAST_LINES = 4  # skipped files named in one notification


class BackgroundJobs:
    def __init__(self, home: Any, catalog: Any, session: Any, *, folders: list[str],
                 analyze: bool = True, demo_dir: Path | None = None) -> None:
        self.home = home
        self.catalog = catalog
        self.session = session
        self.folders = folders
        self.analyze = analyze
        self.demo_dir = demo_dir
        self.stop = threading.Event()
        self.busy = threading.Lock()

    # -- entry points (called on the UI thread) -----------------------------------------
    def start(self, app: Any) -> None:
        if self.folders or self.analyze:
            self._run(app, lambda: self._scan_and_analyze(app, self.folders), "startup scan")

    def scan_folder(self, app: Any, folder: str) -> None:
        path = Path(folder).expanduser()
        if not path.is_dir():
            app.notify(f"Not a folder: {path}", severity="warning")
            return
        self._run(app, lambda: self._scan_and_analyze(app, [str(path.resolve())]), "scan")

    def make_demo(self, app: Any) -> None:
        target = self.demo_dir or Path(self.home.data_dir) / "demo-library"
        self._run(app, lambda: self._demo(app, target), "demo library")

    def shutdown(self) -> None:
        self.stop.set()

    # -- workers (run in threads) --------------------------------------------------------
    def _run(self, app: Any, job: Any, name: str) -> None:
        def guarded() -> None:
            if not self.busy.acquire(blocking=False):
                self._ui(app, app.notify, "Still busy with the previous scan; try again when it ends",
                         severity="warning")
                return
            try:
                # The job (and the catalog saves inside it) allocates heavily; collections it
                # triggered held the GIL 150-250 ms at 50k tracks, freezing the UI. What
                # survives it is frozen at the end (quiet_gc), never walked by a collection.
                with gc_paused():
                    job()
            except Exception as exc:  # noqa: BLE001 - a failed job is a notification, not a crash
                first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
                self._ui(app, app.notify, f"{name} failed: {first}", severity="error", timeout=10)
            finally:
                self.busy.release()
                self._ui(app, app.set_status, "")

        app.run_worker(guarded, thread=True, exclusive=False, group="background", name=name)

    def _ui(self, app: Any, fn: Any, *args: Any, **kwargs: Any) -> None:
        if self.stop.is_set() or not app.is_running:
            return
        with contextlib.suppress(RuntimeError):  # the app closed meanwhile
            app.call_from_thread(fn, *args, **kwargs)

    def _scan_and_analyze(self, app: Any, folders: list[str]) -> None:
        from musitui.library.scan import scan_folder

        for folder in folders:
            if self.stop.is_set():
                return
            self._ui(app, app.set_status, f"scanning {Path(folder).name}…")
            # The app polls the catalog while this runs, so tracks appear as they are read.
            report = scan_folder(self.catalog, folder, should_stop=self.stop.is_set)
            self._ui(app, app.reload_library)
            toast = problems_toast("could not be read", scan_problems(report))
            if toast:
                self._ui(app, app.notify, toast, severity="warning", timeout=12)
        self._session_catalog_changed(app)
        if self.analyze and not self.stop.is_set():
            self._analyze(app)

    def _analyze(self, app: Any) -> None:
        from musitui.analysis.runner import analyze_catalog

        started = refreshed = time.monotonic()

        def progress(*args: Any, **kwargs: Any) -> None:
            done, total = _progress_numbers(args or tuple(kwargs.values()))
            elapsed = time.monotonic() - started
            eta = (elapsed / done * (total - done)) if done and total else None
            eta_text = f" · {format_duration(eta)} left" if eta else ""
            self._ui(app, app.set_status, f"analysing {done}/{total}{eta_text}")
            # New vectors reach Up next as they come, but a rebuild costs ~1 s at 50k tracks:
            # at most every REFRESH_SECONDS, not every few tracks.
            nonlocal refreshed
            if done and time.monotonic() - refreshed >= REFRESH_SECONDS:
                self._session_catalog_changed(app, library=False)
                refreshed = time.monotonic()

        self._ui(app, app.set_status, "analysing…")
        report = analyze_catalog(self.home, self.catalog, show_progress=False,
                                 should_stop=self.stop.is_set, on_progress=progress,
                                 isolate_models=True)
        toast = problems_toast("could not be analysed", scan_problems(report))
        if toast:
            self._ui(app, app.notify, toast, severity="warning", timeout=12)
        self._session_catalog_changed(app, library=False)

    def _session_catalog_changed(self, app: Any, *, library: bool = True) -> None:
        """Tell the session new tracks/features exist and rerank, here in the job's thread
        (rebuilding the recommender's arrays is heavy at 50k tracks: never on the UI thread;
        the session notifies the app, which repaints Up next); then, after a scan, have the
        app re-sort its library (in a worker thread too). Analysis changes nothing the
        library pane shows, so it skips that."""
        if self.stop.is_set():
            return
        with one_builder(), gc_paused():
            refresh_session_library(self.session)
        if library:
            self._ui(app, app.reload_library)

    def _demo(self, app: Any, target: Path) -> None:
        from musitui.library.demo import DemoError, write_demo_library

        self._ui(app, app.set_status, "writing the demo library…")
        try:
            write_demo_library(target, progress=lambda *a: self._ui(
                app, app.set_status, "writing the demo library " + _fraction(a)))
        except DemoError as exc:
            self._ui(app, app.notify, f"Demo library: {exc}", severity="error")
            return
        self._ui(app, app.notify, f"Demo library written to {target}", timeout=6)
        self._scan_and_analyze(app, [str(target)])


def _progress_numbers(args: tuple[Any, ...]) -> tuple[int, int]:
    numbers = [a for a in args if isinstance(a, int) and not isinstance(a, bool)]
    if len(numbers) >= 2:
        return numbers[0], numbers[1]
    for a in args:
        done, total = getattr(a, "done", None), getattr(a, "total", None)
        if isinstance(done, int) and isinstance(total, int):
            return done, total
    return (numbers[0], 0) if numbers else (0, 0)


def _fraction(args: tuple[Any, ...]) -> str:
    done, total = _progress_numbers(args)
    return f"{done}/{total}" if total else ""


def scan_problems(report: Any) -> list[str]:
    """One line per file a scan or an analysis skipped: its name and why."""
    problems = []
    for error in list(getattr(report, "errors", []) or []):
        if isinstance(error, dict):
            name = Path(str(error.get("path", "?"))).name
            problems.append(f"{name}: {error.get('error') or 'cannot decode'}")
        else:
            problems.append(str(error))
    return problems


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


def refresh_session_library(session: Any) -> None:
    """Make the session see tracks and feature vectors added since it started, then rerank.

    The Session contract has no public reload yet: use one if it appears, else rebuild its
    recommender library the way its constructor does.
    """
    reload = getattr(session, "reload_library", None)
    if callable(reload):
        reload()
        return
    features = getattr(session, "features", None)
    if features is not None and hasattr(features, "load"):
        features.load()
    build = getattr(session, "_build_library", None)
    if callable(build):
        session.lib = build()
    session.rerank()
