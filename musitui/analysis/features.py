"""The feature vector of an excerpt: everything derived from ONE shared STFT.

numpy/scipy only (analysis/dsp.py reproduces the librosa pieces), so a worker starts in
well under a second instead of paying librosa's ~6 s import.
Every dimension is documented in docs/FEATURES.md. Values are always finite: silence,
noise and 1-second clips give sane numbers, never NaN.
"""

from __future__ import annotations

import numpy as np

from musitui.analysis import dsp
from musitui.analysis.musical_key import estimate_key
from musitui.analysis.version import SAMPLE_RATE

N_FFT = 2048
HOP = 512
N_MELS = 64
N_MFCC = 13
EPS = 1e-10
LOW_HZ = 150.0
HIGH_HZ = 4000.0

SCALARS = [
    "tempo", "beat_strength", "onset_rate", "onset_mean", "onset_cv",
    "rms_db", "rms_cv", "dynamic_range_db", "crest_db",
    "centroid", "centroid_std", "bandwidth", "rolloff", "flatness_db",
    "zcr", "zcr_std",
    "percussive_share", "flux", "flux_cv", "low_ratio", "high_ratio",
    "key_index", "mode_major", "key_clarity", "mode_strength", "chroma_entropy",
]
CONTRAST = [f"contrast_{i}" for i in range(7)]
MFCC_MEAN = [f"mfcc_mean_{i}" for i in range(N_MFCC)]
MFCC_STD = [f"mfcc_std_{i}" for i in range(N_MFCC)]
CHROMA = [f"chroma_{i}" for i in range(12)]
FEATURE_NAMES: list[str] = SCALARS + CONTRAST + MFCC_MEAN + MFCC_STD + CHROMA
DIM = len(FEATURE_NAMES)


def _cv(x: np.ndarray) -> float:
    mean = float(np.mean(x)) if x.size else 0.0
    return float(np.std(x) / mean) if mean > EPS else 0.0


