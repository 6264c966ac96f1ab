"""Key and mode from a chroma profile: Krumhansl-Schmuckler key-finding (pure numpy)."""

from __future__ import annotations

import numpy as np

PITCHES = ["C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B"]
# Krumhansl & Kessler (1982) probe-tone profiles, tonic first.
MAJOR = np.array([6.35, 2.23, 3.48, 2.33, 4.38, 4.09, 2.52, 5.19, 2.39, 3.66, 2.29, 2.88])
MINOR = np.array([6.33, 2.68, 3.52, 5.38, 2.60, 3.53, 2.54, 4.75, 3.98, 2.69, 3.34, 3.17])


def _profiles(base: np.ndarray) -> np.ndarray:
    """(12, 12): row k is the profile rotated so that its tonic is pitch class k, z-scored."""
    rows = np.stack([np.roll(base, k) for k in range(12)])
    rows = rows - rows.mean(axis=1, keepdims=True)
    return rows / np.linalg.norm(rows, axis=1, keepdims=True)


_MAJOR_ROWS = _profiles(MAJOR)
_MINOR_ROWS = _profiles(MINOR)


def key_scores(chroma_mean: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Correlation of the chroma profile with the 12 major and the 12 minor keys."""
    c = np.asarray(chroma_mean, dtype=np.float64)
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


def key_name(tonic: int, mode: str) -> str:
    return PITCHES[int(tonic) % 12]
