"""Stored lyrics sentiment per track: ``features/lyrics_sentiment.npz`` beside the feature
store, one row per track with lyrics: the digest of the lyrics, the VADER score and the
valence shift (NaN: none), with the feature and sentiment versions they were made with. A
``TrackArrays`` (``track_arrays.py``). Written at analysis time (``words.sentiment_store``
scores what changed); read by `info` and the recommender's reasons (numpy only: no VADER
import in the player)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np

from musitui.store.track_arrays import Column, ColumnView, ScalarView, TrackArrays

FILE_NAME = "lyrics_sentiment.npz"
COLUMNS = (Column("digests", np.int64), Column("score", np.float64), Column("shift", np.float64))


def digest(text: str) -> int:
    return int.from_bytes(hashlib.blake2b(text.encode("utf-8", "replace"), digest_size=8).digest(),
                          "little", signed=True)


class SentimentRows(TrackArrays):
    digests, score, shift = ColumnView("digests"), ColumnView("score"), ColumnView("shift")
    feature_version, sentiment_version = ScalarView("feature_version"), ScalarView("sentiment_version")

    def __init__(self, path: Path, *, backups_dir: Path | None = None) -> None:
        super().__init__(path, COLUMNS, backups_dir=backups_dir,
                         scalars={"feature_version": 0, "sentiment_version": 0})

    def lookup(self, track_id: int) -> tuple[float | None, float | None]:
        """(score, shift) for a track, Nones when it has none."""
        row = self.index.get(int(track_id))
        if row is None:
            return None, None
        score, shift = float(self.score[row]), float(self.shift[row])
        return (None if np.isnan(score) else score), (None if np.isnan(shift) else shift)

    def shifts_for(self, ids: np.ndarray) -> np.ndarray:
        """float32 shift per id (0 where none)."""
        rows, _ = self.rows_of(ids.tolist())
        return np.nan_to_num(self.gather("shift", rows), nan=0.0).astype(np.float32)


def path_in(features_dir: Path) -> Path:
    return Path(features_dir) / FILE_NAME


def load(path: Path, backups_dir: Path | None = None) -> SentimentRows:
    """The stored rows; empty when the file is missing, or damaged (then moved aside: it is a
    cache, the next analysis scores the lyrics again)."""
    rows = SentimentRows(path, backups_dir=backups_dir)
    rows.load()
    return rows
