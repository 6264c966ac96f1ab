"""The numpy parts of analysis: key finding, ranks, mood combination, style, embedding, windows."""

from __future__ import annotations

import numpy as np
import pytest

from musitui.analysis.excerpt import window_starts
from musitui.analysis.mood import (
    AROUSAL_CUES,
    VALENCE_CUES,
    centred_ranks,
    cue_ranks,
    genre_delta,
    library_moods,
    lyrics_valence_delta,
    pulse_tempo,
)
from musitui.analysis.musical_key import MAJOR, MINOR, PITCHES, estimate_key
from musitui.analysis.style import (
    assign_styles,
    assign_styles_in_folder,
    read_style_results,
    write_style_inputs,
)
from musitui.recommend.content import embed, similarity


@pytest.mark.parametrize("tonic", [0, 4, 9])
def test_key_profiles_find_their_own_key(tonic: int) -> None:
    assert estimate_key(np.roll(MAJOR, tonic))[:2] == (tonic, "major")
    assert estimate_key(np.roll(MINOR, tonic))[:2] == (tonic, "minor")
    assert estimate_key(np.roll(MAJOR, tonic))[3] > 0 > estimate_key(np.roll(MINOR, tonic))[3]


def test_flat_chroma_has_no_key_strength() -> None:
    tonic, _, clarity, strength = estimate_key(np.ones(12))
    assert clarity == 0.0 and strength == 0.0 and PITCHES[tonic]


def test_centred_ranks_handle_ties_and_single_values() -> None:
    assert centred_ranks(np.array([3.0, 1.0, 2.0])).tolist() == [1.0, -1.0, 0.0]
    assert centred_ranks(np.array([1.0, 1.0])).tolist() == [0.0, 0.0]
    assert centred_ranks(np.array([5.0])).tolist() == [0.0]


def test_mood_is_relative_to_the_library() -> None:
    # Only the order within the library matters, not the absolute level of the cues.
    names = list(AROUSAL_CUES) + ["tempo", "beat_strength"]
    rng = np.random.default_rng(0)
    base = rng.random((6, len(names)))
    a1 = library_moods(base, names, [""] * 6)[1]
    a2 = library_moods(base * 3.0, names, [""] * 6)[1]  # e.g. every album mastered louder
    assert np.allclose(a1, a2)
    assert a1.min() < 0 < a1.max()


def test_pulse_tempo_fixes_octave_errors_from_the_onset_rate() -> None:
    # 54 BPM read from a march with 4 onsets/s (4.4 per beat): the felt pulse is 108.
    # 180 BPM with one onset a second: 90. A plausible tempo is left alone.
    felt = pulse_tempo(np.array([54.0, 180.0, 120.0, 54.0]), np.ones(4), np.array([4.0, 1.0, 4.0, 1.0]))
    assert felt.tolist() == [108.0, 90.0, 120.0, 54.0]
    # Counted only as much as the beat is clear.
    assert pulse_tempo(np.array([120.0]), np.array([0.25]), np.array([4.0]))[0] == pytest.approx(30.0)


def _neutral_library(n: int) -> tuple[np.ndarray, list[str]]:
    """Every cue the mood reads (and its inputs), all equal across ``n`` tracks."""
    names = sorted({*AROUSAL_CUES, *VALENCE_CUES, "tempo", "beat_strength", "onset_rate"}
                   - {"spectral_density", "pulse_tempo"}) + [f"contrast_{i}" for i in range(7)]
    return np.ones((n, len(names))), names


def test_dense_spectrum_raises_arousal_only() -> None:
    # Low spectral contrast (distortion, drums, dense orchestration) is the density cue.
    matrix, names = _neutral_library(5)
    for i in range(1, 6):
        matrix[:, names.index(f"contrast_{i}")] = [30.0, 25.0, 20.0, 15.0, 10.0]
    valence, arousal, _ = library_moods(matrix, names, [""] * 5)
    assert np.all(np.diff(arousal) > 0)
    assert np.allclose(valence, valence[0])


