"""Synthesised audio for the analysis tests: chords, click tracks, noise, written to files."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import soundfile as sf

SR = 22050
NOTE = {"C": 0, "C#": 1, "D": 2, "D#": 3, "E": 4, "F": 5, "F#": 6, "G": 7, "G#": 8, "A": 9, "A#": 10, "B": 11}


def midi_hz(midi: float) -> float:
    return 440.0 * 2 ** ((midi - 69) / 12)


def tone(freq: float, seconds: float, sr: int = SR, harmonics: int = 4, bright: float = 0.5,
         decay: float = 1.5) -> np.ndarray:
    t = np.arange(int(seconds * sr)) / sr
    out = np.zeros_like(t)
    for h in range(1, harmonics + 1):
        if freq * h < sr / 2:
            out += (bright ** (h - 1)) * np.sin(2 * np.pi * freq * h * t)
    return out * np.exp(-t * decay)


def chord(root: str, minor: bool, seconds: float, octave: int = 4, **kw) -> np.ndarray:
    base = 12 * (octave + 1) + NOTE[root]
    third = 3 if minor else 4
    notes = [base - 12, base, base + third, base + 7]
    return sum(tone(midi_hz(n), seconds, **kw) for n in notes) / len(notes)


def progression(chords: list[tuple[str, bool]], seconds_each: float, repeats: int = 2, **kw) -> np.ndarray:
    return np.concatenate([chord(r, m, seconds_each, **kw) for _ in range(repeats) for r, m in chords])


def c_major(seconds_each: float = 1.0, **kw) -> np.ndarray:
    return progression([("C", False), ("F", False), ("G", False), ("C", False)], seconds_each, **kw)


def a_minor(seconds_each: float = 1.0, **kw) -> np.ndarray:
    return progression([("A", True), ("D", True), ("E", False), ("A", True)], seconds_each, **kw)


def click_track(bpm: float, seconds: float, sr: int = SR) -> np.ndarray:
    y = np.zeros(int(seconds * sr))
    click = np.sin(2 * np.pi * 1500 * np.arange(int(0.02 * sr)) / sr) * np.exp(-np.arange(int(0.02 * sr)) / (0.004 * sr))
    step = 60.0 / bpm
    for k in range(int(seconds / step)):
        start = int(k * step * sr)
        y[start:start + len(click)] += click[: len(y) - start]
    return y


def noise(seconds: float, sr: int = SR, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal(int(seconds * sr)) * 0.3


def energetic_piece(seconds: float = 12.0, sr: int = SR) -> np.ndarray:
    """Fast (150 BPM), loud, bright, major: C-major chords on every beat plus drums."""
    beat = 60.0 / 150
    chords = [("C", False), ("G", False), ("F", False), ("G", False)]
    parts = [chord(chords[k % 4][0], False, beat, octave=5, harmonics=8, bright=0.8, decay=4.0)
             for k in range(int(seconds / beat))]
    y = np.concatenate(parts)
    rng = np.random.default_rng(1)
    drums = np.zeros_like(y)
    hit = rng.standard_normal(int(0.05 * sr)) * np.exp(-np.arange(int(0.05 * sr)) / (0.01 * sr))
    for k in range(int(seconds / (beat / 2))):
        start = int(k * beat / 2 * sr)
        drums[start:start + len(hit)] += hit[: max(0, len(y) - start)]
    y = y + 0.5 * drums
    return 0.9 * y / np.max(np.abs(y))


def calm_piece(seconds: float = 12.0) -> np.ndarray:
    """Slow, quiet, dark, minor: long soft low A-minor chords, few harmonics."""
    y = progression([("A", True), ("D", True), ("A", True)], 4.0, repeats=1, octave=3,
                    harmonics=2, bright=0.2, decay=0.3)
    return 0.1 * y[: int(seconds * SR)] / np.max(np.abs(y))


def write(path: Path, y: np.ndarray, sr: int = SR, subtype: str | None = None, channels: int = 1) -> Path:
    data = np.asarray(y, dtype=np.float64)
    if channels == 2:
        data = np.stack([data, data * 0.8], axis=1)
    sf.write(str(path), data, sr, subtype=subtype)
    return path
