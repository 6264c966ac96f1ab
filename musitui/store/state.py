"""What the session resumes from: the queue, the current track and position, volume and mood.

One small JSON file written atomically; a damaged one is moved into the backups folder and
reported, and the session then starts without resuming.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from musitui.core.volume import clamp_volume
from musitui.store.atomic import atomic_write_json, load_json_or_backup

STATE_VERSION = 1


@dataclass
class SessionState:
    track_id: int | None = None
    position: float = 0.0
    volume: int = 80
    muted: bool = False
    mood: str = "auto"
    queue: list[int] = field(default_factory=list)  # the user-queued tracks, in the user's order
    tail: list[int] = field(default_factory=list)  # the recommended rest, as it was shown
    saved_at: float = 0.0
    play_mode: str = "radio"  # radio / in order / shuffle / repeat one / repeat all
    play_source: list[int] = field(default_factory=list)  # the list the mode follows
    play_seed: int = 0  # shuffle's seed

    def to_json(self) -> dict[str, Any]:
        return {"version": STATE_VERSION, **asdict(self)}

    @classmethod
    def from_json(cls, data: object) -> SessionState | None:
        if not isinstance(data, dict) or data.get("version") != STATE_VERSION:
            return None
        try:
            return cls(
                track_id=None if data.get("track_id") is None else int(data["track_id"]),
                position=max(0.0, float(data.get("position", 0.0))),
                volume=round(clamp_volume(data.get("volume", 80))),
                muted=bool(data.get("muted", False)),
                mood=str(data.get("mood", "auto")),
                queue=[int(x) for x in data.get("queue", [])],
                tail=[int(x) for x in data.get("tail", [])],
                saved_at=float(data.get("saved_at", 0.0)),
                play_mode=str(data.get("play_mode", "radio")),
                play_source=[int(x) for x in data.get("play_source", [])],
                play_seed=int(data.get("play_seed", 0)),
            )
        except (TypeError, ValueError):
            return None


def save_state(path: Path, state: SessionState) -> None:
    atomic_write_json(Path(path), state.to_json(), indent=1)


def load_state(path: Path, backups_dir: Path | None = None) -> tuple[SessionState | None, str | None]:
    """``(state, None)``, ``(None, None)`` when there is nothing to resume, or
    ``(None, message)`` when the file was damaged (and moved aside)."""
    data, damaged = load_json_or_backup(Path(path), backups_dir)
    if damaged is not None:
        return None, f"{damaged}; not resuming"
    if data is None:
        return None, None
    state = SessionState.from_json(data)
    if state is None:
        return None, f"{path} is not a musitui state file (ignored)"
    return state, None
