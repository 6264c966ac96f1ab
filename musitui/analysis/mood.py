"""Valence and arousal per track, relative to the user's own library (pure numpy).

Each cue (a feature column, or one derived from a few columns) is turned into its centred
rank across every analysed track (-1 = lowest in this library, +1 = highest), the ranks are
combined with the signed weights below, and the combination is ranked again and spread over
[-0.9, 0.9]. So a library of only metal still has calm-for-metal tracks, and only the order
of the tracks on each cue matters, not its scale (most cues are level-independent). Genre tags
then nudge the result, and so does the sentiment of the lyrics (valence only, at most
±0.3: ``lyrics_valence_delta``, musitui.words.sentiment). docs/MOOD.md has the reasons for
each cue and the measured accuracy.
"""

from __future__ import annotations

import numpy as np

from musitui.core.moods import nearest_mood

# cue name -> weight. Positive: a higher value means more arousal / valence.
AROUSAL_CUES: dict[str, float] = {
    "rms_db": 1.0,             # loudness: the strongest single correlate of arousal
    "spectral_density": 1.0,   # derived: minus the mean spectral contrast (bands 1-5)
    "percussive_share": 0.7,   # drums and attacks vs sustained sound
    "pulse_tempo": 0.7,        # derived: octave-checked tempo, counted by beat clarity
    "onset_rate": 0.7,         # note / hit density
    "low_ratio": 0.5,          # low-end energy (kick, bass) below 150 Hz
    "flux": 0.5,               # how fast the spectrum changes
}
VALENCE_CUES: dict[str, float] = {
    "mode_strength": 1.0,      # major-profile fit minus minor-profile fit
    "mode_major": 0.5,         # the discrete decision
    "key_clarity": 0.4,        # clear tonality / consonance
    "chroma_entropy": -0.4,    # harmonic blur / dissonance
    "centroid": 0.3,           # bright timbre
    "low_ratio": -0.3,         # heavy, bass-dominated spectra
}
SPREAD = 0.9

# Octave check of the tempo estimate (the autocorrelation often locks onto half or double
# the felt beat): below SLOW_BPM with more than DENSE onsets per beat, the felt pulse is
# twice as fast; above FAST_BPM with fewer than SPARSE onsets per beat, half as fast.
SLOW_BPM, FAST_BPM = 80.0, 170.0
DENSE_ONSETS_PER_BEAT, SPARSE_ONSETS_PER_BEAT = 2.0, 0.5

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
    new_group = np.r_[True, sorted_values[1:] != sorted_values[:-1]]
    starts = np.flatnonzero(new_group)
    ends = np.r_[starts[1:], n]
    # Each sorted position takes its group's average rank (one array step, not a loop over
    # groups: at 100k distinct values the loop cost ~0.5 s per call).
    ranks[order] = ((starts + ends - 1) / 2.0)[np.cumsum(new_group) - 1]
    return ranks / (n - 1) * 2.0 - 1.0


def pulse_tempo(tempo: np.ndarray, beat_strength: np.ndarray, onset_rate: np.ndarray) -> np.ndarray:
    """The felt pulse: the tempo estimate, octave-checked against the onset rate, counted
    only as much as the beat is clear (slow heavy music is not calm, and a fast loose
    texture is not driving)."""
    tempo = np.asarray(tempo, dtype=np.float64)
    per_beat = np.asarray(onset_rate, dtype=np.float64) * 60.0 / np.maximum(tempo, 1.0)
    felt = np.where((tempo < SLOW_BPM) & (per_beat > DENSE_ONSETS_PER_BEAT), tempo * 2.0, tempo)
    felt = np.where((tempo > FAST_BPM) & (per_beat < SPARSE_ONSETS_PER_BEAT), tempo / 2.0, felt)
    return felt * np.clip(np.asarray(beat_strength, dtype=np.float64), 0.0, 1.0)


def _column(matrix: np.ndarray, names: list[str], cue: str) -> np.ndarray | None:
    """A stored feature column, or a cue derived from several; None when it cannot be made."""
    if cue in names:
        return matrix[:, names.index(cue)].astype(np.float64)
    if cue == "pulse_tempo":
        tempo, strength, onsets = (_column(matrix, names, n) for n in ("tempo", "beat_strength", "onset_rate"))
        if tempo is None or strength is None or onsets is None:
            return None
        return pulse_tempo(tempo, strength, onsets)
    if cue == "spectral_density":
        bands = [names.index(f"contrast_{i}") for i in range(1, 6) if f"contrast_{i}" in names]
        return -matrix[:, bands].astype(np.float64).mean(axis=1) if bands else None
    return None


def cue_ranks(matrix: np.ndarray, names: list[str], cues: dict[str, float]) -> tuple[np.ndarray, list[str]]:
    """(n, k) library-relative ranks of the cues that can be made, and their names."""
    columns, used = [], []
    for cue in cues:
        column = _column(matrix, names, cue)
        if column is None:
            continue
        columns.append(centred_ranks(column))
        used.append(cue)
    if not columns:
        return np.zeros((len(matrix), 0)), []
    return np.stack(columns, axis=1), used


