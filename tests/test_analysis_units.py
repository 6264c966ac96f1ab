"""The numpy parts of analysis: key finding, ranks, mood combination, style, embedding, windows."""

from __future__ import annotations

import numpy as np
import pytest

from musitui.analysis.excerpt import window_starts
from musitui.analysis.keys import MAJOR, MINOR, PITCHES, estimate_key
from musitui.analysis.mood import (
    AROUSAL_CUES,
    centred_ranks,
    genre_delta,
    library_moods,
    lyrics_valence_delta,
)
from musitui.analysis.style import assign_styles
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


def test_genre_tags_adjust_and_lyrics_hook_is_neutral() -> None:
    dv, da = genre_delta("Melodic Death Metal")
    assert da > 0 and dv < 0
    assert genre_delta("Ambient")[1] < 0
    assert genre_delta("") == (0.0, 0.0)
    assert lyrics_valence_delta("I am so happy today") is None


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
