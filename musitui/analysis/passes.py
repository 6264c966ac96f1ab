"""The one driver of the analysis passes (the fast features, then the tagger).

A pass hands tracks to worker processes (``run_pool``: at most two tasks queued per worker,
so a stop leaves little behind), takes each result as it comes, shows progress, and
checkpoints every few seconds (or every ``batch`` results, and at the end): the pass saves
what it took so far. The checkpoint interval grows to keep saving under ~10 % of the run.
Ctrl-C (or ``should_stop()``) stops handing out work, keeps what finished, and checkpoints:
a rerun continues with what is still missing. A file that failed is remembered
(``Failures``) with the file version it failed on, and not retried until it changes.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from multiprocessing.context import BaseContext
from pathlib import Path
from typing import NamedTuple, TypeVar

from musitui.analysis.worker import init_worker, server_starting, single_threaded_children
from musitui.core.model import Track
from musitui.progress import Progress
from musitui.store.atomic import atomic_write_json, load_json_or_backup
from musitui.store.catalog import Catalog

R = TypeVar("R")
CHECKPOINT_SECONDS = 10.0
FailureKey = list[int]


@dataclass
class PassReport:
    """What a pass did; each pass adds its own counts (``analyzed``, ``tagged``, CPU times)."""

    errors: list[dict[str, str]] = field(default_factory=list)
    interrupted: bool = False
    total: int = 0
    seconds: float = 0.0
    peak_worker_rss_mb: float = 0.0

    def rate(self, done: int) -> float:
        return round(done / self.seconds, 2) if self.seconds > 0 else 0.0


class Failures:
    """The files a pass could not handle, by track id, with the key (pass version, file size,
    mtime) they failed for: ``features/failures.json``, ``features/tagger-failures.json``."""

    def __init__(self, path: Path, backups_dir: Path | None = None) -> None:
        self.path = path
        data, _ = load_json_or_backup(path, backups_dir)
        self.entries: dict[str, dict[str, object]] = data if isinstance(data, dict) else {}

    def known(self, track_id: int, key: FailureKey) -> bool:
        """It failed before on this very version of the file."""
        entry = self.entries.get(str(track_id))
        return bool(entry) and isinstance(entry, dict) and entry.get("key") == key

    def remember(self, track_id: int, key: FailureKey, error: str | None) -> None:
        self.entries[str(track_id)] = {"key": key, "error": error}

    def forget(self, track_id: int) -> None:
        self.entries.pop(str(track_id), None)

    def save(self) -> None:
        atomic_write_json(self.path, self.entries)


class TrackRow(NamedTuple):
    """What a pass reads of a present track to decide whether it needs the pass."""

    id: int
    analyzed: bool
    feature_version: int
    size: int
    mtime_ns: int


def present_tracks_where(catalog: Catalog, wanted: Callable[[TrackRow], bool]) -> list[Track]:
    """The present tracks ``wanted`` says need the pass. Decided on the catalog's columns:
    only those tracks become Track objects (a rerun over a 50k-track library analysed
    before builds none)."""
    columns = catalog.columns().present()
    rows = zip(columns.ids.tolist(), columns.analyzed.tolist(), columns.feature_version.tolist(),
               columns.size.tolist(), columns.mtime_ns.tolist(), strict=True)
    chosen = (catalog.get(row.id) for row in map(TrackRow._make, rows) if wanted(row))
    return [track for track in chosen if track is not None]


def drive_pass(todo: Sequence[Track], report: PassReport, *, label: str, jobs: int,
               context: Callable[[], BaseContext], task: Callable[[Track], Callable[[], R]],
               lost: Callable[[Track, str], R], take: Callable[[Track, R], None],
               checkpoint: Callable[[], None], batch: int, started: float, show_progress: bool,
               should_stop: Callable[[], bool] | None = None,
               on_progress: Callable[[int, int], None] | None = None) -> None:
    """Run one pass over ``todo`` (see the module's docstring). ``task(track)`` is the work
    sent to a worker (a picklable callable); ``lost(track, error)`` the result standing for a
    worker that died; ``take`` keeps a result; ``checkpoint`` saves what was taken."""
    progress = Progress(label, len(todo), enabled=show_progress and bool(todo), unit="tracks")
    timer = _Checkpoints(checkpoint, batch)
    taken = 0

    def keep(track: Track, result: R) -> None:
        nonlocal taken
        take(track, result)
        taken += 1
        progress.advance(note=Path(track.path).name)
        if on_progress is not None:
            on_progress(taken, len(todo))
        timer.after_result()

    try:
        if todo:
            report.interrupted |= run_pool(todo, jobs, context(), task, lost, keep, should_stop)
    except KeyboardInterrupt:
        report.interrupted = True
    finally:
        progress.close()
        timer.run()
        report.seconds = time.monotonic() - started


class _Checkpoints:
    def __init__(self, checkpoint: Callable[[], None], batch: int) -> None:
        self.checkpoint, self.batch = checkpoint, batch
        self.last, self.interval, self.since = time.monotonic(), CHECKPOINT_SECONDS, 0

    def after_result(self) -> None:
        self.since += 1
        if time.monotonic() - self.last > self.interval or self.since >= self.batch:
            self.run()

    def run(self) -> None:
        began = time.monotonic()
        self.checkpoint()
        self.last, self.since = time.monotonic(), 0
        # Saving and re-ranking a big library takes time: keep it under ~10 % of the run.
        self.interval = max(CHECKPOINT_SECONDS, 10 * (self.last - began))


def run_pool(todo: Sequence[Track], jobs: int, context: BaseContext,
             task: Callable[[Track], Callable[[], R]], lost: Callable[[Track, str], R],
             take: Callable[[Track, R], None], should_stop: Callable[[], bool] | None = None) -> bool:
    """Feed ``take`` results as workers finish; True when stopped early (``should_stop()`` or
    Ctrl-C). At most 2 tasks per worker are queued, so a stop leaves little work behind; what
    finishes while the pool shuts down is still taken."""
    jobs = max(1, min(jobs, len(todo)))
    queue = iter(todo)
    running: dict[Future[R], Track] = {}
    interrupted = False
    with single_threaded_children():
        executor = ProcessPoolExecutor(max_workers=jobs, mp_context=context, initializer=init_worker)
    try:
        while True:
            if should_stop is not None and should_stop():
                interrupted = True
                break
            while len(running) < 2 * jobs:
                track = next(queue, None)
                if track is None:
                    break
                with server_starting(context):  # the first submit starts the first worker
                    running[executor.submit(task(track))] = track
            if not running:
                break
            done, _ = wait(running, timeout=0.5, return_when=FIRST_COMPLETED)
            for future in done:
                track = running.pop(future)
                take(track, _result_of(future, track, lost))
    except KeyboardInterrupt:
        interrupted = True
    finally:
        for future in running:
            future.cancel()
        executor.shutdown(wait=True, cancel_futures=True)
    for future, track in running.items():
        if future.done() and not future.cancelled():
            take(track, _result_of(future, track, lost))
    return interrupted


def _result_of(future: Future[R], track: Track, lost: Callable[[Track, str], R]) -> R:
    try:
        return future.result()
    except Exception as exc:  # a worker died (e.g. killed by the OOM killer)
        return lost(track, f"worker failed: {type(exc).__name__}: {exc}"[:200])
