"""The feature vector of an excerpt: everything derived from ONE shared STFT (librosa).

Imported only inside analysis worker processes (librosa costs seconds to import).
Every dimension is documented in docs/FEATURES.md. Values are always finite: silence,
noise and 1-second clips give sane numbers, never NaN.
"""

from __future__ import annotations

import numpy as np

from musitui.analysis.keys import estimate_key
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
    """The float32 feature vector (len DIM, order FEATURE_NAMES) of mono samples ``y``."""
    import librosa

    y = np.asarray(y, dtype=np.float32)
    if len(y) < N_FFT:
        y = np.pad(y, (0, N_FFT - len(y)))
    out: dict[str, float] = {}

    stft = librosa.stft(y, n_fft=N_FFT, hop_length=HOP)
    mag = np.abs(stft)
    del stft
    power = mag**2
    freqs = librosa.fft_frequencies(sr=sr, n_fft=N_FFT)
    frame_power = power.sum(axis=0)
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
    mel = librosa.feature.melspectrogram(S=power, sr=sr, n_mels=N_MELS)
    mel_db = librosa.power_to_db(mel, ref=np.max if not silent else 1.0)
    mfcc = librosa.feature.mfcc(S=mel_db, n_mfcc=N_MFCC)
    onset = librosa.onset.onset_strength(S=mel_db, sr=sr, hop_length=HOP)
    onset_mean = float(np.mean(onset))
    out["onset_mean"] = onset_mean
    out["onset_cv"] = _cv(onset)
    seconds = len(y) / sr
    if silent or onset_mean < 1e-6:
        out["tempo"], out["beat_strength"], out["onset_rate"] = 0.0, 0.0, 0.0
    else:
        tempo = librosa.feature.tempo(onset_envelope=onset, sr=sr, hop_length=HOP, ac_size=4.0)
        out["tempo"] = float(np.atleast_1d(tempo)[0])
        out["beat_strength"] = _pulse_clarity(onset, 60.0 * sr / HOP / max(out["tempo"], 1.0))
        peaks = librosa.onset.onset_detect(onset_envelope=onset, sr=sr, hop_length=HOP)
        out["onset_rate"] = len(peaks) / max(seconds, 1e-3)

    # Arousal cues: percussive share (HPSS on the mel spectrogram: 30x cheaper than on the
    # full STFT) and low/high band energy shares.
    out["percussive_share"] = _percussive_share(mel)
    energy = float(frame_power.sum())
    out["low_ratio"] = float(power[freqs < LOW_HZ].sum() / energy) if energy > EPS else 0.0
    out["high_ratio"] = float(power[freqs > HIGH_HZ].sum() / energy) if energy > EPS else 0.0

    # Harmony: chroma from the same power spectrogram, Krumhansl-Schmuckler key.
    chroma = librosa.feature.chroma_stft(S=power, sr=sr, n_fft=N_FFT, tuning=0.0)
    weights = frame_power / (energy + EPS)
    chroma_mean = chroma @ weights if not silent else np.zeros(12)
    tonic, mode, clarity, strength = estimate_key(chroma_mean)
    out["key_index"] = float(tonic)
    out["mode_major"] = 1.0 if mode == "major" else 0.0
    out["key_clarity"] = clarity
    out["mode_strength"] = strength
    p = chroma_mean / (chroma_mean.sum() + EPS)
    out["chroma_entropy"] = float(-(p * np.log2(p + EPS)).sum() / np.log2(12)) if not silent else 1.0

    # Flatness (as librosa.feature.spectral_flatness, power=2), in place on the power
    # spectrogram, which is not needed after this: the worker's peak memory stays low.
    np.maximum(power, 1e-10, out=power)
    arithmetic = power.mean(axis=0)
    np.log(power, out=power)
    flatness = np.exp(power.mean(axis=0)) / arithmetic
    del power
    out["flatness_db"] = float(np.mean(10 * np.log10(flatness + EPS)))
    contrast = librosa.feature.spectral_contrast(S=mag, freq=freqs).mean(axis=1)

    # Spectral shape (level-independent by construction), from the column-normalised
    # magnitude in plain numpy: one normalisation instead of one per librosa call.
    mag /= mag.sum(axis=0, keepdims=True) + EPS
    centroid = freqs @ mag
    spread = np.sqrt(np.maximum((freqs**2) @ mag - centroid**2, 0.0))
    out["centroid"], out["centroid_std"] = _mean_std(centroid, frame_power)
    out["bandwidth"], _ = _mean_std(spread, frame_power)
    # Spectral flux of the normalised spectrum (how fast the timbre changes), level-free.
    if mag.shape[1] > 1:
        rise = np.diff(mag, axis=1)
        np.maximum(rise, 0.0, out=rise)
        rise **= 2
        flux = np.sqrt(rise.sum(axis=0))
        del rise
    else:
        flux = np.zeros(1)
    out["flux"], out["flux_cv"] = float(np.mean(flux)), _cv(flux)
    np.cumsum(mag, axis=0, out=mag)
    rolloff = freqs[np.minimum(np.argmax(mag >= 0.85, axis=0), len(freqs) - 1)]
    out["rolloff"], _ = _mean_std(rolloff, frame_power)
    del mag

    # Zero-crossing rate from the samples (cheap, no spectrum needed).
    zcr = _zero_crossing_rate(y)
    out["zcr"], out["zcr_std"] = float(np.mean(zcr)), float(np.std(zcr))

    vector = np.array([out[name] for name in SCALARS], dtype=np.float64)
    vector = np.concatenate([vector, contrast, mfcc.mean(axis=1), mfcc.std(axis=1), p])
    return np.nan_to_num(vector, nan=0.0, posinf=0.0, neginf=0.0).astype(np.float32)


def _zero_crossing_rate(y: np.ndarray) -> np.ndarray:
    """Zero crossings per sample in frames of N_FFT every HOP (as librosa's, 5x cheaper)."""
    crossings = np.signbit(y[1:]) != np.signbit(y[:-1])
    counts = np.concatenate([[0], np.cumsum(crossings, dtype=np.int64)])
    starts = np.arange(0, max(1, len(y) - N_FFT + 1), HOP)
    ends = np.minimum(starts + N_FFT - 1, len(crossings))
    return (counts[ends] - counts[starts]) / float(N_FFT)


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
    from scipy.ndimage import median_filter

    total = float(mel.sum())
    if total <= EPS:
        return 0.0
    harmonic = median_filter(mel, size=(1, 17), mode="reflect")
    percussive = median_filter(mel, size=(17, 1), mode="reflect")
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
    return mean, float(np.sqrt(max(0.0, ((values - mean) ** 2) @ w)))
