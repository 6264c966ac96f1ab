"""Cheap checks, at tag time, for files that parse but are damaged.

A damaged file that still decodes is a track: these checks never reject a file, they return
a ``Finding`` (a warning saying what is wrong and where, and the decodable duration when it
differs from the header's) for the catalog to keep beside the track.

- Ogg (Vorbis/Opus/FLAC): the last page should carry the end-of-stream flag; a file cut
  short (or written by a muxer that never closed the stream) ends without it.
- FLAC: the last frame's header says which sample it ends at; a file cut short ends well
  before the total the stream header announces.
- MP3: the chain of MPEG frames is walked (header lookups only, no decoding); a run of
  bytes that belong to no frame in the middle of the stream is damaged data (decoders
  resynchronise after it), and far less audio than the header promises is a cut file.
- MP4/M4A: an ``mdat`` atom that runs past the end of the file is a cut file.
Anything else is left to decoding: when a check cannot tell damage from an unusual valid
file it says nothing, and the analysis's decode decides.
"""

from __future__ import annotations

import os
from typing import Any, BinaryIO, Literal, NamedTuple

MAX_MP3_CHECK_BYTES = 64 * 1024 * 1024
OGG_TAIL_BYTES = 128 * 1024  # an Ogg page is at most ~64 KiB
GARBAGE_LIMIT = 4096  # bytes of non-frame data tolerated inside the stream
CONFIRM_FRAMES = 3

_BITRATES = {  # (version is MPEG-1, layer) -> kbit/s by index
    (True, 1): (0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448),
    (True, 2): (0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384),
    (True, 3): (0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320),
    (False, 1): (0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256),
    (False, 2): (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160),
    (False, 3): (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160),
}
_RATES = {3: (44100, 48000, 32000), 2: (22050, 24000, 16000), 0: (11025, 12000, 8000)}
_TABLE: list[tuple[int, int, int]] | None = None  # (b1 << 8 | b2) -> (length, samples, stream key)


