"""What every reader produces: one ``Scrobble`` per listen, and the checks they share.

A reader either understands a whole file or raises ``NotUnderstood`` with one line saying
what is wrong; nothing is imported from a file it refuses.
"""

from __future__ import annotations

import calendar
import codecs
import time
from dataclasses import dataclass, field
from typing import Any

import orjson

# A listen before 1990 or more than a day ahead of now is not a time, it is damage (a clock
# never set, milliseconds read as seconds...).
EARLIEST = 631_152_000.0  # 1990-01-01
FUTURE_SLACK = 86_400.0
# A file with more implausible dates than this share of its listens is not understood;
# below it, those listens are left out and counted (Last.fm keeps a few 1970 scrobbles).
MAX_BAD_DATE_SHARE = 0.01

_MONTHS = {name: number for number, name in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1)}


class NotUnderstood(Exception):
    """A file that is not a listening history musitui can read; the message is one line."""


class NotAHistory(NotUnderstood):
    """A file of another kind altogether (a Spotify ``Userdata.json``): in a folder or an
    archive it is passed over, named in one line with the others."""


@dataclass(frozen=True, slots=True)
class Scrobble:
    """One listen as a service recorded it."""

    start: float  # when it began, seconds since 1970 (UTC)
    artist: str
    title: str
    album: str = ""
    duration: float | None = None  # the track's length as the source knows it
    heard: float | None = None  # seconds played, when the source says (Spotify)
    # How the play ended, in ``recommend.outcomes``'s words ("end": ran out, "next": the
    # listener moved on, "previous", "quit", "error"); only Spotify says.
    ending: str = "next"
    skipped: bool = False  # the source calls it a skip (Spotify's skipped, the log's S)
    source: str = ""


@dataclass
class Reading:
    """What one file held: its listens, and what was left out of it."""

    name: str
    listens: list[Scrobble] = field(default_factory=list)
    not_music: int = 0  # podcasts, audiobooks, videos
    private: int = 0  # Spotify's private sessions: meant not to shape recommendations
    bad_dates: int = 0
    first_bad_date: str = ""

    def add(self, listen: Scrobble, where: str) -> None:
        """Keep ``listen`` if its date is plausible; count it (and say where) if not."""
        if EARLIEST <= listen.start <= time.time() + FUTURE_SLACK:
            self.listens.append(listen)
            return
        self.bad_dates += 1
        if not self.first_bad_date:
            self.first_bad_date = f"{where}: {describe_time(listen.start)}"

    def checked(self) -> Reading:
        """Itself, or NotUnderstood when too many of its dates are impossible."""
        total = len(self.listens) + self.bad_dates
        if self.bad_dates and self.bad_dates > MAX_BAD_DATE_SHARE * total:
            raise NotUnderstood(f"{self.bad_dates} of its {total} listens have impossible dates "
                                f"({self.first_bad_date})")
        return self


def describe_time(ts: float) -> str:
    try:
        return time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(ts))
    except (OverflowError, OSError, ValueError):
        return f"{ts:.0f} seconds since 1970"


def decode_text(data: bytes) -> str:
    """UTF-8 (with or without a byte-order mark) or UTF-16 with one; NotUnderstood otherwise."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise NotUnderstood(f"is not valid UTF-16 text ({exc.reason} at byte {exc.start})") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise NotUnderstood(f"is not UTF-8 text (byte 0x{data[exc.start]:02x} on line {line}); "
                            "save it as UTF-8 and import it again") from None


def strip_bom(data: bytes) -> bytes:
    return data[3:] if data.startswith(codecs.BOM_UTF8) else data


def load_json(raw: bytes, where: str = "") -> Any:
    """``raw`` parsed; NotUnderstood naming ``where`` when it is not JSON."""
    try:
        return orjson.loads(strip_bom(raw))
    except orjson.JSONDecodeError as exc:
        said = f"is not JSON ({str(exc).splitlines()[0][:80]})"
        raise NotUnderstood(f"{where} {said}" if where else said) from None


def parse_day_month_year(text: str) -> float | None:
    """``22 May 2014 20:11`` or ``22 May 2014, 20:11`` (UTC) as seconds; None if it is not."""
    parts = text.replace(",", " ").split()
    if len(parts) != 4:
        return None
    day, month, year, clock = parts
    number = _MONTHS.get(month[:3].lower())
    hours, _, minutes = clock.partition(":")
    if number is None or not (day.isdigit() and year.isdigit() and hours.isdigit()
                              and minutes[:2].isdigit()):
        return None
    fields = (int(year), number, int(day), int(hours), int(minutes[:2]))
    if not (1 <= fields[2] <= 31 and fields[3] < 24 and fields[4] < 60):
        return None
    return float(calendar.timegm((*fields, 0, 0, 0, 0)))


def text_field(value: object) -> str:
    """A name from a JSON field: the text, stripped, or "" for anything else."""
    return value.strip() if isinstance(value, str) else ""


def number_field(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if value == value and abs(value) < 1e15 else None
