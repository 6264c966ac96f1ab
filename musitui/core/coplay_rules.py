"""The co-play rules: what one listening sequence says about a pair of tracks.

The recommender's numbers, kept in the core (below the store) because
``store.history_aggregates`` folds every event in with them, so the history never has to be
read at rank time, and the store imports nothing of the recommender. Plain constants, no
imports: the light ``musitui event`` path loads this module too.

- A finish of B right after a finish of A (same listening session): A -> B gets weight 1,
  B -> A gets ``REVERSE_PAIR_WEIGHT``.
- A skip of B right after a finish of A: A -> B gets ``SKIP_PAIR_WEIGHT`` (many skips are
  "not now", so it says less than a finish).
- Every weight decays with a half-life of ``COPLAY_HALF_LIFE_DAYS``.
"""

COPLAY_HALF_LIFE_DAYS = 90.0
SKIP_PAIR_WEIGHT = -0.6
REVERSE_PAIR_WEIGHT = 0.5
