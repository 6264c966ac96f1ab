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
        tempo = librosa.feature.tempo(onset_envelope=onset, sr=sr, hop_length=HOP)
        out["tempo"] = float(np.atleast_1d(tempo)[0])
        _, beats = librosa.beat.beat_track(onset_envelope=onset, sr=sr, hop_length=HOP,
                                           bpm=out["tempo"])
        beats = beats[beats < len(onset)]
        # How much stronger onsets are on the beat than on average (>1 = clear pulse).
        out["beat_strength"] = float(np.mean(onset[beats]) / onset_mean) if len(beats) else 0.0
        peaks = librosa.onset.onset_detect(onset_envelope=onset, sr=sr, hop_length=HOP)
        out["onset_rate"] = len(peaks) / max(seconds, 1e-3)

    # Spectral shape (level-independent by construction), from the column-normalised
    # magnitude in plain numpy: one normalisation instead of one per librosa call.
    col_sum = mag.sum(axis=0, keepdims=True)
    norm_mag = mag / (col_sum + EPS)
    centroid = freqs @ norm_mag
    spread = np.sqrt(np.maximum((freqs**2) @ norm_mag - centroid**2, 0.0))
    rolloff = freqs[np.minimum(np.argmax(np.cumsum(norm_mag, axis=0) >= 0.85, axis=0), len(freqs) - 1)]
    out["centroid"], out["centroid_std"] = _mean_std(centroid, frame_power)
    out["bandwidth"], _ = _mean_std(spread, frame_power)
    out["rolloff"], _ = _mean_std(rolloff, frame_power)
    flatness = librosa.feature.spectral_flatness(S=mag)[0]
    out["flatness_db"] = float(np.mean(10 * np.log10(flatness + EPS)))
    contrast = librosa.feature.spectral_contrast(S=mag, freq=freqs).mean(axis=1)

    # Zero-crossing rate from the samples (cheap, no spectrum needed).
    zcr = librosa.feature.zero_crossing_rate(y, frame_length=N_FFT, hop_length=HOP)[0]
    out["zcr"], out["zcr_std"] = float(np.mean(zcr)), float(np.std(zcr))

    # Arousal cues: percussive share (HPSS on the mel magnitude: 30x cheaper than on the
    # full STFT), spectral flux of the normalised spectrum, low/high band energy shares.
    harm, perc = librosa.decompose.hpss(mel, kernel_size=(17, 17), power=2.0)
    total = float(harm.sum() + perc.sum())
    out["percussive_share"] = float(perc.sum() / total) if total > EPS else 0.0
    flux = np.sqrt((np.diff(norm_mag, axis=1).clip(min=0) ** 2).sum(axis=0)) if mag.shape[1] > 1 else np.zeros(1)
    out["flux"], out["flux_cv"] = float(np.mean(flux)), _cv(flux)
    energy = float(power.sum())
    out["low_ratio"] = float(power[freqs < LOW_HZ].sum() / energy) if energy > EPS else 0.0
    out["high_ratio"] = float(power[freqs > HIGH_HZ].sum() / energy) if energy > EPS else 0.0

    # Harmony: chroma from the same power spectrogram, Krumhansl-Schmuckler key.
    chroma = librosa.feature.chroma_stft(S=power, sr=sr, n_fft=N_FFT, tuning=0.0)
    weights = frame_power / (frame_power.sum() + EPS)
    chroma_mean = chroma @ weights if not silent else np.zeros(12)
    tonic, mode, clarity, strength = estimate_key(chroma_mean)
    out["key_index"] = float(tonic)
    out["mode_major"] = 1.0 if mode == "major" else 0.0
    out["key_clarity"] = clarity
    out["mode_strength"] = strength
    p = chroma_mean / (chroma_mean.sum() + EPS)
    out["chroma_entropy"] = float(-(p * np.log2(p + EPS)).sum() / np.log2(12)) if not silent else 1.0

    vector = np.array([out[name] for name in SCALARS], dtype=np.float64)
    vector = np.concatenate([vector, contrast, mfcc.mean(axis=1), mfcc.std(axis=1), p])
    return np.nan_to_num(vector, nan=0.0, posinf=0.0, neginf=0.0).astype(np.float32)


def _mean_std(values: np.ndarray, frame_power: np.ndarray) -> tuple[float, float]:
    """Energy-weighted mean/std of a per-frame value: quiet frames do not dominate."""
    total = float(frame_power.sum())
    if total <= EPS:
        return 0.0, 0.0
    w = frame_power / total
    mean = float(values @ w)
    return mean, float(np.sqrt(max(0.0, ((values - mean) ** 2) @ w)))
