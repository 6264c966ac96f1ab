"""The listener's taste within a session: a Bayesian linear model over the track vectors.

Every finish (+1), skip (−1) and "not this" (−1, counted twice) of the listening session is
an observation ``y ≈ w·x`` of the track's unit vector ``x``. With a Gaussian prior
``w ~ N(0, I/PRIOR_PRECISION)`` (the content prior stays in the score's content term; this
model only adds what the session taught) the posterior is ``N(μ, A⁻¹)`` with
``A = PRIOR_PRECISION·I + Σ c·xxᵀ/NOISE``, ``μ = A⁻¹ Σ c·y·x/NOISE``. The mean gives every
candidate a taste score ``x·μ`` (toward what was finished, away from what was skipped); the
spread ``sqrt(xᵀA⁻¹x)`` says how little the session knows about a candidate, which picks the
exploration slot. Recomputed from the session's events at every rank (a few dozen events:
a d×d solve), so it is updated on every event without state of its own. numpy only.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

PRIOR_PRECISION = 1.0
NOISE = 0.5
NOT_THIS_COUNT = 2.0
MAX_EVENTS = 60  # the newest events of the session


@dataclass(frozen=True)
class Posterior:
    mean: np.ndarray  # (d,)
    precision: np.ndarray  # (d, d)
    events: int

    def taste(self, vectors: np.ndarray) -> np.ndarray:
        """x·μ for every row of ``vectors`` (unit rows)."""
        return (vectors @ self.mean.astype(vectors.dtype)).astype(np.float32)

    def spread(self, vectors: np.ndarray) -> np.ndarray:
        """sqrt(xᵀA⁻¹x) for the rows of ``vectors`` (a few hundred rows at most)."""
        solved = np.linalg.solve(self.precision, np.asarray(vectors, dtype=np.float64).T)
        return np.sqrt(np.maximum((vectors.T * solved).sum(axis=0), 0.0)).astype(np.float32)


def observations(finished: list[tuple[int, float]], skipped: list[tuple[int, float]],
                 rejected: list[tuple[int, float]]) -> list[tuple[int, float, float]]:
    """(row, y, count) of the newest session events."""
    events = ([(ts, row, 1.0, 1.0) for row, ts in finished]
              + [(ts, row, -1.0, 1.0) for row, ts in skipped]
              + [(ts, row, -1.0, NOT_THIS_COUNT) for row, ts in rejected])
    events.sort()
    return [(row, y, count) for _ts, row, y, count in events[-MAX_EVENTS:]]


def fit(vectors: np.ndarray, has_vec: np.ndarray, events: list[tuple[int, float, float]]) -> Posterior:
    """The posterior after ``events`` (rows without a vector are left out)."""
    d = int(vectors.shape[1]) if vectors.ndim == 2 else 1
    precision = np.eye(d) * PRIOR_PRECISION
    moment = np.zeros(d)
    used = [(row, y, c) for row, y, c in events if 0 <= row < len(has_vec) and has_vec[row]]
    if used:
        rows = np.asarray([r for r, _, _ in used], dtype=np.int64)
        y = np.asarray([v for _, v, _ in used])
        c = np.asarray([v for _, _, v in used]) / NOISE
        x = np.asarray(vectors[rows], dtype=np.float64)
        precision += (x * c[:, None]).T @ x
        moment = x.T @ (c * y)
    return Posterior(mean=np.linalg.solve(precision, moment), precision=precision, events=len(used))
