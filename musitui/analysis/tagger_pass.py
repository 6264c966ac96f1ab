"""The second analysis pass: musicnn's embedding and tags for every analysed track.

Runs after the fast features (the library is analysed, moods and styles set and ranked
before it starts), through the same driver (``passes.drive_pass``: workers forked from the
warm forkserver, nice 10, one BLAS thread, at most two tasks queued per worker). Resumable:
each result is kept in ``features/tagger.npz`` (``TaggerStore``) with the file stamp it came
from, saved at every checkpoint, and a rerun tags only what is missing or changed. At each
checkpoint the catalog's summaries are recomputed (``runner.update_summaries``): the top
tag words (``Analysis.tags``) and, for tracks without a genre tag, the style.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from multiprocessing import get_context
from multiprocessing.context import BaseContext
from pathlib import Path
from typing import Any

import numpy as np

from musitui.analysis import passes
from musitui.analysis.priority import Priorities, listener_first
from musitui.analysis.runner import update_summaries
from musitui.analysis.tagging import DEFAULT_PATCHES, TagResult, tag_file
from musitui.analysis.worker import worker_context
from musitui.config import load_config
from musitui.core.model import Track
from musitui.paths import Home
from musitui.store.catalog import Catalog
from musitui.store.features import FeatureStore
from musitui.store.mood_corrections import MoodCorrections
from musitui.store.tagger_store import TAGGER_VERSION, TaggerStore

CHECKPOINT_RESULTS = 200


@dataclass
class TagReport(passes.PassReport):
    tagged: int = 0
    decode_cpu: float = 0.0  # summed worker CPU seconds decoding patches
    tag_cpu: float = 0.0     # ... and running the network
    patches: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {"tagged": self.tagged, "errors": self.errors, "interrupted": self.interrupted,
                "total": self.total, "seconds": round(self.seconds, 3),
                "tracks_per_second": self.rate(self.tagged),
                "decode_cpu": round(self.decode_cpu, 3), "tag_cpu": round(self.tag_cpu, 3),
                "patches": self.patches, "peak_worker_rss_mb": round(self.peak_worker_rss_mb, 1)}


def failures_path(home: Home) -> Path:
    return home.features_dir / "tagger-failures.json"


def failure_key_of(size: int | None, mtime_ns: int | None) -> passes.FailureKey:
    return [TAGGER_VERSION, int(size or 0), int(mtime_ns or 0)]


def tracks_to_tag(catalog: Catalog, store: TaggerStore, force: bool,
                  failures: passes.Failures | None = None) -> list[Track]:
    """Present, analysed tracks not tagged from their current file (all of them with
    ``force``); a file that failed and has not changed since is not retried."""

    def wanted(row: passes.TrackRow) -> bool:
        if not row.analyzed:
            return False  # the first pass could not decode it (or has not reached it yet)
        if force:
            return True
        if store.is_current(row.id, row.size, row.mtime_ns):
            return False
        return failures is None or not failures.known(row.id, failure_key_of(row.size, row.mtime_ns))

    return passes.present_tracks_where(catalog, wanted)


def tag_catalog(home: Home, catalog: Catalog, *, jobs: int = 0, force: bool = False,
                show_progress: bool = True, should_stop: Callable[[], bool] | None = None,
                on_progress: Callable[[int, int], None] | None = None,
                patches: int | None = None, isolate_models: bool = False,
                priorities: Priorities | None = None) -> TagReport:
    started = time.monotonic()
    config = load_config(home)
    count = int(patches or DEFAULT_PATCHES)
    jobs = int(jobs or config.analysis.jobs or os.cpu_count() or 1)
    store = TaggerStore.open(home)
    failures = passes.Failures(failures_path(home), home.backups_dir)
    todo = listener_first(tracks_to_tag(catalog, store, force, failures), priorities)
    report = TagReport(total=len(todo))
    pending: list[tuple[Track, np.ndarray, np.ndarray, int]] = []  # embedding, tags, patches

    def take(track: Track, result: TagResult) -> None:
        if result.embedding is None or result.tags is None:
            report.errors.append({"path": track.path, "error": result.error or "unknown error"})
            failures.remember(track.id, failure_key_of(track.size, track.mtime_ns), result.error)
        else:
            failures.forget(track.id)
            pending.append((track, result.embedding, result.tags, result.patches))
            report.tagged += 1
            report.patches += result.patches
        report.decode_cpu += result.decode_seconds
        report.tag_cpu += result.tag_seconds
        report.peak_worker_rss_mb = max(report.peak_worker_rss_mb, result.peak_rss_mb)

    def checkpoint() -> None:
        if pending:
            tracks, embeddings, tags, patch_counts = zip(*pending, strict=True)
            store.put_many([t.id for t in tracks], embeddings, tags, patch_counts,
                           [int(t.size or 0) for t in tracks], [int(t.mtime_ns or 0) for t in tracks])
            pending.clear()
            store.save()
            update_summaries(catalog, FeatureStore.open(home), isolate_models=isolate_models, tagger=store,
                             corrections=MoodCorrections.open(home).moods)
            catalog.save()
        failures.save()

    def context() -> BaseContext:
        return get_context("spawn") if isolate_models else worker_context()

    passes.drive_pass(todo, report, label="tagging", jobs=jobs, context=context,
               task=lambda track: partial(tag_file, track.id, track.path, count,
                                          float(track.duration or 0.0)),
               lost=lambda track, error: TagResult(track.id, None, None, error=error), take=take,
               checkpoint=checkpoint, batch=CHECKPOINT_RESULTS, started=started,
               show_progress=show_progress, should_stop=should_stop, on_progress=on_progress)
    return report
