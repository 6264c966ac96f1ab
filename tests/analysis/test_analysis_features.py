"""Feature extraction, key, tempo and mood on synthesised audio (imports librosa: the one slow module)."""

from __future__ import annotations

import numpy as np
import pytest
from analysis_helpers import (
    SR,
    a_minor,
    c_major,
    calm_piece,
    click_track,
    energetic_piece,
    noise,
    write,
)

from musitui.analysis.excerpt import decode_excerpt
from musitui.analysis.features import DIM, FEATURE_NAMES, extract
from musitui.analysis.mood import library_moods
from musitui.analysis.musical_key import PITCHES

pytestmark = pytest.mark.slow


def value(vector: np.ndarray, name: str) -> float:
    return float(vector[FEATURE_NAMES.index(name)])


def test_vector_shape_and_names() -> None:
    vector = extract(c_major())
    assert vector.dtype == np.float32 and vector.shape == (DIM,)
    assert len(set(FEATURE_NAMES)) == DIM


def test_click_track_tempo_within_3_percent() -> None:
    vector = extract(click_track(120.0, 20.0))
    assert abs(value(vector, "tempo") - 120.0) <= 0.03 * 120.0
    # A click track repeats exactly at its period; noise does not.
    assert value(vector, "beat_strength") > 0.5 > value(extract(noise(20.0)), "beat_strength")


@pytest.mark.parametrize(("signal", "key", "mode"), [(c_major, "C", "major"), (a_minor, "A", "minor")])
def test_key_and_mode_of_progressions(signal, key: str, mode: str) -> None:
    vector = extract(signal(seconds_each=1.5))
    assert PITCHES[int(value(vector, "key_index"))] == key
    assert (value(vector, "mode_major") == 1.0) == (mode == "major")


@pytest.mark.parametrize("name", ["silence", "noise", "one_second", "tiny"])
def test_no_nan_on_degenerate_input(name: str) -> None:
    y = {"silence": np.zeros(SR * 5), "noise": noise(5.0), "one_second": c_major()[:SR],
         "tiny": np.ones(100) * 0.1}[name]
    vector = extract(y)
    assert np.all(np.isfinite(vector))
    if name == "silence":
        assert value(vector, "tempo") == 0.0 and value(vector, "percussive_share") == 0.0


@pytest.mark.parametrize(("subtype", "rate", "channels", "ext"), [
    ("PCM_16", 22050, 1, "wav"), ("PCM_16", 44100, 2, "flac"), ("PCM_U8", 22050, 1, "wav"),
    ("PCM_24", 96000, 2, "wav"), (None, 44100, 2, "ogg"),
])
def test_decoded_files_give_finite_vectors(tmp_path, subtype, rate, channels, ext) -> None:
    y = c_major(seconds_each=0.5, sr=rate)
    path = write(tmp_path / f"x.{ext}", 0.5 * y, sr=rate, subtype=subtype, channels=channels)
    samples, duration = decode_excerpt(str(path))
    assert abs(duration - len(y) / rate) < 0.05
    assert abs(len(samples) / SR - len(y) / rate) < 0.05  # resampled to 22,050 Hz, whole track
    vector = extract(samples)
    assert np.all(np.isfinite(vector))
    assert PITCHES[int(value(vector, "key_index"))] == "C"


def test_energetic_major_piece_has_higher_arousal_and_valence_than_calm_minor_piece() -> None:
    loud, soft = extract(energetic_piece()), extract(calm_piece())
    # A small library: the two pieces plus neutral material, so ranks are not trivially +-1.
    others = [extract(noise(6.0, seed=3) * 0.2), extract(c_major(seconds_each=2.0)),
              extract(a_minor(seconds_each=0.6))]
    matrix = np.stack([loud, soft, *others])
    valence, arousal, labels = library_moods(matrix, FEATURE_NAMES, [""] * len(matrix))
    assert arousal[0] > arousal[1] and valence[0] > valence[1]
    assert arousal[0] > 0 > arousal[1]
    assert labels[1] in {"calm", "sad"}
    assert np.all(np.abs(valence) <= 1) and np.all(np.abs(arousal) <= 1)
    # The cues that carry the difference, measured directly:
    assert value(loud, "percussive_share") > value(soft, "percussive_share")
    assert value(loud, "centroid") > value(soft, "centroid")
    assert value(loud, "mode_strength") > value(soft, "mode_strength")


def stepped_tones(seconds: int, sr: int) -> np.ndarray:
    """Stereo; second k holds a 300 + 20 k Hz tone, so a window's position is audible."""
    t = np.arange(sr) / sr
    mono = np.concatenate([0.4 * np.sin(2 * np.pi * (300 + 20 * k) * t) for k in range(seconds)])
    return np.stack([mono, 0.8 * mono], axis=1).astype(np.float32)


def write_stepped(path, sr: int) -> None:
    import soundfile as sf
    from library_helpers import write_mp4

    data = stepped_tones(70, sr)
    if path.suffix == ".m4a":
        write_mp4(path, data, sr, path.stem)
        return
    fmt, subtype = {".wav": ("WAV", "PCM_16"), ".flac": ("FLAC", "PCM_16"), ".ogg": ("OGG", "VORBIS"),
                    ".opus": ("OGG", "OPUS"), ".mp3": ("MP3", "MPEG_LAYER_III")}[path.suffix]
    with sf.SoundFile(str(path), "w", sr, 2, format=fmt, subtype=subtype) as out:
        for start in range(0, len(data), sr * 10):  # one huge OGG write can crash libsndfile
            out.write(data[start:start + sr * 10])


@pytest.mark.parametrize("name", ["x.wav", "x.flac", "x.ogg", "x.opus", "x.mp3", "aac.m4a", "alac.m4a"])
def test_excerpt_windows_are_decoded_from_the_right_places(tmp_path, name: str) -> None:
    from musitui.analysis.excerpt import window_starts

    rate = 48000 if name.endswith(".opus") else 44100
    path = tmp_path / name
    write_stepped(path, rate)
    y, duration = decode_excerpt(str(path))
    assert abs(duration - 70) < 0.2
    assert abs(len(y) / SR - 30.0) < 0.1
    for i, (start, _) in enumerate(window_starts(duration, 30.0)):
        # 0.25-0.75 s into the window: clear of encoder delays and the tone steps.
        chunk = y[int((i * 10 + 0.25) * SR):int((i * 10 + 0.75) * SR)]
        spectrum = np.abs(np.fft.rfft(chunk * np.hanning(len(chunk))))
        heard = np.argmax(spectrum) * SR / len(chunk)
        assert abs(heard - (300 + 20 * int(start + 0.25))) < 6, (name, i, start, heard)


def test_both_decoders_give_the_same_excerpt(tmp_path) -> None:
    from musitui.analysis.excerpt import _pyav_windows, _soundfile_windows

    path = tmp_path / "x.flac"
    write_stepped(path, 44100)
    ours, theirs = _soundfile_windows(str(path), 30.0), _pyav_windows(str(path), 30.0)
    assert ours.problem is None and theirs.problem is None and ours.rate == theirs.rate == 44100
    assert len(ours.samples) == len(theirs.samples) == 30 * 44100
    # Same samples (lossless source), both downmixed to the mean of the two channels.
    np.testing.assert_allclose(ours.samples, theirs.samples, atol=1e-4)
