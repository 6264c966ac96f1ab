"""Valence and arousal per track, relative to the user's own library (pure numpy).

Each cue (a column of the feature matrix) is turned into its centred rank across every
analysed track (-1 = lowest in this library, +1 = highest), the ranks are combined with the
signed weights below, and the combination is ranked again and spread over [-0.9, 0.9]. So a
library of only metal still has calm-for-metal tracks, and mastering level differences
between albums matter little (ranks of level-independent cues, mostly). Genre tags then
nudge the result; lyrics get a hook (``lyrics_valence_delta``) that returns None for now.
The method and the reasons for each weight are in docs/MOOD.md.
"""

from __future__ import annotations

import numpy as np

from musitui.moods import nearest_mood

# cue name -> weight. Positive: a higher value means more arousal / valence.
AROUSAL_CUES: dict[str, float] = {
    "percussive_share": 1.0,
    "onset_mean": 1.0,
    "flux": 0.8,
    "onset_rate": 0.8,
    "beat_tempo": 0.7,      # tempo x beat strength (derived): tempo alone misleads
    "flatness_db": 0.7,     # noisy, distorted spectra (metal, drums) vs pure tones
    "high_ratio": 0.5,
    "centroid": 0.5,
    "zcr": 0.3,
    "rms_db": 0.3,          # level: small weight, albums are mastered differently
    "dynamic_range_db": -0.6,  # calm acoustic music breathes; loud music is compressed
    "onset_cv": -0.3,       # sparse isolated onsets (ambient hits) vs a steady drive
}
VALENCE_CUES: dict[str, float] = {
    "mode_strength": 1.0,   # major-profile fit minus minor-profile fit
    "mode_major": 0.6,
    "key_clarity": 0.4,     # consonant, clearly tonal
    "centroid": 0.4,        # brightness
    "tempo": 0.3,
    "chroma_entropy": -0.4, # harmonic blur / dissonance
    "flatness_db": -0.4,    # noise and distortion read as dark/aggressive
    "low_ratio": -0.3,      # heavy, bass-dominated spectra
}
SPREAD = 0.9

# Genre keyword -> (valence delta, arousal delta); all matching keywords add up.
GENRE_ADJUST: dict[str, tuple[float, float]] = {
    "metal": (-0.25, 0.35), "death": (-0.15, 0.1), "punk": (-0.1, 0.3), "hardcore": (-0.15, 0.3),
    "industrial": (-0.15, 0.2), "rock": (0.0, 0.15), "techno": (0.0, 0.2), "house": (0.15, 0.2),
    "dance": (0.2, 0.2), "disco": (0.25, 0.2), "edm": (0.1, 0.25), "drum and bass": (0.0, 0.3),
    "ambient": (0.0, -0.35), "new age": (0.1, -0.3), "classical": (0.0, -0.1),
    "piano": (0.0, -0.15), "ballad": (-0.1, -0.25), "blues": (-0.2, -0.05),
    "doom": (-0.3, -0.05), "reggae": (0.25, -0.05), "pop": (0.2, 0.05), "funk": (0.2, 0.15),
    "boogie": (0.25, 0.1), "swing": (0.2, 0.1), "jazz": (0.05, -0.05), "folk": (0.05, -0.15),
    "lullaby": (0.1, -0.4), "chiptune": (0.15, 0.1), "ska": (0.25, 0.2),
}


def centred_ranks(values: np.ndarray) -> np.ndarray:
    """Average ranks mapped to [-1, 1]; all-equal (or a single value) gives 0."""
    values = np.asarray(values, dtype=np.float64)
    n = len(values)
    if n < 2:
        return np.zeros(n)
    order = np.argsort(values, kind="mergesort")
    sorted_values = values[order]
    ranks = np.empty(n)
    # Ties share their average rank.
    starts = np.flatnonzero(np.r_[True, sorted_values[1:] != sorted_values[:-1]])
    ends = np.r_[starts[1:], n]
    for start, end in zip(starts, ends, strict=True):
        ranks[order[start:end]] = (start + end - 1) / 2.0
    return ranks / (n - 1) * 2.0 - 1.0


def _cue_column(matrix: np.ndarray, names: list[str], cue: str) -> np.ndarray | None:
    if cue == "beat_tempo":
        if "tempo" not in names or "beat_strength" not in names:
            return None
        return matrix[:, names.index("tempo")] * np.minimum(matrix[:, names.index("beat_strength")], 3.0)
    return matrix[:, names.index(cue)] if cue in names else None


def axis_score(matrix: np.ndarray, names: list[str], cues: dict[str, float]) -> np.ndarray:
    """Library-relative score in [-SPREAD, SPREAD] from weighted cue ranks."""
    n = len(matrix)
    combined = np.zeros(n)
    total = 0.0
    for cue, weight in cues.items():
        column = _cue_column(matrix, names, cue)
        if column is None:
            continue
        combined += weight * centred_ranks(column)
        total += abs(weight)
    if total == 0 or n == 0:
        return np.zeros(n)
    return SPREAD * centred_ranks(combined / total)


def genre_delta(genre: str) -> tuple[float, float]:
    text = genre.lower()
    dv = sum(v for key, (v, _) in GENRE_ADJUST.items() if key in text)
    da = sum(a for key, (_, a) in GENRE_ADJUST.items() if key in text)
    return float(np.clip(dv, -0.4, 0.4)), float(np.clip(da, -0.4, 0.4))


def lyrics_valence_delta(lyrics: str | None) -> float | None:
    """Hook for lyrics sentiment: a valence delta in [-0.5, 0.5], or None when unknown.

    Not implemented yet (its own issue): always None, so lyrics change nothing today.
    """
    return None


def library_moods(matrix: np.ndarray, names: list[str], genres: list[str],
                  lyrics: list[str | None] | None = None) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """(valence, arousal, mood label) for every row of ``matrix``, relative to all rows."""
    valence = axis_score(matrix, names, VALENCE_CUES)
    arousal = axis_score(matrix, names, AROUSAL_CUES)
    for row, genre in enumerate(genres):
        dv, da = genre_delta(genre or "")
        valence[row] += dv
        arousal[row] += da
        if lyrics is not None:
            delta = lyrics_valence_delta(lyrics[row])
            if delta is not None:
                valence[row] += delta
    valence = np.clip(valence, -1.0, 1.0)
    arousal = np.clip(arousal, -1.0, 1.0)
    labels = [nearest_mood(float(v), float(a)) for v, a in zip(valence, arousal, strict=True)]
    return valence, arousal, labels
