"""Cleaning tag text: whitespace, NULs, mojibake, numbers like "3/0", dates, ID3 genres."""

from __future__ import annotations

import contextlib
import re

# Stored tag text is capped when read: a 1 MB title would otherwise be copied into every
# history event and every catalog save.
MAX_TAG_CHARS = 1000
MAX_LYRICS_CHARS = 64 * 1024

_MOJIBAKE_MARKERS = ("Ã", "Â", "â€", "Ð", "Ñ", "Å", "Ä", "Æ", "Ø", "Ù", "ã", "ï»¿")
_NUMBER = re.compile(r"\s*(\d+)")
_YEAR = re.compile(r"(?<!\d)(\d{4})(?!\d)")
_NUMERIC_GENRE = re.compile(r"^\(?(\d{1,3})\)?$")


def _cp1252_reverse() -> dict[str, int]:
    table = {}
    for byte in range(128, 256):
        with contextlib.suppress(UnicodeDecodeError):  # 5 bytes are undefined in cp1252
            table[bytes([byte]).decode("cp1252")] = byte
    return table


_CP1252 = _cp1252_reverse()


def fix_mojibake(text: str) -> str:
    """Undo UTF-8 that was decoded as Latin-1/cp1252 ("CafÃ©" -> "Café"); else unchanged."""
    if text.isascii() or not any(marker in text for marker in _MOJIBAKE_MARKERS):
        return text
    raw = bytearray()
    for char in text:
        code = ord(char)
        if code < 256:
            raw.append(code)
        elif char in _CP1252:
            raw.append(_CP1252[char])
        else:
            return text
    try:
        fixed = raw.decode("utf-8")
    except UnicodeDecodeError:
        return text
    return fixed if fixed != text else text


def clean(value: object) -> str:
    """One tag value as tidy text: first of a list, NULs dropped, trimmed, mojibake undone."""
    if isinstance(value, list | tuple):
        for item in value:
            text = clean(item)
            if text:
                return text
        return ""
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    text = str(value)
    if len(text) > MAX_TAG_CHARS:
        text = text[: MAX_TAG_CHARS * 2]  # room for the trimming below; capped after it
    if "\x00" in text or "\ufeff" in text:
        text = text.replace("\x00", " ").replace("\ufeff", "")
    text = text.strip()
    if "  " in text or "\t" in text:
        text = " ".join(text.split())
    text = text if text.isascii() else fix_mojibake(text)
    return cap(text, MAX_TAG_CHARS)


def cap(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters (an ellipsis marks the cut)."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def parse_number(value: object) -> int | None:
    """"3", "3/12", "3/0", " 03 " -> 3; "", "A1", "0" -> None."""
    text = clean(value)
    match = _NUMBER.match(text)
    if not match:
        return None
    number = int(match.group(1))
    return number if 0 < number < 100000 else None


def parse_year(value: object) -> int | None:
    """The first plausible four-digit year in a date ("2008-01-02", "1999"); "jan08" -> None."""
    match = _YEAR.search(clean(value))
    if not match:
        return None
    year = int(match.group(1))
    return year if 1000 <= year <= 2999 else None


def resolve_genre(value: str) -> str:
    """ID3v1 numeric genres ("(17)", "17") -> "Rock"; other text unchanged."""
    match = _NUMERIC_GENRE.match(value)
    if not match:
        return value
    from mutagen._constants import GENRES

    index = int(match.group(1))
    return GENRES[index] if index < len(GENRES) else value


def parse_gain(value: object) -> float | None:
    """ReplayGain "-6.20 dB" / "0.988" -> float."""
    text = clean(value).lower().replace("db", "").strip()
    try:
        return float(text)
    except ValueError:
        return None


def title_from_filename(path: str) -> str:
    name = path.rsplit("/", 1)[-1]
    stem = name[: name.rfind(".")] if "." in name else name
    return " ".join(stem.replace("_", " ").split()) or name
