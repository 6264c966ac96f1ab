"""The first analysis pass: the fast features of the catalog's tracks, in worker processes.

The calling process never imports librosa: workers do the decoding and feature extraction.
They fork from a warmed forkserver (``worker.worker_context``), or, with ``isolate_models`` (for a caller that must not load scikit-learn or keep a
server around), are spawned afresh. The pass is driven by ``passes.drive_pass`` (the pool,
progress, checkpoints, Ctrl-C); at every checkpoint this module puts the vectors taken into
the feature store, recomputes the library-relative mood and the style labels of every
analysed track (``update_summaries``), then saves the feature store and the catalog
atomically: a rerun continues with the tracks still lacking an analysis.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from multiprocessing import get_context
from multiprocessing.context import BaseContext
from pathlib import Path
from typing import Any

import numpy as np

from musitui.analysis.features import FEATURE_NAMES
from musitui.analysis.mood import library_moods
from musitui.analysis.musical_key import PITCHES
from musitui.analysis.passes import (
    FailureKey,
    Failures,
    PassReport,
    TrackRow,
    drive_pass,
    present_tracks_where,
)
from musitui.analysis.priority import Priorities, listener_first
from musitui.analysis.style import (
    MIN_TAGGED,
    Style,
    assign_styles,
    assign_styles_in_folder,
    read_style_results,
    styles_from_tagger,
    write_style_inputs,
)
from musitui.analysis.tag_words import tag_words_many
from musitui.analysis.version import FEATURE_VERSION
from musitui.analysis.worker import (
    WorkResult,
    analyze_file,
    single_threaded_children,
    worker_context,
)
from musitui.config import load_config
from musitui.core.model import Track
from musitui.decode_reasons import CONTENT_REASONS, UNPLAYABLE
from musitui.paths import Home
from musitui.store.catalog import Catalog
from musitui.store.features import FeatureStore
from musitui.store.mood_corrections import MoodCorrections
from musitui.store.tagger_store import TaggerStore

CHECKPOINT_RESULTS = 500


@dataclass
class AnalyzeReport(PassReport):
    analyzed: int = 0
    decode_cpu: float = 0.0   # summed worker CPU seconds spent decoding excerpts
    extract_cpu: float = 0.0  # ... and extracting features
    unplayable: list[int] = field(default_factory=list)  # ids found to hold no decodable audio

    def to_dict(self) -> dict[str, Any]:
        return {"analyzed": self.analyzed, "errors": self.errors, "interrupted": self.interrupted,
                "total": self.total, "seconds": round(self.seconds, 3),
                "tracks_per_second": self.rate(self.analyzed),
                "decode_cpu": round(self.decode_cpu, 3), "extract_cpu": round(self.extract_cpu, 3),
                "peak_worker_rss_mb": round(self.peak_worker_rss_mb, 1)}


def tracks_to_analyze(catalog: Catalog, store: FeatureStore, track_ids: Iterable[int] | None,
                      force: bool, failures: Failures | None = None) -> list[Track]:
    """Named ids are always (re)analysed; otherwise every present track without a
    current-version analysis, or all of them with ``force``. A file that failed before and
    has not changed since is not retried (unless ``force``)."""
    if track_ids is not None:
        chosen = [catalog.get(int(i)) for i in track_ids]
        return [t for t in chosen if t is not None and not t.missing]

    def wanted(row: TrackRow) -> bool:
        if force:
            return True
        if row.analyzed and row.feature_version == FEATURE_VERSION and row.id in store:
            return False
        return failures is None or not failures.known(row.id, failure_key_of(row.size, row.mtime_ns))

    return present_tracks_where(catalog, wanted)


def failure_key(track: Track) -> FailureKey:
    return failure_key_of(track.size, track.mtime_ns)


def failure_key_of(size: int | None, mtime_ns: int | None) -> FailureKey:
    """What a remembered failure is valid for: this extractor and this version of the file."""
    return [FEATURE_VERSION, int(size or 0), int(mtime_ns or 0)]


def failures_path(home: Home) -> Path:
    return home.features_dir / "failures.json"


def analyze_catalog(home: Home, catalog: Catalog, *, track_ids: Iterable[int] | None = None,
                    jobs: int = 0, force: bool = False, show_progress: bool = True,
                    should_stop: Callable[[], bool] | None = None,
                    on_progress: Callable[[int, int], None] | None = None,
                    excerpt_seconds: float | None = None,
                    isolate_models: bool = False, refresh: bool = True,
                    priorities: Priorities | None = None) -> AnalyzeReport:
    """Analyse tracks in worker processes. ``isolate_models`` also fits the style models
    (scikit-learn) in a child process, for callers that must stay light. (The TUI runs this
    in a background process of its own: ``musitui.background_job``.) ``refresh=False``: the
    catalog is known unchanged since its summaries were made (an unchanged rescan), so with
    no track to analyse they are not recomputed and nothing is saved (at 100k tracks that is
    ~25 s of CPU)."""
    started = time.monotonic()
    config = load_config(home)
    seconds = config.analysis.excerpt_seconds if excerpt_seconds is None else excerpt_seconds
    jobs = int(jobs or config.analysis.jobs or os.cpu_count() or 1)

    store = FeatureStore.open(home)
    for problem in (store.damaged, store.notice):
        if problem is not None:
            _say(str(problem))
    tagger = TaggerStore.open(home)  # only read: the words and styles of tracks tagged before
    if store.version != FEATURE_VERSION or store.names != FEATURE_NAMES:
        store.reset(FEATURE_VERSION, FEATURE_NAMES)  # the extractor changed: everything is stale
    failures = Failures(failures_path(home), home.backups_dir)
    todo = listener_first(tracks_to_analyze(catalog, store, track_ids, force, failures), priorities)
    report = AnalyzeReport(total=len(todo))
    pending: list[tuple[int, np.ndarray]] = []
    stale = [refresh]  # the summaries are due at the next checkpoint

    def take(track: Track, result: WorkResult) -> None:
        stale[0] = True
        if result.vector is None:
            report.errors.append({"path": track.path, "error": result.error or "unknown error"})
            failures.remember(track.id, failure_key(track), result.error)
            if result.error in CONTENT_REASONS:
                # The tag scan kept it when in doubt; no audio decodes: it is not a track
                # (until the file changes: the scan re-reads it then).
                track.missing = True
                track.warning = UNPLAYABLE + result.error
                report.unplayable.append(track.id)
        else:
            failures.forget(track.id)
            pending.append((result.track_id, result.vector))
            if not track.duration and result.duration:
                track.duration = round(result.duration, 3)
            report.analyzed += 1
        report.decode_cpu += result.decode_seconds
        report.extract_cpu += result.extract_seconds
        report.peak_worker_rss_mb = max(report.peak_worker_rss_mb, result.peak_rss_mb)

    def checkpoint() -> None:
        if pending:
            store.put_many([i for i, _ in pending], np.stack([v for _, v in pending]))
            pending.clear()
            store.save()
        if stale[0]:
            update_summaries(catalog, store, isolate_models=isolate_models, tagger=tagger,
                             corrections=MoodCorrections.open(home).moods)
            catalog.save()
            stale[0] = False
        failures.save()

    def context() -> BaseContext:
        if isolate_models:
            return get_context("spawn")
        server = worker_context()
        _prewarm_style_models(catalog)
        return server

    drive_pass(todo, report, label="analysing", jobs=jobs, context=context,
               task=lambda track: partial(analyze_file, track.id, track.path, seconds,
                                          float(track.duration or 0.0)),
               lost=lambda track, error: WorkResult(track.id, None, error=error), take=take,
               checkpoint=checkpoint, batch=CHECKPOINT_RESULTS, started=started,
               show_progress=show_progress, should_stop=should_stop, on_progress=on_progress)
    return report


def _prewarm_style_models(catalog: Catalog) -> None:
    """Import scikit-learn (~2 s of CPU) in a background thread, started with the pool: the
    style models are fitted in this process at the first checkpoint, and a short run would
    otherwise wait for the import after its last track. Started before the first result on
    purpose: while the worker server warms up, this process's core is otherwise idle. Only
    when a model will be needed: some track has no genre tag (a classifier with enough
    tags, else clusters)."""
    genres = [(genre or "").strip() for genre in catalog.columns().present().genre]
    if all(genres):
        return
    module = "sklearn.linear_model" if sum(map(bool, genres)) >= MIN_TAGGED else "sklearn.cluster"

    def load() -> None:
        with contextlib.suppress(Exception):
            importlib.import_module(module)

    threading.Thread(target=load, name="musitui-sklearn-import", daemon=True).start()


def update_summaries(catalog: Catalog, store: FeatureStore, *, isolate_models: bool = False,
                     tagger: TaggerStore | None = None,
                     corrections: dict[int, str] | None = None) -> None:
    """Recompute mood (library-relative), style and tag words for every present analysed track.

    Read from and written to the catalog's columns: at 50k tracks, a Track and an Analysis
    object per track cost ~90 MB and seconds at every checkpoint. With ``tagger`` (the
    second pass's results), a track without a genre tag takes its style from the tagger.
    ``corrections`` (track id -> mood, musitui.store.mood_corrections) are the listener's own:
    applied last, and tracks that sound like a corrected one move with it."""
    columns = catalog.columns().present()
    keep = [row for row, track_id in enumerate(columns.ids.tolist()) if track_id in store]
    if not keep:
        return
    ids = columns.ids[keep].tolist()
    matrix, _ = store.vectors_for(ids)
    names = store.names
    genres = [columns.genre[row] or "" for row in keep]
    from musitui.words import sentiment_store

    # Lyrics sentiment is scored here (analysis time), stored beside the features, and only
    # for lyrics not scored before; the player reads the stored shifts.
    deltas = sentiment_store.update(sentiment_store.path_in(store.path.parent), ids,
                                    [columns.lyrics[row] for row in keep], store.version,
                                    store.backups_dir, on_damaged=_say)
    where = {track_id: row for row, track_id in enumerate(ids)}
    corrected = {where[t]: m for t, m in (corrections or {}).items() if t in where}
    valence, arousal, labels = library_moods(matrix, names, genres, lyrics_deltas=deltas,
                                             corrected=corrected)
    styles = (_assign_styles_in_child(genres, matrix, names) if isolate_models
              else assign_styles(genres, matrix, names))
    words = [""] * len(ids)
    if tagger is not None and len(tagger):
        _, probabilities, tagged = tagger.rows_for(ids)
        # A file changed since it was tagged: its old words go until the tagger has redone it.
        sizes, mtimes = columns.size[keep].tolist(), columns.mtime_ns[keep].tolist()
        tagged &= np.fromiter((tagger.is_current(i, s, m) for i, s, m in zip(ids, sizes, mtimes, strict=True)),
                              dtype=bool, count=len(ids))
        styles = styles_from_tagger(styles, genres, probabilities, tagged)
        words = [w if found else "" for w, found in zip(tag_words_many(probabilities), tagged.tolist(), strict=True)]
    col = {n: i for i, n in enumerate(names)}
    catalog.tracks.set_analyses(ids, {
        "feature_version": [store.version] * len(ids),
        "tempo": [round(v, 1) for v in matrix[:, col["tempo"]].astype(float).tolist()],
        "key": [PITCHES[int(k) % 12] for k in matrix[:, col["key_index"]].tolist()],
        "mode": ["major" if m >= 0.5 else "minor" for m in matrix[:, col["mode_major"]].tolist()],
        "valence": [round(v, 3) for v in np.asarray(valence, dtype=float).tolist()],
        "arousal": [round(v, 3) for v in np.asarray(arousal, dtype=float).tolist()],
        "mood": list(labels),
        "style": [s.label for s in styles],
        "style_confidence": [s.confidence for s in styles],
        "style_source": [s.source for s in styles],
        "tags": words,
    })


def _assign_styles_in_child(genres: list[str], matrix: np.ndarray, names: list[str]) -> list[Style]:
    """assign_styles in a short-lived spawned process, so scikit-learn never loads here; the
    data goes both ways through files in a temporary folder (see style.py)."""
    with tempfile.TemporaryDirectory(prefix="musitui-styles-") as folder:
        write_style_inputs(Path(folder), genres, matrix, names)
        with single_threaded_children():
            executor = ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn"))
        try:
            future = executor.submit(assign_styles_in_folder, folder)
            future.result()
        finally:
            executor.shutdown(wait=True)
        return read_style_results(Path(folder))


def _say(problem: str) -> None:
    print(f"musitui: {problem}", file=sys.stderr)
