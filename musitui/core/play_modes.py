"""Play modes beside the recommender: which track comes next, given the mode.

Pure logic over track ids (no I/O, no session): *radio* leaves the choice to the recommender
(``next_track`` returns None), *in order* follows the source list (the album or the list as
shown) and then stops or hands over to radio, *shuffle* is a seeded permutation that plays
every track once before any repeats, *repeat one* plays the current track again, *repeat all*
follows the list and wraps around.

Only *repeat one* repeats a track back to back: a new shuffle round never starts with the
track that ended the last one, and repeat all of a list of two or more never plays one twice
in a row. ``upcoming`` (what Up next shows) never holds the playing track nor any track twice:
it is the next distinct tracks, at most one cycle (repeat one shows nothing: the playing
track is what comes next, and it is already on screen).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

RADIO = "radio"
IN_ORDER = "in order"
SHUFFLE = "shuffle"
REPEAT_ONE = "repeat one"
REPEAT_ALL = "repeat all"
MODES = (RADIO, IN_ORDER, SHUFFLE, REPEAT_ONE, REPEAT_ALL)

REASONS = {IN_ORDER: "in order: next {where}", SHUFFLE: "shuffle",
           REPEAT_ONE: "repeat one", REPEAT_ALL: "repeat all: next {where}"}


def next_mode(mode: str) -> str:
    """The mode after ``mode`` in the cycle (an unknown mode starts the cycle again)."""
    if mode not in MODES:
        return RADIO
    return MODES[(MODES.index(mode) + 1) % len(MODES)]


@dataclass
class PlayModes:
    """The mode, its ordered source list, and what shuffle has played since it last covered all.

    ``then_radio``: what *in order* does at the end of the list (True: radio goes on).
    """

    mode: str = RADIO
    source: list[int] = field(default_factory=list)
    seed: int = 0
    then_radio: bool = True
    album: bool = False  # the source is the playing track's album (for the reasons shown)
    played: set[int] = field(default_factory=set)  # shuffle: played in this round
    round: int = 0  # shuffle: rounds completed (each round has its own seeded order)
    avoid: int | None = None  # shuffle: the track that ended the last round (not first now)
    last: int | None = None  # shuffle: the newest track marked played

    @property
    def reason(self) -> str:
        """Why a track is in Up next in this mode, e.g. "in order: next on the album"."""
        where = "on the album" if self.album else "in the list"
        return REASONS.get(self.mode, self.mode).format(where=where)

    def switch(self, mode: str, *, seed: int) -> None:
        """Another mode (a new shuffle round with ``seed``); the same mode changes nothing."""
        if mode != self.mode:
            self.mode, self.played, self.round, self.seed = mode, set(), 0, seed

    def set_source(self, track_ids: list[int], *, album: bool = False) -> None:
        self.album = album
        ids = list(dict.fromkeys(track_ids))
        if ids != self.source:
            self.source = ids
            self.played &= set(ids)

    def _shuffled(self, round_: int, avoid: int | None) -> list[int]:
        """Round ``round_``'s seeded order; it does not start with ``avoid`` (the track that
        ended the round before) when there is another to start with."""
        order = list(self.source)
        random.Random(f"{self.seed}:{round_}").shuffle(order)
        if len(order) > 1 and order[0] == avoid:
            order[0], order[1] = order[1], order[0]
        return order

    def upcoming(self, current: int | None, count: int) -> list[int]:
        """The next ``count`` distinct tracks this mode would play after ``current``, never
        ``current`` itself (empty in radio and repeat one, or when the list is done and radio
        takes over)."""
        if self.mode in (RADIO, REPEAT_ONE) or count <= 0 or not self.source:
            return []
        if self.mode == SHUFFLE:
            out = self._shuffle_upcoming(current, count)
        elif self.mode == IN_ORDER:
            start = self.source.index(current) + 1 if current in self.source else 0
            out = self.source[start:start + count]
        else:  # repeat all: wrap around, one cycle at most
            start = self.source.index(current) + 1 if current in self.source else 0
            n = len(self.source)
            out = [self.source[(start + k) % n] for k in range(min(count, n))]
        return _until_repeat(out, current)[:count]

    def _shuffle_upcoming(self, current: int | None, count: int) -> list[int]:
        played = set(self.played)
        if current in self.source:
            played.add(current)
        round_, avoid, previous = self.round, self.avoid, current
        out: list[int] = []
        while len(out) < count:
            order = [t for t in self._shuffled(round_, avoid) if t not in played]
            if not order:  # every track played once: the next round
                if len(self.source) < 2 or (out and round_ > self.round):
                    break  # one cycle at most is listed
                round_ += 1
                played = set()
                avoid = previous
                continue
            take = order[:count - len(out)]
            out += take
            played |= set(take)
            previous = take[-1]
        return out

    def next_track(self, current: int | None) -> int | None:
        """The track to play after ``current``; None means radio decides (or stop when
        *in order* ended and ``then_radio`` is off — see ``stops_after``)."""
        if self.mode == REPEAT_ONE:
            return current
        upcoming = self.upcoming(current, 1)
        return upcoming[0] if upcoming else None

    def stops_after(self, current: int | None) -> bool:
        """True when *in order* reached the end of its list and does not go on by radio."""
        return self.mode == IN_ORDER and not self.then_radio and not self.upcoming(current, 1)

    def mark_played(self, track_id: int) -> None:
        """Shuffle: count ``track_id`` as played in this round (a new round once all are)."""
        if self.mode != SHUFFLE or track_id not in self.source:
            return
        if self.played >= set(self.source):
            self.played = set()
            self.round += 1
            self.avoid = self.last
        self.played.add(track_id)
        self.last = track_id


def _until_repeat(order: list[int], current: int | None) -> list[int]:
    """The head of ``order`` before it comes back to ``current`` or to a track already listed:
    what is shown is exactly what then plays, each track once."""
    seen = {current}
    out: list[int] = []
    for track in order:
        if track in seen:
            break
        seen.add(track)
        out.append(track)
    return out
