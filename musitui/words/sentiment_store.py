"""Stored lyrics sentiment per track: ``features/lyrics_sentiment.npz`` beside the feature
store, one row per track with lyrics (id, digest of the lyrics, VADER score, valence shift,
feature and sentiment versions). Written at analysis time; read by `info` and the
recommender's reasons (numpy only: no VADER import in the player)."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

FILE_NAME = "lyrics_sentiment.npz"


def digest(text: str) -> int:
    return int.from_bytes(hashlib.blake2b(text.encode("utf-8", "replace"), digest_size=8).digest(),
                          "little", signed=True)


@dataclass
class SentimentRows:
    ids: np.ndarray  # int64
    digests: np.ndarray  # int64
    score: np.ndarray  # float64, NaN = no sentiment-bearing words
    shift: np.ndarray  # float64, NaN = unchanged
    feature_version: int = 0
    sentiment_version: int = 0

    @classmethod
    def empty(cls) -> SentimentRows:
        return cls(np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.float32),
                   np.zeros(0, np.float32))

    def lookup(self, track_id: int) -> tuple[float | None, float | None]:
        """(score, shift) for a track, Nones when it has none."""
        where = np.flatnonzero(self.ids == int(track_id))
        if not where.size:
            return None, None
        score, shift = float(self.score[where[0]]), float(self.shift[where[0]])
        return (None if np.isnan(score) else score), (None if np.isnan(shift) else shift)

    def shifts_for(self, ids: np.ndarray) -> np.ndarray:
        """float32 shift per id (0 where none)."""
        out = np.zeros(len(ids), dtype=np.float32)
        if not len(self.ids):
            return out
        order = np.argsort(self.ids)
        sorted_ids = self.ids[order]
        at = np.clip(np.searchsorted(sorted_ids, ids), 0, len(sorted_ids) - 1)
        found = sorted_ids[at] == ids
        values = self.shift[order[at[found]]]
        out[found] = np.nan_to_num(values, nan=0.0)
        return out


def path_in(features_dir: Path) -> Path:
    return Path(features_dir) / FILE_NAME


def load(path: Path) -> SentimentRows:
    """The stored rows; empty when the file is missing or unreadable (it is a cache)."""
    try:
        with np.load(path, allow_pickle=False) as data:
            rows = SentimentRows(data["ids"].astype(np.int64), data["digests"].astype(np.int64),
                                 data["score"].astype(np.float64), data["shift"].astype(np.float64),
                                 int(data["feature_version"]), int(data["sentiment_version"]))
    except (OSError, KeyError, ValueError):
        return SentimentRows.empty()
    if not (len(rows.ids) == len(rows.digests) == len(rows.score) == len(rows.shift)):
        return SentimentRows.empty()
    return rows


def save(path: Path, rows: SentimentRows) -> None:
    from musitui.store.atomic import atomic_write_with

    def write(tmp: Path) -> None:
        with open(tmp, "wb") as handle:
            np.savez(handle, ids=rows.ids, digests=rows.digests, score=rows.score, shift=rows.shift,
                     feature_version=np.int64(rows.feature_version),
                     sentiment_version=np.int64(rows.sentiment_version))

    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_with(path, write)


def update(path: Path, ids: Sequence[int], lyrics: Sequence[str | None], feature_version: int) -> list[float | None]:
    """The valence shift of every track (None: no lyrics / no sentiment), scoring only the
    lyrics not already stored with the same digest and versions; saves when anything changed.
    Lyrics not in English are read by the multilingual encoder (loaded only if there are any;
    its cache folder is ``<data>/cache``, beside the features folder ``path`` is in)."""
    from musitui.words.encoder import cache_dir_for, shared
    from musitui.words.sentiment import SENTIMENT_VERSION, lyrics_score, valence_shift

    encoder = shared(cache_dir_for(Path(path).parent.parent))

    old = load(path)
    if old.sentiment_version != SENTIMENT_VERSION or old.feature_version != feature_version:
        old = SentimentRows.empty()
    known = {int(i): (int(d), float(sc), float(sh))
             for i, d, sc, sh in zip(old.ids.tolist(), old.digests.tolist(), old.score.tolist(),
                                     old.shift.tolist(), strict=True)}
    out: list[float | None] = []
    new_ids, new_digests, new_scores, new_shifts = [], [], [], []
    changed = False
    for track_id, text in zip(ids, lyrics, strict=True):
        if not text or not text.strip():
            out.append(None)
            changed |= int(track_id) in known
            continue
        d = digest(text)
        hit = known.get(int(track_id))
        if hit is not None and hit[0] == d:
            score, shift = hit[1], hit[2]
        else:
            value = lyrics_score(text, encoder)
            score = float("nan") if value is None else value
            moved = valence_shift(value)
            shift = float("nan") if moved is None else moved
            changed = True
        new_ids.append(int(track_id))
        new_digests.append(d)
        new_scores.append(score)
        new_shifts.append(shift)
        out.append(None if np.isnan(shift) else shift)
    if changed or len(new_ids) != len(known):
        save(path, SentimentRows(np.array(new_ids, np.int64), np.array(new_digests, np.int64),
                                 np.array(new_scores, np.float64), np.array(new_shifts, np.float64),
                                 feature_version, SENTIMENT_VERSION))
    return out
