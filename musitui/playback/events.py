"""What the player tells its subscribers, and the record of one queued track."""

from __future__ import annotations

from dataclasses import dataclass

EVENT_KINDS = frozenset(
    {"start", "position", "end", "stopped", "error", "device_lost", "device_restored", "state"}
)


@dataclass(frozen=True)
class PlayerEvent:
    kind: str
    path: str | None
    position: float
    duration: float
    message: str = ""


@dataclass(eq=False)
class TrackItem:
    """One track handed to the player; ``duration`` is filled in when the decoder opens it."""

    path: str
    gain_db: float = 0.0
    duration: float = 0.0
