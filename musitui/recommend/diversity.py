"""Up next from the scored pool: best first, with artist spacing and explicit exploration.

Rows come in score order (so the list reads as "best match first"), except that a candidate
whose artist is among the last ``spacing`` picks (the track now playing counts as the first)
waits unless nothing else is left, and one file of a song is enough. After the first
``explore_every`` rows, every ``explore_every``-th slot (6th, 11th, 16th, ...) is an
exploration slot (so any five consecutive rows hold at most one, and the head of the list,
what plays next, is always the best match): the candidate from the better half of the pool
that the session knows least about (largest posterior spread, discounted by its likeness to
what is already listed). It is marked, so the reason can say so. No other row is chosen for
"variety": the old MMR pass alternated good rows with poor ones.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from musitui.recommend.arrays import Library

EXPLORE_EVERY = 5


def select(lib: Library, pool: np.ndarray, scores: np.ndarray, length: int, spacing: int,
           current: int | None, spread: Callable[[np.ndarray], np.ndarray] | None = None,
           explore_every: int = EXPLORE_EVERY) -> list[tuple[int, bool]]:
    """(row, is_exploration) in play order. ``pool`` is sorted by ``scores``, best first."""
    if pool.size == 0:
        return []
    artists = lib.artist_code[pool]
    songs = lib.song_code[pool]
    taken = np.zeros(pool.size, dtype=bool)
    recent_artists: list[int] = [] if current is None else [int(lib.artist_code[current])]
    explorable = np.zeros(pool.size, dtype=bool)
    explorable[: max(1, pool.size // 2)] = True
    uncertainty = None
    if spread is not None and explore_every > 0 and length > explore_every:
        uncertainty = np.asarray(spread(pool), dtype=np.float32)
    redundancy = np.zeros(pool.size, dtype=np.float32)
    chosen: list[tuple[int, bool]] = []
    for slot in range(min(length, pool.size)):
        explore = uncertainty is not None and slot > 0 and slot % explore_every == 0
        if uncertainty is not None and explore:
            value = np.where(explorable, uncertainty * (1.0 - redundancy), -np.inf)
        else:
            value = -np.arange(pool.size, dtype=np.float64)  # score order
        value = np.where(taken, -np.inf, value)
        if spacing > 0 and recent_artists:
            blocked = np.isin(artists, recent_artists[-spacing:])
            allowed = np.where(blocked, -np.inf, value)
            if allowed.max() > -np.inf:
                value = allowed
        best = int(np.argmax(value))
        if not np.isfinite(value[best]):
            if explore:  # nothing left to explore: a plain row instead
                value = np.where(taken, -np.inf, -np.arange(pool.size, dtype=np.float64))
                best = int(np.argmax(value))
                explore = False
            if not np.isfinite(value[best]):
                break
        taken |= songs == songs[best]
        chosen.append((int(pool[best]), explore))
        recent_artists.append(int(artists[best]))
        if uncertainty is not None and lib.has_vec[pool[best]]:
            sim = np.clip(lib.emb[pool] @ lib.emb[pool[best]], 0.0, 1.0)
            np.maximum(redundancy, np.where(lib.has_vec[pool], sim, 0.0), out=redundancy)
    return chosen
