"""Decode the part of a track that is analysed: up to three windows, mono, 22,050 Hz.

Only the windows are decoded (the source seeks to each one), so a 20-minute file costs no
more memory than a 3-minute one. Intros and outros are skipped: the windows are spread over
the middle 80 % of the track. Tracks no longer than the excerpt are analysed whole.
"""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

import numpy as np

from musitui.analysis.version import SAMPLE_RATE
from musitui.decode import (
    PYAV_ONLY,
    DecodeError,
    SoundFileSource,
    check_file,
    open_pyav,
    reason_for,
)
from musitui.decode_reasons import MIN_AUDIO_SECONDS, NO_DECODABLE_AUDIO, better_reason

# libsndfile opens these but decodes them much slower than FFmpeg does.
PYAV_FIRST = {".opus"}


def decoder_order(path: str) -> tuple[str, ...]:
    """Which decoders to try on a file, best first: "pyav" and/or "soundfile"."""
    suffix = Path(path).suffix.lower()
    if suffix in PYAV_ONLY:
        return ("pyav",)
    if suffix in PYAV_FIRST:
        return ("pyav", "soundfile")
    return ("soundfile", "pyav")

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


class _Excerpt(NamedTuple):
    samples: np.ndarray  # mono float32 at ``rate``
    rate: int
    duration: float
    problem: str | None  # the first decode problem met, if any

    @property
    def seconds(self) -> float:
        return len(self.samples) / self.rate if self.rate else 0.0


def decode_excerpt(path: str, seconds: float = 30.0,
                   known_duration: float = 0.0) -> tuple[np.ndarray, float]:
    """(mono float32 samples at SAMPLE_RATE, track duration in seconds). Raises DecodeError.

    ``known_duration`` (the catalog's: the decodable length of a damaged file) keeps the
    windows inside the audio that is really there when the header claims more.

    The faster decoder for the format goes first: libsndfile for wav/flac/ogg/mp3, FFmpeg
    (PyAV) for Opus (libsndfile decodes it 3x slower) and what libsndfile cannot open. A
    damaged stretch inside a window costs only that window's remainder: what decodes is
    kept. When the first decoder stumbles (seen with some Opus files after a seek, and mp3s
    with garbage inside), the other gets a second chance and the longer result wins.
    """
    path = str(path)
    check_file(path)
    by_name = {"pyav": _pyav_windows, "soundfile": _soundfile_windows}
    decoders = [by_name[name] for name in decoder_order(path)]
    best: _Excerpt | None = None
    first_error: str | None = None
    for decoder in decoders:
        try:
            result = decoder(path, seconds, known_duration)
        except DecodeError as exc:
            first_error = better_reason(first_error, str(exc)) if first_error else str(exc)
            continue
        # A second chance wins when it decoded cleanly or got further.
        if best is None or not result.problem or result.seconds > best.seconds:
            best = result
        if not result.problem:
            break
    if (best is None or best.seconds < MIN_AUDIO_SECONDS) and known_duration != seconds:
        # The windows sat where the header says audio is, and found none (a damaged file
        # whose header claims more than there is): the player would still play its start,
        # so read from the start before calling it unplayable.
        try:
            return decode_excerpt(path, seconds, known_duration=seconds)
        except DecodeError as exc:
            first_error = better_reason(first_error, str(exc)) if first_error else str(exc)
    if best is None or best.seconds < MIN_AUDIO_SECONDS:
        best = _as_the_player_reads(path, seconds) or best
    if best is None:
        raise DecodeError(first_error or NO_DECODABLE_AUDIO)
    if best.seconds < MIN_AUDIO_SECONDS:
        raise DecodeError(best.problem or NO_DECODABLE_AUDIO)
    y = best.samples
    if not np.isfinite(y).all():
        y = np.nan_to_num(y, nan=0.0, posinf=0.0, neginf=0.0)
    duration = best.duration or len(y) / best.rate
    if 0 < known_duration < duration:
        duration = known_duration
    return resample(y, best.rate), float(duration)


def _as_the_player_reads(path: str, seconds: float) -> _Excerpt | None:
    """The first ``seconds`` through decode.open_audio, the player's reader (libsndfile, and
    FFmpeg where it fails): what the player can play is never called unplayable here."""
    from musitui.decode import open_audio

    try:
        source = open_audio(path)
    except DecodeError:
        return None
    parts: list[np.ndarray] = []
    problem = None
    try:
        _read_window(source, int(seconds * source.samplerate), parts)
    except DecodeError as exc:
        problem = str(exc)
    finally:
        source.close()
    samples = _joined(parts)
    if len(samples) == 0:
        return None
    return _Excerpt(samples, source.samplerate, len(samples) / source.samplerate, problem)


