"""Decode the part of a track that is analysed: up to three windows, mono, 22,050 Hz.

Only the windows are decoded (the source seeks to each one), so a 20-minute file costs no
more memory than a 3-minute one. Intros and outros are skipped: the windows are spread over
the middle 80 % of the track. Tracks no longer than the excerpt are analysed whole.
"""

from __future__ import annotations

import numpy as np

from musitui.analysis.version import SAMPLE_RATE
from musitui.decode import DecodeError, PyAVSource, SoundFileSource, open_audio

WINDOWS = 3
BLOCK_FRAMES = 65536


def window_starts(duration: float, total: float, windows: int = WINDOWS) -> list[tuple[float, float]]:
    """(start, length) in seconds of each window; one window from 0 when the track is short."""
    if duration <= 0 or duration <= total:
        return [(0.0, total if duration <= 0 else duration)]
    length = total / windows
    lo, hi = 0.1 * duration, 0.9 * duration
    if hi - lo < total:  # short-ish track: use the whole range, still evenly spread
        lo, hi = 0.0, duration
    span = hi - lo - length
    return [(lo + span * i / (windows - 1), length) for i in range(windows)]


def _read_window(source, frames: int, parts: list[np.ndarray]) -> None:
    """Append up to ``frames`` mono frames to ``parts`` (kept even if a later read fails)."""
    remaining = frames
    while remaining > 0:
        block = source.read(min(BLOCK_FRAMES, remaining))
        if len(block) == 0:
            break
        # Downmix per block: never hold more than one block of multichannel audio.
        if block.shape[1] == 2:
            parts.append((block[:, 0] + block[:, 1]) * np.float32(0.5))
        elif block.shape[1] > 2:
            parts.append(block.mean(axis=1, dtype=np.float32))
        else:
            parts.append(block[:, 0].copy())
        remaining -= len(block)


def resample(y: np.ndarray, rate: int, target: int = SAMPLE_RATE) -> np.ndarray:
    if rate == target or len(y) == 0:
        return y.astype(np.float32, copy=False)
    import soxr

    return soxr.resample(y, rate, target, quality="MQ").astype(np.float32, copy=False)


def decode_excerpt(path: str, seconds: float = 30.0) -> tuple[np.ndarray, float]:
    """(mono float32 samples at SAMPLE_RATE, track duration in seconds). Raises DecodeError.

    A damaged stretch inside a window costs only that window's remainder: what decodes is
    kept. When libsndfile stumbles (seen with some Opus files after a seek, and mp3s with
    garbage inside), FFmpeg gets a second chance and the longer result wins.
    """
    source = open_audio(path)
    y, rate, duration, problem = _decode_windows(source, seconds)
    if problem and isinstance(source, SoundFileSource):
        try:
            alt = _decode_windows(PyAVSource(path), seconds)
        except DecodeError:
            alt = None
        if alt is not None and (not alt[3] or len(alt[0]) / alt[1] > len(y) / rate):
            y, rate, duration, problem = alt
    if len(y) == 0:
        raise DecodeError(problem or "no audio could be decoded")
    y = np.nan_to_num(y, nan=0.0, posinf=0.0, neginf=0.0)
    if not duration:
        duration = len(y) / rate
    return resample(y, rate), float(duration)


def _decode_windows(source, seconds: float) -> tuple[np.ndarray, int, float, str | None]:
    """(samples, rate, duration, first problem or None); closes ``source``."""
    rate, duration = source.samplerate, source.duration
    parts: list[np.ndarray] = []
    problem: str | None = None
    try:
        for start, length in window_starts(duration, seconds):
            try:
                if start > 0:
                    source.seek(start)
                _read_window(source, int(round(length * rate)), parts)
            except DecodeError as exc:
                problem = problem or str(exc)
    finally:
        source.close()
    y = np.concatenate(parts) if parts else np.zeros(0, dtype=np.float32)
    return y, rate, duration, problem
