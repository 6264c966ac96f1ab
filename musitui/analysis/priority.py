"""Which tracks are analysed first: those the listener is likely to meet first.

On a big library the first run takes hours; the order decides how soon the player is good.
Both passes (the fast features, then the tagger) take their tracks in this order:

1. the album of the track the player will resume (its resume state);
2. tracks played in the last 30 days, the most recent first (the history's per-track table);
3. tracks under the folders this run was asked to scan (the folder just opened);
4. tracks added in the last 7 days, the newest first;
5. the rest, by path (an album's tracks together, as a listener browses them).

The hints are read once per run, cheaply (the resume file and the history's aggregate
snapshot); any of them missing or unreadable just leaves its tier empty.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from musitui.core.model import Track
from musitui.core.names import fold_name
from musitui.paths import Home

RECENTLY_PLAYED_SECONDS = 30 * 86400.0
RECENTLY_ADDED_SECONDS = 7 * 86400.0


def album_key(track: Track) -> tuple[str, str]:
    return fold_name(track.albumartist or track.artist), fold_name(track.album)


@dataclass(frozen=True)
class Priorities:
    now_album: tuple[str, str] | None = None  # album_key of the track the player resumes
    last_played: Mapping[int, float] = field(default_factory=dict)  # track id -> last play (epoch s)
    folders: tuple[str, ...] = ()  # folders opened in this run
    now: float = 0.0

    def key(self, track: Track) -> tuple[int, float, str]:
        if self.now_album is not None and track.album and album_key(track) == self.now_album:
            return 0, float(track.disc_no or 0) * 1000 + float(track.track_no or 0), track.path
        played = self.last_played.get(track.id)
        if played is not None and self.now - played <= RECENTLY_PLAYED_SECONDS:
            return 1, -played, track.path
        if any(track.path.startswith(folder.rstrip("/") + "/") for folder in self.folders):
            return 2, 0.0, track.path
        if track.added_at and self.now - track.added_at <= RECENTLY_ADDED_SECONDS:
            return 3, -track.added_at, track.path
        return 4, 0.0, track.path


def listener_first(tracks: Sequence[Track], priorities: Priorities | None) -> list[Track]:
    """``tracks`` in the order they should be analysed (a stable sort: ties keep their order)."""
    if priorities is None:
        return list(tracks)
    return sorted(tracks, key=priorities.key)


def priorities_for(home: Home, tracks: Mapping[int, Track], folders: Sequence[str] = ()) -> Priorities:
    """The hints for one run, from the resume state and the history; never raises."""
    now = time.time()
    now_album: tuple[str, str] | None = None
    try:
        from musitui.store.state import load_state

        state, _problem = load_state(home.state_file)
        resumed = tracks.get(state.track_id) if state is not None and state.track_id is not None else None
        if resumed is not None and resumed.album:
            now_album = album_key(resumed)
    except (OSError, ValueError, TypeError):
        now_album = None
    last_played: dict[int, float] = {}
    try:
        from musitui.store.history import History

        history = History.open(home)
        try:
            ids, stats = history.aggregates.track_table()
            last_played = {int(i): float(ts) for i, ts in zip(ids, stats[:, 3], strict=True) if ts > 0}
        finally:
            history.close()
    except (OSError, ValueError, TypeError):
        last_played = {}
    return Priorities(now_album=now_album, last_played=last_played,
                      folders=tuple(str(f) for f in folders), now=now)
