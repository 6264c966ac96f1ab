"""What a stored history event must look like, checked wherever events come from disk.

A record that fails (``"seq": "x"``, ``"ts": "yesterday"``, a session that is a string) is
skipped with a message by whoever reads it (journal, shards, ``history import``); the rest of
the history still loads, and nothing downstream (aggregates, recommend) ever sees it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeGuard

from musitui.untrusted import fits_int64

if TYPE_CHECKING:
    from musitui.core.model import Track

# "note": a note on a track; notes live in musitui.store.notes and travel in exports as events.
KINDS = ("play", "finish", "skip", "queue", "dequeue", "mood", "note")
# Timestamps are seconds since 1970; anything past the year 3000 is not a time, it is damage.
MAX_TS = 32_503_680_000.0
_NUMBERS = ("position", "listened", "duration")
_TEXTS = ("path", "artist", "title", "mood")


LISTENS = ("play", "finish", "skip")


class HistoryError(Exception):
    """A history operation that cannot be done; the message is one line for the user."""


@dataclass(frozen=True)
class Entry:
    """One event to log: its kind, the catalog track (None for e.g. a mood change), when
    (None: now) and its other fields (``position``, ``mood``, anything JSON-serialisable)."""

    kind: str
    track: Track | None = None
    ts: float | None = None
    fields: dict[str, object] = field(default_factory=dict)


def listen_entry(kind: str, track: Track, *, position: float | None = None,
                 duration: float | None = None, mood: str | None = None,
                 ts: float | None = None, reason: str | None = None) -> Entry:
    """A play/finish/skip of ``track``: the one shape the session and ``musitui event`` share.
    Which one a listen was is decided by ``musitui.recommend.outcomes``; ``reason`` says why
    a skip was one (``"not this"``)."""
    duration = duration or track.duration or None
    if kind == "finish" and position is None:
        position = duration
    listened = None if kind == "play" else position
    return Entry(kind, track, ts, {"position": position, "listened": listened,
                                   "duration": duration, "mood": mood, "reason": reason})


def new_event(entry: Entry, seq: int, ts: float, session: int) -> dict[str, Any]:
    """The stored form of ``entry``: numbered, timed, in its listening session, the track's
    id, path, artist and title copied (to re-link it if the file moves), None fields left out."""
    event: dict[str, Any] = {"seq": seq, "ts": round(ts, 3), "kind": entry.kind, "session": session}
    track = entry.track
    if track is not None:
        event.update(track_id=track.id, path=track.path, artist=track.artist, title=track.title)
    for key, value in entry.fields.items():
        if value is not None:
            event[key] = round(value, 3) if isinstance(value, float) else value
    return event


def _is_int(value: object) -> TypeGuard[int]:
    """A whole number an int64 column holds (a 40-digit seq is damage, not a number)."""
    return fits_int64(value)


def _is_number(value: object) -> TypeGuard[int | float]:
    return (isinstance(value, int | float) and not isinstance(value, bool)
            and math.isfinite(value))


def event_problem(event: object, *, numbered: bool = True) -> str | None:
    """Why ``event`` cannot be used, in a few words; None when it is fine.

    ``numbered=False`` for events being imported (they are numbered on the way in).
    """
    if not isinstance(event, dict):
        return "not an event object"
    if numbered:
        seq = event.get("seq")
        if not _is_int(seq) or seq < 0:
            return f"seq {seq!r} is not a whole number"
    kind = event.get("kind")
    if kind not in KINDS:
        return f"kind {kind!r} is not one of {', '.join(KINDS)}"
    ts = event.get("ts")
    if not _is_number(ts) or not 0 <= ts <= MAX_TS:
        return f"ts {ts!r} is not a time (seconds since 1970)"
    session = event.get("session")
    if session is not None and (not _is_int(session) or session < 0):
        return f"session {session!r} is not a whole number"
    track_id = event.get("track_id")
    if track_id is not None and not _is_int(track_id):
        return f"track_id {track_id!r} is not a whole number"
    for name in _NUMBERS:
        value = event.get(name)
        if value is not None and (not _is_number(value) or value < 0):
            return f"{name} {value!r} is not a number of seconds"
    for name in _TEXTS:
        value = event.get(name)
        if value is not None and not isinstance(value, str):
            return f"{name} is not text"
    return None


def valid_events(records: list[Any], problems: list[str] | None = None) -> list[dict[str, Any]]:
    """The records that are usable events; a line per skipped one goes to ``problems``."""
    good: list[dict[str, Any]] = []
    for record in records:
        problem = event_problem(record)
        if problem is None:
            good.append(record)
        elif problems is not None:
            problems.append(problem)
    return good