def test_felt_tempo_decides_arousal_not_the_raw_estimate() -> None:
    matrix, names = _neutral_library(3)
    # Track 0: read at 54 BPM but 4 onsets/s (a march); track 1: 100 BPM, same onsets;
    # track 2: 90 BPM. Raw tempo would put track 0 last.
    matrix[:, names.index("tempo")] = [54.0, 100.0, 90.0]
    matrix[:, names.index("onset_rate")] = [4.0, 4.0, 4.0]
    arousal = library_moods(matrix, names, [""] * 3)[1]
    assert arousal[0] > arousal[1] > arousal[2]


def test_cues_that_cannot_be_made_are_skipped() -> None:
    ranks, used = cue_ranks(np.ones((4, 2)), ["rms_db", "tempo"], AROUSAL_CUES)
    assert used == ["rms_db"] and ranks.shape == (4, 1)
    valence, arousal, labels = library_moods(np.arange(8.0).reshape(4, 2), ["x", "y"], [""] * 4)
    assert np.all(valence == 0) and np.all(arousal == 0) and len(labels) == 4


def test_genre_tags_adjust_and_lyrics_move_valence_only_when_they_say_something() -> None:
    dv, da = genre_delta("Melodic Death Metal")
    assert da > 0 and dv < 0
    assert genre_delta("Ambient")[1] < 0
    assert genre_delta("") == (0.0, 0.0)
    assert lyrics_valence_delta("I am so happy today") > 0
    assert lyrics_valence_delta("the table is in the kitchen") is None
    assert lyrics_valence_delta(None) is None


def test_windows_skip_intro_and_outro_and_short_tracks_are_whole() -> None:
    assert window_starts(20.0, 30.0) == [(0.0, 20.0)]
    assert window_starts(0.0, 30.0) == [(0.0, 30.0)]
    windows = window_starts(1200.0, 30.0)
    assert len(windows) == 3 and sum(length for _, length in windows) == pytest.approx(30.0)
    assert windows[0][0] >= 0.1 * 1200 and windows[-1][0] + windows[-1][1] <= 0.9 * 1200 + 1e-6


def test_embedding_is_unit_length_and_ignores_key_index() -> None:
    names = ["tempo", "centroid", "key_index", "mfcc_mean_0", "mfcc_mean_1"]
    rng = np.random.default_rng(1)
    matrix = rng.random((10, 5)).astype(np.float32)
    emb = embed(matrix, names)
    assert np.allclose(np.linalg.norm(emb, axis=1), 1.0, atol=1e-5)
    assert similarity(emb, 3)[3] == pytest.approx(1.0, abs=1e-5)
    shifted = matrix.copy()
    shifted[:, 2] = rng.integers(0, 12, 10)
    assert np.allclose(embed(shifted, names), emb)


def _blobs(n_per: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    centres = np.array([[0.0] * 4, [5.0] * 4])
    return np.concatenate([c + rng.standard_normal((n_per, 4)) * 0.3 for c in centres])


NAMES4 = ["tempo", "centroid", "onset_rate", "mfcc_mean_0"]


def test_style_from_tags_then_classifier() -> None:
    matrix = _blobs(6)
    genres = ["Metal"] * 5 + [""] + ["Ambient"] * 5 + [""]
    styles = assign_styles(genres, matrix, NAMES4)
    assert styles[0].source == "tag" and styles[0].label == "Metal" and styles[0].confidence == 1.0
    assert (styles[5].label, styles[5].source) == ("Metal", "classifier")
    assert (styles[11].label, styles[11].source) == ("Ambient", "classifier")
    assert 0.5 < styles[5].confidence <= 1.0


def test_style_from_clusters_without_tags() -> None:
    matrix = _blobs(6)
    styles = assign_styles([""] * 12, matrix, NAMES4)
    assert {s.source for s in styles} == {"cluster"}
    assert len({s.label for s in styles[:6]}) == 1 and styles[0].label != styles[6].label
    assert styles[0].label.startswith("cluster ")


def test_styles_through_files_equal_styles_in_process(tmp_path) -> None:
    """The TUI's style child reads and writes files instead of pickles: same labels,
    confidences and sources, odd genre text included."""
    matrix = _blobs(6).astype(np.float32)
    genres = ["Métal 🤘"] * 5 + [""] + ["Ambient\0x"] * 5 + [""]
    write_style_inputs(tmp_path, genres, matrix, NAMES4)
    assign_styles_in_folder(str(tmp_path))
    assert read_style_results(tmp_path) == assign_styles(genres, matrix, NAMES4)
