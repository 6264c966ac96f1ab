"""The player as the session drives it: what it last said, and what it is asked to do.

The position, duration and pause state last heard (the player's own values while it is
open), the pre-buffered next track, the "stopped" events still to come for plays the
session left, and the ReplayGain applied to each track. Without a player (``musitui
recommend``) or without an audio output, ``live`` is None and ``silent()`` says why.
"""

from __future__ import annotations

from musitui.config import PlaybackConfig
from musitui.core.contracts import PlayerControl
from musitui.core.model import Track


def replaygain_db(track: Track, playback: PlaybackConfig) -> float:
    """The gain the player applies to ``track``: its track (or album) gain plus the preamp."""
    mode = playback.replaygain
    if mode == "off" or not track.replaygain:
        return 0.0
    key = "album_gain" if mode == "album" and "album_gain" in track.replaygain else "track_gain"
    return float(track.replaygain.get(key, 0.0)) + playback.replaygain_preamp_db


class Transport:
    def __init__(self, player: PlayerControl | None, playback: PlaybackConfig) -> None:
        self.player = player
        self.playback = playback
        self.position = 0.0
        self.duration = 0.0
        self.paused = False
        self.next_path: str | None = None
        # Files whose "stopped" the player will still send for a play the session left.
        self.stale_stops: list[str] = []

    @property
    def live(self) -> PlayerControl | None:
        """The player when an output is open, else None."""
        player = self.player
        return player if player is not None and player.available else None

    def silent(self) -> str:
        why = self.player.problem if self.player is not None else None
        return f"nothing plays: {why or 'no audio output was opened'}"

    def gain(self, track: Track) -> float:
        return replaygain_db(track, self.playback)

    def reset(self, duration: float, position: float = 0.0, *, paused: bool = False) -> None:
        self.position, self.duration, self.paused = position, duration, paused

    def leave(self, player: PlayerControl) -> None:
        """Another play is about to start: the player will post a "stopped" for the one it
        leaves, which is not the end of ours."""
        self.next_path = None
        left = player.current_path
        if left is not None and player.state != "stopped":
            self.stale_stops.append(left)

    def is_stale_stop(self, path: str | None) -> bool:
        if path is not None and path in self.stale_stops:
            self.stale_stops.remove(path)
            return True
        return False

    def set_next(self, head: Track | None) -> None:
        """Keep the player's pre-buffered next track equal to the head of Up next."""
        player = self.live
        path = head.path if head is not None else None
        if player is not None and path != self.next_path:
            self.next_path = path
            player.set_next(path, gain_db=self.gain(head) if head is not None else 0.0)
