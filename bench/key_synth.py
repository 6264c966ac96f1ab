"""Synthetic tonal test set for bench_keys.py: piano-like progressions with a bass line.

Each piece: a 4-chord progression (triads in close voicing, inversions chosen by voice
leading), a bass on the chord roots, an optional melody on chord tones and an optional
noise-drum layer, in one of three timbres. Ground truth is the (tonic, mode) it was
written in. Rendered with numpy only, then run through the real feature extractor.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

SR = 22050
MAJOR_SCALE = [0, 2, 4, 5, 7, 9, 11]
MINOR_SCALE = [0, 2, 3, 5, 7, 8, 10]

# Chords as (semitones above the tonic, quality). "V" in minor is major: the raised 7th.
MAJOR_PROGRESSIONS = {
    "I-IV-V-I": [(0, "maj"), (5, "maj"), (7, "maj"), (0, "maj")],
    "I-V-vi-IV": [(0, "maj"), (7, "maj"), (9, "min"), (5, "maj")],
    "I-vi-IV-V": [(0, "maj"), (9, "min"), (5, "maj"), (7, "maj")],
    "I-ii-V-I": [(0, "maj"), (2, "min"), (7, "dom7"), (0, "maj")],
    "I-IV-I-V": [(0, "maj"), (5, "maj"), (0, "maj"), (7, "maj")],
}
MINOR_PROGRESSIONS = {
    "i-iv-V-i": [(0, "min"), (5, "min"), (7, "maj"), (0, "min")],
    "i-VI-III-VII": [(0, "min"), (8, "maj"), (3, "maj"), (10, "maj")],
    "i-iv-v-i": [(0, "min"), (5, "min"), (7, "min"), (0, "min")],
    "i-VI-iv-V": [(0, "min"), (8, "maj"), (5, "min"), (7, "maj")],
    "i-VII-VI-V": [(0, "min"), (10, "maj"), (8, "maj"), (7, "maj")],
    "i-iv-i-V7": [(0, "min"), (5, "min"), (0, "min"), (7, "dom7")],
}
QUALITY = {"maj": [0, 4, 7], "min": [0, 3, 7], "dom7": [0, 4, 7, 10]}


def midi_hz(midi: float) -> float:
    return 440.0 * 2 ** ((midi - 69) / 12)


@lru_cache(maxsize=4096)
def note(freq: float, seconds: float, timbre: str) -> np.ndarray:
    """A piano-like (struck, slightly inharmonic, upper partials dying faster), pad (slow
    attack, few harmonics) or bright (saw-like, many harmonics) note. Cached: progressions
    repeat; the partials' small level and phase differences are seeded by the note."""
    rng = np.random.default_rng(int(freq * 1000) + int(seconds * 1000) * 7919 + len(timbre))
    t = np.arange(int(seconds * SR), dtype=np.float32) / SR
    out = np.zeros_like(t)
    n_harm, rolloff, decay = {"piano": (10, 1.1, 2.2), "pad": (4, 1.8, 0.3), "bright": (16, 0.9, 1.0)}[timbre]
    inharm = 0.0004 if timbre == "piano" else 0.0
    env = np.exp(-t * decay)
    faster = np.exp(-t * decay * 0.3)  # partial h decays as env * faster**h
    for h in range(1, n_harm + 1):
        env = env * faster
        f = freq * h * np.sqrt(1 + inharm * h * h)
        if f >= SR / 2 - 200:
            break
        amp = h ** -rolloff * (1 + 0.2 * rng.standard_normal())
        out += (amp * np.sin(2 * np.pi * f * t + rng.uniform(0, 2 * np.pi)) * env).astype(np.float32)
    if timbre == "pad":
        out *= np.minimum(1.0, t / 0.3)
    release = min(len(t), int(0.02 * SR))
    out[-release:] *= np.linspace(1, 0, release, dtype=np.float32)
    return out


