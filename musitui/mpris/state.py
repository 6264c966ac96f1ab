"""What MPRIS reports, read from the session: plain values, no D-Bus (testable alone).

``snapshot(session, art_url)`` is the Player interface's state at one moment; the service
compares successive snapshots and announces what changed (PropertiesChanged).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from musitui.core.contracts import RemoteSession
    from musitui.core.model import Track

TRACK_PATH = "/org/musitui/track/"
NO_TRACK = "/org/mpris/MediaPlayer2/TrackList/NoTrack"
MICROSECONDS = 1_000_000


def track_object_path(track_id: int | None) -> str:
    return f"{TRACK_PATH}{int(track_id)}" if track_id is not None else NO_TRACK


def art_url(path: Path | None) -> str:
    return path.resolve().as_uri() if path is not None else ""


@dataclass(frozen=True)
class Snapshot:
    status: str = "Stopped"  # "Playing", "Paused", "Stopped"
    # (key, D-Bus signature, value) triples: a Metadata a{sv} without the Variant wrapping
    metadata: tuple[tuple[str, str, object], ...] = ()
    volume: float = 0.0
    can_play: bool = False
    can_pause: bool = False
    can_seek: bool = False
    can_go_next: bool = False
    can_go_previous: bool = False


def playback_status(session: RemoteSession) -> str:
    if session.now_playing is None:
        return "Stopped"
    player = session.player
    state = player.state if player is not None else None
    if state in ("playing", "paused"):
        return "Playing" if state == "playing" else "Paused"
    return "Paused" if session.paused else "Playing"


def metadata(track: Track | None, duration: float, art: str) -> tuple[tuple[str, str, object], ...]:
    if track is None:
        return (("mpris:trackid", "o", NO_TRACK),)
    title = track.title or Path(track.path).stem
    fields: list[tuple[str, str, object]] = [
        ("mpris:trackid", "o", track_object_path(track.id)),
        ("xesam:title", "s", title),
        ("xesam:url", "s", Path(track.path).as_uri() if Path(track.path).is_absolute() else ""),
    ]
    if track.artist:
        fields.append(("xesam:artist", "as", [track.artist]))
    if track.album:
        fields.append(("xesam:album", "s", track.album))
    length = duration or float(track.duration or 0.0)
    if length > 0:
        fields.append(("mpris:length", "x", int(length * MICROSECONDS)))
    if art:
        fields.append(("mpris:artUrl", "s", art))
    return tuple(fields)


def snapshot(session: RemoteSession, art: str = "") -> Snapshot:
    track = session.now_playing
    player = session.player
    playable = player is not None and bool(player.available)
    has_next = bool(session.up_next)
    return Snapshot(
        status=playback_status(session),
        metadata=metadata(track, float(session.duration or 0.0) if track is not None else 0.0, art),
        volume=0.0 if session.muted else int(session.volume) / 100.0,
        can_play=playable and (track is not None or has_next),
        can_pause=playable and track is not None,
        can_seek=playable and track is not None,
        can_go_next=playable and has_next,
        can_go_previous=playable and track is not None,
    )
