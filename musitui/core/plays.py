"""Plays: a track from its start to its verdict, whichever way the news comes.

A command starts a play (``switch_to``, under the session lock; the caller then tells the
player); the player's events confirm it, hand over gaplessly to the next track, end it,
or report it undecodable (``handle``). Each start goes to the ledger (the "play" event),
the transport (position, duration, pause) and the play modes (shuffle's round); each end
to the ledger's verdict. What happened is then settled by the session: one history write,
one rerank (none when the player only confirms the play the session began), the
subscribers.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Protocol

from musitui.core.contracts import PlayerControl, PlayerEvent
from musitui.core.ledger import Ledger
from musitui.core.model import Track
from musitui.core.play_modes import PlayModes
from musitui.core.queue import PlayQueue
from musitui.core.transport import Transport
from musitui.recommend.outcomes import Ending
from musitui.store.catalog import Catalog


class Settle(Protocol):
    """The session's ending of an action: one history write, one rerank, notifications."""

    def __call__(self, *changes: str, rerank: bool = True) -> None: ...


class Plays:
    def __init__(self, catalog: Catalog, ledger: Ledger, queue: PlayQueue, transport: Transport,
                 modes: PlayModes, lock: threading.RLock, *, clock: Callable[[], float],
                 mood: Callable[[], str],
                 settle: Settle, say: Callable[[str], None],
                 add_message: Callable[[str], None], notify: Callable[..., None]) -> None:
        self.catalog = catalog
        self.ledger = ledger
        self.queue = queue
        self.transport = transport
        self.modes = modes
        self._lock = lock
        self.clock = clock
        self._mood = mood
        self._settle = settle
        self._say = say
        self._add_message = add_message
        self._notify = notify

    # -- what the player is doing -------------------------------------------------------------
    def output(self) -> PlayerControl | None:
        """The player, or None (and a message saying why) when there is nothing to play through."""
        player = self.transport.live
        if player is None:
            self._say(self.transport.silent())
        return player

    def position(self) -> float:
        player = self.transport.live
        if player is not None and self.ledger.play is not None:
            return float(player.position or 0.0)
        return self.transport.position

    def duration(self) -> float:
        player, play = self.transport.live, self.ledger.play
        if player is not None and play is not None and player.duration:
            return float(player.duration)
        return self.transport.duration or (play.track.duration if play is not None else 0.0)

    def toggle_pause(self) -> None:
        player = self.output()
        if player is None or self.ledger.play is None:
            return
        player.toggle_pause()
        self.transport.paused = not self.transport.paused
        self._notify("state")

    def seek_to(self, seconds: float) -> None:
        player = self.output()
        if player is None or self.ledger.play is None:
            return
        target = max(0.0, float(seconds))
        duration = self.duration()
        if duration:
            target = min(target, duration)  # as the player clamps it
        with self._lock:
            play = self.ledger.play
            if play is not None:
                play.seeked(self.position(), target)
                play.confirmed = True  # the seek may swallow the player's "start"
        player.seek(target)
        self._notify("position")  # paused, the player sends no position event

    # -- under the session lock ---------------------------------------------------------------
    def begin(self, track: Track, now: float, *, confirmed: bool = False,
              remember: bool = True) -> None:
        self.ledger.begin(track, now, self._mood(), confirmed=confirmed, remember=remember)
        self.transport.reset(track.duration)
        self.modes.mark_played(track.id)

    def close(self, position: float, ending: Ending, now: float) -> None:
        self.ledger.close(position, ending, now=now, mood=self._mood(),
                          duration=self.transport.duration or None)

    def switch_to(self, track: Track, player: PlayerControl, now: float, *, position: float,
                  ending: Ending, remember: bool) -> None:
        """End the current play as ``ending`` and begin ``track``'s; the caller then has the
        player play it."""
        self.close(position, ending, now)
        self.queue.drop(track.id)
        self.begin(track, now, remember=remember)
        self.transport.leave(player)  # play() posts a "stopped" for the file left: not ours

    # -- the player's events ------------------------------------------------------------------
    def handle(self, event: PlayerEvent) -> None:
        kind = event.kind
        now = self.clock() if kind != "position" else 0.0
        if kind == "position":
            play = self.ledger.play
            if play is not None and not play.confirmed and play.track.path == event.path:
                play.confirmed = True  # heard: its "start" was delivered or swallowed by a seek
            self.transport.position = float(event.position or 0.0)
            if event.duration:
                self.transport.duration = float(event.duration)
            self._notify("position")
        elif kind == "start":
            self._on_start(event, now)
        elif kind in ("end", "stopped"):
            self._on_end(event, now)
        elif kind == "error":
            self._on_error(event)
        elif kind in ("device_lost", "device_restored"):
            self._say(event.message or ("audio device lost" if kind == "device_lost"
                                        else "audio device back"))
            self._notify("state")
        elif kind == "state":
            player = self.transport.live
            if player is not None:
                self.transport.paused = player.state == "paused"
            self._notify("state")

    def _on_start(self, event: PlayerEvent, now: float) -> None:
        track = self.catalog.by_path(event.path) if event.path is not None else None
        with self._lock:
            play = self.ledger.play
            if play is not None and not play.confirmed and play.track.path != event.path:
                # The start of a play already left (two plays asked for quickly): the
                # player's start for the current one is still to come. A gapless hand-over
                # only ever follows a confirmed play.
                return
            begun: bool | None = True
            if play is not None and play.track.path == event.path and not play.logged \
                    and not play.confirmed:
                # The start of the play the session began: nothing to record or rerank.
                play.confirmed = True
                if event.duration:
                    self.transport.duration = float(event.duration)
                # A resumed track starts paused: believe the player, not the event.
                player = self.transport.player
                self.transport.paused = player is not None and player.state == "paused"
                begun = False
            else:
                if play is not None:
                    # Gapless hand-over without an "end" first: the previous one ran out.
                    self.close(self.transport.position, "end", now)
                if track is None:
                    self._add_message(f"playing {event.path}, which is not in the catalog")
                    begun = None
                else:
                    self.queue.drop(track.id)
                    self.begin(track, now, confirmed=True)
                    if event.duration:
                        self.transport.duration = float(event.duration)
                    self.transport.next_path = None
        if begun is None:
            self.ledger.flush()  # the verdict on the play left, if there was one
        else:
            self._settle("now_playing", "state", "queue", rerank=begun)

    def _on_end(self, event: PlayerEvent, now: float) -> None:
        with self._lock:
            if event.kind == "stopped" and self.transport.is_stale_stop(event.path):
                return  # the play left by switch_to()
            play = self.ledger.play
            if play is None or play.track.path != event.path:
                return
            self.close(float(event.position or 0.0), "end" if event.kind == "end" else "next", now)
            self.transport.paused = False
        self._settle("now_playing", "state", "queue")

    def _on_error(self, event: PlayerEvent) -> None:
        with self._lock:
            track = self.catalog.by_path(event.path) if event.path is not None else None
            if track is not None:
                self.queue.broken.add(track.id)
                self.queue.drop(track.id)
            play = self.ledger.play
            if play is not None and play.track.path == event.path:
                self.ledger.abandon()  # not the listener's verdict: log nothing
            self.transport.next_path = None
        name = track.title if track is not None and track.title else event.path
        self._add_message(f"cannot play {name}: {event.message or 'undecodable'}")
        self._settle("message", "now_playing", "queue")
