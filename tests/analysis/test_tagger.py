"""The musicnn tagger: the numpy forward pass against the original TensorFlow graph's outputs
(tests/analysis/data/musicnn_reference.npz, written by scripts/convert_musicnn.py), its input
representation against librosa, and the patches spread over the whole track."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from musitui.analysis.patches import (
    PATCH_SAMPLES,
    PATCH_SECONDS,
    decode_patches,
    log_mel,
    patch_plan,
)
from musitui.analysis.tag_words import tag_words
from musitui.analysis.tagger import (
    N_FRAMES,
    N_MELS,
    SAMPLE_RATE,
    TAG_NAMES,
    WEIGHTS_PATH,
    load_model,
)
from musitui.analysis.tagging import tag_file
from musitui.decode import DecodeError

REFERENCE = Path(__file__).parent / "data" / "musicnn_reference.npz"


@pytest.fixture(scope="module")
def reference() -> dict[str, np.ndarray]:
    with np.load(REFERENCE, allow_pickle=False) as data:
        return {k: data[k] for k in data.files}


def test_forward_pass_matches_the_original_graph(reference) -> None:
    out = load_model().forward(reference["patches"].astype(np.float32))
    assert out.tags.shape == (len(reference["names"]), 50) and out.embedding.shape[1] == 200
    np.testing.assert_allclose(out.tags, reference["tags"], atol=1e-3)
    scale = np.abs(reference["embedding"]).max()
    np.testing.assert_allclose(out.embedding, reference["embedding"], atol=1e-3 * scale)
    # The inputs differ enough that the top tags differ: a broken layer would not pass by luck.
    tops = {int(np.argmax(t)) for t in reference["tags"]}
    assert len(tops) >= 2
    assert [int(np.argmax(t)) for t in out.tags] == [int(np.argmax(t)) for t in reference["tags"]]


def test_batching_does_not_change_the_outputs(reference) -> None:
    patches = reference["patches"].astype(np.float32)
    one = load_model().forward(patches, batch=1)
    many = load_model().forward(patches, batch=len(patches))
    np.testing.assert_allclose(one.tags, many.tags, atol=1e-6)
    np.testing.assert_allclose(one.embedding, many.embedding, atol=1e-4)


def test_tag_names_are_the_models_labels() -> None:
    with np.load(WEIGHTS_PATH) as data:
        assert tuple(str(n) for n in data["labels"]) == TAG_NAMES
    assert tag_words(np.eye(50, dtype=np.float32)[4]) == "electronic"


@pytest.mark.slow
def test_log_mel_matches_librosa_as_musicnn_computes_it() -> None:
    librosa = pytest.importorskip("librosa")
    rng = np.random.default_rng(3)
    t = np.arange(3 * SAMPLE_RATE) / SAMPLE_RATE
    y = (0.4 * np.sin(2 * np.pi * 220 * t) + 0.9 * np.sign(np.sin(2 * np.pi * 3 * t))
         * rng.standard_normal(len(t))).astype(np.float32)
    mel = librosa.feature.melspectrogram(y=y, sr=SAMPLE_RATE, hop_length=256, n_fft=512, n_mels=96).T
    expected = np.log10(10000 * mel.astype(np.float32) + 1)
    ours = log_mel(y)
    assert ours.shape == expected.shape and ours.dtype == np.float32
    np.testing.assert_allclose(ours, expected, atol=1e-3)
    assert np.isfinite(ours).all() and ours.max() > 4  # loud bins: no float16 overflow


def test_patches_cover_the_whole_track_with_a_bounded_count() -> None:
    for duration in (60.0, 240.0, 1200.0):
        starts = patch_plan(duration, 8)
        assert len(starts) == 8
        assert all(0 <= s <= duration - PATCH_SECONDS for s in starts)
        assert starts == sorted(starts)
        assert starts[0] < duration / 8 and starts[-1] + PATCH_SECONDS > duration * 7 / 8
    # As many back-to-back patches as fit when fewer than asked; one for a short track.
    starts = patch_plan(10.0, 8)
    assert len(starts) == 3 and np.allclose(np.diff(starts), PATCH_SECONDS)
    assert patch_plan(2.0, 8) == [0.0] and patch_plan(0.0, 8) == [0.0]


def _signal(seconds: float, rate: int) -> np.ndarray:
    """A function of time only (the same music at any rate) that changes over the track, so a
    patch from the wrong place would not match."""
    t = np.arange(int(seconds * rate)) / rate
    sweep = sum(np.sin(2 * np.pi * k * (200 + 20 * t) * t) / k for k in (1, 2, 3, 5, 8))
    pulse = 0.5 + 0.5 * np.sign(np.sin(2 * np.pi * 2 * t))
    return (0.2 * sweep * pulse + 0.05 * np.sin(2 * np.pi * 3100 * t)).astype(np.float32)


def test_decoded_patches_are_the_right_windows(tmp_path) -> None:
    y = _signal(40.0, SAMPLE_RATE)
    path = tmp_path / "sweep.wav"
    sf.write(path, y, SAMPLE_RATE, subtype="FLOAT")
    patches, duration = decode_patches(str(path), 4)
    assert patches.shape == (4, N_FRAMES, N_MELS) and duration == pytest.approx(40.0)
    for patch, start in zip(patches, patch_plan(duration, 4), strict=True):
        at = int(round(start * SAMPLE_RATE))
        np.testing.assert_allclose(patch, log_mel(y[at:at + PATCH_SAMPLES], center=False), atol=1e-4)


def test_resampled_patches_match_the_16k_ones(tmp_path) -> None:
    y16 = _signal(20.0, SAMPLE_RATE)
    y44 = _signal(20.0, 44100)
    sf.write(tmp_path / "a16.wav", y16, SAMPLE_RATE, subtype="FLOAT")
    sf.write(tmp_path / "a44.flac", y44, 44100)
    p16, _ = decode_patches(str(tmp_path / "a16.wav"), 3)
    p44, _ = decode_patches(str(tmp_path / "a44.flac"), 3)
    assert p16.shape == p44.shape
    assert float(np.abs(p16 - p44).mean()) < 0.02  # log-mel units; resampling only


def test_a_short_track_is_repeated_into_one_patch(tmp_path) -> None:
    path = tmp_path / "short.wav"
    t = np.arange(22050) / 22050
    sf.write(path, (0.3 * np.sin(2 * np.pi * 440 * t)).astype(np.float32), 22050)
    patches, duration = decode_patches(str(path), 16)
    assert patches.shape == (1, N_FRAMES, N_MELS) and duration == pytest.approx(1.0)
    assert patches[0, -10:].mean() > 0.5 * patches[0, :10].mean()  # filled, not zero-padded


def test_bad_files_come_back_as_one_line_errors(tmp_path) -> None:
    empty = tmp_path / "empty.flac"
    empty.write_bytes(b"")
    junk = tmp_path / "junk.mp3"
    junk.write_bytes(b"not audio at all" * 100)
    with pytest.raises(DecodeError):
        decode_patches(str(empty), 4)
    for path in (empty, junk, tmp_path / "missing.ogg"):
        result = tag_file(1, str(path), 4)
        assert result.embedding is None and result.error and "\n" not in result.error


def test_tag_file_averages_over_the_patches(tmp_path) -> None:
    path = tmp_path / "tune.wav"
    sf.write(path, _signal(30.0, 22050), 22050)
    result = tag_file(7, str(path), 5)
    assert result.error is None and result.track_id == 7 and result.patches == 5
    patches, _ = decode_patches(str(path), 5)
    out = load_model().forward(patches)
    np.testing.assert_allclose(result.embedding, out.embedding.mean(axis=0), atol=1e-5)
    np.testing.assert_allclose(result.tags, out.tags.mean(axis=0), atol=1e-6)
    assert ((result.tags > 0) & (result.tags < 1)).all()
