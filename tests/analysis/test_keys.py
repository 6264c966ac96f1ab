"""Key and mode finding: on chroma vectors, and on synthesised piano progressions with a bass
line run through the real feature extractor."""

from __future__ import annotations

import numpy as np
import pytest

from musitui.analysis.features import FEATURE_NAMES, extract
from musitui.analysis.musical_key import (
    AS_MAJOR,
    AS_MINOR,
    PITCHES,
    estimate_key,
    key_chroma,
    key_scores,
)

SR = 22050
CHROMA = [FEATURE_NAMES.index(f"chroma_{i}") for i in range(12)]
QUALITY = {"maj": (0, 4, 7), "min": (0, 3, 7), "dom7": (0, 4, 7, 10)}


def pitch_classes(*names: str) -> np.ndarray:
    chroma = np.zeros(12)
    for name in names:
        chroma[PITCHES.index(name)] += 1.0
    return chroma


# -- chroma vectors -------------------------------------------------------------------------

def test_scale_with_tonic_triad_weight_gives_its_key() -> None:
    c_major = pitch_classes("C", "D", "E", "F", "G", "A", "B") + pitch_classes("C", "E", "G")
    a_minor = pitch_classes("A", "B", "C", "D", "E", "F", "G") + pitch_classes("A", "C", "E")
    assert estimate_key(c_major)[:2] == (0, "major")
    assert estimate_key(a_minor)[:2] == (9, "minor")


def test_raised_leading_tone_makes_it_minor_not_relative_major() -> None:
    # A harmonic minor: G# instead of G, the pitch that no C-major piece leans on.
    harmonic = pitch_classes("A", "B", "C", "D", "E", "F", "G#") + pitch_classes("A", "C", "E")
    tonic, mode, clarity, strength = estimate_key(harmonic)
    assert (PITCHES[tonic], mode) == ("A", "minor")
    assert strength < 0 < clarity


@pytest.mark.parametrize("shift", range(12))
def test_every_key_of_both_profiles_is_found_with_the_right_mode_strength_sign(shift: int) -> None:
    major, minor = estimate_key(np.roll(AS_MAJOR, shift)), estimate_key(np.roll(AS_MINOR, shift))
    assert major[:2] == (shift, "major") and major[3] > 0
    assert minor[:2] == (shift, "minor") and minor[3] < 0


def test_transposing_the_chroma_transposes_the_key_and_nothing_else() -> None:
    rng = np.random.default_rng(7)
    for _ in range(20):
        chroma = rng.random(12) ** 3
        tonic, mode, clarity, strength = estimate_key(chroma)
        for shift in (1, 5, 11):
            moved = estimate_key(np.roll(chroma, shift))
            assert moved[:2] == ((tonic + shift) % 12, mode)
            assert moved[2:] == pytest.approx((clarity, strength))


@pytest.mark.parametrize(("profile", "mode"), [(AS_MAJOR, "major"), (AS_MINOR, "minor")])
def test_leaked_neighbour_energy_does_not_move_the_key(profile: np.ndarray, mode: str) -> None:
    # An STFT chroma spreads a low note over +-1 semitone; the leak correction must not turn
    # such a smeared profile into another key (the audio case is the low-voiced test below).
    smeared = np.roll(profile, 4) + 0.45 * (np.roll(profile, 5) + np.roll(profile, 3))
    assert estimate_key(smeared)[:2] == (4, mode)


@pytest.mark.parametrize("chroma", [np.zeros(12), np.ones(12), np.full(12, 0.3), np.full(12, np.nan)],
                         ids=["silent", "flat", "flat-low", "nan"])
def test_flat_or_silent_chroma_has_no_key_clarity(chroma: np.ndarray) -> None:
    tonic, mode, clarity, strength = estimate_key(chroma)
    assert (clarity, strength) == (0.0, 0.0)
    assert 0 <= tonic < 12 and mode in ("major", "minor")
    assert np.all(key_scores(chroma)[0] == 0.0)


def test_clarity_is_higher_for_a_clean_scale_than_for_a_noisy_one() -> None:
    clean = np.roll(AS_MAJOR, 2)
    noisy = clean + np.random.default_rng(3).random(12) * 0.15
    assert estimate_key(noisy)[0] == 2
    assert estimate_key(clean)[2] > estimate_key(noisy)[2] > 0


