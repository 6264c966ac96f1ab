"""Cheap checks, at tag time, for files that parse but are broken.

- Ogg (Vorbis/Opus/FLAC): the last page must carry the end-of-stream flag; a file cut
  short ends without it.
- FLAC: the last frame's header says which sample it ends at; a file cut short ends well
  before the total the stream header announces.
- MP3: the chain of MPEG frames is walked (header lookups only, no decoding); a run of
  bytes that belong to no frame in the middle of the stream means garbled data, and far
  less audio than the header promises means a truncated file.
Anything else is left to decoding, which finds the rest later.
"""

from __future__ import annotations

import os
from typing import Any, BinaryIO

from musitui.library.tags_error import TagError

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


def check(handle: BinaryIO, audio: Any, duration: float) -> None:
    name = type(audio).__name__
    if name in ("OggVorbis", "OggOpus", "OggFLAC", "OggSpeex", "OggTheora"):
        _check_ogg(handle)
    elif name == "MP3":
        _check_mp3(handle, audio, duration)
    elif name == "FLAC":
        _check_flac(handle, audio)


def _check_ogg(handle: BinaryIO) -> None:
    """The last page of the first logical stream must carry the end-of-stream flag."""
    handle.seek(0)
    head = handle.read(27)
    if len(head) < 27 or head[:4] != b"OggS":
        return
    serial = head[14:18]
    size = os.fstat(handle.fileno()).st_size
    start = max(0, size - OGG_TAIL_BYTES)
    handle.seek(start)
    tail = handle.read(OGG_TAIL_BYTES)
    position = len(tail)
    while True:
        position = tail.rfind(b"OggS", 0, position)
        if position < 0:
            if start == 0:
                break
            return  # no page of this stream near the end: leave it to the decoder
        page = tail[position:position + 27]
        if len(page) == 27 and page[4] == 0 and page[14:18] == serial:
            if page[5] & 0x04:
                return
            break
    raise TagError("truncated: the Ogg stream ends without its final page (file cut short?)")


def _check_mp3(handle: BinaryIO, audio: Any, duration: float) -> None:
    size = os.fstat(handle.fileno()).st_size
    if size > MAX_MP3_CHECK_BYTES:
        return
    handle.seek(0)
    data = handle.read(size)  # read(size), not read(limit): a huge n preallocates a buffer
    table = _frame_table()
    start = _audio_start(data)
    position = _sync(data, start, table)
    if position < 0:
        return  # mutagen found frames where we find none (free format?): trust mutagen
    stream_key = table[data[position + 1] << 8 | data[position + 2]][2]
    end = _audio_end(data)
    samples = 0
    rate = getattr(audio.info, "sample_rate", 0) or 44100
    worst_gap, worst_at = 0, 0
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
            worst_gap, worst_at = found - position, position
        position = found
    if worst_gap > GARBAGE_LIMIT:
        percent = int(100 * worst_at / max(1, len(data)))
        raise TagError(f"garbled: {max(1, round(worst_gap / 1024))} KiB of non-audio data inside the MP3 stream "
                       f"(at {percent}% of the file)")
    found_seconds = samples / rate
    if duration > 2 and found_seconds < 0.9 * duration - 0.5:
        raise TagError(f"truncated: only {found_seconds:.1f} s of the {duration:.1f} s "
                       f"the MP3 header announces are in the file")


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


def _check_flac(handle: BinaryIO, audio: Any) -> None:
    info = audio.info
    total = int(getattr(info, "total_samples", 0) or 0)
    rate = int(getattr(info, "sample_rate", 0) or 0)
    fixed = int(getattr(info, "max_blocksize", 0) or 0)
    if not total or not rate or not fixed:
        return
    handle.seek(0, 2)
    size = handle.tell()
    handle.seek(max(0, size - FLAC_TAIL_BYTES))
    tail = handle.read(FLAC_TAIL_BYTES)
    position = len(tail)
    while True:
        position = tail.rfind(b"\xff", 0, position)
        if position < 0:
            return  # no frame header in the tail: leave it to the decoder
        end = _flac_frame_end(tail, position, fixed)
        if end is not None:
            break
    if end < 0.9 * total - 0.5 * rate:
        raise TagError(f"truncated: only {end / rate:.1f} s of the {total / rate:.1f} s "
                       f"the FLAC header announces are in the file")
