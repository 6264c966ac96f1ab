"""A portable player's ``.scrobbler.log`` (Audioscrobbler 1.1, as Rockbox writes it).

Header lines ``#AUDIOSCROBBLER/1.1``, ``#TZ/UTC`` or ``#TZ/UNKNOWN`` (the player's local
clock: read in this computer's time zone), ``#CLIENT/...``; then one tab-separated line per
song: artist, album, track, number, seconds, ``L`` (listened: a finish) or ``S`` (skipped),
the time it started, MusicBrainz id.
"""

from __future__ import annotations

import time

from musitui.imports.listens import NotUnderstood, Reading, Scrobble, decode_text

SOURCE = "scrobbler"
MAGIC = "#AUDIOSCROBBLER/"


def read(data: bytes, name: str) -> Reading:
    lines = decode_text(data).split("\n")
    if not lines[0].startswith(MAGIC):
        raise NotUnderstood(f"does not start with {MAGIC}1.1")
    local_clock = False
    reading = Reading(name)
    for number, raw in enumerate(lines, 1):
        line = raw.rstrip("\r")
        if not line.strip():
            continue
        if line.startswith("#"):
            if line.startswith("#TZ/"):
                local_clock = line[4:].strip().upper() != "UTC"
            continue
        reading.add(_listen(line, number, local_clock), f"line {number}")
    return reading.checked()


def _listen(line: str, number: int, local_clock: bool) -> Scrobble:
    fields = line.split("\t")
    if len(fields) not in (7, 8):
        raise NotUnderstood(f"line {number} has {len(fields)} tab-separated fields, expected 7 or 8")
    artist, album, title, _track_no, seconds, rating, started = fields[:7]
    if rating not in ("L", "S"):
        raise NotUnderstood(f"line {number}: rating {rating[:10]!r} is neither L nor S")
    try:
        start = float(int(started))
        duration = float(int(seconds)) if seconds.strip() else None
    except ValueError:
        raise NotUnderstood(f"line {number}: {started[:20]!r} or {seconds[:20]!r} is not a "
                            "whole number of seconds") from None
    if local_clock:
        start = _local_to_utc(start)
    if not artist.strip() or not title.strip():
        raise NotUnderstood(f"line {number} has no artist or track")
    return Scrobble(start=start, artist=artist.strip(), title=title.strip(), album=album.strip(),
                    duration=duration if duration else None, skipped=rating == "S",
                    source=SOURCE)


def _local_to_utc(wall: float) -> float:
    """A time the player's clock showed (seconds as if it were UTC) in this computer's zone."""
    try:
        return time.mktime((*time.gmtime(wall)[:8], -1))  # -1: the zone says if DST
    except (OverflowError, OSError, ValueError):
        return wall  # out of range: the date check refuses it