def axis_score(matrix: np.ndarray, names: list[str], cues: dict[str, float]) -> np.ndarray:
    """Library-relative score in [-SPREAD, SPREAD] from weighted cue ranks."""
    n = len(matrix)
    ranks, used = cue_ranks(matrix, names, cues)
    weights = np.array([cues[c] for c in used])
    total = float(np.abs(weights).sum())
    if total == 0 or n == 0:
        return np.zeros(n)
    return SPREAD * centred_ranks(ranks @ weights / total)


def genre_delta(genre: str) -> tuple[float, float]:
    text = genre.lower()
    dv = sum(v for key, (v, _) in GENRE_ADJUST.items() if key in text)
    da = sum(a for key, (_, a) in GENRE_ADJUST.items() if key in text)
    return float(np.clip(dv, -0.4, 0.4)), float(np.clip(da, -0.4, 0.4))


def lyrics_valence_delta(lyrics: str | None) -> float | None:
    """Lyrics sentiment as a valence delta in [-0.3, 0.3], or None when the lyrics say
    nothing (or there are none). VADER is imported on first use (analysis time only)."""
    from musitui.words.sentiment import lyrics_score, valence_shift

    return valence_shift(lyrics_score(lyrics))


def library_moods(matrix: np.ndarray, names: list[str], genres: list[str],
                  lyrics: list[str | None] | None = None,
                  lyrics_deltas: list[float | None] | None = None,
                  corrected: dict[int, str] | None = None) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """(valence, arousal, mood label) for every row of ``matrix``, relative to all rows.

    ``lyrics_deltas`` (precomputed, e.g. from the stored sentiment) wins over ``lyrics``;
    ``corrected`` (row -> mood name, the listener's corrections) is applied last."""
    valence = axis_score(matrix, names, VALENCE_CUES)
    arousal = axis_score(matrix, names, AROUSAL_CUES)
    deltas: dict[str, tuple[float, float]] = {}  # a library has few distinct genres
    for row, genre in enumerate(genres):
        key = genre or ""
        if key not in deltas:
            deltas[key] = genre_delta(key)
        dv, da = deltas[key]
        valence[row] += dv
        arousal[row] += da
        if lyrics_deltas is not None or lyrics is not None:
            delta = (lyrics_deltas[row] if lyrics_deltas is not None
                     else lyrics_valence_delta(lyrics[row]) if lyrics is not None else None)
            if delta is not None:
                valence[row] += delta
    valence = np.clip(valence, -1.0, 1.0)
    arousal = np.clip(arousal, -1.0, 1.0)
    if corrected:
        valence, arousal = apply_corrections(valence, arousal, unit_rows(matrix), corrected)
    labels = [nearest_mood(float(v), float(a)) for v, a in zip(valence, arousal, strict=True)]
    for row, mood in (corrected or {}).items():
        if 0 <= row < len(labels):
            labels[row] = mood
    return valence, arousal, labels


# A correction moves the tracks whose (z-scored) sound is at least this close (cosine) to the
# corrected one, the closest the most: weight ((cos - NEAR) / (1 - NEAR))^2.
NEAR = 0.6


def unit_rows(matrix: np.ndarray) -> np.ndarray:
    """The feature rows z-scored over the library and L2-normalised (cosine = dot product)."""
    x = np.nan_to_num(np.asarray(matrix, dtype=np.float64))
    if x.size == 0:
        return x
    sd = x.std(axis=0)
    z = (x - x.mean(axis=0)) / np.where(sd > 1e-9, sd, 1.0)
    return z / np.maximum(np.linalg.norm(z, axis=1, keepdims=True), 1e-12)


def apply_corrections(valence: np.ndarray, arousal: np.ndarray, vectors: np.ndarray,
                      corrected: dict[int, str]) -> tuple[np.ndarray, np.ndarray]:
    """The listener's corrections (row -> mood name): each corrected track goes to its mood's
    point; tracks that sound like it move by the same shift, weighed by their closeness
    (several corrections nearby: the weighted mean of their shifts). Pure numpy."""
    from musitui.core.moods import MOODS

    valence, arousal = valence.astype(np.float64).copy(), arousal.astype(np.float64).copy()
    rows = np.asarray([r for r, m in corrected.items() if m in MOODS and 0 <= r < len(valence)],
                      dtype=np.int64)
    if rows.size == 0:
        return valence, arousal
    targets = np.asarray([[MOODS[corrected[int(r)]].valence, MOODS[corrected[int(r)]].arousal]
                          for r in rows])
    shifts = targets - np.stack([valence[rows], arousal[rows]], axis=1)
    sims = vectors @ vectors[rows].T if len(vectors) == len(valence) else np.zeros((len(valence), rows.size))
    weight = np.clip((sims - NEAR) / (1.0 - NEAR), 0.0, 1.0) ** 2
    moved = (weight @ shifts) / np.maximum(1.0, weight.sum(axis=1, keepdims=True))
    valence = np.clip(valence + moved[:, 0], -1.0, 1.0)
    arousal = np.clip(arousal + moved[:, 1], -1.0, 1.0)
    valence[rows], arousal[rows] = targets[:, 0], targets[:, 1]
    return valence, arousal
