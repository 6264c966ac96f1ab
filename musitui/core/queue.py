"""Up next: the tracks the user queued, in the user's order, then the recommended tail.

The queue holds track ids and what it shows; it writes nothing and ranks nothing. The
session fills the tail (``set_tail`` from the ranker's picks, ``follow_mode`` outside
radio) and says what was done to it (``enqueue`` returns the tracks added, so each becomes
one "queue" event). Tracks that failed to play (``broken``) and recommendations the user
removed (``dismissed``) are kept out of the tail.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from musitui.core.model import Track
from musitui.core.names import fold_name
from musitui.core.play_modes import IN_ORDER, RADIO, REPEAT_ONE, PlayModes

if TYPE_CHECKING:
    from musitui.recommend.engine import Pick
    from musitui.store.catalog import Catalog


@dataclass
class QueueItem:
    track: Track
    score: float = 0.0
    parts: dict[str, float] = field(default_factory=dict)
    reason: str = ""
    user_queued: bool = False
    weights: dict[str, float] = field(default_factory=dict)  # Σ parts·weights == score


@dataclass(frozen=True)
class Queued:
    """What enqueue_many() did: added, already in the queue, and the playing track left out."""

    added: int = 0
    already: int = 0
    playing: int = 0


class PlayQueue:
    """The queue of one session; the caller holds the session lock around every call."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self.user: list[int] = []  # queued by the user, in the user's order
        self.tail: list[QueueItem] = []  # recommended (or the play mode's next tracks)
        self.broken: set[int] = set()  # failed to play: never recommended again this session
        self.dismissed: set[int] = set()  # recommendations the user took out of Up next

    def items(self) -> list[QueueItem]:
        tracks = self.catalog.tracks
        queued = [QueueItem(tracks[i], reason="queued by you", user_queued=True)
                  for i in self.user if i in tracks]
        return queued + list(self.tail)

    def head(self, modes: PlayModes, playing: Track | None) -> Track | None:
        """What plays next: Up next's head; in repeat one with nothing queued by the user,
        the playing track again (Up next does not list it)."""
        if playing is not None and modes.mode == REPEAT_ONE and not self.user:
            return playing
        items = self.items()
        return items[0].track if items else None

    def free_slots(self, length: int) -> int:
        """How many recommended tracks follow the user's in an Up next of ``length``."""
        return max(0, length - len(self.user))

    def kept_out(self) -> set[int]:
        """Track ids the ranker must not offer: queued, broken or dismissed."""
        return set(self.user) | self.broken | self.dismissed

    # -- what the user does -----------------------------------------------------------------
    def enqueue(self, track_ids: Iterable[int], *, playing: int | None,
                skip_playing: bool) -> tuple[Queued, list[Track], list[int]]:
        """Append tracks in order; returns what was done, the tracks added (one "queue" event
        each) and the ids that are not in the catalog."""
        added: list[Track] = []
        unknown: list[int] = []
        already = left_out = 0
        for track_id in track_ids:
            track = self.catalog.tracks.get(track_id)
            if track is None:
                unknown.append(track_id)
            elif track_id in self.user:
                already += 1
            elif skip_playing and track_id == playing:
                left_out += 1
            else:
                self.user.append(track_id)
                self.dismissed.discard(track_id)
                added.append(track)
        return Queued(len(added), already, left_out), added, unknown

    def remove(self, index: int) -> Track | None:
        """Take item ``index`` out of Up next (a recommendation removed is dismissed)."""
        items = self.items()
        if not 0 <= index < len(items):
            return None
        track = items[index].track
        self.drop(track.id)
        if not items[index].user_queued:
            self.dismissed.add(track.id)
        return track

    def move(self, index: int, delta: int) -> bool:
        """Move an item; a recommended one moved by the user becomes user-queued."""
        items = self.items()
        if not 0 <= index < len(items) or delta == 0:
            return False
        track_id = items[index].track.id
        if items[index].user_queued:
            self.user.remove(track_id)
        else:
            self.tail = [i for i in self.tail if i.track.id != track_id]
        self.user.insert(min(max(index + delta, 0), len(self.user)), track_id)
        return True

    def dismiss_head(self) -> Track | None:
        """Drop the head of Up next as a "not this" (nothing playing)."""
        items = self.items()
        if not items:
            return None
        track = items[0].track
        self.dismissed.add(track.id)
        self.drop(track.id)
        return track

    def drop(self, track_id: int) -> None:
        if track_id in self.user:
            self.user.remove(track_id)
        self.tail = [i for i in self.tail if i.track.id != track_id]

    def restore(self, user: list[int]) -> None:
        self.user = [t for t in user if t in self.catalog.tracks]

    # -- filling the tail ---------------------------------------------------------------------
    def set_tail(self, picks: list[Pick]) -> None:
        tracks = self.catalog.tracks
        self.tail = [QueueItem(tracks[p.track_id], p.score, p.parts, p.reason, weights=p.weights)
                     for p in picks if p.track_id in tracks]

    def follow_mode(self, modes: PlayModes, current: Track | None, count: int) -> None:
        """Outside radio, the tail is what the mode plays next (then radio, for *in order*
        at the end of its list when ``[playback] in_order_then`` is "radio")."""
        if modes.mode == RADIO:
            return
        if current is not None and current.id not in modes.source and current.album:
            modes.set_source(self._album_of(current), album=True)
            modes.mark_played(current.id)  # it began before its album became the list
        tracks = self.catalog.tracks
        ids = [t for t in modes.upcoming(current.id if current else None, count)
               if t in tracks and t not in self.broken and t not in self.user]
        items = [QueueItem(tracks[t], reason=modes.reason) for t in ids]
        if modes.mode == IN_ORDER and modes.then_radio and len(items) < count:
            taken = set(ids)
            items += [i for i in self.tail if i.track.id not in taken][:count - len(items)]
        self.tail = items

    def _album_of(self, track: Track) -> list[int]:
        """The album's tracks, grouped with the browser's keys (case and accents folded)."""
        album, artist = fold_name(track.album), fold_name(track.albumartist or track.artist)
        tracks = [t for t in self.catalog.present() if fold_name(t.album) == album
                  and fold_name(t.albumartist or t.artist) == artist]
        tracks.sort(key=lambda t: (t.disc_no or 0, t.track_no or 0, t.path))
        return [t.id for t in tracks]
