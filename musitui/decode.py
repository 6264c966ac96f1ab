"""Decoding audio files into float32 sample blocks: one code path for analysis and playback.

libsndfile (via soundfile) is used for what it decodes natively (wav, aiff, flac, ogg,
opus, mp3); PyAV (FFmpeg in its wheels, no ``ffmpeg`` binary needed) for everything else,
m4a/AAC/ALAC included, and as a second chance when libsndfile refuses a file.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Protocol

import numpy as np

# Extensions libsndfile cannot open at all: go straight to PyAV.
PYAV_ONLY = {".m4a", ".mp4", ".aac", ".alac", ".m4b", ".wma", ".ape", ".webm", ".mka"}


class DecodeError(Exception):
    """The file could not be decoded; the message is one readable line."""


class AudioSource(Protocol):
    samplerate: int
    channels: int
    duration: float  # seconds; 0.0 when unknown

    def read(self, frames: int) -> np.ndarray:
        """Up to ``frames`` frames as float32 of shape (n, channels); n == 0 at the end."""

    def seek(self, seconds: float) -> None:
        """Move to ``seconds`` from the start, sample-accurately where the format allows."""

    def close(self) -> None: ...


class SoundFileSource:
    def __init__(self, path: str) -> None:
        import soundfile

        try:
            self._file = soundfile.SoundFile(path)
        except Exception as exc:  # libsndfile raises LibsndfileError/RuntimeError/TypeError
            raise DecodeError(one_line(exc)) from None
        self.samplerate = int(self._file.samplerate)
        self.channels = int(self._file.channels)
        frames = self._file.frames
        self.duration = frames / self.samplerate if frames and frames > 0 and frames < 2**62 else 0.0

    def read(self, frames: int) -> np.ndarray:
        try:
            return self._file.read(frames, dtype="float32", always_2d=True)
        except Exception as exc:
            raise DecodeError(one_line(exc)) from None

    def seek(self, seconds: float) -> None:
        target = max(0, int(round(seconds * self.samplerate)))
        if self.duration:
            target = min(target, int(self.duration * self.samplerate))
        try:
            self._file.seek(target)
        except Exception as exc:
            raise DecodeError(one_line(exc)) from None

    def close(self) -> None:
        self._file.close()


class PyAVSource:
    def __init__(self, path: str) -> None:
        import av

        try:
            self._container = av.open(path)
        except Exception as exc:
            raise DecodeError(one_line(exc)) from None
        audio_streams = self._container.streams.audio
        if not audio_streams:
            self._container.close()
            raise DecodeError("no audio stream in the file")
        self._stream = audio_streams[0]
        self._stream.thread_type = "AUTO"
        rate = self._stream.rate or self._stream.codec_context.sample_rate
        if not rate:
            self._container.close()
            raise DecodeError("audio stream has no sample rate")
        self.samplerate = int(rate)
        source_channels = self._stream.channels or 2
        self.channels = 1 if source_channels == 1 else 2
        layout = "mono" if self.channels == 1 else "stereo"
        self._resampler = av.AudioResampler(format="flt", layout=layout, rate=self.samplerate)
        self.duration = self._probe_duration()
        self._frames = None
        self._pending: list[np.ndarray] = []
        self._pending_len = 0
        self._skip_until: float | None = None
        self._restart()

    def _probe_duration(self) -> float:
        stream = self._stream
        if stream.duration and stream.time_base:
            return float(stream.duration * stream.time_base)
        if self._container.duration:
            return self._container.duration / 1_000_000
        return 0.0

    def _restart(self) -> None:
        self._frames = self._container.decode(self._stream)

    def _decode_more(self) -> bool:
        import av

        try:
            frame = next(self._frames)
        except StopIteration:
            return False
        except av.error.EOFError:
            return False
        except Exception as exc:
            raise DecodeError(one_line(exc)) from None
        start = float(frame.pts * frame.time_base) if frame.pts is not None and frame.time_base else None
        for out in self._resampler.resample(frame):
            block = out.to_ndarray().reshape(-1, self.channels).astype(np.float32, copy=False)
            if self._skip_until is not None and start is not None:
                drop = int(round((self._skip_until - start) * self.samplerate))
                if drop >= len(block):
                    start += len(block) / self.samplerate
                    continue
                if drop > 0:
                    block = block[drop:]
                self._skip_until = None
            elif self._skip_until is not None:
                self._skip_until = None
            if len(block):
                self._pending.append(block)
                self._pending_len += len(block)
        return True

    def read(self, frames: int) -> np.ndarray:
        while self._pending_len < frames and self._decode_more():
            pass
        if not self._pending:
            return np.zeros((0, self.channels), dtype=np.float32)
        data = np.concatenate(self._pending) if len(self._pending) > 1 else self._pending[0]
        out, rest = data[:frames], data[frames:]
        self._pending = [rest] if len(rest) else []
        self._pending_len = len(rest)
        return np.ascontiguousarray(out)

    def seek(self, seconds: float) -> None:
        seconds = max(0.0, seconds)
        if self.duration:
            seconds = min(seconds, self.duration)
        stream = self._stream
        try:
            offset = int(seconds / stream.time_base) if stream.time_base else int(seconds * 1_000_000)
            self._container.seek(offset, stream=stream if stream.time_base else None, backward=True, any_frame=False)
        except Exception as exc:
            raise DecodeError(one_line(exc)) from None
        self._pending = []
        self._pending_len = 0
        self._skip_until = seconds
        self._restart()

    def close(self) -> None:
        self._container.close()


def open_audio(path: str | os.PathLike[str]) -> AudioSource:
    """Open ``path`` with the best decoder for it; raises DecodeError with a readable reason."""
    path = str(path)
    check_file(path)
    if Path(path).suffix.lower() in PYAV_ONLY:
        return PyAVSource(path)
    try:
        return SoundFileSource(path)
    except DecodeError as first:
        try:
            return PyAVSource(path)
        except DecodeError:
            raise DecodeError(str(first)) from None


def check_file(path: str) -> None:
    """Raise DecodeError for a path no decoder should even try."""
    if not os.path.exists(path):
        raise DecodeError("file not found")
    if os.path.getsize(path) == 0:
        raise DecodeError("empty file (0 bytes)")


def one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    message = text[0] if text else type(exc).__name__
    return message[:200]
