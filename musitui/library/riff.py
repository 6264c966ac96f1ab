"""RIFF INFO tags of WAV files (INAM, IART, ...), which mutagen does not read."""

from __future__ import annotations

import struct
from typing import Any, BinaryIO

from musitui.library.text import clean, parse_number, parse_year, resolve_genre

_INFO_FIELDS = {b"INAM": "title", b"IART": "artist", b"IPRD": "album", b"IGNR": "genre",
                b"ICRD": "year", b"IPRT": "track_no", b"ITRK": "track_no"}
MAX_CHUNKS = 64


def read_riff_info(handle: BinaryIO) -> dict[str, Any]:
    """Fields from the LIST/INFO chunk; {} when there is none or the file is odd."""
    try:
        handle.seek(0)
        header = handle.read(12)
        if len(header) < 12 or header[:4] != b"RIFF" or header[8:12] != b"WAVE":
            return {}
        position = 12
        for _ in range(MAX_CHUNKS):
            handle.seek(position)
            chunk = handle.read(8)
            if len(chunk) < 8:
                return {}
            chunk_id, size = chunk[:4], struct.unpack("<I", chunk[4:])[0]
            if chunk_id == b"LIST" and handle.read(4) == b"INFO":
                return _parse_info(handle.read(min(size - 4, 1 << 20)))
            position += 8 + size + (size & 1)
    except (OSError, struct.error):
        return {}
    return {}


def _parse_info(data: bytes) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    offset = 0
    while offset + 8 <= len(data):
        key, size = data[offset:offset + 4], struct.unpack("<I", data[offset + 4:offset + 8])[0]
        raw = data[offset + 8:offset + 8 + size].split(b"\x00", 1)[0]
        offset += 8 + size + (size & 1)
        name = _INFO_FIELDS.get(key)
        if name is None or name in fields:
            continue
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            text = raw.decode("cp1252", "replace")
        value: Any = clean(text)
        if name == "year":
            value = parse_year(value)
        elif name == "track_no":
            value = parse_number(value)
        elif name == "genre":
            value = resolve_genre(value)
        if value:
            fields[name] = value
    return fields
