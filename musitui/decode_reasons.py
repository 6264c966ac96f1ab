"""The readable reasons a file cannot be decoded: one list, used by playback, analysis,
``info`` and the scan, so a user never sees a library's internal text
(``[Errno 22] Invalid argument``, ``cannot fit 'int' into an offset-sized integer``,
``avcodec_open2``, ``'AudioStream' object has no attribute 'rate'``).

``reason_for(exc, path)`` maps any exception a decoder raises onto one of ``REASONS``.
"""

from __future__ import annotations

import errno
import os
import re
import stat

MAX_SAMPLE_RATE = 1_536_000  # above any real format: a header claiming more is damaged
MIN_SAMPLE_RATE = 1000  # below any real format (8 kHz is the lowest in use)
MAX_DURATION = 7 * 24 * 3600.0  # a week: a longer claim is a damaged header

FILE_NOT_FOUND = "file not found"
PERMISSION_DENIED = "cannot read: permission denied"
NOT_A_FILE = "not a regular file (a folder, device, socket or pipe)"
EMPTY_FILE = "empty file (0 bytes)"
READ_FAILED = "cannot read: input/output error"
NOT_AUDIO = "not a recognised audio file (or damaged beyond decoding)"
NO_AUDIO_STREAM = "no audio stream in the file"
NO_AUDIO_FORMAT = "damaged header: impossible sample rate or channel count"
BAD_SIZES = "damaged header: sizes out of range"
UNSUPPORTED_CODEC = "unsupported audio codec (or damaged codec parameters)"
# Less audio than this is none: the scan, the analysis and `play` agree on it (a 100-byte
# WAV holds 14 frames, 0.3 ms: nothing anyone hears).
MIN_AUDIO_SECONDS = 0.01
NO_DECODABLE_AUDIO = "no decodable audio in the file"
OUT_OF_MEMORY = "damaged header: claims more audio than fits in memory"

# Reasons about the file's content (not about reaching it): an analysis that meets one of
# these found no audio, and the file is not a track until it changes.
CONTENT_REASONS = frozenset({"not a recognised audio file (or damaged beyond decoding)",
                             "no audio stream in the file",
                             "damaged header: impossible sample rate or channel count",
                             "damaged header: sizes out of range",
                             "unsupported audio codec (or damaged codec parameters)",
                             "no decodable audio in the file",
                             "damaged header: claims more audio than fits in memory",
                             "empty file (0 bytes)"})
# How a track the analysis found unplayable is marked (in Track.warning, with missing=True).
UNPLAYABLE = "not playable: "

REASONS: tuple[str, ...] = (FILE_NOT_FOUND, PERMISSION_DENIED, NOT_A_FILE, EMPTY_FILE, READ_FAILED,
                            NOT_AUDIO, NO_AUDIO_STREAM, NO_AUDIO_FORMAT, BAD_SIZES,
                            UNSUPPORTED_CODEC, NO_DECODABLE_AUDIO, OUT_OF_MEMORY)

UNREADABLE_TAGS = "unreadable tags (damaged or unusual file)"

# What the tag scan says (musitui.library.tags and walk), as patterns: the file type and a
# cause from a fixed set fill them in.
_TAG_CAUSES = ("no MPEG audio frame found (is it really audio?)", "file ends too early (truncated?)",
               "no valid header found (is it really audio?)",
               "damaged or missing chunks (is it really audio?)", "damaged or unrecognised header")
TAG_PATTERNS: tuple[str, ...] = (
    r"not a valid [\w/]+ file: (" + "|".join(re.escape(c) for c in _TAG_CAUSES) + ")",
    r"no audio in this [\w/]+ file \(.+\)",
    r"cannot read: [a-z /-]+",
    r"vanished during the scan",
    re.escape(UNREADABLE_TAGS),
    re.escape(EMPTY_FILE),
)


def is_readable(message: str) -> bool:
    """Whether ``message`` is one of the readable reasons (decoding or tag scan)."""
    return message in REASONS or any(re.fullmatch(p, message) for p in TAG_PATTERNS)


# Preferred when two decoders fail for different reasons: the more telling one first.
_RANK = {reason: rank for rank, reason in enumerate(
    (PERMISSION_DENIED, FILE_NOT_FOUND, NOT_A_FILE, EMPTY_FILE, READ_FAILED, UNSUPPORTED_CODEC,
     NO_AUDIO_FORMAT, BAD_SIZES, OUT_OF_MEMORY, NO_AUDIO_STREAM, NO_DECODABLE_AUDIO, NOT_AUDIO))}


class DecodeError(Exception):
    """The file could not be decoded; the message is one of ``REASONS``."""


def os_reason(exc: OSError) -> str:
    if isinstance(exc, PermissionError) or exc.errno in (errno.EACCES, errno.EPERM):
        return PERMISSION_DENIED
    if isinstance(exc, FileNotFoundError) or exc.errno == errno.ENOENT:
        return FILE_NOT_FOUND
    if isinstance(exc, IsADirectoryError) or exc.errno in (errno.EISDIR, errno.ENXIO):
        return NOT_A_FILE
    if exc.errno == errno.EIO:
        return READ_FAILED
    return ""


def check_file(path: str) -> None:
    """Raise DecodeError for a path no decoder should even try: absent, unreadable (also
    inside an unreadable folder), not a regular file, or empty."""
    try:
        info = os.stat(path)
    except OSError as exc:
        raise DecodeError(os_reason(exc) or FILE_NOT_FOUND) from None
    if not stat.S_ISREG(info.st_mode):
        raise DecodeError(NOT_A_FILE)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except OSError as exc:
        raise DecodeError(os_reason(exc) or READ_FAILED) from None
    os.close(fd)
    if info.st_size == 0:
        raise DecodeError(EMPTY_FILE)


def reason_for(exc: BaseException, path: str | None = None) -> str:
    """The readable reason for what a decoder raised on ``path``."""
    if isinstance(exc, DecodeError) and str(exc) in REASONS:
        return str(exc)
    if isinstance(exc, MemoryError):
        return OUT_OF_MEMORY
    if isinstance(exc, OverflowError):
        return BAD_SIZES
    text = str(exc).lower()
    if isinstance(exc, OSError) and not _is_ffmpeg_error(exc):
        reason = os_reason(exc)
        if reason:
            return reason
    if path is not None and ("does not exist" in text or "no such file" in text):
        # libsndfile says "does not exist" for files it merely does not recognise.
        try:
            check_file(path)
        except DecodeError as problem:
            return str(problem)
        return NOT_AUDIO
    if "permission denied" in text:
        return PERMISSION_DENIED
    if "avcodec_open2" in text or "decoder not found" in text or "codec" in text:
        return UNSUPPORTED_CODEC
    if "channel" in text or "sample rate" in text or "samplerate" in text:
        return NO_AUDIO_FORMAT
    if "offset-sized" in text or "too large" in text or "overflow" in text:
        return BAD_SIZES
    return NOT_AUDIO


def _is_ffmpeg_error(exc: OSError) -> bool:
    # PyAV's errors are OSErrors carrying FFmpeg's (negative, or FourCC) error codes.
    return type(exc).__module__.startswith("av")


def better_reason(first: str, second: str) -> str:
    return min((first, second), key=lambda r: _RANK.get(r, len(_RANK)))


def one_line(exc: BaseException) -> str:
    """An exception as one short line (for logs; users get ``reason_for``)."""
    text = str(exc).strip().splitlines()
    message = text[0] if text else type(exc).__name__
    return message[:200]
