"""Key and mode from a chroma profile: profile-correlation key finding (pure numpy, ~20 us).

The audio chroma is first made to look more like a note-count profile (see docs/FEATURES.md,
"Key and mode"): each pitch class loses a quarter of its neighbours' energy (an STFT
chroma smears low notes over +-1 semitone), then log compression stops one loud sustained
pitch class from outweighing the others. The result is correlated with the Albrecht &
Shanahan (2013) corpus key profiles. On bench/bench_keys.py's 264 synthetic progressions
this reads 232 keys right against 197 for plain Krumhansl-Kessler on the raw chroma (Sapp's
simple profiles tie at 234; A-S is estimated from real scores). What it still misses is
mostly i-VI-III-VII in minor, whose pitch content equals its relative major's.
"""

from __future__ import annotations

import numpy as np

PITCHES = ["C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B"]
# Krumhansl & Kessler (1982) probe-tone profiles, tonic first: the classic reference, kept
# for callers and tests that need a textbook key profile (no longer what estimate_key uses).
MAJOR = np.array([6.35, 2.23, 3.48, 2.33, 4.38, 4.09, 2.52, 5.19, 2.39, 3.66, 2.29, 2.88])
MINOR = np.array([6.33, 2.68, 3.52, 5.38, 2.60, 3.53, 2.54, 4.75, 3.98, 2.69, 3.34, 3.17])
# Albrecht & Shanahan (2013) profiles, tonic first: pitch-class shares of a corpus of
# major- and minor-mode pieces. They punish out-of-scale pitch classes harder than K-K.
AS_MAJOR = np.array([0.238, 0.006, 0.111, 0.006, 0.137, 0.094, 0.016, 0.214, 0.009, 0.080, 0.008, 0.081])
AS_MINOR = np.array([0.220, 0.006, 0.104, 0.123, 0.019, 0.103, 0.012, 0.214, 0.062, 0.022, 0.061, 0.052])

NEIGHBOUR_LEAK = 0.25   # share of each neighbouring semitone's energy taken away
LOG_GAIN = 20.0         # log1p(gain * c / max c): ~ x20 dynamic range becomes ~ x4


def _profiles(base: np.ndarray) -> np.ndarray:
    """(12, 12): row k is the profile rotated so that its tonic is pitch class k, z-scored."""
    rows = np.stack([np.roll(base, k) for k in range(12)])
    rows = rows - rows.mean(axis=1, keepdims=True)
    return rows / np.linalg.norm(rows, axis=1, keepdims=True)


_BELOW = np.roll(np.arange(12), 1)   # index of the pitch class a semitone below
_ABOVE = np.roll(np.arange(12), -1)
_MAJOR_ROWS = _profiles(AS_MAJOR)
_MINOR_ROWS = _profiles(AS_MINOR)


def key_chroma(chroma_mean: np.ndarray) -> np.ndarray:
    """The chroma as the key finder sees it: neighbour leakage removed, log compressed."""
    c = np.asarray(chroma_mean, dtype=np.float64).reshape(12)
    c = np.where(c > 0.0, c, 0.0)  # also drops NaN
    peak = float(c.max())
    if not peak > 1e-12 or peak == np.inf:
        return np.zeros(12)
    c = c / peak
    sharp = np.maximum(c - NEIGHBOUR_LEAK * (c[_BELOW] + c[_ABOVE]), 0.0)
    return np.log1p(LOG_GAIN * sharp)


def key_scores(chroma_mean: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Correlation (-1..1) of the chroma profile with the 12 major and the 12 minor keys."""
    c = key_chroma(chroma_mean)
    c = c - c.mean()
    norm = np.linalg.norm(c)
    if norm < 1e-9:
        return np.zeros(12), np.zeros(12)
    c = c / norm
    return _MAJOR_ROWS @ c, _MINOR_ROWS @ c


def estimate_key(chroma_mean: np.ndarray) -> tuple[int, str, float, float]:
    """(tonic pitch class, "major"|"minor", clarity = best correlation, mode strength).

    Mode strength = best major correlation - best minor correlation (> 0 leans major);
    it feeds valence. A flat profile (silence, noise) gives clarity 0 and strength 0.
    """
    major, minor = key_scores(chroma_mean)
    best_major, best_minor = int(np.argmax(major)), int(np.argmax(minor))
    if major[best_major] >= minor[best_minor]:
        tonic, mode, clarity = best_major, "major", float(major[best_major])
    else:
        tonic, mode, clarity = best_minor, "minor", float(minor[best_minor])
    return tonic, mode, clarity, float(major[best_major] - minor[best_minor])