def extract(y: np.ndarray, sr: int = SAMPLE_RATE) -> np.ndarray:
    """The float32 feature vector (len DIM, order FEATURE_NAMES) of mono samples ``y``.

    Spectra are time-major here: (frames, bins).
    """
    y = np.asarray(y, dtype=np.float32)
    if len(y) < N_FFT:
        y = np.pad(y, (0, N_FFT - len(y)))
    out: dict[str, float] = {}

    mag = dsp.stft_magnitude(y, N_FFT, HOP)
    power = mag * mag
    freqs = dsp.fft_frequencies(sr, N_FFT)
    freqs32 = freqs.astype(np.float32)  # float64 would upcast the whole spectrogram in a matmul
    frame_power = power.sum(axis=1, dtype=np.float64)
    silent = float(frame_power.max()) < 1e-8

    # Loudness, from the spectrum's frame energy (Parseval): RMS per frame.
    rms = np.sqrt(frame_power * 2.0 / (N_FFT * N_FFT * 0.375))  # Hann window power gain
    rms_db = 20.0 * np.log10(rms + 1e-5)
    out["rms_db"] = float(np.mean(rms_db))
    out["rms_cv"] = _cv(rms)
    out["dynamic_range_db"] = float(np.percentile(rms_db, 95) - np.percentile(rms_db, 10))
    peak = float(np.max(np.abs(y)))
    out["crest_db"] = float(20 * np.log10((peak + 1e-5) / (np.sqrt(np.mean(y.astype(np.float64) ** 2)) + 1e-5)))

    # Mel, MFCC, onsets: all from the same power spectrogram.
    mel = power @ dsp.mel_filterbank(sr, N_FFT, N_MELS).T
    mel_db = dsp.power_to_db(mel, ref=float(mel.max()) if not silent else 1.0)
    mfcc = dsp.mfcc(mel_db, N_MFCC)
    onset = dsp.onset_strength(mel_db, N_FFT, HOP)
    onset_mean = float(np.mean(onset))
    out["onset_mean"] = onset_mean
    out["onset_cv"] = _cv(onset)
    seconds = len(y) / sr
    if silent or onset_mean < 1e-6:
        out["tempo"], out["beat_strength"], out["onset_rate"] = 0.0, 0.0, 0.0
    else:
        out["tempo"] = dsp.tempo(onset, sr, HOP, ac_size=4.0)
        out["beat_strength"] = _pulse_clarity(onset, 60.0 * sr / HOP / max(out["tempo"], 1.0))
        out["onset_rate"] = len(dsp.onset_peaks(onset, sr, HOP)) / max(seconds, 1e-3)

    # Arousal cues: percussive share (HPSS on the mel spectrogram: 30x cheaper than on the
    # full STFT) and low/high band energy shares.
    out["percussive_share"] = _percussive_share(mel)
    energy = float(frame_power.sum())
    low_end, high_start = int(np.searchsorted(freqs, LOW_HZ)), int(np.searchsorted(freqs, HIGH_HZ, "right"))
    out["low_ratio"] = float(power[:, :low_end].sum() / energy) if energy > EPS else 0.0
    out["high_ratio"] = float(power[:, high_start:].sum() / energy) if energy > EPS else 0.0

    # Harmony: chroma from the same power spectrogram (librosa.feature.chroma_stft with
    # tuning 0: max-normalised per frame), Krumhansl-Schmuckler key.
    chroma = power @ dsp.chroma_filterbank(sr, N_FFT).T
    chroma_peak = chroma.max(axis=1, keepdims=True)
    chroma /= np.where(chroma_peak < dsp.TINY32, 1.0, chroma_peak)
    weights = frame_power / (energy + EPS)
    chroma_mean = weights @ chroma if not silent else np.zeros(12)
    tonic, mode, clarity, strength = estimate_key(chroma_mean)
    out["key_index"] = float(tonic)
    out["mode_major"] = 1.0 if mode == "major" else 0.0
    out["key_clarity"] = clarity
    out["mode_strength"] = strength
    p = chroma_mean / (chroma_mean.sum() + EPS)
    out["chroma_entropy"] = float(-(p * np.log2(p + EPS)).sum() / np.log2(12)) if not silent else 1.0

    # Flatness (as librosa.feature.spectral_flatness, power=2) and spectral contrast.
    # Both are plain means over frames: every other frame estimates them at half the cost.
    sampled = np.maximum(power[::2], 1e-10)
    del power
    arithmetic = sampled.mean(axis=1)
    np.log(sampled, out=sampled)
    flatness = np.exp(sampled.mean(axis=1)) / arithmetic
    del sampled
    out["flatness_db"] = float(np.mean(10 * np.log10(flatness + EPS)))
    contrast = _spectral_contrast(mag[::2], freqs).mean(axis=0)

    # Spectral shape (level-independent by construction), from the frame-normalised
    # magnitude: one normalisation instead of one per librosa call.
    mag /= mag.sum(axis=1, keepdims=True) + EPS
    centroid = (mag @ freqs32).astype(np.float64)
    spread = np.sqrt(np.maximum((mag @ (freqs32**2)).astype(np.float64) - centroid**2, 0.0))
    out["centroid"], out["centroid_std"] = _mean_std(centroid, frame_power)
    out["bandwidth"], _ = _mean_std(spread, frame_power)
    # Spectral flux of the normalised spectrum (how fast the timbre changes), level-free.
    if len(mag) > 1:
        rise = mag[1:] - mag[:-1]
        np.maximum(rise, 0.0, out=rise)
        rise *= rise
        flux = np.sqrt(rise.sum(axis=1))
        del rise
    else:
        flux = np.zeros(1)
    out["flux"], out["flux_cv"] = float(np.mean(flux)), _cv(flux)
    rolloff = freqs[_rolloff_bins(mag, 0.85)]
    out["rolloff"], _ = _mean_std(rolloff, frame_power)
    del mag

    # Zero-crossing rate from the samples (cheap, no spectrum needed).
    zcr = _zero_crossing_rate(y)
    out["zcr"], out["zcr_std"] = float(np.mean(zcr)), float(np.std(zcr))

    vector = np.array([out[name] for name in SCALARS], dtype=np.float64)
    vector = np.concatenate([vector, contrast, mfcc.mean(axis=0), mfcc.std(axis=0), p])
    return np.nan_to_num(vector, nan=0.0, posinf=0.0, neginf=0.0).astype(np.float32)


