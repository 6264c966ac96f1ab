"""The tagger's input: a bounded number of 3-second log-mel patches spread over the WHOLE track.

Each patch is its own short window: the decoder seeks to it and decodes ~3.1 s, so a
20-minute file costs what a 3-minute one does. The windows are centred at (i + 0.5) / n of
the duration; a track shorter than n patches gets as many back-to-back patches as fit, and
one shorter than a patch is repeated to fill one (as musicnn's training did: "repeat-pad").

A patch is musicnn's representation: mono at 16 kHz (soxr HQ, as ``librosa.load``), the power
STFT (n_fft 512, hop 256, periodic Hann), 96 Slaney mel bands, ``log10(10000 x + 1)`` in
float32. Its 187 frames are computed from real signal on both sides (the window is decoded
with half an FFT frame, plus a resampler margin, around the patch), not zero padding.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from musitui.analysis import dsp
from musitui.analysis.excerpt import _inside, _read_pyav_window, _read_window, decoder_order
from musitui.analysis.tagger import HOP, N_FFT, N_FRAMES, N_MELS, SAMPLE_RATE
from musitui.decode import (
    DecodeError,
    SoundFileSource,
    check_file,
    open_pyav,
)

PATCH_SAMPLES = (N_FRAMES - 1) * HOP + N_FFT      # 48,128 samples: 187 uncentred frames
PATCH_SECONDS = PATCH_SAMPLES / SAMPLE_RATE       # 3.008 s
MARGIN_SECONDS = 0.05                              # decoded each side for the resampler
MIN_PATCH_SHARE = 0.5                              # a window decoded less than this is dropped


def patch_plan(duration: float, count: int) -> list[float]:
    """Start times (seconds) of the patches of a track ``duration`` seconds long."""
    count = max(1, int(count))
    if duration <= PATCH_SECONDS:
        return [0.0]
    fit = int(duration // PATCH_SECONDS)
    if fit <= count:  # back to back, centred in the track
        offset = (duration - fit * PATCH_SECONDS) / 2
        return [offset + i * PATCH_SECONDS for i in range(fit)]
    return [min(max(0.0, (i + 0.5) * duration / count - PATCH_SECONDS / 2), duration - PATCH_SECONDS)
            for i in range(count)]


def log_mel(y: np.ndarray, center: bool = True) -> np.ndarray:
    """(frames, 96) float32 log-mel of 16 kHz mono samples."""
    power = dsp.stft_magnitude(y, N_FFT, HOP, center=center)
    power *= power
    mel = power @ dsp.mel_filterbank(SAMPLE_RATE, N_FFT, N_MELS).T
    return np.log10(np.float32(10000.0) * mel + np.float32(1.0)).astype(np.float32, copy=False)


def decode_patches(path: str, count: int, known_duration: float = 0.0) -> tuple[np.ndarray, float]:
    """((n, 187, 96) float32 log-mel patches, track duration in seconds). Raises DecodeError."""
    path = str(path)
    check_file(path)
    by_name = {"pyav": _pyav_windows, "soundfile": _soundfile_windows}
    decoders = [by_name[name] for name in decoder_order(path)]
    best: tuple[list[np.ndarray], float, str | None] | None = None
    first_error: str | None = None
    for decoder in decoders:
        try:
            windows, duration, problem = decoder(path, count, known_duration)
        except DecodeError as exc:
            first_error = first_error or str(exc)
            continue
        if best is None or not problem or len(windows) > len(best[0]):
            best = (windows, duration, problem)
        if not problem:
            break
    if best is None:
        raise DecodeError(first_error or "no decodable audio in the file")
    windows, duration, problem = best
    patches = [log_mel(w, center=False) for w in windows]
    if not patches:
        raise DecodeError(problem or "no decodable audio in the file")
    return np.stack(patches), duration


def _to_patch(samples: np.ndarray, rate: int, margin: int, whole: bool) -> np.ndarray | None:
    """One window's samples at ``rate`` -> PATCH_SAMPLES at 16 kHz (None when too little)."""
    if not np.isfinite(samples).all():
        samples = np.nan_to_num(samples, nan=0.0, posinf=0.0, neginf=0.0)
    if rate != SAMPLE_RATE and len(samples):
        import soxr

        samples = soxr.resample(samples, rate, SAMPLE_RATE, quality="HQ").astype(np.float32, copy=False)
    cut = int(round(margin * SAMPLE_RATE / rate)) if rate else 0
    samples = samples[cut:cut + PATCH_SAMPLES]
    if len(samples) == 0:
        return None
    if len(samples) < PATCH_SAMPLES:
        if not whole and len(samples) < MIN_PATCH_SHARE * PATCH_SAMPLES:
            return None
        samples = np.resize(samples, PATCH_SAMPLES)  # repeat-pad (the whole of a short track)
    return np.ascontiguousarray(samples, dtype=np.float32)


def _spans(duration: float, count: int, rate: int) -> list[tuple[float, int, int]]:
    """(decode start seconds, frames to decode, margin frames before the patch) per window."""
    spans = []
    for start in patch_plan(duration, count):
        lead = min(start, MARGIN_SECONDS)
        frames = int(round((lead + PATCH_SECONDS + MARGIN_SECONDS) * rate))
        spans.append((start - lead, frames, int(round(lead * rate))))
    return spans


Windows = tuple[list[np.ndarray], float, str | None]  # the patches, the duration, a problem


def _soundfile_windows(path: str, count: int, known: float = 0.0) -> Windows:
    source = SoundFileSource(path, resilient=False)
    duration = _inside(source.duration, known)

    def read(start: float, frames: int, parts: list[np.ndarray]) -> None:
        source.seek(start)
        _read_window(source, frames, parts)

    try:
        return _windows(read, source.samplerate, duration, count)
    finally:
        source.close()


def _pyav_windows(path: str, count: int, known: float = 0.0) -> Windows:
    opened = open_pyav(path)
    duration = _inside(opened.duration, known)  # a cut file: the windows inside what decodes

    def read(start: float, frames: int, parts: list[np.ndarray]) -> None:
        _read_pyav_window(opened.container, opened.stream, start, frames, opened.rate, parts)

    try:
        return _windows(read, opened.rate, duration, count)
    finally:
        opened.close()


def _windows(read: Callable[[float, int, list[np.ndarray]], None], rate: int, duration: float,
             count: int) -> Windows:
    """The patches of ``count`` windows spread over ``duration``; ``read(start, frames,
    parts)`` decodes one window. A window that fails is left out (its reason kept)."""
    windows: list[np.ndarray] = []
    problem: str | None = None
    for start, frames, margin in _spans(duration, count, rate):
        parts: list[np.ndarray] = []
        try:
            read(start, frames, parts)
        except DecodeError as exc:
            problem = problem or str(exc)
        patch = _to_patch(_joined(parts), rate, margin, whole=duration <= PATCH_SECONDS)
        if patch is not None:
            windows.append(patch)
    return windows, duration, problem


def _joined(parts: list[np.ndarray]) -> np.ndarray:
    return np.concatenate(parts) if parts else np.zeros(0, dtype=np.float32)
