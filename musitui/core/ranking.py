"""The ranking: the recommender's arrays for this session, its target, and one rank.

The library arrays are built from the catalog's columns, the feature store, the tagger's
store, the stored lyrics shifts and the history's counts; every listen is noted on them as
it happens (``note``), so ranking never reads the history. ``listening()`` is what the
ranker sees of the session (the ledger's finishes, skips and rejections, the tracks kept
out, the mood or the prompt's target); ``rank()`` is the recommender's pure numpy call.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from musitui.core.model import Track
from musitui.paths import Home
from musitui.recommend.arrays import Library, build_library_from_columns
from musitui.recommend.engine import Listening, Pick, Weights, rank
from musitui.store.catalog import Catalog
from musitui.store.features import FeatureStore
from musitui.store.history import History

if TYPE_CHECKING:
    from musitui.core.ledger import Ledger
    from musitui.recommend.prompt_target import PromptTarget
    from musitui.store.catalog_columns import CatalogColumns
    from musitui.store.history_aggregates import Aggregates
    from musitui.store.notes import Note
    from musitui.words.prompt import Vibe

_blas_limited = False


@dataclass(frozen=True)
class Counts:
    """A copy of the history's per-track and per-artist counts (what a rebuild starts from)."""

    tracks: dict[int, list[float]]
    artists: dict[str, list[int]]


def limit_blas_threads() -> None:
    """Run BLAS single-threaded in this process (once).

    Reranking is small matrix-vector work: OpenBLAS's threads only add hand-off cost, and on
    a busy 2-core machine they made one 50k x 40 product 20 ms instead of 0.5 ms. Analysis
    runs in worker processes and is not affected.
    """
    global _blas_limited
    if _blas_limited:
        return
    _blas_limited = True
    if os.environ.get("OPENBLAS_NUM_THREADS") == "1":
        return  # set before numpy loaded (musitui's CLI does): nothing to limit
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return
    threadpool_limits(1, user_api="blas")


def tagger_arrays(home: Home, ids: np.ndarray) -> tuple[np.ndarray | None, np.ndarray | None]:
    """The pretrained tagger's embeddings of ``ids`` when the second analysis pass stored them
    (musitui.store.tagger_store), else (None, None)."""
    try:
        from musitui.store.tagger_store import TaggerStore
    except ImportError:
        return None, None
    try:
        emb, _tags, found = TaggerStore.open(home).rows_for(ids)
    except Exception:  # a damaged or missing store: the handcrafted features still rank
        return None, None
    if found is None or not found.any():
        return None, None
    return ids[found], emb[found]


