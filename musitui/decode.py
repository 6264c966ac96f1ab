"""Decoding audio files into float32 sample blocks: one code path for analysis and playback.

libsndfile (via soundfile) is used for what it decodes natively (wav, aiff, flac, ogg,
opus); PyAV (FFmpeg in its wheels, no ``ffmpeg`` binary needed) for everything else,
m4a/AAC/ALAC and MP3 included (libmpg123 inside libsndfile gives up after 1 KiB of damaged
data and writes its notes to stderr, where the TUI draws), and as a second chance when
libsndfile refuses a file.

What decodes plays: a damaged stretch after the first audio is skipped (FFmpeg resumes at
the next good packet) or ends the stream there, never an error; only a file with no
decodable audio at all raises ``DecodeError``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from musitui.decode_reasons import (
    MAX_DURATION,
    MAX_SAMPLE_RATE,
    MIN_SAMPLE_RATE,
    NO_AUDIO_FORMAT,
    NO_AUDIO_STREAM,
    UNSUPPORTED_CODEC,
    DecodeError,
    better_reason,
    check_file,
    one_line,
    reason_for,
)

__all__ = ["DecodeError", "check_file", "one_line", "reason_for", "open_audio", "AudioSource",
           "SoundFileSource", "PyAVSource", "audio_stream_facts", "open_pyav", "OpenedAudio", "PYAV_ONLY"]

# Extensions libsndfile cannot open at all: go straight to PyAV.
# MP3 too: libmpg123 (in libsndfile) gives up at damaged data and writes notes to stderr.
PYAV_ONLY = {".m4a", ".mp4", ".aac", ".alac", ".m4b", ".wma", ".ape", ".webm", ".mka", ".mp3"}
MAX_BAD_PACKETS = 200  # consecutive undecodable packets after which a stream is taken as ended


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
    def __init__(self, path: str, *, resilient: bool = True) -> None:
        import soundfile

        try:
            self._file = soundfile.SoundFile(path)
        except Exception as exc:  # libsndfile raises LibsndfileError/RuntimeError/TypeError
            raise DecodeError(reason_for(exc, path)) from None
        self.path = path
        self.resilient = resilient
        self.samplerate = int(self._file.samplerate)
        self.channels = int(self._file.channels)
        if not MIN_SAMPLE_RATE <= self.samplerate <= MAX_SAMPLE_RATE or not self.channels > 0:
            self._file.close()
            raise DecodeError(NO_AUDIO_FORMAT)
        frames = self._file.frames
        self.duration = frames / self.samplerate if frames and frames > 0 and frames < 2**62 else 0.0
        self._at = 0  # frames from the start
        self._ended = False
        self._fallback: AudioSource | None = None

    def probe(self) -> None:
        """Decode the first block and go back to the start: DecodeError (and the file closed)
        when libsndfile opens a file it cannot decode, so open_audio asks FFmpeg instead of
        calling a file that FFmpeg decodes unplayable."""
        try:
            self._file.read(1024, dtype="float32", always_2d=True)
            self._file.seek(0)
        except Exception as exc:
            self._file.close()
            raise DecodeError(reason_for(exc, self.path)) from None

    def read(self, frames: int) -> np.ndarray:
        if self._fallback is not None:
            return self._fallback.read(frames)
        if self._ended:
            return np.zeros((0, self.channels), dtype=np.float32)
        try:
            block = self._file.read(frames, dtype="float32", always_2d=True)
        except Exception as exc:
            if not self.resilient:
                raise DecodeError(reason_for(exc, self.path)) from None
            block = self._take_over()  # from the start too: FFmpeg may decode what this cannot
            if self._at == 0 and self._fallback is None:
                raise DecodeError(reason_for(exc, self.path)) from None
            return block
        self._at += len(block)
        return block

    def _take_over(self) -> np.ndarray:
        """A damaged stretch after some audio: FFmpeg carries on from here (it resumes at the
        next good packet), or the stream ends here when it cannot."""
        empty = np.zeros((0, self.channels), dtype=np.float32)
        try:
            fallback = PyAVSource(self.path)
            if fallback.channels != self.channels or fallback.samplerate != self.samplerate:
                fallback.close()
                raise DecodeError("different stream")
            fallback.seek(self._at / self.samplerate)
        except DecodeError:
            self._ended = True
            return empty
        self._fallback = fallback
        return fallback.read(4096)

    def seek(self, seconds: float) -> None:
        target = max(0, int(round(seconds * self.samplerate)))
        if self.duration:
            target = min(target, int(self.duration * self.samplerate))
        if self._fallback is not None:
            self._fallback.seek(target / self.samplerate)
            return
        try:
            self._file.seek(target)
        except Exception as exc:
            raise DecodeError(reason_for(exc, self.path)) from None
        self._at = target
        self._ended = False

    def close(self) -> None:
        self._file.close()
        if self._fallback is not None:
            self._fallback.close()


def audio_stream_facts(container: Any) -> tuple[Any, int, int]:
    """(the first audio stream, its sample rate, its channel count) of an open PyAV
    container; DecodeError with a readable reason when there is no usable one."""
    streams = container.streams.audio
    if not streams:
        raise DecodeError(NO_AUDIO_STREAM)
    stream = streams[0]
    context = stream.codec_context
    if context is None:  # FFmpeg has no decoder for this codec
        raise DecodeError(UNSUPPORTED_CODEC)
    rate = int(context.sample_rate or 0)
    channels = int(context.channels or 0)
    if not MIN_SAMPLE_RATE <= rate <= MAX_SAMPLE_RATE or not channels > 0:
        raise DecodeError(NO_AUDIO_FORMAT)
    return stream, rate, channels


@dataclass
class OpenedAudio:
    """A file opened through PyAV (``open_pyav``): its container (close it), first audio
    stream, rate, channels, and duration in seconds as the file states it (0.0 unknown)."""

    container: Any
    stream: Any
    rate: int
    channels: int
    duration: float

    def close(self) -> None:
        self.container.close()


def open_pyav(path: str) -> OpenedAudio:
    """The one way a file is opened and measured through FFmpeg (playback's ``PyAVSource``,
    the analysis excerpt and the tagger's patches): DecodeError with a readable reason when
    it cannot be opened or holds no usable audio stream."""
    import av

    try:
        container = av.open(path)
    except Exception as exc:
        raise DecodeError(reason_for(exc, path)) from None
    try:
        stream, rate, channels = audio_stream_facts(container)
        if stream.duration and stream.time_base:
            duration = float(stream.duration * stream.time_base)
        else:
            duration = container.duration / 1_000_000 if container.duration else 0.0
    except DecodeError:
        container.close()
        raise
    except Exception as exc:
        container.close()
        raise DecodeError(reason_for(exc, path)) from None
    return OpenedAudio(container, stream, rate, channels, duration)


class PyAVSource:
    def __init__(self, path: str) -> None:
        import av

        self.path = path
        opened = open_pyav(path)
        self._container, self._stream = opened.container, opened.stream
        try:
            self._stream.thread_type = "AUTO"
            self.samplerate = opened.rate
            self.channels = 1 if opened.channels == 1 else 2
            layout = "mono" if self.channels == 1 else "stereo"
            self._resampler = av.AudioResampler(format="flt", layout=layout, rate=self.samplerate)
        except Exception as exc:
            opened.close()
            raise DecodeError(reason_for(exc, path)) from None
        self.duration = opened.duration if 0 < opened.duration < MAX_DURATION else 0.0
        self._pending: list[np.ndarray] = []
        self._pending_len = 0
        self._skip_until: float | None = None
        self._decoded_any = False
        self._restart()

    def _restart(self) -> None:
        self._packets = self._container.demux(self._stream)

    def _next_frames(self) -> list | None:
        """The frames of the next decodable packet; None at the end of the stream. Bad
        packets are skipped; a damaged or cut container after some audio is the end."""
        import av

        bad, first_problem = 0, None
        while True:
            try:
                packet = next(self._packets)
            except (StopIteration, av.error.EOFError):
                return None
            except Exception as exc:
                if self._decoded_any:
                    return None
                raise DecodeError(reason_for(exc, self.path)) from None
            try:
                frames = packet.decode()
            except Exception as exc:
                bad += 1
                first_problem = first_problem or exc
                if bad >= MAX_BAD_PACKETS:
                    if self._decoded_any:
                        return None
                    raise DecodeError(reason_for(first_problem, self.path)) from None
                continue
            if frames:
                self._decoded_any = True
                return frames
            if packet.size == 0:  # the flush packet: nothing more comes
                if not self._decoded_any and first_problem is not None:
                    raise DecodeError(reason_for(first_problem, self.path)) from None
                return None

    def _decode_more(self) -> bool:
        frames = self._next_frames()
        if frames is None:
            return False
        for frame in frames:
            self._take(frame)
        return True

    def _take(self, frame) -> None:
        start = float(frame.pts * frame.time_base) if frame.pts is not None and frame.time_base else None
        try:
            converted = self._resampler.resample(frame)
        except Exception:
            return  # a frame whose layout changed mid-stream: skipped like a bad packet
        for out in converted:
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
            raise DecodeError(reason_for(exc, self.path)) from None
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
    suffix = Path(path).suffix.lower()
    if suffix in PYAV_ONLY:
        return PyAVSource(path)
    try:
        source = SoundFileSource(path)
        source.probe()  # libsndfile may open a file whose first block it cannot decode
        return source
    except DecodeError as first:
        try:
            return PyAVSource(path)
        except DecodeError as second:
            raise DecodeError(better_reason(str(first), str(second))) from None