def _voicing(tonic: int, root: int, quality: str, previous: list[int] | None, low: int) -> list[int]:
    """Close voicing just above MIDI ``low``, the inversion nearest the previous chord."""
    pcs = [(tonic + root + i) % 12 for i in QUALITY[quality]]
    options = []
    for inversion in range(len(pcs)):
        rotated = pcs[inversion:] + pcs[:inversion]
        notes, last = [], low
        for pc in rotated:
            n = last + 1 + (pc - last - 1) % 12
            notes.append(n)
            last = n
        options.append(notes)
    if previous is None:
        return options[0]
    return min(options, key=lambda ns: abs(np.mean(ns) - np.mean(previous)))


def render(tonic: int, mode: str, progression: str, timbre: str, *, seed: int, melody: bool = True,
           drums: bool = False, low_register: bool = False, chord_seconds: float = 1.6, repeats: int = 2) -> np.ndarray:
    rng = np.random.default_rng(seed)
    chords = (MAJOR_PROGRESSIONS if mode == "major" else MINOR_PROGRESSIONS)[progression]
    scale = MAJOR_SCALE if mode == "major" else MINOR_SCALE
    n = int(chord_seconds * SR)
    y = np.zeros(n * len(chords) * repeats + SR)
    previous = None
    for k in range(len(chords) * repeats):
        root, quality = chords[k % len(chords)]
        start = k * n
        voiced = _voicing(tonic, root, quality, previous, 45 if low_register else 57)
        previous = voiced
        for m in voiced:
            seg = note(midi_hz(m), chord_seconds, timbre) * 0.25
            y[start:start + len(seg)] += seg
        low_bass = 28 if low_register else 36
        bass = low_bass + (tonic + root - low_bass) % 12
        for half in range(2):
            seg = note(midi_hz(bass), chord_seconds / 2, "piano" if timbre != "pad" else "pad") * 0.45
            y[start + half * n // 2:start + half * n // 2 + len(seg)] += seg
        if melody:
            chord_pcs = {(tonic + root + i) % 12 for i in QUALITY[quality]}
            for beat in range(4):
                # chord tones on the strong beats, any scale tone (passing notes) between
                pcs = sorted(chord_pcs) if beat % 2 == 0 else [(tonic + s) % 12 for s in scale]
                pc = pcs[int(rng.integers(len(pcs)))]
                m = 72 + (pc - 72) % 12
                seg = note(midi_hz(m), chord_seconds / 4, timbre) * 0.3
                s0 = start + beat * n // 4
                y[s0:s0 + len(seg)] += seg
    if drums:
        beat_n = n // 4
        hit = rng.standard_normal(int(0.06 * SR)) * np.exp(-np.arange(int(0.06 * SR)) / (0.012 * SR))
        for b in range(len(y) // beat_n):
            s0 = b * beat_n
            y[s0:s0 + len(hit)] += 0.5 * hit[: len(y) - s0]
    return (0.8 * y / (np.max(np.abs(y)) + 1e-9)).astype(np.float32)


def synthetic_set(variants: int = 4) -> list[tuple[str, int, str, np.ndarray]]:
    """(name, tonic, mode, audio): every progression x timbre x variant, tonics spread over
    the 12; odd variants are voiced an octave lower (bass down to E1), where an STFT chroma
    smears; the bright timbre's odd variants have drums."""
    items = []
    index = 0
    for mode, progressions in (("major", MAJOR_PROGRESSIONS), ("minor", MINOR_PROGRESSIONS)):
        for prog in progressions:
            for timbre in ("piano", "pad", "bright"):
                for variant in range(variants):
                    tonic = (index * 5 + variant * 7) % 12
                    y = render(tonic, mode, prog, timbre, seed=index * variants + variant,
                               drums=timbre == "bright" and variant % 2 == 1,
                               melody=variant % 3 != 2, low_register=variant % 2 == 1)
                    items.append((f"{mode} {prog} {timbre} v{variant}", tonic, mode, y))
                index += 1
    return items
