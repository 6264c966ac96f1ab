"""Analyse the catalog's tracks in worker processes; keep the results as they come.

The calling process never imports librosa: workers do the decoding and feature extraction.
They fork from a warmed forkserver (``worker.start_worker_server``; callers may start it
early), or, with ``isolate_models`` (for a caller that must not load scikit-learn or keep a
server around), are spawned afresh; the parent collects vectors into the feature store, and
at every checkpoint (every few seconds, and at the end) recomputes the library-relative
mood and the style labels of every analysed track, then saves the feature store and the
catalog atomically. Ctrl-C (or ``should_stop()`` returning True) stops handing out work,
keeps what finished, and saves: a rerun continues with the tracks still lacking an analysis.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from multiprocessing import get_context
from multiprocessing.context import BaseContext
from pathlib import Path
from typing import Any

import numpy as np

from musitui.analysis.features import FEATURE_NAMES
from musitui.analysis.mood import library_moods
from musitui.analysis.musical_key import PITCHES
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
    init_worker,
    single_threaded_children,
    start_worker_server,
)
from musitui.config import load_config
from musitui.core.model import Track
from musitui.decode_reasons import CONTENT_REASONS, UNPLAYABLE
from musitui.paths import Home
from musitui.progress import Progress
from musitui.store.atomic import atomic_write_json, load_json_or_backup
from musitui.store.catalog import Catalog
from musitui.store.features import FeatureStore
from musitui.store.mood_corrections import MoodCorrections
from musitui.store.tagger_store import TaggerStore

CHECKPOINT_SECONDS = 10.0
CHECKPOINT_RESULTS = 500


@dataclass
class AnalyzeReport:
    analyzed: int = 0
    errors: list[dict[str, str]] = field(default_factory=list)
    interrupted: bool = False
    total: int = 0
    seconds: float = 0.0
    decode_cpu: float = 0.0   # summed worker CPU seconds spent decoding excerpts
    extract_cpu: float = 0.0  # ... and extracting features
    peak_worker_rss_mb: float = 0.0
    unplayable: list[int] = field(default_factory=list)  # ids found to hold no decodable audio

    def to_dict(self) -> dict[str, Any]:
        return {"analyzed": self.analyzed, "errors": self.errors, "interrupted": self.interrupted,
                "total": self.total, "seconds": round(self.seconds, 3),
                "tracks_per_second": round(self.analyzed / self.seconds, 2) if self.seconds > 0 else 0.0}


def tracks_to_analyze(catalog: Catalog, store: FeatureStore, track_ids: Iterable[int] | None,
                      force: bool, failures: dict[str, Any] | None = None) -> list[Track]:
    """Named ids are always (re)analysed (they are new or changed); otherwise every present
    track without a current-version analysis, or all of them with ``force``. A file that
    failed before and has not changed since is not retried (unless ``force``)."""
    if track_ids is not None:
        chosen = [catalog.get(int(i)) for i in track_ids]
        return [t for t in chosen if t is not None and not t.missing]
    failures = failures or {}
    # From the columns: only the tracks to analyse become Track objects (a rerun over a
    # 50k-track library analysed before builds none).
    columns = catalog.columns().present()
    analyzed, versions = columns.analyzed.tolist(), columns.feature_version.tolist()
    sizes, mtimes = columns.size.tolist(), columns.mtime_ns.tolist()
    todo = []
    for row, track_id in enumerate(columns.ids.tolist()):
        if not force:
            if analyzed[row] and versions[row] == FEATURE_VERSION and track_id in store:
                continue
            entry = failures.get(str(track_id))
            if entry and entry.get("key") == failure_key_of(sizes[row], mtimes[row]):
                continue
        track = catalog.get(track_id)
        if track is not None:
            todo.append(track)
    return todo


def failure_key(track: Track) -> list[int]:
    return failure_key_of(track.size, track.mtime_ns)


def failure_key_of(size: int, mtime_ns: int) -> list[int]:
    """What a remembered failure is valid for: this extractor and this version of the file."""
    return [FEATURE_VERSION, int(size or 0), int(mtime_ns or 0)]


def failures_path(home: Home) -> Path:
    return home.features_dir / "failures.json"


def load_failures(home: Home) -> dict[str, Any]:
    data, _ = load_json_or_backup(failures_path(home), home.backups_dir)
    return data if isinstance(data, dict) else {}


def analyze_catalog(home: Home, catalog: Catalog, *, track_ids: Iterable[int] | None = None,
                    jobs: int = 0, force: bool = False, show_progress: bool = True,
                    should_stop: Callable[[], bool] | None = None,
                    on_progress: Callable[[int, int], None] | None = None,
                    excerpt_seconds: float | None = None,
                    isolate_models: bool = False) -> AnalyzeReport:
    """Analyse tracks in worker processes. ``isolate_models`` also fits the style models
    (scikit-learn) in a child process, for callers that must stay light. (The TUI runs this
    whole function in a background process of its own: ``musitui.background_job``.)"""
    started = time.monotonic()
    config = load_config(home)
    if excerpt_seconds is None:
        excerpt_seconds = config.analysis.excerpt_seconds
    jobs = int(jobs or config.analysis.jobs or os.cpu_count() or 1)

    store = FeatureStore.open(home)
    for problem in (store.damaged, store.notice):
        if problem is not None:
            print(f"musitui: {problem}", file=sys.stderr)
    tagger = TaggerStore.open(home)  # only read: the words and styles of tracks tagged before
    if store.version != FEATURE_VERSION or store.names != FEATURE_NAMES:
        store.reset(FEATURE_VERSION, FEATURE_NAMES)  # the extractor changed: everything is stale
    failures = load_failures(home)
    todo = tracks_to_analyze(catalog, store, track_ids, force, failures)
    report = AnalyzeReport(total=len(todo))
    progress = Progress("analysing", len(todo), enabled=show_progress and bool(todo), unit="tracks")
    pending_vectors: list[tuple[int, np.ndarray]] = []
    last_checkpoint = time.monotonic()
    interval = CHECKPOINT_SECONDS

    def take(track: Track, result: WorkResult) -> None:
        if result.vector is None:
            report.errors.append({"path": track.path, "error": result.error or "unknown error"})
            failures[str(track.id)] = {"key": failure_key(track), "error": result.error}
            if result.error in CONTENT_REASONS:
                # The tag scan kept it when in doubt; no audio decodes: it is not a track
                # (until the file changes: the scan re-reads it then).
                track.missing = True
                track.warning = UNPLAYABLE + result.error
                report.unplayable.append(track.id)
        else:
            failures.pop(str(track.id), None)
            pending_vectors.append((result.track_id, result.vector))
            if not track.duration and result.duration:
                track.duration = round(result.duration, 3)
            report.analyzed += 1
        report.decode_cpu += result.decode_seconds
        report.extract_cpu += result.extract_seconds
        report.peak_worker_rss_mb = max(report.peak_worker_rss_mb, result.peak_rss_mb)
        done = report.analyzed + len(report.errors)
        progress.advance(note=Path(track.path).name)
        if on_progress is not None:
            on_progress(done, report.total)
        if (time.monotonic() - last_checkpoint > interval
                or len(pending_vectors) >= CHECKPOINT_RESULTS):
            checkpoint()

    def checkpoint() -> None:
        nonlocal last_checkpoint, interval
        began = time.monotonic()
        if pending_vectors:
            store.put_many([i for i, _ in pending_vectors], np.stack([v for _, v in pending_vectors]))
            pending_vectors.clear()
            store.save()
        update_summaries(catalog, store, isolate_models=isolate_models, tagger=tagger,
                         corrections=MoodCorrections.open(home).moods)
        catalog.save()
        atomic_write_json(failures_path(home), failures)
        last_checkpoint = time.monotonic()
        # Saving and re-ranking a big library takes time: keep it under ~10 % of the run.
        interval = max(CHECKPOINT_SECONDS, 10 * (last_checkpoint - began))

    try:
        if todo:
            context = get_context("spawn") if isolate_models else start_worker_server()
            if not isolate_models:
                _prewarm_style_models(catalog)
            _run_pool(todo, jobs, excerpt_seconds, should_stop, report, take, context)
    except KeyboardInterrupt:
        report.interrupted = True
    finally:
        progress.close()
        checkpoint()
        report.seconds = time.monotonic() - started
    return report


def _prewarm_style_models(catalog: Catalog) -> None:
    """Import scikit-learn (~2 s of CPU) in a background thread, started with the pool: the
    style models are fitted in this process at the first checkpoint, and a short run would
    otherwise wait for the import after its last track. Started before the first result on
    purpose: while the worker server warms up, this process's core is otherwise idle. Only when a model will be needed:
    some track has no genre tag (a classifier with enough tags, else clusters)."""
    genres = [(genre or "").strip() for genre in catalog.columns().present().genre]
    if all(genres):
        return
    module = "sklearn.linear_model" if sum(map(bool, genres)) >= MIN_TAGGED else "sklearn.cluster"

    def load() -> None:
        with contextlib.suppress(Exception):
            importlib.import_module(module)

    threading.Thread(target=load, name="musitui-sklearn-import", daemon=True).start()


def _run_pool(todo: list[Track], jobs: int, excerpt_seconds: float,
              should_stop: Callable[[], bool] | None, report: AnalyzeReport,
              take: Callable[[Track, WorkResult], None], context: BaseContext,
              work: Callable[[Track], tuple[Any, ...]] | None = None) -> None:
    """Feed ``take`` results as workers finish. At most 2 tasks per worker are queued, so a
    stop (``should_stop()`` or Ctrl-C) leaves little work behind; what finishes while the
    pool shuts down is still taken. ``work(track)`` gives (function, *args) for another
    pass's task (the tagger's); by default a track's feature extraction."""
    jobs = max(1, min(jobs, len(todo)))
    queue = iter(todo)
    running: dict[Future[WorkResult], Track] = {}
    with single_threaded_children():
        executor = ProcessPoolExecutor(max_workers=jobs, mp_context=context,
                                       initializer=init_worker)
    try:
        while True:
            if should_stop is not None and should_stop():
                report.interrupted = True
                break
            while len(running) < 2 * jobs:
                track = next(queue, None)
                if track is None:
                    break
                with _main_script_hidden():
                    task = work(track) if work is not None else (analyze_file, track.id, track.path,
                                                                 excerpt_seconds,
                                                                 float(track.duration or 0.0))
                    future = executor.submit(*task)
                running[future] = track
            if not running:
                break
            done, _ = wait(running, timeout=0.5, return_when=FIRST_COMPLETED)
            for future in done:
                track = running.pop(future)
                take(track, _result_of(future, track.id))
    except KeyboardInterrupt:
        report.interrupted = True
    finally:
        for future in running:
            future.cancel()
        executor.shutdown(wait=True, cancel_futures=True)
    for future, track in running.items():
        if future.done() and not future.cancelled():
            take(track, _result_of(future, track.id))


def _result_of(future: Future[WorkResult], running_track_id: int) -> WorkResult:
    try:
        return future.result()
    except Exception as exc:  # a worker died (e.g. killed by the OOM killer)
        return WorkResult(running_track_id, None, error=f"worker failed: {type(exc).__name__}: {exc}"[:200])


@contextlib.contextmanager
def _main_script_hidden() -> Iterator[None]:
    """Spawned workers re-run the parent's main *script* unless told otherwise; they need
    nothing from it (the work lives in musitui.analysis.worker), and an unguarded script
    would recurse. Workers are started inside submit(), so hide the path just there."""
    main = sys.modules.get("__main__")
    path = getattr(main, "__file__", None)
    if main is None or path is None or getattr(main, "__spec__", None) is not None:
        yield
        return
    del main.__file__
    try:
        yield
    finally:
        main.__file__ = path


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
                                    [columns.lyrics[row] for row in keep], store.version)
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
            with _main_script_hidden():
                future = executor.submit(assign_styles_in_folder, folder)
            future.result()
        finally:
            executor.shutdown(wait=True)
        return read_style_results(Path(folder))