def _frame_table() -> list[tuple[int, int, int]]:
    global _TABLE
    if _TABLE is not None:
        return _TABLE
    table = [(0, 0, 0)] * 65536
    for b1 in range(0xE0, 0x100):
        version = (b1 >> 3) & 3
        layer_bits = (b1 >> 1) & 3
        if version == 1 or layer_bits == 0:
            continue
        layer = 4 - layer_bits
        mpeg1 = version == 3
        for b2 in range(256):
            bitrate_index, rate_index, padding = b2 >> 4, (b2 >> 2) & 3, (b2 >> 1) & 1
            if bitrate_index in (0, 15) or rate_index == 3:
                continue
            bitrate = _BITRATES[(mpeg1, layer)][bitrate_index] * 1000
            rate = _RATES[version][rate_index]
            if layer == 1:
                length, samples = (12 * bitrate // rate + padding) * 4, 384
            elif layer == 3 and not mpeg1:
                length, samples = 72 * bitrate // rate + padding, 576
            else:
                length, samples = 144 * bitrate // rate + padding, 1152
            key = (b1 & 0xFE) << 8 | (b2 & 0x0C)
            table[b1 << 8 | b2] = (length, samples, key)
    _TABLE = table
    return table


class Finding(NamedTuple):
    warning: str
    duration: float | None = None  # the decodable length when the header's is wrong


def clock(seconds: float) -> str:
    """``1:23`` (or ``1:02:03``) for a warning's positions."""
    total = max(0, int(seconds))
    hours, rest = divmod(total, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60}:{rest % 60:02d}"


def check(handle: BinaryIO, audio: Any, duration: float) -> Finding | None:
    """What is wrong with this parsed file, or None when nothing cheap to see is."""
    name = type(audio).__name__
    if name in ("OggVorbis", "OggOpus", "OggFLAC", "OggSpeex", "OggTheora"):
        return _check_ogg(handle, duration)
    if name == "MP3":
        return _check_mp3(handle, audio, duration)
    if name == "FLAC":
        return _check_flac(handle, audio)
    if name == "MP4":
        return _check_mp4(handle, duration)
    if name in ("WAVE", "AIFF"):
        return _check_pcm(handle, duration, name == "WAVE")
    return None


def _check_ogg(handle: BinaryIO, duration: float) -> Finding | None:
    """The last page of the first logical stream should carry the end-of-stream flag; a
    last page whose bytes run past the end of the file was cut. (mutagen's duration comes
    from the last complete page: it is already the decodable length.)"""
    handle.seek(0)
    head = handle.read(27)
    if len(head) < 27 or head[:4] != b"OggS":
        return None
    serial = head[14:18]
    size = os.fstat(handle.fileno()).st_size
    start = max(0, size - OGG_TAIL_BYTES)
    handle.seek(start)
    tail = handle.read(OGG_TAIL_BYTES)
    position = len(tail)
    cut = False
    while True:
        position = tail.rfind(b"OggS", 0, position)
        if position < 0:
            if start == 0:
                break
            return None  # no page of this stream near the end: leave it to the decoder
        page = tail[position:position + 27]
        if len(page) == 27 and page[4] == 0:
            segments = tail[position + 27:position + 27 + page[26]]
            if position + 27 + page[26] + sum(segments) > len(tail) or len(segments) < page[26]:
                cut = True  # this page was cut: look at the complete one before it
                continue
            if page[14:18] != serial:
                continue
            if page[5] & 0x04:
                return None
            break
    if cut:
        return Finding(f"cut short: the last Ogg page is incomplete; audio ends at {clock(duration)}")
    return Finding("no end-of-stream page (the Ogg stream was not closed; it may be cut short)")


def _check_mp3(handle: BinaryIO, audio: Any, duration: float) -> Finding | None:
    size = os.fstat(handle.fileno()).st_size
    if size > MAX_MP3_CHECK_BYTES:
        return None
    handle.seek(0)
    data = handle.read(size)  # read(size), not read(limit): a huge n preallocates a buffer
    table = _frame_table()
    start = _audio_start(data)
    position = _sync(data, start, table)
    if position < 0:
        return None  # mutagen found frames where we find none (free format?): trust mutagen
    stream_key = table[data[position + 1] << 8 | data[position + 2]][2]
    end = _audio_end(data)
    samples = 0
    rate = getattr(audio.info, "sample_rate", 0) or 44100
    worst_gap, worst_at, skipped = 0, 0.0, 0
    while position + 4 <= end:
        entry = table[data[position + 1] << 8 | data[position + 2]] if data[position] == 0xFF else None
        if entry is not None and entry[0] and entry[2] == stream_key:
            samples += entry[1]
            position += entry[0]
            continue
        found = _sync(data, position + 1, table, stream_key, end)
        if found < 0:
            break  # trailing bytes after the last frame: tags or padding
        if found - position > worst_gap:
            worst_gap, worst_at = found - position, samples / rate
        skipped += found - position
        position = found
    found_seconds = samples / rate
    if worst_gap > GARBAGE_LIMIT:
        return Finding(f"damaged data at {clock(worst_at)}, {max(1, round(skipped / 1024))} KiB skipped",
                       round(found_seconds, 3))
    if duration > 2 and found_seconds < 0.9 * duration - 0.5:
        return Finding(f"cut short: audio ends at {clock(found_seconds)} of {clock(duration)}",
                       round(found_seconds, 3))
    return None


def _audio_start(data: bytes) -> int:
    position = 0
    while data[position:position + 3] == b"ID3" and len(data) >= position + 10:
        size_bytes = data[position + 6:position + 10]
        size = 0
        for byte in size_bytes:
            size = (size << 7) | (byte & 0x7F)
        footer = 10 if data[position + 5] & 0x10 else 0
        position += 10 + size + footer
    return position


def _audio_end(data: bytes) -> int:
    end = len(data)
    if end >= 128 and data[end - 128:end - 125] == b"TAG":
        end -= 128
    if end >= 32 and data[end - 32:end - 24] == b"APETAGEX":
        size = int.from_bytes(data[end - 20:end - 16], "little")
        end = max(0, end - size - 32)
    return end


def _sync(data: bytes, position: int, table: list[tuple[int, int, int]],
          stream_key: int | None = None, end: int | None = None) -> int:
    """The next offset where CONFIRM_FRAMES consistent frames follow one another, or -1."""
    end = len(data) if end is None else end
    while True:
        position = data.find(b"\xff", position, end - 3)
        if position < 0:
            return -1
        entry = table[data[position + 1] << 8 | data[position + 2]]
        if entry[0] and (stream_key is None or entry[2] == stream_key):
            key, probe, ok = entry[2], position, True
            for _ in range(CONFIRM_FRAMES):
                length = table[data[probe + 1] << 8 | data[probe + 2]][0] \
                    if probe + 3 < end and data[probe] == 0xFF else 0
                if not length or table[data[probe + 1] << 8 | data[probe + 2]][2] != key:
                    ok = probe >= end and probe > position  # the chain ran to the end: fine
                    break
                probe += length
            if ok:
                return position
        position += 1


FLAC_TAIL_BYTES = 256 * 1024


def _crc8(data: bytes) -> int:
    crc = 0
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = ((crc << 1) ^ 0x07) & 0xFF if crc & 0x80 else (crc << 1) & 0xFF
    return crc


def _flac_frame_end(data: bytes, at: int, fixed_blocksize: int) -> int | None:
    """The sample index where the FLAC frame whose header starts at ``at`` ends, or None
    when these bytes are not a valid frame header (checked with its CRC-8)."""
    if at + 6 > len(data) or data[at] != 0xFF or data[at + 1] not in (0xF8, 0xF9):
        return None
    variable = data[at + 1] == 0xF9
    size_code, rate_code = data[at + 2] >> 4, data[at + 2] & 0x0F
    channels, reserved = data[at + 3] >> 4, data[at + 3] & 0x01
    if size_code == 0 or rate_code == 15 or channels >= 11 or reserved:
        return None
    first = data[at + 4]
    extra = next((n for n, mask in enumerate((0x80, 0x40, 0x20, 0x10, 0x08, 0x04, 0x02))
                  if not first & mask), None)
    if extra is None or extra == 1:
        return None
    number = first & (0x7F >> extra) if extra else first
    position = at + 5
    extra = max(0, extra - 1)
    for _ in range(extra):
        if position >= len(data) or data[position] & 0xC0 != 0x80:
            return None
        number = (number << 6) | (data[position] & 0x3F)
        position += 1
    if size_code == 1:
        block = 192
    elif size_code <= 5:
        block = 576 << (size_code - 2)
    elif size_code == 6:
        block = data[position] + 1 if position < len(data) else 0
        position += 1
    elif size_code == 7:
        block = int.from_bytes(data[position:position + 2], "big") + 1
        position += 2
    else:
        block = 256 << (size_code - 8)
    position += {12: 1, 13: 2, 14: 2}.get(rate_code, 0)
    if position >= len(data) or _crc8(data[at:position]) != data[position]:
        return None
    start = number if variable else number * fixed_blocksize
    return start + block


def _check_flac(handle: BinaryIO, audio: Any) -> Finding | None:
    info = audio.info
    total = int(getattr(info, "total_samples", 0) or 0)
    rate = int(getattr(info, "sample_rate", 0) or 0)
    fixed = int(getattr(info, "max_blocksize", 0) or 0)
    if not total or not rate or not fixed:
        return None
    handle.seek(0, 2)
    size = handle.tell()
    handle.seek(max(0, size - FLAC_TAIL_BYTES))
    tail = handle.read(FLAC_TAIL_BYTES)
    position = len(tail)
    while True:
        position = tail.rfind(b"\xff", 0, position)
        if position < 0:
            return None  # no frame header in the tail: leave it to the decoder
        end = _flac_frame_end(tail, position, fixed)
        if end is not None:
            break
    if end < 0.9 * total - 0.5 * rate:
        # The last frame header found starts a frame that may itself be cut: count to its start.
        return Finding(f"cut short: audio ends at {clock(end / rate)} of {clock(total / rate)}",
                       round(end / rate, 3))
    return None


PCM_MAX_CHUNKS = 256


def _check_pcm(handle: BinaryIO, duration: float, riff: bool) -> Finding | None:
    """A WAV ``data`` / AIFF ``SSND`` chunk that claims more bytes than the file holds: the
    audio ends where the file does (PCM: time is proportional to bytes)."""
    size = os.fstat(handle.fileno()).st_size
    handle.seek(0)
    head = handle.read(12)
    if len(head) < 12 or head[:4] not in (b"RIFF", b"FORM"):
        return None
    wanted = b"data" if riff else b"SSND"
    order: Literal["little", "big"] = "little" if riff else "big"
    position = 12
    for _ in range(PCM_MAX_CHUNKS):
        handle.seek(position)
        chunk = handle.read(8)
        if len(chunk) < 8:
            return None
        declared = int.from_bytes(chunk[4:8], order)
        if chunk[:4] == wanted:
            present = size - position - 8
            if declared > present and declared and duration > 0:
                seconds = duration * max(0, present) / declared
                return Finding(f"cut short: audio ends at {clock(seconds)} of {clock(duration)}",
                               round(seconds, 3))
            return None
        position += 8 + declared + (declared & 1)
    return None


MP4_MAX_ATOMS = 4096


def _check_mp4(handle: BinaryIO, duration: float) -> Finding | None:
    """An ``mdat`` that runs past the end of the file: the audio ends about where the file
    does (the share of ``mdat`` present, which is close for AAC's near-constant bitrate)."""
    size = os.fstat(handle.fileno()).st_size
    position = 0
    for _ in range(MP4_MAX_ATOMS):
        handle.seek(position)
        header = handle.read(16)
        if len(header) < 8:
            return None
        atom_size, kind = int.from_bytes(header[:4], "big"), header[4:8]
        start = 8
        if atom_size == 1 and len(header) == 16:
            atom_size, start = int.from_bytes(header[8:16], "big"), 16
        elif atom_size == 0:
            atom_size = size - position  # runs to the end of the file by definition
        if atom_size < start:
            return None  # not an atom chain we understand: leave it to the decoder
        if kind == b"mdat" and position + atom_size > size:
            present = max(0, size - position - start) / max(1, atom_size - start)
            seconds = duration * present
            return Finding(f"cut short: audio ends at about {clock(seconds)} of {clock(duration)}",
                           round(seconds, 3))
        position += atom_size
        if position >= size:
            return None
    return None