def test_key_chroma_is_finite_and_scale_free() -> None:
    chroma = np.random.default_rng(1).random(12)
    assert np.allclose(key_chroma(chroma), key_chroma(chroma * 1000.0))
    assert np.isfinite(key_chroma(np.array([np.inf] + [0.1] * 11))).all()


# -- synthesised audio through the real extractor ---------------------------------------------

def piano(midi: int, seconds: float) -> np.ndarray:
    """A struck tone: 8 harmonics, 1/h amplitudes, upper partials dying faster."""
    freq = 440.0 * 2 ** ((midi - 69) / 12)
    t = np.arange(int(seconds * SR)) / SR
    out = np.zeros_like(t)
    for h in range(1, 9):
        if freq * h < SR / 2:
            out += np.sin(2 * np.pi * freq * h * t) / h * np.exp(-t * 2.0 * (1 + 0.3 * h))
    return out


def render(tonic: str, chords: list[tuple[int, str]], *, chord_seconds: float = 1.2, low: int = 57,
           bass_octave: int = 2) -> np.ndarray:
    """Chords (semitones above the tonic, quality) in close voicing above MIDI ``low``, with
    the chord root in the bass, twice through."""
    key = PITCHES.index(tonic)
    n = int(chord_seconds * SR)
    y = np.zeros(2 * len(chords) * n)
    for k, (root, quality) in enumerate(chords * 2):
        pcs = [(key + root + i) % 12 for i in QUALITY[quality]]
        notes = [low + (pc - low) % 12 for pc in pcs]
        for midi in notes:
            y[k * n:(k + 1) * n] += 0.25 * piano(midi, chord_seconds)
        bass = 12 * (bass_octave + 1) + (key + root) % 12
        y[k * n:(k + 1) * n] += 0.45 * piano(bass, chord_seconds)
    return (0.8 * y / np.abs(y).max()).astype(np.float32)


def key_of(y: np.ndarray) -> tuple[str, str, float]:
    tonic, mode, _, strength = estimate_key(extract(y)[CHROMA])
    return PITCHES[tonic], mode, strength


MAJOR_I_IV_V_I = [(0, "maj"), (5, "maj"), (7, "maj"), (0, "maj")]
MINOR_I_IV_V_I = [(0, "min"), (5, "min"), (7, "maj"), (0, "min")]  # V major: the raised 7th


@pytest.mark.parametrize(("tonic", "chords", "mode"), [
    ("C", MAJOR_I_IV_V_I, "major"),
    ("A", MINOR_I_IV_V_I, "minor"),
    ("E", MAJOR_I_IV_V_I, "major"),
    ("F#", MINOR_I_IV_V_I, "minor"),  # plain Krumhansl-Kessler on the raw chroma: F# major
    ("G", [(0, "min"), (5, "min"), (0, "min"), (7, "dom7")], "minor"),   # i-iv-i-V7
    ("D", [(0, "maj"), (9, "min"), (5, "maj"), (7, "maj")], "major"),    # I-vi-IV-V
])
def test_progressions_with_a_bass_line_give_their_key(tonic: str, chords: list, mode: str) -> None:
    found_tonic, found_mode, strength = key_of(render(tonic, chords))
    assert (found_tonic, found_mode) == (tonic, mode)
    assert (strength > 0) == (mode == "major")


def test_c_major_and_its_relative_a_minor_are_told_apart() -> None:
    assert key_of(render("C", MAJOR_I_IV_V_I))[:2] == ("C", "major")
    assert key_of(render("A", MINOR_I_IV_V_I))[:2] == ("A", "minor")


def test_a_low_voiced_progression_keeps_its_key() -> None:
    # Chords from A2 and the bass in octave 1, where the n_fft=2048 chroma smears notes
    # over neighbouring semitones (plain Krumhansl-Kessler on the raw chroma: F# major).
    y = render("B", MINOR_I_IV_V_I, low=45, bass_octave=1)
    assert key_of(y)[:2] == ("B", "minor")
