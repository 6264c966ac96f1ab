"""One listen is stored once: the same song starting within ``WINDOW`` seconds of a listen
already known (in the history, kept aside, or read from another file of this import) is the
same listen, told twice (a re-import; Last.fm and ListenBrainz holding the same scrobbles;
Spotify's stream and its scrobble). Inside one file only an exact repeat is dropped: a file
lists each of its listens once, and a song played twice in a minute was played twice.
A song is its artist and title as ``matcher.listen_key`` folds them (of the file a listen
went to), not a track id: the same song kept twice in the library (an MP3 and an Ogg) is
one song, whichever file each service's copy of a listen was given.
"""

from __future__ import annotations

import bisect
from collections.abc import Hashable, Iterable
from typing import Any

from musitui.imports.matcher import listen_key

WINDOW = 60.0
KNOWN = ""  # the origin of listens already stored


class Seen:
    """Start times per song, each with the file it came from."""

    def __init__(self) -> None:
        self._starts: dict[Hashable, list[float]] = {}
        self._origins: dict[Hashable, list[str]] = {}

    def add_history(self, events: Iterable[dict[str, Any]]) -> None:
        """The history's finishes and skips: a listen began ``listened`` seconds before its ts."""
        for event in events:
            title = event.get("title")
            if not title or event.get("kind") not in ("finish", "skip"):
                continue
            heard = event.get("listened")
            started = float(event["ts"]) - (float(heard) if isinstance(heard, int | float) else 0.0)
            self.add(listen_key(str(event.get("artist") or ""), str(title)), started, KNOWN)

    def add(self, song: Hashable, start: float, origin: str) -> None:
        starts = self._starts.setdefault(song, [])
        origins = self._origins.setdefault(song, [])
        if not starts or start >= starts[-1]:  # listens mostly come oldest first
            starts.append(start)
            origins.append(origin)
            return
        at = bisect.bisect(starts, start)
        starts.insert(at, start)
        origins.insert(at, origin)

    def knows(self, song: Hashable, start: float, origin: str) -> bool:
        """True when ``song`` starting at ``start`` (read from ``origin``) is known already."""
        starts = self._starts.get(song)
        if not starts:
            return False
        origins = self._origins[song]
        at = bisect.bisect_left(starts, start - WINDOW)
        while at < len(starts) and starts[at] <= start + WINDOW:
            if origins[at] != origin or starts[at] == start:
                return True
            at += 1
        return False

    def admit(self, song: Hashable, start: float, origin: str) -> bool:
        """Remember the listen and return True, or False when it is known already."""
        if self.knows(song, start, origin):
            return False
        self.add(song, start, origin)
        return True
