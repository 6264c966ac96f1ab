"""Play modes beside the recommender: which track comes next, given the mode.

Pure logic over track ids (no I/O, no session): *radio* leaves the choice to the recommender
(``next_track`` returns None), *in order* follows the source list (the album or the list as
shown) and then stops or hands over to radio, *shuffle* is a seeded permutation that plays
every track once before any repeats, *repeat one* plays the current track again, *repeat all*
follows the list and wraps around.
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

    def _shuffled(self, round_: int) -> list[int]:
        order = list(self.source)
        random.Random(f"{self.seed}:{round_}").shuffle(order)
        return order

    def upcoming(self, current: int | None, count: int) -> list[int]:
        """The next ``count`` tracks this mode would play after ``current`` (empty in radio,
        or when the list is done and radio takes over)."""
        if self.mode == RADIO or count <= 0:
            return []
        if self.mode == REPEAT_ONE:
            return [current] * count if current is not None else []
        if not self.source:
            return []
        if self.mode == SHUFFLE:
            return self._shuffle_upcoming(current, count)
        start = self.source.index(current) + 1 if current in self.source else 0
        if self.mode == IN_ORDER:
            return self.source[start:start + count]
        n = len(self.source)  # repeat all: wrap around
        return [self.source[(start + k) % n] for k in range(count)]

    def _shuffle_upcoming(self, current: int | None, count: int) -> list[int]:
        played = set(self.played)
        if current in self.source:
            played.add(current)
        round_ = self.round
        out: list[int] = []
        while len(out) < count:
            order = [t for t in self._shuffled(round_) if t not in played]
            if not order:  # every track played once: the next round
                round_ += 1
                played = set()
                continue
            take = order[:count - len(out)]
            out += take
            played |= set(take)
        return out

    def next_track(self, current: int | None) -> int | None:
        """The track to play after ``current``; None means radio decides (or stop when
        *in order* ended and ``then_radio`` is off — see ``stops_after``)."""
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
        self.played.add(track_id)
