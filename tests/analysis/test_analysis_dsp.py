"""analysis/dsp.py against librosa itself: the numpy core must mean what librosa means.

The extractor stopped importing librosa (its ~6 s numba import dominated worker start-up);
these tests keep the feature dimensions' meaning pinned to the librosa functions they
replace. librosa is imported here only, in the test process.
"""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
from analysis_helpers import SR, a_minor, c_major, click_track, energetic_piece, noise

from musitui.analysis import dsp
from musitui.analysis.features import HOP, N_FFT, N_MELS, N_MFCC, _rolloff_bins, _spectral_contrast

pytestmark = pytest.mark.slow

librosa = pytest.importorskip("librosa")


def signals() -> dict[str, np.ndarray]:
    return {"click": click_track(120.0, 12.0), "chords": 0.5 * c_major(seconds_each=0.7),
            "minor": 0.5 * a_minor(seconds_each=0.5), "drums": energetic_piece(10.0),
            "noise": noise(6.0)}


@pytest.fixture(scope="module")
def spectra() -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """name -> (our (frames, bins) magnitude, librosa's (bins, frames) magnitude)."""
    out = {}
    for name, y in signals().items():
        y = y.astype(np.float32)
        out[name] = (dsp.stft_magnitude(y, N_FFT, HOP), np.abs(librosa.stft(y, n_fft=N_FFT, hop_length=HOP)))
    return out


def test_stft_magnitude_matches_librosa(spectra) -> None:
    for ours, theirs in spectra.values():
        assert ours.shape == theirs.T.shape and ours.dtype == np.float32
        np.testing.assert_allclose(ours, theirs.T, rtol=1e-3, atol=1e-3 * theirs.max())


def test_filterbanks_match_librosa() -> None:
    np.testing.assert_allclose(dsp.mel_filterbank(SR, N_FFT, N_MELS),
                               librosa.filters.mel(sr=SR, n_fft=N_FFT, n_mels=N_MELS), rtol=1e-5, atol=1e-8)
    np.testing.assert_allclose(dsp.chroma_filterbank(SR, N_FFT),
                               librosa.filters.chroma(sr=SR, n_fft=N_FFT, tuning=0.0), rtol=1e-5, atol=1e-7)


def test_mel_db_mfcc_onsets_and_tempo_match_librosa(spectra) -> None:
    fb = dsp.mel_filterbank(SR, N_FFT, N_MELS)
    for name, (_, theirs) in spectra.items():
        power = theirs**2  # the same spectrum for both, so only the steps below are compared
        mel = (power.T @ fb.T).astype(np.float32)
        ours_db = dsp.power_to_db(mel, ref=float(mel.max()))
        their_mel = librosa.feature.melspectrogram(S=power, sr=SR, n_mels=N_MELS)
        their_db = librosa.power_to_db(their_mel, ref=np.max)
        np.testing.assert_allclose(ours_db, their_db.T, atol=2e-3, err_msg=name)
        np.testing.assert_allclose(dsp.mfcc(ours_db, N_MFCC), librosa.feature.mfcc(S=their_db, n_mfcc=N_MFCC).T,
                                   atol=2e-2, err_msg=name)
        onset = dsp.onset_strength(ours_db, N_FFT, HOP)
        their_onset = librosa.onset.onset_strength(S=their_db, sr=SR, hop_length=HOP)
        np.testing.assert_allclose(onset, their_onset, atol=1e-3, err_msg=name)
        assert np.array_equal(dsp.onset_peaks(their_onset, SR, HOP),
                              librosa.onset.onset_detect(onset_envelope=their_onset, sr=SR, hop_length=HOP)), name
        their_tempo = float(librosa.feature.tempo(onset_envelope=their_onset, sr=SR, hop_length=HOP, ac_size=4.0)[0])
        assert dsp.tempo(their_onset, SR, HOP, step=1) == pytest.approx(their_tempo, rel=1e-9), name
        # The time-subsampled tempogram average (what the extractor uses) picks the same tempo.
        assert dsp.tempo(their_onset, SR, HOP) == pytest.approx(their_tempo, rel=1e-9), name


def test_contrast_and_rolloff_match_librosa(spectra) -> None:
    freqs = dsp.fft_frequencies(SR, N_FFT)
    for name, (_, theirs) in spectra.items():
        ours = _spectral_contrast(np.ascontiguousarray(theirs.T), freqs)
        expected = librosa.feature.spectral_contrast(S=theirs, freq=freqs).T
        np.testing.assert_allclose(ours, expected, atol=1e-2, err_msg=name)
        normalised = np.ascontiguousarray(theirs.T / (theirs.T.sum(axis=1, keepdims=True) + 1e-10))
        ours_hz = freqs[_rolloff_bins(normalised, 0.85)]
        their_hz = librosa.feature.spectral_rolloff(S=theirs, sr=SR, roll_percent=0.85)[0]
        # Summation order differs; a frame may land one bin (10.8 Hz) apart.
        assert np.mean(np.abs(ours_hz - their_hz) <= freqs[1] + 1e-6) > 0.99, name


def test_median_filter_matches_scipy() -> None:
    from scipy.ndimage import median_filter

    x = np.random.default_rng(2).random((50, 64)).astype(np.float32) ** 3
    for axis, size in ((0, 9), (1, 17)):
        shape = [1, 1]
        shape[axis] = size
        np.testing.assert_array_equal(dsp.median_filter(x, size, axis=axis),
                                      median_filter(x, size=tuple(shape), mode="reflect"))


def test_extractor_does_not_import_librosa_or_numba() -> None:
    code = ("import sys, numpy as np\n"
            "from musitui.analysis.features import extract\n"
            "from musitui.analysis.excerpt import resample\n"
            "extract(resample(np.random.default_rng(0).standard_normal(44100).astype(np.float32), 44100))\n"
            "print(sorted({m.split('.')[0] for m in sys.modules} & {'librosa', 'numba', 'sklearn'}))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip() == "[]"
