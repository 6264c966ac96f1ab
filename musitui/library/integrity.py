"""Cheap checks, at tag time, for files that parse but are broken.

- Ogg (Vorbis/Opus/FLAC): the last page must carry the end-of-stream flag; a file cut
  short ends without it.
- MP3: the chain of MPEG frames is walked (header lookups only, no decoding); a run of
  bytes that belong to no frame in the middle of the stream means garbled data, and far
  less audio than the header promises means a truncated file.
Anything else is left to decoding, which finds the rest later.
"""

from __future__ import annotations

from typing import Any, BinaryIO

from musitui.library.tags_error import TagError

MAX_MP3_CHECK_BYTES = 64 * 1024 * 1024
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


def _check_ogg(handle: BinaryIO) -> None:
    from mutagen.ogg import OggPage

    handle.seek(0)
    try:
        first = OggPage(handle)
        last = OggPage.find_last(handle, first.serial, finishing=True)
    except Exception:
        return  # mutagen parsed the file; leave odd layouts to the decoder
    if last is None or not last.last:
        raise TagError("truncated: the Ogg stream ends without its final page (file cut short?)")


def _check_mp3(handle: BinaryIO, audio: Any, duration: float) -> None:
    handle.seek(0)
    data = handle.read(MAX_MP3_CHECK_BYTES + 1)
    if len(data) > MAX_MP3_CHECK_BYTES:
        return
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
        raise TagError(f"truncated: only {found_seconds:.0f} s of the {duration:.0f} s "
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
