"""The listener's notes as feedback (pure numpy): a warm note lifts the track and the tracks
like it, a cold one sinks them. ``Library.note_feel`` holds each track's note feeling in
[-1, 1] (0: no note; musitui.words.notes.note_feel); the part is that feeling for the noted
track itself plus NEIGHBOURS x the mean feeling of the noted tracks, each weighted by its
content likeness (cosine of the standardised feature rows, negatives at 0)."""

from __future__ import annotations

import numpy as np

NOTE_WEIGHT = 1.0  # the part's weight in the score
NEIGHBOURS = 0.5  # how much a note reaches the tracks like the noted one


def note_part(emb: np.ndarray, has_vec: np.ndarray, feel: np.ndarray | None) -> np.ndarray:
    n = len(has_vec)
    out = np.zeros(n, dtype=np.float32)
    if feel is None or len(feel) != n:
        return out
    feel = np.nan_to_num(np.asarray(feel, dtype=np.float32))
    noted = np.flatnonzero(feel != 0)
    if not noted.size:
        return out
    out += feel
    with_vec = noted[has_vec[noted]]
    if with_vec.size:
        likeness = np.clip(emb @ emb[with_vec].T, 0.0, 1.0) * has_vec[:, None]  # (n, k)
        likeness[with_vec, np.arange(with_vec.size)] = 0.0  # a track's own note counts once
        out += NEIGHBOURS * (likeness @ feel[with_vec]) / with_vec.size
    return out.astype(np.float32)
