"""Mixes from the recommender's arrays: a playlist of N tracks or M minutes, and paths.

A **mix** takes the recommender's picks (``engine.rank``: score order, one file per song,
artist spacing already applied), keeps the best until the count or the length is reached,
then orders them for smooth transitions: a chain that starts at the seed (or at the calmest
pick) and each time moves to the unused pick nearest in energy (arousal), tempo and sound
(the embedding), keeping artists apart where it can.

A **path** goes from one track to another: step k of n aims at the point k/(n-1) of the way
along the line between the two in the embedding, energy and tempo, and takes the nearest
track not used yet (a song once, whatever its files). Pure numpy, like the rest of the
recommender.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from musitui.recommend.arrays import UNKNOWN_ARTIST, Library

# A length-bounded mix stops once it is this close under the target, and never adds a track
# that would take it more than this far over.
MINUTES_SLACK = 0.04
# In a path, a step's cost adds the sound distance (in units of its median) to the energy
# and tempo distances (in units of one step of the line); these weigh the two.
PATH_ENERGY_WEIGHT = 1.0
PATH_TEMPO_WEIGHT = 0.25
# In ordering a mix: sound distance, energy and tempo differences weigh this much.
ORDER_WEIGHTS = (0.5, 1.0, 0.5)


@dataclass(frozen=True)
class Transition:
    """What ordering and paths compare: per library row, energy and tempo as z-scores."""

    energy: np.ndarray  # float32 (n,): arousal, standardised over the library's analysed rows
    tempo: np.ndarray  # float32 (n,): tempo standardised, 0 where unknown

    @classmethod
    def of(cls, lib: Library, tempo_bpm: np.ndarray | None) -> Transition:
        n = len(lib)
        energy = _zscore(lib.arousal, lib.has_va)
        if tempo_bpm is None or len(tempo_bpm) != n:
            tempo = np.zeros(n, dtype=np.float32)
        else:
            known = np.isfinite(tempo_bpm) & (tempo_bpm > 0)
            # Octave errors are common: compare tempi on a log scale.
            tempo = _zscore(np.log2(np.where(known, tempo_bpm, 1.0)), known)
        return cls(energy=energy, tempo=tempo)


def _zscore(values: np.ndarray, known: np.ndarray) -> np.ndarray:
    out = np.zeros(len(values), dtype=np.float32)
    if known.sum() >= 2:
        chosen = np.asarray(values, dtype=np.float64)[known]
        spread = float(chosen.std()) or 1.0
        out[known] = ((chosen - chosen.mean()) / spread).astype(np.float32)
    return out


def take(rows: Sequence[int], durations: np.ndarray, *, count: int | None = None,
         seconds: float | None = None) -> list[int]:
    """The best ``rows`` (score order) up to ``count`` tracks or about ``seconds``.

    By length: a row is kept while the total stays within MINUTES_SLACK over the target
    (longer rows are passed over, shorter ones further down may still fit), and taking stops
    once the total is within MINUTES_SLACK under it."""
    if count is not None:
        return list(rows[: max(0, count)])
    if seconds is None or seconds <= 0:
        return []
    kept: list[int] = []
    total = 0.0
    for row in rows:
        length = float(durations[row])
        if length <= 0:
            continue
        if total + length <= seconds * (1 + MINUTES_SLACK):
            kept.append(int(row))
            total += length
        if total >= seconds * (1 - MINUTES_SLACK):
            break
    return kept


def smooth_order(lib: Library, rows: Sequence[int], feel: Transition, *,
                 after: int | None = None, spacing: int = 1) -> list[int]:
    """``rows`` as a chain of small moves in energy, tempo and sound, from the track after
    ``after`` (or from the calmest row): a nearest-neighbour chain, then 2-opt passes that
    undo its crossings. Two rows of one artist side by side cost ARTIST_PENALTY (with
    ``spacing`` > 0), so they meet only where nothing else fits."""
    left = [int(r) for r in rows]
    if len(left) <= 1:
        return left
    nodes = ([after] if after is not None else []) + left
    cost = _transition_costs(lib, np.asarray(nodes, dtype=np.int64), feel, spacing)
    if after is None:  # the calmest row first
        first = min(range(len(nodes)), key=lambda i: (float(feel.energy[nodes[i]]), i))
    else:
        first = 0
    chain = [first]
    free = np.ones(len(nodes), dtype=bool)
    free[first] = False
    while free.any():
        step = np.where(free, cost[chain[-1]], np.inf)
        chain.append(int(np.argmin(step)))
        free[chain[-1]] = False
    chain = _two_opt(chain, cost)
    order = [nodes[i] for i in chain]
    return order[1:] if after is not None else order


ARTIST_PENALTY = 4.0
TWO_OPT_LIMIT = 400  # rows; longer mixes keep the nearest-neighbour chain
TWO_OPT_PASSES = 8


def _transition_costs(lib: Library, nodes: np.ndarray, feel: Transition, spacing: int
                      ) -> np.ndarray:
    w_sound, w_energy, w_tempo = ORDER_WEIGHTS
    energy, tempo = feel.energy[nodes].astype(np.float64), feel.tempo[nodes].astype(np.float64)
    emb = lib.emb[nodes].astype(np.float64)
    has = lib.has_vec[nodes]
    sound = np.where(has[:, None] & has[None, :], 1.0 - emb @ emb.T, 1.0)
    cost = (w_energy * np.abs(energy[:, None] - energy[None, :])
            + w_tempo * np.abs(tempo[:, None] - tempo[None, :]) + w_sound * sound)
    if spacing > 0:
        artists = artist_keys(lib)[nodes]
        cost = cost + ARTIST_PENALTY * (artists[:, None] == artists[None, :])
    np.fill_diagonal(cost, np.inf)
    return cost


def _two_opt(chain: list[int], cost: np.ndarray) -> list[int]:
    """An open chain with a fixed first node, improved by reversing stretches of it."""
    size = len(chain)
    if size < 4 or size > TWO_OPT_LIMIT:
        return chain
    order = np.asarray(chain, dtype=np.int64)
    for _ in range(TWO_OPT_PASSES):
        improved = False
        for i in range(1, size - 1):
            before, head = order[i - 1], order[i]
            tails = order[i + 1:]
            nexts = np.r_[order[i + 2:], -1]
            old = cost[before, head] + np.where(nexts >= 0, cost[tails, np.maximum(nexts, 0)], 0.0)
            new = cost[before, tails] + np.where(nexts >= 0, cost[head, np.maximum(nexts, 0)], 0.0)
            gain = old - new
            j = int(np.argmax(gain))
            if gain[j] > 1e-9:
                order[i:i + 2 + j] = order[i:i + 2 + j][::-1].copy()
                improved = True
        if not improved:
            break
    return order.tolist()


def path(lib: Library, start: int, end: int, steps: int, feel: Transition, *,
         exclude: np.ndarray | None = None, spacing: int = 1) -> list[int]:
    """``steps`` rows from ``start`` to ``end`` (both included), each step a small move.

    ``exclude``: bool (n,) rows never taken in between (e.g. a prompt's exclusions)."""
    if steps <= 1:
        return [start]
    n = len(lib)
    used_songs = {int(lib.song_code[start]), int(lib.song_code[end])}
    allowed = np.ones(n, dtype=bool) if exclude is None else ~exclude
    if lib.has_vec[start] and lib.has_vec[end]:
        allowed &= lib.has_vec  # rows without a sound vector cannot be placed on the line
    if lib.has_va[start] and lib.has_va[end]:
        allowed &= lib.has_va
    begin, finish = lib.emb[start].astype(np.float64), lib.emb[end].astype(np.float64)
    energy_step = max(abs(float(feel.energy[end] - feel.energy[start])) / (steps - 1), 0.05)
    tempo_step = max(abs(float(feel.tempo[end] - feel.tempo[start])) / (steps - 1), 0.25)
    sound_unit = _median_distance(lib, allowed)
    chosen = [start]
    for k in range(1, steps - 1):
        share = k / (steps - 1)
        point = (1 - share) * begin + share * finish
        energy = (1 - share) * feel.energy[start] + share * feel.energy[end]
        tempo = (1 - share) * feel.tempo[start] + share * feel.tempo[end]
        open_rows = allowed & ~np.isin(lib.song_code, list(used_songs))
        if not open_rows.any():
            break
        candidates = np.flatnonzero(open_rows)
        cost = (_sound_distance(lib, candidates, point, True) / sound_unit
                + PATH_ENERGY_WEIGHT * np.abs(feel.energy[candidates] - energy) / energy_step
                + PATH_TEMPO_WEIGHT * np.abs(feel.tempo[candidates] - tempo) / tempo_step)
        if spacing > 0:
            keys = artist_keys(lib)
            recent = [int(keys[r]) for r in chosen[-spacing:]]
            if k == steps - 2:
                recent.append(int(keys[end]))
            blocked = np.isin(keys[candidates], recent)
            if not blocked.all():
                # Spacing is a preference here: a same-artist row costs one step more.
                cost = cost + np.where(blocked, 1.0, 0.0)
        best = int(candidates[int(np.argmin(cost))])
        chosen.append(best)
        used_songs.add(int(lib.song_code[best]))
    chosen.append(end)
    return chosen


def artist_keys(lib: Library) -> np.ndarray:
    """One code per artist with case and accents folded ("Doug Kaufman" is "doug kaufman");
    each unknown artist is nobody in particular (its own code, as in the Library)."""
    def cached() -> np.ndarray:
        import unicodedata

        def fold(artist: str, code: int) -> str:
            if not artist or artist == UNKNOWN_ARTIST:
                return f"\0{code}"
            plain = unicodedata.normalize("NFKD", artist).encode("ascii", "ignore").decode()
            return plain.casefold().strip() or artist

        folded = {code: fold(lib.artists[row], code)
                  for row, code in enumerate(lib.artist_code.tolist())}
        table: dict[str, int] = {}
        by_code = np.asarray([table.setdefault(folded[c], len(table))
                              for c in range(len(folded))], dtype=np.int32)
        return by_code[lib.artist_code]
    return lib.cached("mix_artist_keys", cached)


def _sound_distance(lib: Library, rows: np.ndarray, point: np.ndarray, has: bool | np.bool_
                    ) -> np.ndarray:
    """1 − cosine between each row's embedding and ``point`` (1 where either has none)."""
    if not has:
        return np.ones(len(rows), dtype=np.float64)
    norm = float(np.linalg.norm(point))
    if norm < 1e-9:
        return np.ones(len(rows), dtype=np.float64)
    cosine = lib.emb[rows].astype(np.float64) @ (np.asarray(point, dtype=np.float64) / norm)
    return np.where(lib.has_vec[rows], 1.0 - cosine, 1.0)


def _median_distance(lib: Library, rows: np.ndarray) -> float:
    """The median 1 − cosine between the library's rows and their mean direction: the unit
    a path's sound distance is counted in."""
    chosen = np.flatnonzero(rows & lib.has_vec)
    if chosen.size < 2:
        return 1.0
    centre = lib.emb[chosen].astype(np.float64).mean(axis=0)
    return max(float(np.median(_sound_distance(lib, chosen, centre, True))), 1e-3)
