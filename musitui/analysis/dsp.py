"""The signal-processing core of the extractor in numpy/scipy: the few librosa pieces we use.

Each function reproduces the named librosa 0.11 function for the parameters musitui uses
(tests/analysis/test_analysis_dsp.py checks them against librosa itself), but works on time-major
(frames, bins) float32 arrays and skips librosa's validation and numba. Not importing
librosa saves every analysis worker ~6 s of start-up (numba) and ~100 MB of memory.
"""

from __future__ import annotations

from functools import cache

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

# scipy.fft is imported inside the functions: the runner's parent process imports this
# module's neighbours for FEATURE_NAMES only and should not pay ~0.4 s for scipy.

TINY32 = float(np.finfo(np.float32).tiny)


def stft_magnitude(y: np.ndarray, n_fft: int, hop: int, center: bool = True) -> np.ndarray:
    """|STFT| as (frames, 1 + n_fft // 2) float32: librosa.stft(center=True, pad "constant",
    periodic Hann window) transposed. ``center=False``: frames start at sample 0 (a caller
    that decoded half a window of real signal around its span)."""
    import scipy.fft

    y = np.asarray(y, dtype=np.float32)
    padded = np.pad(y, n_fft // 2) if center else y
    frames = sliding_window_view(padded, n_fft)[::hop]
    windowed = frames * _hann(n_fft)
    spectrum = scipy.fft.rfft(windowed, axis=1, workers=1, overwrite_x=True)
    del windowed
    return np.abs(spectrum)


@cache
def _hann(n: int) -> np.ndarray:
    return (0.5 - 0.5 * np.cos(2.0 * np.pi * np.arange(n) / n)).astype(np.float32)


def fft_frequencies(sr: int, n_fft: int) -> np.ndarray:
    return np.fft.rfftfreq(n_fft, 1.0 / sr)


def _hz_to_mel(hz: np.ndarray) -> np.ndarray:
    """Slaney's mel scale (librosa's default, htk=False): linear below 1 kHz, log above."""
    hz = np.asarray(hz, dtype=np.float64)
    f_sp, min_log_hz = 200.0 / 3, 1000.0
    min_log_mel, logstep = min_log_hz / f_sp, np.log(6.4) / 27.0
    mel = hz / f_sp
    high = hz >= min_log_hz
    mel[high] = min_log_mel + np.log(hz[high] / min_log_hz) / logstep
    return mel


def _mel_to_hz(mel: np.ndarray) -> np.ndarray:
    mel = np.asarray(mel, dtype=np.float64)
    f_sp, min_log_hz = 200.0 / 3, 1000.0
    min_log_mel, logstep = min_log_hz / f_sp, np.log(6.4) / 27.0
    hz = f_sp * mel
    high = mel >= min_log_mel
    hz[high] = min_log_hz * np.exp(logstep * (mel[high] - min_log_mel))
    return hz


@cache
def mel_filterbank(sr: int, n_fft: int, n_mels: int) -> np.ndarray:
    """(n_mels, bins) float32: librosa.filters.mel(sr, n_fft, n_mels) (Slaney scale and norm)."""
    fftfreqs = fft_frequencies(sr, n_fft)
    mel_f = _mel_to_hz(np.linspace(_hz_to_mel(np.array([0.0]))[0],
                                   _hz_to_mel(np.array([sr / 2.0]))[0], n_mels + 2))
    fdiff = np.diff(mel_f)
    ramps = np.subtract.outer(mel_f, fftfreqs)
    lower = -ramps[:-2] / fdiff[:-1, None]
    upper = ramps[2:] / fdiff[1:, None]
    weights = np.maximum(0.0, np.minimum(lower, upper))
    weights *= (2.0 / (mel_f[2:] - mel_f[:-2]))[:, None]
    return np.ascontiguousarray(weights, dtype=np.float32)


@cache
def chroma_filterbank(sr: int, n_fft: int, n_chroma: int = 12) -> np.ndarray:
    """(12, bins) float32: librosa.filters.chroma(sr, n_fft, tuning=0) (Gaussian bumps per
    pitch class, L2-normalised per bin, weighted around octave 5, C first)."""
    frequencies = np.linspace(0, sr, n_fft, endpoint=False)[1:]
    frqbins = n_chroma * np.log2(frequencies / (440.0 / 16))
    frqbins = np.concatenate(([frqbins[0] - 1.5 * n_chroma], frqbins))
    binwidthbins = np.concatenate((np.maximum(frqbins[1:] - frqbins[:-1], 1.0), [1]))
    d = np.subtract.outer(frqbins, np.arange(0, n_chroma, dtype="d")).T
    half = np.round(float(n_chroma) / 2)
    d = np.remainder(d + half + 10 * n_chroma, n_chroma) - half
    wts = np.exp(-0.5 * (2 * d / binwidthbins[None, :]) ** 2)
    norms = np.sqrt((wts**2).sum(axis=0, keepdims=True))
    wts /= np.where(norms < np.finfo(wts.dtype).tiny, 1.0, norms)
    wts *= np.exp(-0.5 * (((frqbins / n_chroma - 5.0) / 2.0) ** 2))[None, :]
    wts = np.roll(wts, -3 * (n_chroma // 12), axis=0)
    return np.ascontiguousarray(wts[:, : 1 + n_fft // 2], dtype=np.float32)


def power_to_db(power: np.ndarray, ref: float = 1.0, amin: float = 1e-10,
                top_db: float = 80.0) -> np.ndarray:
    """librosa.power_to_db: 10 log10(power / ref), floored at ``top_db`` below the peak."""
    db = 10.0 * np.log10(np.maximum(amin, power))
    db -= 10.0 * np.log10(max(amin, ref))
    return np.maximum(db, db.max() - top_db) if db.size else db


def mfcc(mel_db: np.ndarray, n_mfcc: int) -> np.ndarray:
    """librosa.feature.mfcc(S=mel_db): orthonormal DCT-II over the bands; (frames, n_mfcc)."""
    import scipy.fft

    return scipy.fft.dct(mel_db, type=2, norm="ortho", axis=1, workers=1)[:, :n_mfcc]


def onset_strength(mel_db: np.ndarray, n_fft: int, hop: int) -> np.ndarray:
    """librosa.onset.onset_strength(S=mel_db.T): mean positive rise per frame, centred."""
    rise = np.maximum(0.0, mel_db[1:] - mel_db[:-1]).mean(axis=1)
    pad = 1 + n_fft // (2 * hop)
    return np.concatenate([np.zeros(pad, dtype=rise.dtype), rise])[: len(mel_db)]


def tempo(onset: np.ndarray, sr: int, hop: int, ac_size: float = 4.0,
          start_bpm: float = 120.0, max_tempo: float = 320.0, step: int = 4) -> float:
    """librosa.feature.tempo(onset_envelope=onset, ac_size=ac_size): the autocorrelation
    tempogram averaged over time, weighted by a log-normal prior around ``start_bpm``.

    The time average takes every ``step``-th tempogram frame (librosa: every frame): the
    windows are 4 s long, so neighbours overlap by 99 % and the average barely moves.
    """
    import scipy.fft

    win = int(np.floor(ac_size * sr / hop))
    n = len(onset)
    padded = np.pad(onset.astype(np.float64), win // 2, mode="linear_ramp", end_values=0)
    frames = sliding_window_view(padded, win)[:n:step] * np.hanning(win + 1)[:-1]
    n_pad = scipy.fft.next_fast_len(2 * win - 1, real=True)
    spectrum = scipy.fft.rfft(frames, n=n_pad, axis=1, workers=1)
    autocorr = scipy.fft.irfft(spectrum.real**2 + spectrum.imag**2, n=n_pad, axis=1, workers=1)[:, :win]
    peak = np.abs(autocorr).max(axis=1, keepdims=True)
    autocorr /= np.where(peak < np.finfo(np.float64).tiny, 1.0, peak)
    mean_tg = autocorr.mean(axis=0)
    bpms = np.full(win, np.inf)
    bpms[1:] = 60.0 * sr / (hop * np.arange(1, win))
    with np.errstate(divide="ignore", invalid="ignore"):
        logprior = -0.5 * (np.log2(bpms) - np.log2(start_bpm)) ** 2
    logprior[: int(np.argmax(bpms < max_tempo))] = -np.inf
    return float(bpms[int(np.argmax(np.log1p(1e6 * mean_tg) + logprior))])


def onset_peaks(onset: np.ndarray, sr: int, hop: int) -> np.ndarray:
    """librosa.onset.onset_detect(onset_envelope=onset): frames of the picked onsets.

    librosa's peak_pick with its onset defaults: a frame is a peak if it is the maximum of
    [n - pre_max, n + post_max), at least ``delta`` above the mean of [n - pre_avg,
    n + post_avg), and more than ``wait`` frames after the previous peak.
    """
    x = onset.astype(np.float64) - float(np.min(onset)) if len(onset) else onset.astype(np.float64)
    x /= float(np.max(x)) + TINY32 if len(x) else 1.0
    if not x.any() or not np.all(np.isfinite(x)):
        return np.zeros(0, dtype=int)
    pre_max = int(np.ceil(0.03 * sr // hop))
    post_max = int(np.ceil(0.00 * sr // hop + 1))
    pre_avg = int(np.ceil(0.10 * sr // hop))
    post_avg = int(np.ceil(0.10 * sr // hop + 1))
    wait = int(np.ceil(0.03 * sr // hop))
    n = len(x)
    idx = np.arange(n)
    # Sliding max over [n - pre_max, n + post_max), clipped at the edges.
    padded = np.pad(x, (pre_max, post_max - 1), constant_values=-np.inf)
    window_max = sliding_window_view(padded, pre_max + post_max).max(axis=1)
    # Sliding mean over [n - pre_avg, n + post_avg), over the samples that exist.
    csum = np.concatenate([[0.0], np.cumsum(x)])
    lo, hi = np.maximum(0, idx - pre_avg), np.minimum(n, idx + post_avg)
    window_mean = (csum[hi] - csum[lo]) / (hi - lo)
    candidates = np.flatnonzero((x == window_max) & (x >= window_mean + 0.07))
    peaks: list[int] = []
    for c in candidates.tolist():
        if not peaks or c > peaks[-1] + wait:
            peaks.append(c)
    return np.asarray(peaks, dtype=int)


def median_filter(x: np.ndarray, size: int, axis: int) -> np.ndarray:
    """scipy.ndimage.median_filter(mode="reflect") along one axis (odd ``size``), by
    partitioning sliding windows: 2.5x faster than ndimage's rank filter for size 17."""
    half = size // 2
    pad = [(0, 0)] * x.ndim
    pad[axis] = (half, half)
    windows = sliding_window_view(np.pad(x, pad, mode="symmetric"), size, axis=axis)
    return np.partition(windows, half, axis=-1)[..., half]