class Ranking:
    """The caller holds the session lock around ``note``, ``listening`` and ``rank``;
    ``reload`` takes it itself (the build runs outside it)."""

    def __init__(self, home: Home, catalog: Catalog, features: FeatureStore | None,
                 history: History, weights: Weights, lock: threading.RLock) -> None:
        self.home = home
        self.catalog = catalog
        self.features = features
        self.history = history
        self.weights = weights
        self._lock = lock
        limit_blas_threads()
        # A listener's prompt (musitui.words.prompt.Vibe): replaces the mood term while set.
        self.vibe: Vibe | None = None
        self._prompt_target: tuple[Library, PromptTarget] | None = None
        self.intent_since = 0.0  # when the listener last chose a mood or a prompt
        self._intent_changed = False
        self._notes_while_building: list[tuple[int, str, str, float]] | None = None
        self.track_notes: dict[int, list[Note]] = {}  # track id -> the listener's notes on it
        self.lib: Library = self.build()

    # -- the arrays -----------------------------------------------------------------------
    def track_columns(self) -> CatalogColumns:
        return self.catalog.columns().present()

    def build(self, aggregates: Aggregates | Counts | None = None) -> Library:
        columns = self.track_columns()
        features = self.features
        tagger_ids, tagger_matrix = tagger_arrays(self.home, columns.ids)
        lib = build_library_from_columns(
            columns, feature_ids=features.ids if features is not None else None,
            feature_matrix=features.matrix if features is not None else None,
            feature_names=list(features.names) if features is not None else [],
            aggregates=aggregates or self.history.aggregates,
            tagger_ids=tagger_ids, tagger_matrix=tagger_matrix)
        lib.lyrics_shift = self._lyrics_shifts(lib)
        lib.note_feel = self._note_feels(lib)
        return lib

    def _note_feels(self, lib: Library) -> np.ndarray | None:
        """The listener's notes on tracks (musitui.store.notes) per library row: the mean
        feel of each track's notes, 0 where none; ``track_notes`` keeps the notes."""
        from musitui.store.notes import Notes

        self.track_notes = Notes.open(self.home).current()
        feel = np.zeros(len(lib.ids), dtype=np.float32)
        for track_id, written in self.track_notes.items():
            row = lib.row(track_id)
            feels = [n.feel for n in written if n.feel is not None]
            if row is not None and feels:
                feel[row] = sum(feels) / len(feels)
        return feel if feel.any() else None

    def refresh_notes(self) -> None:
        """A note was written: read the notes again (the caller holds the lock)."""
        self.lib.note_feel = self._note_feels(self.lib)
        self._prompt_target = None

    def _lyrics_shifts(self, lib: Library) -> np.ndarray | None:
        """The stored lyrics valence shifts (numpy only: no sentiment model in the player)."""
        if self.features is None:
            return None
        from musitui.words import sentiment_store

        rows = sentiment_store.load(sentiment_store.path_in(Path(self.features.path).parent))
        return rows.shifts_for(lib.ids) if len(rows.ids) else None

    def reload(self, settled: Callable[[], AbstractContextManager[None]]) -> Library:
        """New arrays for tracks and feature vectors added since (after a scan or an
        analysis); returns the arrays replaced. Built outside the lock (a second or more at
        50k tracks): playback and the UI go on meanwhile; listens noted in the meantime are
        replayed onto the new arrays. ``settled()``: no history write in flight while the
        counts are copied (the ledger's), so no listen is in neither."""
        if self.features is not None:
            self.features.load()
        with settled(), self._lock:
            # The counts as of now; what is noted from here on is replayed.
            aggregates = self.history.aggregates
            counts = Counts(tracks={k: list(v) for k, v in list(aggregates.tracks.items())},
                            artists={k: list(v) for k, v in list(aggregates.artists.items())})
            self._notes_while_building = []
        try:
            lib = self.build(counts)
        finally:
            with self._lock:
                notes, self._notes_while_building = self._notes_while_building or [], None
        with self._lock:
            for note in notes:
                lib.note(*note)
            replaced, self.lib = self.lib, lib
        return replaced

    def note(self, track: Track, kind: str, ts: float) -> None:
        """A listen ("play", "finish", "skip") counted on the arrays at once."""
        self.lib.note(track.id, track.artist, kind, ts)
        if self._notes_while_building is not None:
            self._notes_while_building.append((track.id, track.artist, kind, ts))

    # -- the prompt ---------------------------------------------------------------------------
    def set_vibe(self, vibe: Vibe | None) -> None:
        """A prompt, or None when a mood replaces it: either way the listener's new intent."""
        self.vibe = vibe if vibe is not None and not vibe.empty else None
        self._prompt_target = None
        self._intent_changed = True

    def _target(self) -> PromptTarget | None:
        if self.vibe is None:
            return None
        cached = self._prompt_target
        if cached is not None and cached[0] is self.lib:
            return cached[1]
        from musitui.words.target import build_target, tag_rows

        vibe = self.vibe
        tags = tag_rows(self.home, self.lib.ids) if (vibe.audio or vibe.exclude_audio) else None
        target = build_target(vibe, self.lib.ids, self.track_columns(), tags)
        self._prompt_target = (self.lib, target)
        return target

    # -- ranking ------------------------------------------------------------------------------
    def listening(self, ledger: Ledger, *, now: float, mood: str, kept_out: set[int],
                  after: list[int]) -> Listening:
        """What the ranker sees: ``kept_out`` (queued, broken, dismissed) and the playing
        track are excluded; ``after`` counts as just finished (``recommend --after``)."""
        lib = self.lib
        rows = self._rows
        exclude = set(rows(kept_out)) | set(rows(after))
        current = lib.row(ledger.play.track.id) if ledger.play is not None else None
        if current is not None:
            exclude.add(current)
        finished = self._timed_rows(ledger.finished) + [(r, now) for r in rows(after)]
        aggregates = self.history.aggregates
        if self._intent_changed:  # the first ranking after a mood or prompt was chosen
            self._intent_changed, self.intent_since = False, now
        return Listening(now=now, intent_since=self.intent_since, finished=finished, skipped=self._timed_rows(ledger.skipped),
                         rejected=self._timed_rows(ledger.rejected), current=current, mood=mood,
                         exclude=exclude, coplay=lambda tid: aggregates.coplay_row(tid, now),
                         prompt=self._target())

    def rank(self, ctx: Listening, count: int) -> list[Pick]:
        return rank(self.lib, ctx, self.weights, count)

    def _rows(self, track_ids: list[int] | set[int]) -> list[int]:
        return [r for r in (self.lib.row(t) for t in track_ids) if r is not None]

    def _timed_rows(self, timed: list[tuple[int, float]]) -> list[tuple[int, float]]:
        return [(r, ts) for r, ts in ((self.lib.row(t), ts) for t, ts in timed) if r is not None]
