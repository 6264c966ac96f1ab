"""The diversity pass: maximal marginal relevance with artist spacing.

Greedy: each step takes the candidate with the best ``λ·relevance − (1−λ)·similarity to what
is already picked``; a candidate whose artist is among the last ``spacing`` picks (the track
now playing counts as the first) waits, unless nothing else is left.
"""

from __future__ import annotations

import numpy as np

from musitui.recommend.library import Library


def select(lib: Library, pool: np.ndarray, scores: np.ndarray, length: int, mmr_lambda: float,
           spacing: int, current: int | None) -> list[int]:
    if pool.size == 0:
        return []
    # Relevance in [0, 1] over the plausible candidates (the best ``length``); the rest go
    # negative, so diversity chooses among good tracks instead of promoting poor ones.
    floor = float(np.sort(scores)[::-1][min(scores.size, max(length, 1)) - 1])
    span = float(scores.max()) - floor
    relevance = (scores - floor) / span if span > 1e-9 else np.ones_like(scores)
    has_vec = lib.has_vec[pool]
    vectors = lib.emb[pool]
    artists = lib.artist_code[pool]
    genres = lib.genre_code[pool]
    folders = lib.folder_code[pool]
    songs = lib.song_code[pool]
    redundancy = np.zeros(pool.size, dtype=np.float32)
    taken = np.zeros(pool.size, dtype=bool)
    recent_artists: list[int] = [] if current is None else [int(lib.artist_code[current])]
    chosen: list[int] = []
    lam = min(max(mmr_lambda, 0.0), 1.0)
    for _ in range(min(length, pool.size)):
        value = lam * relevance - (1.0 - lam) * redundancy
        value[taken] = -np.inf
        if spacing > 0 and recent_artists:
            blocked = np.zeros(pool.size, dtype=bool)
            for artist in recent_artists[-spacing:]:
                blocked |= artists == artist
            allowed = np.where(blocked, -np.inf, value)
            if allowed.max() > -np.inf:
                value = allowed
        best = int(np.argmax(value))
        if not np.isfinite(value[best]):
            break
        taken |= songs == songs[best]  # one file of a song is enough
        chosen.append(int(pool[best]))
        recent_artists.append(int(artists[best]))
        # Similarity of every candidate to the new pick: cosine where both have vectors,
        # else same artist / folder / genre.
        if has_vec[best]:
            sim = np.where(has_vec, np.clip(vectors @ vectors[best], 0.0, 1.0), 0.0)
        else:
            sim = np.zeros(pool.size, dtype=np.float32)
        tags = np.maximum(0.6 * (artists == artists[best]), 0.5 * (folders == folders[best]))
        if genres[best] >= 0:
            tags = np.maximum(tags, 0.4 * (genres == genres[best]))
        np.maximum(redundancy, np.maximum(sim, tags), out=redundancy)
    return chosen
