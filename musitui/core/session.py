"""The headless session: player events and commands → ledger → rerank → notify.

The session coordinates rooms that each do one job: the queue (``core/queue.py``), the
listening ledger (``core/ledger.py``: verdicts, the listening session, the history writes),
the ranking (``core/ranking.py``: the recommender's arrays, the prompt's target, rank), the
transport (``core/transport.py``: the player) and resume (``core/resume.py``: the saved
state, its timer and the signals). The TUI and the CLI are thin shells over it.

Player callbacks arrive on the player's thread, so the rooms' state is guarded by one lock.
Every command and event ends the same way (``_settle``): after the lock is released, one
history write for what it recorded (a skip and the play that follows it are one write, one
fsync), one rerank, then the subscribers.

Driving it without audio: ``handle_player_event`` is the one entry point for player events;
a test or benchmark can feed it the same events a player would send.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from musitui.config import Config
from musitui.core.contracts import PlayerControl, PlayerEvent, SignalHandler
from musitui.core.ledger import Ledger
from musitui.core.model import Track
from musitui.core.moods import ALL_MOODS, AUTO, nearest_mood, next_mood
from musitui.core.notices import Notices
from musitui.core.play_modes import MODES, PlayModes
from musitui.core.play_modes import next_mode as next_play_mode
from musitui.core.plays import Plays
from musitui.core.queue import PlayQueue, Queued, QueueItem
from musitui.core.ranking import Ranking
from musitui.core.resume import Resume
from musitui.core.transport import Transport
from musitui.core.volume import clamp_volume
from musitui.paths import Home
from musitui.recommend.arrays import Library
from musitui.recommend.engine import Listening, Weights, mood_target
from musitui.recommend.outcomes import Ending
from musitui.store.catalog import Catalog
from musitui.store.features import FeatureStore
from musitui.store.history import History

if TYPE_CHECKING:
    from musitui.words.prompt import Vibe

# previous() restarts the current track when it has played longer than this.
RESTART_SECONDS = 3.0

__all__ = ["RESTART_SECONDS", "QueueItem", "Queued", "Session"]


class Session:
    def __init__(self, home: Home, config: Config | None, catalog: Catalog, *,
                 player: PlayerControl | None = None, history: History | None = None,
                 features: FeatureStore | None = None,
                 clock: Callable[[], float] = time.time) -> None:
        config = config if config is not None else Config()
        self.home = home
        self.config = config
        self.catalog = catalog
        self.player = player
        self.history = history if history is not None else History.open(home, config)
        self.features = features
        self.clock = clock
        self.weights = Weights.from_config(config.recommend)
        self.mood = config.ui.mood if config.ui.mood in ALL_MOODS else AUTO
        self.volume = round(clamp_volume(config.playback.volume))
        self.muted = False
        self._lock = threading.RLock()
        self.notices = Notices(self._lock, self.history.messages,
                               on_change=lambda changes: self.resume.changed(changes))
        self.messages = self.notices.messages  # one line each, newest last
        # Given the recommender library a reload replaced (the player frees it in steps).
        self.retire: Callable[[Library], None] = lambda _lib: None
        self.queue = PlayQueue(catalog)
        self.transport = Transport(player, config.playback)
        self.ranking = Ranking(home, catalog, features, self.history, self.weights, self._lock)
        self.ledger = Ledger(self.history, config.history, self._lock,
                             note=self.ranking.note, problem=self.notices.say_once)
        # This listening session as (track id, when), the ledger's lists (appended to, never
        # rebound); ``after``: track ids treated as just finished (``musitui recommend --after``).
        self.finished, self.skipped, self.rejected = (self.ledger.finished, self.ledger.skipped,
                                                      self.ledger.rejected)
        self.after: list[int] = []
        # Play modes: radio is the recommender; the others fill Up next's tail.
        self.modes = PlayModes(then_radio=config.playback.in_order_then != "stop")
        self.plays = Plays(catalog, self.ledger, self.queue, self.transport, self.modes,
                           self._lock, clock=clock, mood=lambda: self.mood, settle=self._settle,
                           say=self.notices.say, add_message=self.notices.add, notify=self.notices.notify)
        self.resume = Resume(home, self.plays, self._lock, save=lambda: self.save_state(),
                             say=self.notices.say)
        self.ledger.load_session(self.clock(), catalog.tracks)
        if player is not None:
            player.subscribe(self.handle_player_event)
        self.rerank(notify=False)

    # -- the rooms' state, as callers read it ---------------------------------------------------
    @property
    def lib(self) -> Library:
        """The recommender's arrays (``musitui.recommend.arrays.Library``)."""
        return self.ranking.lib

    @property
    def vibe(self) -> Vibe | None:
        return self.ranking.vibe

    @vibe.setter
    def vibe(self, vibe: Vibe | None) -> None:  # set_vibe() also reranks and notifies
        with self._lock:
            self.ranking.set_vibe(vibe)

    def reload_library(self) -> None:
        """See tracks and feature vectors added since the session started (after a scan or
        an analysis), then rerank; built outside the lock (see Ranking.reload)."""
        self.retire(self.ranking.reload(self.ledger.settled))
        self.rerank()

    # -- subscribers and messages -----------------------------------------------------------
    def subscribe(self, callback: Callable[[str], None]) -> None:
        """``callback(change)`` with "queue", "now_playing", "position", "state", "mood",
        "play_mode" or "message", from any thread."""
        self.notices.subscribe(callback)

    def _settle(self, *changes: str, rerank: bool = True) -> None:
        """The end of every command and player event, outside the lock: one history write
        for what it recorded, one rerank, then the subscribers."""
        self.ledger.flush()
        if rerank:
            self.rerank(notify=False)
        self.notices.notify(*changes)

    # -- read-only views ----------------------------------------------------------------------
    @property
    def up_next(self) -> list[QueueItem]:
        with self._lock:
            return self.queue.items()

    @property
    def now_playing(self) -> Track | None:
        return self.ledger.now_playing

    @property
    def position(self) -> float:
        return self.plays.position()

    @property
    def duration(self) -> float:
        return self.plays.duration()

    @property
    def paused(self) -> bool:
        return self.transport.paused

    @property
    def effective_mood(self) -> str:
        """The mood now matched: the picked one, or for auto the named mood nearest the centre
        of what was just finished (and is playing); "auto" while there is nothing to follow."""
        if self.mood != AUTO:
            return self.mood
        with self._lock:
            target = mood_target(self.lib, self.listening())
        return AUTO if target is None else nearest_mood(*target)

    # -- playing ------------------------------------------------------------------------------
    def play_track(self, track_id: int, *, ending: Ending = "next", remember: bool = True) -> bool:
        """Play ``track_id`` now; the current play ends as ``ending`` (see recommend.outcomes).
        ``remember=False``: going back, the track is already the newest in the played list."""
        track = self.catalog.tracks.get(track_id)
        if track is None:
            self.notices.say(f"no track with id {track_id}")
            return False
        player = self.plays.output()
        if player is None:
            return False
        now = self.clock()
        with self._lock:
            self.plays.switch_to(track, player, now, position=self.position, ending=ending,
                                 remember=remember)
        player.play(track.path, gain_db=self.transport.gain(track))
        self._settle("now_playing", "state", "queue")
        return True

    def play_next_in_queue(self) -> bool:
        with self._lock:
            head = self.queue.head(self.modes, self.ledger.now_playing)
        if head is None:
            self.notices.say("the queue is empty")
            return False
        return self.play_track(head.id)

    def next(self) -> bool:
        """Skip to the head of Up next; stopping early counts as a skip (the skip and the
        next play are one history write and one rerank)."""
        return self.play_next_in_queue()

    def previous(self) -> bool:
        """Restart the track after RESTART_SECONDS; before that, step back through what was
        played (A, B, C: C -> B -> A). Going back is no verdict on the track left."""
        if self.ledger.play is not None and self.position > RESTART_SECONDS:
            self.seek_to(0.0)
            return True
        with self._lock:
            back = self.ledger.step_back(self.catalog.tracks)
        if back is None:
            if self.ledger.play is not None:
                self.seek_to(0.0)
                return True
            self.notices.say("nothing played before this")
            return False
        return self.play_track(back, ending="previous", remember=False)

    def not_this(self) -> None:
        """Reject the current track (or drop the head of Up next) and push similar tracks down.
        A rejection wherever it happens in the track, never a finish. The rejection and the
        next play are one history write; the next track is picked by a rank that knows of
        the rejection (so it is not a near copy), then the play's own rerank follows it."""
        now = self.clock()
        if self.ledger.play is not None:
            with self._lock:
                self.plays.close(self.position, "not_this", now)
            self.rerank(notify=False)
            if not self.play_next_in_queue():
                self.stop()
                self.ledger.flush()
            return
        with self._lock:
            track = self.queue.dismiss_head()
            if track is None:
                return
            self.ledger.reject_unplayed(track, now)
        self.rerank()

    def stop(self) -> None:
        player = self.transport.live
        if player is not None:
            player.stop()

    def toggle_pause(self) -> None:
        if self.ledger.play is None and self.transport.live is not None:
            self.play_next_in_queue()
        else:
            self.plays.toggle_pause()

    def seek_by(self, seconds: float) -> None:
        self.plays.seek_to(self.position + float(seconds))

    def seek_to(self, seconds: float) -> None:
        """Seeks notify "position" (paused, the player sends no position event)."""
        self.plays.seek_to(seconds)

    def set_volume(self, volume: float) -> None:
        """0..100; what is not a number leaves the volume as it is."""
        self.volume = round(clamp_volume(volume, self.volume))
        player = self.transport.live
        if player is not None:
            player.set_volume(self.volume)
        self.notices.notify("state")

    def change_volume(self, delta: int) -> None:
        self.set_volume(self.volume + int(delta))

    def toggle_mute(self) -> None:
        self.muted = not self.muted
        player = self.transport.live
        if player is not None:
            player.toggle_mute()
        self.notices.notify("state")

    # -- mood, prompt and play mode -----------------------------------------------------------
    def set_mood(self, name: str) -> bool:
        if name not in ALL_MOODS:
            self.notices.say(f"unknown mood {name!r}; choose one of {', '.join(ALL_MOODS)}")
            return False
        with self._lock:
            self.mood = name
            self.ranking.set_vibe(None)  # a picked mood replaces a prompt
            self.ledger.user_event("mood", None, mood=name, now=self.clock())
        self._settle("mood", "queue")
        return True

    def cycle_mood(self) -> None:
        self.set_mood(next_mood(self.mood))

    def set_vibe(self, vibe: Vibe | None) -> None:
        """Rank Up next for a parsed prompt (None: back to the mood)."""
        self.vibe = vibe
        self._settle("mood", "queue")

    # -- notes on tracks ----------------------------------------------------------------------
    def notes_on(self, track_id: int) -> list[str]:
        """The listener's notes on a track (for Now playing), oldest first."""
        return [n.text for n in self.ranking.track_notes.get(int(track_id), [])]

    def all_notes(self) -> dict[int, str]:
        """Track id -> its notes' text (for search)."""
        return {i: " ".join(n.text for n in notes) for i, notes in self.ranking.track_notes.items()}

    def search_words(self) -> dict[int, str]:
        """Track id -> the words search finds it by besides its tags: the listener's notes and
        what the audio tagger hears ("piano", "female vocals": musitui.words.audio_words)."""
        from musitui.words.target import extra_search_words

        return extra_search_words(self.home, self.lib.ids, self.all_notes())

    def add_note(self, track_id: int, text: str) -> str:
        """Write a note on a track (its feel is read here, with the multilingual encoder: call
        it off the UI thread) and rerank with it; returns one line saying what was noted."""
        from musitui.core.noting import write_note

        track = self.catalog.get(track_id)
        if track is None:
            return "That track is no longer in the library"
        written, said = write_note(self.home, track, text)
        if written:
            with self._lock:
                self.ranking.refresh_notes()
            self.rerank()
            self.notices.notify("now_playing")
        return said

    @property
    def play_mode(self) -> str:
        return self.modes.mode

    def set_play_mode(self, mode: str) -> None:
        if mode not in MODES:
            self.notices.say(f"no play mode {mode!r}; one of {', '.join(MODES)}")
            return
        with self._lock:
            self.modes.switch(mode, seed=int(self.clock() * 1000) % 2**31)
        self.rerank()
        self.notices.notify("play_mode")

    def cycle_play_mode(self) -> None:
        self.set_play_mode(next_play_mode(self.modes.mode))

    def set_play_source(self, track_ids: list[int]) -> None:
        """The list *in order*, shuffle and repeat all follow (e.g. the library as shown);
        without one they follow the playing track's album."""
        with self._lock:
            self.modes.set_source([t for t in track_ids if t in self.catalog.tracks])
        self.rerank()

    # -- the queue ----------------------------------------------------------------------------
    def enqueue(self, track_id: int) -> bool:
        """Queue one track (the playing one too: asked for by name, it plays again).
        False when it was already queued (nothing changes) or is unknown."""
        return self.enqueue_many([track_id], skip_playing=False).added == 1

    def enqueue_many(self, track_ids: list[int], *, skip_playing: bool = True) -> Queued:
        """Queue tracks in order (an album, a playlist) with one write and one rerank. Tracks
        already queued stay where they are; the playing track is left out unless
        ``skip_playing`` is False."""
        with self._lock:
            playing = self.ledger.play.track.id if self.ledger.play is not None else None
            queued, added, unknown = self.queue.enqueue(track_ids, playing=playing,
                                                        skip_playing=skip_playing)
            for track in added:
                self.ledger.user_event("queue", track, mood=self.mood, now=self.clock())
        for track_id in unknown:
            self.notices.say(f"no track with id {track_id}")
        if queued.added:
            self._settle("queue")
        return queued

    def remove_from_queue(self, index: int) -> None:
        with self._lock:
            track = self.queue.remove(index)
            if track is None:
                return
            self.ledger.user_event("dequeue", track, mood=self.mood, now=self.clock())
        self._settle("queue")

    def move_in_queue(self, index: int, delta: int) -> None:
        """Move an item; a recommended one moved by the user becomes user-queued."""
        with self._lock:
            moved = self.queue.move(index, delta)
        if moved:
            self.rerank()

    # -- recommendations -------------------------------------------------------------------
    def listening(self, now: float | None = None) -> Listening:
        now = self.clock() if now is None else now
        with self._lock:
            return self.ranking.listening(self.ledger, now=now, mood=self.mood,
                                          kept_out=self.queue.kept_out(), after=self.after)

    def rerank(self, notify: bool = True) -> None:
        with self._lock:
            count = self.queue.free_slots(self.weights.up_next_length)
            self.queue.set_tail(self.ranking.rank(self.listening(), count))
            self.queue.follow_mode(self.modes, self.ledger.now_playing, count)
            playing = self.ledger.now_playing
            head = self.queue.head(self.modes, playing)
        if playing is not None:
            self.transport.set_next(head)
        if notify:
            self.notices.notify("queue")

    # -- player events ----------------------------------------------------------------------
    def handle_player_event(self, event: PlayerEvent) -> None:
        """React to one PlayerEvent (kind, path, position, duration, message); see Plays."""
        self.plays.handle(event)

    # -- resume ----------------------------------------------------------------------------
    def save_state_or_say(self) -> bool:
        """Save the resume state; a failure becomes a message (once per problem), not an error."""
        return self.resume.save_or_say()

    def save_state_on_signals(self, then: Callable[[int], None] | None = None
                              ) -> dict[int, SignalHandler]:
        """On SIGTERM or SIGHUP save the resume state, then ``then(signum)`` (default: exit
        with 128 + signum). Main thread only; returns the handlers replaced."""
        return self.resume.on_signals(then)

    def save_state(self) -> None:
        """Write the resume state now (atomically); raises OSError when it cannot."""
        with self._lock:
            state = self.resume.snapshot(position=round(self.position, 3), volume=self.volume,
                                         muted=self.muted, mood=self.mood)
        self.resume.write(state)

    def restore_state(self) -> bool:
        """Resume the saved queue, mood and volume, and the track paused at its position;
        from then on every change is saved (debounced)."""
        state = self.resume.load()
        if state is None:
            return False
        with self._lock:
            self.mood = state.mood if state.mood in ALL_MOODS else self.mood
            self.volume, self.muted = round(clamp_volume(state.volume, self.volume)), state.muted
        self.resume.apply(state, self.volume)
        self.rerank(notify=False)
        self.notices.notify("now_playing", "queue", "mood", "state", "play_mode")
        return True

    def close(self) -> None:
        """Quitting is not a verdict on the track playing: nothing is logged for it (the
        caller saves the state to resume it)."""
        self.resume.close()
        self.ledger.flush()
        if self.player is not None:
            with contextlib.suppress(Exception):  # closing a lost device may fail; we are leaving
                self.player.close()
        self.history.close()
