"""Last.fm CSV, from the two common exporters:

- with the header ``uts,utc_time,artist,artist_mbid,album,album_mbid,track,track_mbid``
  (every field quoted; ``uts`` is when the track began, in seconds);
- without a header: ``artist,album,track,date`` rows, the date as ``22 May 2014 20:11``
  (UTC; the exporter strips commas from the names).

A scrobble is a listen: each becomes a finish. A row without a time is the track playing
while the export was made (not a scrobble yet) and is left out. Any other CSV is not
understood.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from musitui.imports.listens import (
    NotUnderstood,
    Reading,
    Scrobble,
    decode_text,
    parse_day_month_year,
)

SOURCE = "lastfm"
HEADER = ("uts", "utc_time", "artist", "artist_mbid", "album", "album_mbid", "track", "track_mbid")
SHAPES = ("Last.fm's uts,utc_time,artist,artist_mbid,album,album_mbid,track,track_mbid "
          "header, or artist,album,track,date rows")


def read(data: bytes, name: str) -> Reading:
    rows = csv.reader(io.StringIO(decode_text(data), newline=""))
    try:
        first = next(rows, None)
        if first is None:
            raise NotUnderstood("is empty")
        if [cell.strip().lower() for cell in first[:1]] == ["uts"]:
            return _with_header(first, rows, name)
        return _plain(first, rows, name)
    except csv.Error as exc:
        raise NotUnderstood(f"is not CSV ({exc})") from None


def _with_header(header: list[str], rows: Iterator[list[str]], name: str) -> Reading:
    columns = [cell.strip().lower() for cell in header]
    if any(wanted not in columns for wanted in ("uts", "artist", "track")):
        raise NotUnderstood(f"is a CSV of another shape (expected {SHAPES})")
    uts, artist, album, track = (columns.index(c) if c in columns else -1
                                 for c in ("uts", "artist", "album", "track"))
    reading = Reading(name)
    for number, row in enumerate(rows, 2):
        if not row:
            continue
        if len(row) != len(columns):
            raise NotUnderstood(f"row {number} has {len(row)} fields, the header {len(columns)}")
        if not row[uts].strip():
            continue  # "now playing"
        try:
            start = float(row[uts])
        except ValueError:
            raise NotUnderstood(f"row {number}: uts {row[uts][:30]!r} is not a time") from None
        listen = _listen(start, row[artist], row[album] if album >= 0 else "", row[track])
        if listen is None:
            raise NotUnderstood(f"row {number} has no artist or track")
        reading.add(listen, f"row {number}")
    return reading.checked()


def _plain(first: list[str], rows: Iterator[list[str]], name: str) -> Reading:
    if len(first) == 4 and not first[3].strip():  # "now playing" first
        first = next(rows, first)
    if len(first) != 4 or parse_day_month_year(first[3]) is None:
        raise NotUnderstood(f"is a CSV of another shape (expected {SHAPES})")
    reading = Reading(name)
    for number, row in enumerate([first], 1):
        _plain_row(reading, row, number)
    for number, row in enumerate(rows, 2):
        if row:
            _plain_row(reading, row, number)
    return reading.checked()


def _plain_row(reading: Reading, row: list[str], number: int) -> None:
    if len(row) != 4:
        raise NotUnderstood(f"row {number} has {len(row)} fields, expected 4 "
                            "(artist,album,track,date)")
    if not row[3].strip():
        return  # "now playing"
    start = parse_day_month_year(row[3])
    if start is None:
        raise NotUnderstood(f"row {number}: {row[3][:30]!r} is not a date like 22 May 2014 20:11")
    listen = _listen(start, row[0], row[1], row[2])
    if listen is None:
        raise NotUnderstood(f"row {number} has no artist or track")
    reading.add(listen, f"row {number}")


def _listen(start: float, artist: str, album: str, track: str) -> Scrobble | None:
    artist, track = artist.strip(), track.strip()
    if not artist or not track:
        return None
    return Scrobble(start=start, artist=artist, title=track, album=album.strip(), source=SOURCE)