def _rolloff_bins(mag: np.ndarray, share: float, block: int = 32) -> np.ndarray:
    """Per frame, the first bin where the cumulative normalised magnitude reaches ``share``
    (librosa.feature.spectral_rolloff). Found per block of bins first, then inside the one
    block that crosses: a fraction of the cost of a full cumulative sum."""
    frames, bins = mag.shape
    blocks = -(-bins // block)
    padded = np.zeros((frames, blocks * block), dtype=mag.dtype)
    padded[:, :bins] = mag
    block_sums = padded.reshape(frames, blocks, block).sum(axis=2)
    before = np.cumsum(block_sums, axis=1)
    crossing = np.minimum(np.argmax(before >= share, axis=1), blocks - 1)
    start = np.take_along_axis(before, crossing[:, None], axis=1)[:, 0] - block_sums[np.arange(frames), crossing]
    inside = padded.reshape(frames, blocks, block)[np.arange(frames), crossing]
    reached = (start[:, None] + np.cumsum(inside, axis=1)) >= share
    # A frame whose total never reaches ``share`` (silence) reports bin 0, as librosa does.
    where = np.where(reached.any(axis=1), crossing * block + np.argmax(reached, axis=1), 0)
    return np.minimum(where, bins - 1)


def _spectral_contrast(mag: np.ndarray, freqs: np.ndarray, fmin: float = 200.0,
                       n_bands: int = 6, quantile: float = 0.02) -> np.ndarray:
    """librosa.feature.spectral_contrast(S=mag.T, freq=freqs), (frames, n_bands + 1) dB:
    per octave band, mean of the top 2 % minus mean of the bottom 2 % of its bins."""
    octa = np.zeros(n_bands + 2)
    octa[1:] = fmin * (2.0 ** np.arange(0, n_bands + 1))
    frames = len(mag)
    valley = np.zeros((frames, n_bands + 1))
    peak = np.zeros_like(valley)
    for k, (f_low, f_high) in enumerate(zip(octa[:-1], octa[1:], strict=True)):
        band = np.logical_and(freqs >= f_low, freqs <= f_high)
        idx = np.flatnonzero(band)
        if k > 0:
            band[idx[0] - 1] = True
        if k == n_bands:
            band[idx[-1] + 1:] = True
        cols = np.flatnonzero(band)
        if k < n_bands:
            cols = cols[:-1]
        count = max(int(np.rint(quantile * band.sum())), 1)
        sub = mag[:, cols[0]:cols[-1] + 1]  # the bins of a band are contiguous
        if count == 1:
            valley[:, k], peak[:, k] = sub.min(axis=1), sub.max(axis=1)
            continue
        ordered = np.sort(sub, axis=1)  # numpy's SIMD sort: faster than a 2-kth partition
        valley[:, k] = ordered[:, :count].mean(axis=1)
        peak[:, k] = ordered[:, -count:].mean(axis=1)
    return dsp.power_to_db(peak) - dsp.power_to_db(valley)


def _zero_crossing_rate(y: np.ndarray) -> np.ndarray:
    """Zero crossings per sample in frames of N_FFT every HOP (as librosa's, 5x cheaper):
    crossings counted per HOP block, then N_FFT // HOP blocks summed per frame."""
    crossings = np.signbit(y[1:]) != np.signbit(y[:-1])
    n_frames = len(range(0, max(1, len(y) - N_FFT + 1), HOP))
    per_frame = N_FFT // HOP
    blocks = n_frames + per_frame - 1
    padded = np.zeros(blocks * HOP, dtype=np.int32)
    used = min(len(crossings), len(padded))
    padded[:used] = crossings[:used]
    block_counts = padded.reshape(blocks, HOP).sum(axis=1)
    counts = np.convolve(block_counts, np.ones(per_frame, dtype=np.int64), mode="valid")[:n_frames]
    # A frame spans N_FFT - 1 sample pairs: drop the block run's last pair.
    last = np.arange(n_frames) * HOP + N_FFT - 1
    counts = counts - padded[np.minimum(last, len(padded) - 1)] * (last < len(padded))
    return counts / float(N_FFT)


def _pulse_clarity(onset: np.ndarray, period_frames: float) -> float:
    """Autocorrelation of the onset envelope at the beat period, relative to lag 0 (0..1):
    how regularly the onsets repeat at the detected tempo (a clear beat vs a loose texture)."""
    x = onset.astype(np.float64) - float(np.mean(onset))
    lag = int(round(period_frames))
    if lag < 1 or lag >= len(x) - 1:
        return 0.0
    energy = float(x @ x)
    if energy <= EPS:
        return 0.0
    # The best of the neighbouring lags: the period is rarely a whole number of frames.
    best = max(float(x[:-k] @ x[k:]) for k in (lag - 1, lag, lag + 1) if 0 < k < len(x))
    return float(np.clip(best / energy, 0.0, 1.0))


def _percussive_share(mel: np.ndarray) -> float:
    """Share of energy that median-filtering HPSS (Fitzgerald 2010) calls percussive.

    Same soft masks as librosa.decompose.hpss(power=2), done here on the 64-band mel
    spectrogram (30x smaller than the STFT) and without importing librosa.decompose, which
    pulls in scikit-learn (~20 MB per worker).
    """
    if float(mel.sum()) <= EPS:
        return 0.0
    # Frames in pairs (46 ms): the median filters are the extractor's costliest step, and
    # a 9-frame window spans the same ~0.4 s as librosa's 17 frames of 23 ms.
    frames = len(mel) // 2 * 2
    mel = mel[:frames].reshape(-1, 2, mel.shape[1]).mean(axis=1) if frames >= 2 else mel
    harmonic = dsp.median_filter(mel, 9, axis=0)     # along time
    percussive = dsp.median_filter(mel, 17, axis=1)  # along frequency
    total = float(mel.sum())
    h2, p2 = harmonic.astype(np.float64) ** 2, percussive.astype(np.float64) ** 2
    mask = np.divide(p2, h2 + p2, out=np.full_like(p2, 0.5), where=(h2 + p2) > EPS)
    return float((mel * mask).sum() / total)


def _mean_std(values: np.ndarray, frame_power: np.ndarray) -> tuple[float, float]:
    """Energy-weighted mean/std of a per-frame value: quiet frames do not dominate."""
    total = float(frame_power.sum())
    if total <= EPS:
        return 0.0, 0.0
    w = frame_power / total
    mean = float(values @ w)
    return mean, float(np.sqrt(max(0.0, float(((values - mean) ** 2) @ w))))