def _inside(duration: float, known: float) -> float:
    """The length the windows are spread over: the known decodable one when shorter."""
    return known if 0 < known < duration or not duration else duration


def _soundfile_windows(path: str, seconds: float, known: float = 0.0) -> _Excerpt:
    """The windows through libsndfile (SoundFileSource); closes the file."""
    source = SoundFileSource(path, resilient=False)
    rate, duration = source.samplerate, _inside(source.duration, known)
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
    return _Excerpt(_joined(parts), rate, duration, problem)


def _pyav_windows(path: str, seconds: float, known: float = 0.0) -> _Excerpt:
    """The windows through FFmpeg, read straight from the decoded frames' planes.

    Faster than PyAVSource (the playback reader): no FFmpeg resampler (soxr does the rate
    change once, on mono), and one numpy view per plane instead of to_ndarray per frame.
    """
    opened = open_pyav(path)
    try:
        duration = _inside(opened.duration, known)
        parts: list[np.ndarray] = []
        problem: str | None = None
        for start, length in window_starts(duration, seconds):
            try:
                _read_pyav_window(opened.container, opened.stream, start,
                                  int(round(length * opened.rate)), opened.rate, parts)
            except DecodeError as exc:
                problem = problem or str(exc)
    finally:
        opened.close()
    return _Excerpt(_joined(parts), opened.rate, duration, problem)


def _read_pyav_window(container, stream, start: float, frames: int, rate: int,
                      parts: list[np.ndarray]) -> None:
    """Append up to ``frames`` mono samples from ``start`` seconds to ``parts``.

    Each decoded frame is summed into one preallocated mono buffer straight away, so
    FFmpeg gets its frame buffers back (keeping views alive costs fresh allocations).
    """
    import av

    if start > 0:
        try:
            if stream.time_base:
                container.seek(int(start / stream.time_base), stream=stream, backward=True)
            else:
                container.seek(int(start * 1_000_000), backward=True)
        except Exception as exc:
            raise DecodeError(reason_for(exc)) from None
    mono = np.zeros(frames, dtype=np.float32)
    pos, channels = 0, 0
    first = True
    converter = None
    problem: DecodeError | None = None
    try:
        for frame in container.decode(stream):
            if frame.format.name in ("fltp", "flt"):
                converted = [frame]
            else:
                # Integer or double samples (e.g. ALAC, PCM): FFmpeg converts, same rate.
                converter = converter or av.AudioResampler(format="fltp", layout=frame.layout.name,
                                                           rate=frame.sample_rate)
                converted = converter.resample(frame)
            for out in converted:
                skip = 0
                if first:
                    skip = _samples_before(out, start, rate)
                    if skip >= out.samples:
                        continue
                    first = False
                planes = _planes_of(out)
                channels = len(planes)
                take = min(len(planes[0]) - skip, frames - pos)
                for plane in planes:
                    mono[pos:pos + take] += plane[skip:skip + take]
                pos += take
            if pos >= frames:
                break
    except (av.error.EOFError, StopIteration):
        pass
    except Exception as exc:
        problem = DecodeError(reason_for(exc))
    if pos:
        mono = mono[:pos]
        if channels > 1:
            mono *= np.float32(1.0 / channels)
        parts.append(mono)
    if problem is not None:
        raise problem


def _planes_of(frame) -> list[np.ndarray]:
    """Per-channel float32 views of a fltp/flt frame's samples (no copy)."""
    count = frame.samples
    if frame.format.is_planar:
        return [np.frombuffer(plane, dtype=np.float32, count=count) for plane in frame.planes]
    n = len(frame.layout.channels)
    packed = np.frombuffer(frame.planes[0], dtype=np.float32, count=count * n).reshape(count, n)
    return [packed[:, i] for i in range(n)]


def _samples_before(frame, start: float, rate: int) -> int:
    """Samples of the first frame after a seek that lie before the window's start."""
    if start <= 0 or frame.pts is None or not frame.time_base:
        return 0
    return max(0, int(round((start - float(frame.pts * frame.time_base)) * rate)))


def _joined(parts: list[np.ndarray]) -> np.ndarray:
    return np.concatenate(parts) if parts else np.zeros(0, dtype=np.float32)
