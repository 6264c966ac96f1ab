"""What one listen counts as: the single place the finish / skip / rejection rules live.

The recommender learns from these verdicts, so they must say what the listener did:

- a **finish** is a natural end of the track, or a stop after the listener *heard* at least
  the threshold (``skip_seconds``, or ``skip_fraction`` of a track too short for that).
  What was seeked over is not heard: seeking to the end, or far into the track, and letting
  it run out (or stopping there) is a **skip** unless enough was heard first;
- a stop before the threshold is a **skip**;
- "not this" (``x``) is a **rejection**, wherever it happens in the track; it is logged as a
  skip with ``reason = NOT_THIS`` so every reader of the history counts it as negative;
- going back (``b``), quitting and a decode error are no verdict on the track: nothing is
  logged for them.

Pure Python (no numpy needed): the session measures ``heard`` and hands it in.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

FINISH: Final = "finish"
SKIP: Final = "skip"
REJECT: Final = "reject"
NOT_THIS = "not this"  # the ``reason`` of a skip event that was a rejection
# A seek forward by more than this is "seeking over" part of the track.
SEEK_SLACK_SECONDS = 0.5

Verdict = Literal["finish", "skip", "reject"]
# How a play ended: ran out by itself; the listener moved on (next, another track, stop);
# "not this"; back to the previous track; the program quit; the file could not be decoded.
Ending = Literal["end", "next", "not_this", "previous", "quit", "error"]


@dataclass(frozen=True)
class Listen:
    """What the session saw of one play of a track."""

    heard: float  # seconds actually played: position reached, minus what was seeked over
    duration: float | None
    seeked_forward: bool = False  # some part of the track was seeked over


def threshold(duration: float | None, skip_seconds: float = 30.0, skip_fraction: float = 0.5) -> float:
    """Seconds that must be heard for a stop to count as a finish."""
    if duration and duration > 0:
        return min(skip_seconds, skip_fraction * duration)
    return skip_seconds


def verdict(listen: Listen, ending: Ending, skip_seconds: float = 30.0,
            skip_fraction: float = 0.5) -> Verdict | None:
    """``"finish"``, ``"skip"``, ``"reject"`` or None (nothing to log) for one play."""
    if ending == "not_this":
        return REJECT
    if ending in ("previous", "quit", "error"):
        return None
    enough = listen.heard >= threshold(listen.duration, skip_seconds, skip_fraction)
    if ending == "end" and not listen.seeked_forward:
        return FINISH  # ran out by itself, heard from wherever it started
    return FINISH if enough else SKIP


def is_rejection(event: dict) -> bool:
    """A history event that records a "not this"."""
    return event.get("kind") == SKIP and event.get("reason") == NOT_THIS
