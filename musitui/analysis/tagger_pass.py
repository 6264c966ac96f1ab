"""The second analysis pass: musicnn's embedding and tags for every analysed track.

Runs after the fast features (the library is analysed, moods and styles set and ranked
before it starts), in the same kind of workers (``runner._run_pool``: forked from the warm
forkserver, nice 10, one BLAS thread, at most two tasks queued per worker). Resumable: each
result is kept in ``features/tagger.npz`` (``TaggerStore``) with the file version it came
from, saved at every checkpoint, and a rerun tags only what is missing or changed. At each
checkpoint the catalog's summaries are recomputed (``runner.update_summaries``): the top
tag words (``Analysis.tags``) and, for tracks without a genre tag, the style.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from musitui.analysis.tagging import DEFAULT_PATCHES, TagResult, tag_file
from musitui.core.model import Track
from musitui.paths import Home
from musitui.progress import Progress
from musitui.store.atomic import atomic_write_json, load_json_or_backup
from musitui.store.catalog import Catalog
from musitui.store.mood_corrections import MoodCorrections
from musitui.store.tagger_store import TAGGER_VERSION, TaggerStore

CHECKPOINT_SECONDS = 10.0
CHECKPOINT_RESULTS = 200


@dataclass
class TagReport:
    tagged: int = 0
    errors: list[dict[str, str]] = field(default_factory=list)
    interrupted: bool = False
    total: int = 0
    seconds: float = 0.0
    decode_cpu: float = 0.0  # summed worker CPU seconds decoding patches
    tag_cpu: float = 0.0     # ... and running the network
    patches: int = 0
    peak_worker_rss_mb: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return {"tagged": self.tagged, "errors": self.errors, "interrupted": self.interrupted,
                "total": self.total, "seconds": round(self.seconds, 3),
                "tracks_per_second": round(self.tagged / self.seconds, 2) if self.seconds > 0 else 0.0}


def failures_path(home: Home) -> Path:
    return home.features_dir / "tagger-failures.json"


def tracks_to_tag(catalog: Catalog, store: TaggerStore, force: bool,
                  failures: dict[str, Any] | None = None) -> list[Track]:
    """Present, analysed tracks not tagged from their current file (all of them with
    ``force``); a file that failed and has not changed since is not retried."""
    failures = failures or {}
    columns = catalog.columns().present()
    analyzed = columns.analyzed.tolist()
    sizes, mtimes = columns.size.tolist(), columns.mtime_ns.tolist()
    todo = []
    for row, track_id in enumerate(columns.ids.tolist()):
        if not analyzed[row]:
            continue  # the first pass could not decode it (or has not reached it yet)
        if not force:
            if store.is_current(track_id, sizes[row], mtimes[row]):
                continue
            entry = failures.get(str(track_id))
            if entry and entry.get("key") == [TAGGER_VERSION, sizes[row], mtimes[row]]:
                continue
        track = catalog.get(track_id)
        if track is not None:
            todo.append(track)
    return todo


def tag_catalog(home: Home, catalog: Catalog, *, jobs: int = 0, force: bool = False,
                show_progress: bool = True, should_stop: Callable[[], bool] | None = None,
                on_progress: Callable[[int, int], None] | None = None,
                patches: int | None = None, isolate_models: bool = False) -> TagReport:
    import os
    from multiprocessing import get_context

    from musitui.analysis.runner import _run_pool, update_summaries
    from musitui.analysis.worker import WorkResult, start_worker_server
    from musitui.config import load_config
    from musitui.store.features import FeatureStore

    started = time.monotonic()
    config = load_config(home)
    patches = int(patches or DEFAULT_PATCHES)
    jobs = int(jobs or config.analysis.jobs or os.cpu_count() or 1)
    store = TaggerStore.open(home)
    failures_data, _ = load_json_or_backup(failures_path(home), home.backups_dir)
    failures: dict[str, Any] = failures_data if isinstance(failures_data, dict) else {}
    todo = tracks_to_tag(catalog, store, force, failures)
    report = TagReport(total=len(todo))
    progress = Progress("tagging", len(todo), enabled=show_progress and bool(todo), unit="tracks")
    pending: list[tuple[Track, TagResult]] = []
    last_checkpoint = time.monotonic()
    interval = CHECKPOINT_SECONDS

    def take(track: Track, result: TagResult | WorkResult) -> None:
        if isinstance(result, WorkResult):  # the worker died: runner._result_of's report
            result = TagResult(track.id, None, None, error=result.error)
        if result.embedding is None or result.tags is None:
            report.errors.append({"path": track.path, "error": result.error or "unknown error"})
            failures[str(track.id)] = {"key": [TAGGER_VERSION, int(track.size or 0), int(track.mtime_ns or 0)],
                                       "error": result.error}
        else:
            failures.pop(str(track.id), None)
            pending.append((track, result))
            report.tagged += 1
            report.patches += result.patches
        report.decode_cpu += result.decode_seconds
        report.tag_cpu += result.tag_seconds
        report.peak_worker_rss_mb = max(report.peak_worker_rss_mb, result.peak_rss_mb)
        progress.advance(note=Path(track.path).name)
        if on_progress is not None:
            on_progress(report.tagged + len(report.errors), report.total)
        if time.monotonic() - last_checkpoint > interval or len(pending) >= CHECKPOINT_RESULTS:
            checkpoint()

    def checkpoint() -> None:
        nonlocal last_checkpoint, interval
        began = time.monotonic()
        if pending:
            store.put_many([t.id for t, _ in pending], [r.embedding for _, r in pending],
                           [r.tags for _, r in pending], [r.patches for _, r in pending],
                           [int(t.size or 0) for t, _ in pending], [int(t.mtime_ns or 0) for t, _ in pending])
            pending.clear()
            store.save()
            update_summaries(catalog, FeatureStore.open(home), isolate_models=isolate_models, tagger=store,
                             corrections=MoodCorrections.open(home).moods)
            catalog.save()
        atomic_write_json(failures_path(home), failures)
        last_checkpoint = time.monotonic()
        interval = max(CHECKPOINT_SECONDS, 10 * (last_checkpoint - began))

    try:
        if todo:
            context = get_context("spawn") if isolate_models else start_worker_server()
            _run_pool(todo, jobs, 0.0, should_stop, report, take, context,  # type: ignore[arg-type]
                      work=lambda track: (tag_file, track.id, track.path, patches,
                                         float(track.duration or 0.0)))
    except KeyboardInterrupt:
        report.interrupted = True
    finally:
        progress.close()
        checkpoint()
        report.seconds = time.monotonic() - started
    return report
