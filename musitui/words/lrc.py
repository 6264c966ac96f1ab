"""Synced lyrics in LRC form: ``[mm:ss.xx]text``, several stamps per line, ``[offset:±ms]``.

``parse_lrc(text) -> Lrc``: timed lines sorted by time (plain lines when there are no
stamps); bad stamps and metadata tags ([ar:], [ti:] ...) are dropped, never fatal. Parsing is
linear in the text: a line's stamps are matched in place (never re-sliced), at most
``MAX_LINES`` lines and ``MAX_TIMED`` timed lines are kept, and an offset is at most 7 digits
of milliseconds (``[offset:`` + 400 digits ``]`` is ignored, as any bad tag is).
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

STAMP = re.compile(r"\[(\d{1,3}):(\d{1,2})(?:[.:](\d{1,3}))?\]")
TAG = re.compile(r"^\[([a-zA-Z#]+):([^\]]*)\]\s*$")
OFFSET = re.compile(r"^\s*([+-]?\d{1,7})\s*$")  # milliseconds: up to ±2.7 hours
MAX_LINES = 5000
MAX_TIMED = 10000  # a line per stamp: 52,000 stamps in one sidecar keep their first 10,000


@dataclass
class Lrc:
    times: list[float] = field(default_factory=list)  # seconds, ascending (offset applied)
    lines: list[str] = field(default_factory=list)
    offset_ms: int = 0

    @property
    def synced(self) -> bool:
        return bool(self.times)

    def index_at(self, seconds: float) -> int | None:
        """The line sung at ``seconds``: the last one whose stamp is <= it (None before the first)."""
        if not self.times:
            return None
        at = bisect.bisect_right(self.times, seconds) - 1
        return at if at >= 0 else None


def _seconds(match: re.Match[str]) -> float | None:
    minutes, secs, frac = match.group(1), match.group(2), match.group(3)
    if int(secs) >= 60:
        return None
    value = int(minutes) * 60 + int(secs)
    if frac:
        value += int(frac) / (10 ** len(frac))
    return float(value)


def parse_lrc(text: str) -> Lrc:
    timed: list[tuple[float, int, str]] = []
    plain: list[str] = []
    offset_ms = 0
    for number, raw in enumerate(text.splitlines()[:MAX_LINES]):
        line = raw.strip()
        tag = TAG.match(line)
        if tag and not STAMP.match(line):
            offset = OFFSET.match(tag.group(2)) if tag.group(1).lower() == "offset" else None
            if offset:
                offset_ms = int(offset.group(1))
            continue
        stamps: list[float] = []
        at = 0
        while (match := STAMP.match(line, at)) is not None:
            seconds = _seconds(match)
            if seconds is not None and len(timed) + len(stamps) < MAX_TIMED:
                stamps.append(seconds)
            at = match.end()
        if at:
            words = line[at:].strip()
            timed.extend((s, number, words) for s in stamps)
        elif line and not line.startswith("["):
            plain.append(line)
    if not timed:
        return Lrc(lines=plain, offset_ms=offset_ms)
    timed.sort()
    # A positive offset shows the lines sooner (the LRC convention).
    shift = offset_ms / 1000.0
    return Lrc(times=[max(0.0, t - shift) for t, _, _ in timed], lines=[w for _, _, w in timed],
               offset_ms=offset_ms)


def looks_synced(text: str) -> bool:
    return any(STAMP.match(line.strip()) for line in text.splitlines()[:200])


def to_lrc(pairs: list[tuple[str, float]]) -> str:
    """(text, seconds) pairs (e.g. an ID3 SYLT frame) as LRC text."""
    out = []
    for words, seconds in pairs:
        seconds = max(0.0, seconds)
        minutes, secs = divmod(seconds, 60.0)
        out.append(f"[{int(minutes):02d}:{secs:05.2f}]{words.strip()}")
    return "\n".join(out)


def plain_text(text: str) -> str:
    """The words only (stamps and tags removed): what the sentiment model reads."""
    lrc = parse_lrc(text)
    return "\n".join(line for line in lrc.lines if line)
