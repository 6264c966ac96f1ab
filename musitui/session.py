"""The headless session: player events → history → rerank → notify.

The session owns the queue (tracks the user queued first, in the user's order, then the
recommended tail), the player, the history and the recommender. The TUI and the CLI are thin
shells over it. Player callbacks arrive on the player's thread, so the state is guarded by a
lock and subscribers are called after it is released.

Driving it without audio: ``handle_player_event`` is the one entry point for player events;
a test or benchmark can feed it the same events a player would send.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from musitui.model import Track
from musitui.moods import ALL_MOODS, AUTO, next_mood
from musitui.recommend.engine import Listening, Weights, rank
from musitui.recommend.library import Library, TrackColumns, build_library_from_columns
from musitui.store.history import History, classify_stop
from musitui.store.state import SessionState, load_state, save_state

CHANGES = ("queue", "now_playing", "position", "state", "mood", "message")
MAX_MESSAGES = 50
# previous() restarts the current track when it has played longer than this.
RESTART_SECONDS = 3.0


_blas_limited = False


def limit_blas_threads() -> None:
    """Run BLAS single-threaded in this process (once).

    Reranking is small matrix-vector work: OpenBLAS's threads only add hand-off cost, and on
    a busy 2-core machine they made one 50k x 40 product 20 ms instead of 0.5 ms. Analysis
    runs in worker processes and is not affected.
    """
    global _blas_limited
    if _blas_limited:
        return
    _blas_limited = True
    if os.environ.get("OPENBLAS_NUM_THREADS") == "1":
        return  # set before numpy loaded (musitui's CLI does): nothing to limit
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return
    threadpool_limits(1, user_api="blas")


@dataclass
class QueueItem:
    track: Track
    score: float = 0.0
    parts: dict[str, float] = field(default_factory=dict)
    reason: str = ""
    user_queued: bool = False


@dataclass
class _Play:
    """The track being played and whether its outcome (finish/skip) is logged yet."""

    track: Track
    started: float
    logged: bool = False


class Session:
    def __init__(self, home: Any, config: Any, catalog: Any, *, player: Any = None,
                 history: History | None = None, features: Any = None,
                 clock: Callable[[], float] = time.time) -> None:
        self.home = home
        self.config = config
        self.catalog = catalog
        self.player = player
        self.history = history if history is not None else History.open(home, config)
        self.features = features
        self.clock = clock
        limit_blas_threads()
        self.weights = Weights.from_config(config.section("recommend") if config else None)
        hist = config.section("history") if config else {}
        self.skip_seconds = float(hist.get("skip_seconds", 30.0))
        self.skip_fraction = float(hist.get("skip_fraction", 0.5))
        self.session_gap = float(hist.get("session_gap_minutes", 30.0)) * 60.0
        self.messages: list[str] = list(self.history.messages)
        self.mood = str(config.get("ui", "mood", AUTO)) if config else AUTO
        if self.mood not in ALL_MOODS:
            self.mood = AUTO
        self.volume = int(config.get("playback", "volume", 80)) if config else 80
        self.muted = False
        self._lock = threading.RLock()
        # Given the recommender library a reload replaced (the player frees it in steps).
        self.retire: Callable[..., None] = lambda *_objects: None
        self._subscribers: list[Callable[[str], None]] = []
        self._user_queue: list[int] = []
        self._tail: list[QueueItem] = []
        self._play: _Play | None = None
        self._position = 0.0
        self._duration = 0.0
        self._paused = False
        self._played: list[int] = []
        self._next_path: str | None = None
        self._broken: set[int] = set()
        self._dismissed: set[int] = set()
        self._notes_while_building: list[tuple[int, str, str, float]] | None = None
        # A listener's prompt (musitui.words.prompt.Vibe): replaces the mood term while set.
        self.vibe: Any = None
        self._prompt_target: tuple[Any, Any] | None = None  # (lib, PromptTarget) cache
        self.lib: Library = self._build_library()
        # The current listening session as (track id, when): what was finished, skipped,
        # rejected with not_this(); ``after`` are extra finished tracks (recommend --after).
        self.finished: list[tuple[int, float]] = []
        self.skipped: list[tuple[int, float]] = []
        self.rejected: list[tuple[int, float]] = []
        self.after: list[int] = []
        self._load_listening_session()
        if player is not None:
            player.subscribe(self.handle_player_event)
        self.rerank(notify=False)

    # -- building -------------------------------------------------------------------------
    def _build_library(self, aggregates: Any = None) -> Library:
        columns = self._track_columns()
        feature_ids = matrix = names = None
        if self.features is not None:
            feature_ids = getattr(self.features, "ids", None)
            matrix = getattr(self.features, "matrix", None)
            names = list(getattr(self.features, "names", []) or [])
        lib = build_library_from_columns(columns, feature_ids=feature_ids, feature_matrix=matrix,
                                         feature_names=names,
                                         aggregates=aggregates or self.history.aggregates)
        lib.lyrics_shift = self._lyrics_shifts(lib)
        return lib

    def _lyrics_shifts(self, lib: Library) -> Any:
        """The stored lyrics valence shifts (numpy only: no sentiment model in the player)."""
        path = getattr(self.features, "path", None)
        if path is None:
            return None
        from musitui.words import sentiment_store

        rows = sentiment_store.load(sentiment_store.path_in(Path(path).parent))
        return rows.shifts_for(lib.ids) if len(rows.ids) else None

    # -- prompt ---------------------------------------------------------------------------
    def set_vibe(self, vibe: Any) -> None:
        """Rank Up next for a parsed prompt (None: back to the mood)."""
        with self._lock:
            self.vibe = vibe if vibe is not None and not vibe.empty else None
            self._prompt_target = None
        self.rerank(notify=False)
        self._notify("mood", "queue")

    def _target(self) -> Any:
        if self.vibe is None:
            return None
        cached = self._prompt_target
        if cached is not None and cached[0] is self.lib:
            return cached[1]
        from musitui.words.target import build_target

        target = build_target(self.vibe, self.lib.ids, self._track_columns())
        self._prompt_target = (self.lib, target)
        return target

    def _track_columns(self) -> Any:
        if self.catalog is None:
            return TrackColumns.from_tracks([])
        columns = getattr(self.catalog, "columns", None)
        if columns is None:  # any mapping of tracks will do (tests hand in simple ones)
            return TrackColumns.from_tracks(self.catalog.present())
        return columns().present()

    def _load_listening_session(self) -> None:
        """Pick up the listening session still going on (events of the last half hour)."""
        for event in self.history.aggregates.session_events(self.clock(), self.session_gap):
            track_id = event.get("track_id")
            if track_id is None or track_id not in self.catalog.tracks:
                continue
            if event["kind"] == "finish":
                self.finished.append((int(track_id), float(event["ts"])))
            elif event["kind"] == "skip":
                self.skipped.append((int(track_id), float(event["ts"])))

    def reload_library(self) -> None:
        """See tracks and feature vectors added since the session started (after a scan or
        an analysis), then rerank."""
        if self.features is not None and hasattr(self.features, "load"):
            self.features.load()
        # Built outside the lock (a second or more at 50k tracks): playback and the UI go on
        # meanwhile; plays noted in the meantime are replayed onto the new arrays.
        with self._lock:
            # The counts as of now; what is logged from here on is noted and replayed.
            counts = SimpleNamespace(
                tracks={k: list(v) for k, v in self.history.aggregates.tracks.items()},
                artists={k: list(v) for k, v in self.history.aggregates.artists.items()})
            self._notes_while_building = []
        try:
            lib = self._build_library(counts)
        finally:
            with self._lock:
                notes, self._notes_while_building = self._notes_while_building or [], None
        with self._lock:
            for note in notes:
                lib.note(*note)
            replaced, self.lib = self.lib, lib
        self.retire(replaced)
        self.rerank()

    def _note(self, track: Track, kind: str, ts: float) -> None:
        self.lib.note(track.id, track.artist, kind, ts)
        if self._notes_while_building is not None:
            self._notes_while_building.append((track.id, track.artist, kind, ts))

    # -- subscribers and messages -----------------------------------------------------------
    def subscribe(self, callback: Callable[[str], None]) -> None:
        self._subscribers.append(callback)

    def _notify(self, *changes: str) -> None:
        for change in dict.fromkeys(changes):
            for callback in list(self._subscribers):
                try:
                    callback(change)
                except Exception as exc:  # a broken listener must not break playback
                    self._add_message(f"a display update failed: {exc}")

    def _add_message(self, text: str) -> None:
        with self._lock:
            self.messages.append(text)
            del self.messages[:-MAX_MESSAGES]

    def _say(self, text: str) -> None:
        self._add_message(text)
        self._notify("message")

    def _record(self, log: Any, *args: Any, **fields: Any) -> None:
        """Write one history event; a full disk or an unwritable folder costs that event
        (said once per problem), never the music or the app."""
        try:
            log(*args, **fields)
        except OSError as exc:
            reason = exc.strerror or str(exc) or type(exc).__name__
            text = f"could not save to the listening history ({reason}); this event was not recorded"
            if not self.messages or self.messages[-1] != text:
                self._say(text)

    # -- read-only views ----------------------------------------------------------------------
    @property
    def up_next(self) -> list[QueueItem]:
        with self._lock:
            queued = [QueueItem(self.catalog.tracks[i], reason="queued by you", user_queued=True)
                      for i in self._user_queue if i in self.catalog.tracks]
            return queued + list(self._tail)

    @property
    def now_playing(self) -> Track | None:
        return self._play.track if self._play is not None else None

    @property
    def position(self) -> float:
        if self._player_ok() and self._play is not None:
            return float(self.player.position or 0.0)
        return self._position

    @property
    def duration(self) -> float:
        if self._player_ok() and self._play is not None and self.player.duration:
            return float(self.player.duration)
        return self._duration or (self._play.track.duration if self._play else 0.0)

    @property
    def paused(self) -> bool:
        return self._paused

    def _player_ok(self) -> bool:
        return self.player is not None and bool(getattr(self.player, "available", False))

    def _no_player(self) -> bool:
        """True (and a message saying why) when there is nothing to play through."""
        if self._player_ok():
            return False
        why = getattr(self.player, "problem", None) if self.player is not None else None
        self._say(f"nothing plays: {why or 'no audio output was opened'}")
        return True

    # -- playing ------------------------------------------------------------------------------
    def play_track(self, track_id: int) -> bool:
        track = self.catalog.tracks.get(track_id) if self.catalog is not None else None
        if track is None:
            self._say(f"no track with id {track_id}")
            return False
        if self._no_player():
            return False
        now = self.clock()
        with self._lock:
            self._close_play(self.position, ended=False, now=now)
            self._drop_from_queue(track.id)
            self._begin(track, now)
            self._next_path = None
        self.player.play(track.path, gain_db=self._gain(track))
        self._after_change(now)
        self._notify("now_playing", "state", "queue")
        return True

    def play_next_in_queue(self) -> bool:
        items = self.up_next
        if not items:
            self._say("the queue is empty")
            return False
        return self.play_track(items[0].track.id)

    def next(self) -> bool:
        """Skip to the head of Up next; stopping early counts as a skip."""
        return self.play_next_in_queue()

    def previous(self) -> bool:
        if self._play is not None and self.position > RESTART_SECONDS:
            self.seek_to(0.0)
            return True
        with self._lock:
            history = [t for t in self._played[:-1] if t in self.catalog.tracks]
        if not history:
            if self._play is not None:
                self.seek_to(0.0)
                return True
            self._say("nothing played before this")
            return False
        return self.play_track(history[-1])

    def not_this(self) -> None:
        """Skip the current track (or drop the head of Up next) and push similar tracks down."""
        now = self.clock()
        if self._play is not None:
            with self._lock:
                self.rejected.append((self._play.track.id, now))
            self.rerank(notify=False)  # so the track that follows is not a near copy
            self.next()
            return
        items = self.up_next
        if not items:
            return
        with self._lock:
            track = items[0].track
            self.rejected.append((track.id, now))
            self._dismissed.add(track.id)
            self._drop_from_queue(track.id)
        self.rerank()

    def stop(self) -> None:
        if self._player_ok():
            self.player.stop()

    def toggle_pause(self) -> None:
        if self._no_player():
            return
        if self._play is None:
            self.play_next_in_queue()
            return
        self.player.toggle_pause()
        self._paused = not self._paused
        self._notify("state")

    def seek_by(self, seconds: float) -> None:
        if not self._no_player() and self._play is not None:
            self.player.seek_by(seconds)
            self._notify("position")  # paused, the player sends no position event

    def seek_to(self, seconds: float) -> None:
        if not self._no_player() and self._play is not None:
            self.player.seek(max(0.0, seconds))
            self._notify("position")

    def set_volume(self, volume: int) -> None:
        self.volume = min(100, max(0, int(volume)))
        if self._player_ok():
            self.player.set_volume(self.volume)
        self._notify("state")

    def change_volume(self, delta: int) -> None:
        self.set_volume(self.volume + int(delta))

    def toggle_mute(self) -> None:
        self.muted = not self.muted
        if self._player_ok():
            self.player.toggle_mute()
        self._notify("state")

    # -- mood -------------------------------------------------------------------------------
    def set_mood(self, name: str) -> bool:
        if name not in ALL_MOODS:
            self._say(f"unknown mood {name!r}; choose one of {', '.join(ALL_MOODS)}")
            return False
        with self._lock:
            self.mood = name
            self.vibe = None  # a picked mood replaces a prompt
            self._record(self.history.log, "mood", None, mood=name, ts=self.clock())
        self.rerank(notify=False)
        self._notify("mood", "queue")
        return True

    def cycle_mood(self) -> None:
        self.set_mood(next_mood(self.mood))

    # -- the queue ----------------------------------------------------------------------------
    def enqueue(self, track_id: int) -> None:
        track = self.catalog.tracks.get(track_id)
        if track is None:
            self._say(f"no track with id {track_id}")
            return
        with self._lock:
            if track_id in self._user_queue:
                return
            self._user_queue.append(track_id)
            self._dismissed.discard(track_id)
            self._record(self.history.log, "queue", track, mood=self.mood, ts=self.clock())
        self.rerank()

    def remove_from_queue(self, index: int) -> None:
        with self._lock:
            items = self.up_next
            if not 0 <= index < len(items):
                return
            track = items[index].track
            self._drop_from_queue(track.id)
            if not items[index].user_queued:
                self._dismissed.add(track.id)
            self._record(self.history.log, "dequeue", track, mood=self.mood, ts=self.clock())
        self.rerank()

    def move_in_queue(self, index: int, delta: int) -> None:
        """Move an item; a recommended one moved by the user becomes user-queued."""
        with self._lock:
            items = self.up_next
            if not 0 <= index < len(items) or delta == 0:
                return
            track_id = items[index].track.id
            if items[index].user_queued:
                self._user_queue.remove(track_id)
            else:
                self._tail = [i for i in self._tail if i.track.id != track_id]
            target = min(max(index + delta, 0), len(self._user_queue))
            self._user_queue.insert(target, track_id)
        self.rerank()

    def _drop_from_queue(self, track_id: int) -> None:
        if track_id in self._user_queue:
            self._user_queue.remove(track_id)
        self._tail = [i for i in self._tail if i.track.id != track_id]

    # -- recommendations -------------------------------------------------------------------
    def listening(self, now: float | None = None) -> Listening:
        now = self.clock() if now is None else now
        exclude = {r for r in (self.lib.row(t) for t in self._user_queue) if r is not None}
        exclude |= {r for r in (self.lib.row(t) for t in self._broken | self._dismissed) if r is not None}
        exclude.update(self._rows(self.after))
        current = self.lib.row(self._play.track.id) if self._play is not None else None
        if current is not None:
            exclude.add(current)
        finished = self._timed_rows(self.finished) + [(r, now) for r in self._rows(self.after)]
        aggregates = self.history.aggregates
        return Listening(now=now, finished=finished, skipped=self._timed_rows(self.skipped),
                         rejected=self._timed_rows(self.rejected), current=current, mood=self.mood,
                         exclude=exclude, coplay=lambda tid: aggregates.coplay_row(tid, now),
                         prompt=self._target())

    def _rows(self, track_ids: list[int]) -> list[int]:
        return [r for r in (self.lib.row(t) for t in track_ids) if r is not None]

    def _timed_rows(self, timed: list[tuple[int, float]]) -> list[tuple[int, float]]:
        return [(r, ts) for r, ts in ((self.lib.row(t), ts) for t, ts in timed) if r is not None]

    def rerank(self, notify: bool = True) -> None:
        with self._lock:
            picks = rank(self.lib, self.listening(), self.weights,
                         max(0, self.weights.up_next_length - len(self._user_queue)))
            self._tail = [QueueItem(self.catalog.tracks[p.track_id], p.score, p.parts, p.reason)
                          for p in picks if p.track_id in self.catalog.tracks]
        self._update_next()
        if notify:
            self._notify("queue")

    def _update_next(self) -> None:
        """Keep the player's pre-buffered next track equal to the head of Up next."""
        if not self._player_ok() or self._play is None:
            return
        items = self.up_next
        head = items[0].track if items else None
        path = head.path if head else None
        if path != self._next_path:
            self._next_path = path
            self.player.set_next(path, gain_db=self._gain(head) if head else 0.0)

    def _gain(self, track: Track) -> float:
        mode = str(self.config.get("playback", "replaygain", "track")) if self.config else "track"
        if mode == "off" or not track.replaygain:
            return 0.0
        preamp = float(self.config.get("playback", "replaygain_preamp_db", 0.0)) if self.config else 0.0
        key = "album_gain" if mode == "album" and "album_gain" in track.replaygain else "track_gain"
        return float(track.replaygain.get(key, 0.0)) + preamp

    # -- listening bookkeeping ---------------------------------------------------------------
    def _begin(self, track: Track, now: float) -> None:
        self._play = _Play(track, now)
        self._position = 0.0
        self._duration = track.duration
        self._paused = False
        self._played.append(track.id)
        del self._played[:-200]
        self._record(self.history.log_listen, "play", track, position=0.0, duration=track.duration or None,
                                mood=self.mood, ts=now)
        self._note(track, "play", now)

    def _close_play(self, position: float, *, ended: bool, now: float) -> None:
        """Log the outcome of the current play once: finish, or skip if stopped early."""
        play = self._play
        if play is None or play.logged:
            self._play = None
            return
        play.logged = True
        self._play = None
        track = play.track
        duration = self._duration or track.duration or None
        kind = "finish" if ended else classify_stop(position, duration, self.skip_seconds,
                                                   self.skip_fraction)
        self._record(self.history.log_listen, kind, track, position=duration if ended else position,
                                duration=duration, mood=self.mood, ts=now)
        self._note(track, kind, now)
        (self.finished if kind == "finish" else self.skipped).append((track.id, now))

    def _after_change(self, now: float) -> None:
        self.rerank(notify=False)

    # -- player events ----------------------------------------------------------------------
    def handle_player_event(self, event: Any) -> None:
        """React to one PlayerEvent (kind, path, position, duration, message)."""
        kind = event.kind
        if kind == "position":
            self._position = float(event.position or 0.0)
            if event.duration:
                self._duration = float(event.duration)
            self._notify("position")
            return
        now = self.clock()
        if kind == "start":
            self._on_start(event, now)
        elif kind == "end":
            with self._lock:
                if self._play is not None and self._play.track.path == event.path:
                    self._close_play(float(event.position or 0.0), ended=True, now=now)
            self._after_change(now)
            self._notify("now_playing", "state", "queue")
        elif kind == "stopped":
            with self._lock:
                if self._play is not None and self._play.track.path == event.path:
                    self._close_play(float(event.position or 0.0), ended=False, now=now)
                    self._paused = False
            self._after_change(now)
            self._notify("now_playing", "state", "queue")
        elif kind == "error":
            self._on_error(event, now)
        elif kind in ("device_lost", "device_restored"):
            text = event.message or ("audio device lost" if kind == "device_lost" else "audio device back")
            self._say(text)
            self._notify("state")
        elif kind == "state":
            if self._player_ok():
                self._paused = self.player.state == "paused"
            self._notify("state")

    def _on_start(self, event: Any, now: float) -> None:
        track = self.catalog.by_path(event.path)
        with self._lock:
            if self._play is not None and self._play.track.path == event.path and not self._play.logged:
                if event.duration:
                    self._duration = float(event.duration)
                # A resumed track starts paused: believe the player, not the event.
                self._paused = self.player is not None and self.player.state == "paused"
            else:
                if self._play is not None:
                    # Gapless hand-over without an "end" first: the previous one ran out.
                    self._close_play(self._position, ended=True, now=now)
                if track is None:
                    self._add_message(f"playing {event.path}, which is not in the catalog")
                    return
                self._drop_from_queue(track.id)
                self._begin(track, now)
                if event.duration:
                    self._duration = float(event.duration)
                self._next_path = None
        self._after_change(now)
        self._notify("now_playing", "state", "queue")

    def _on_error(self, event: Any, now: float) -> None:
        with self._lock:
            track = self.catalog.by_path(event.path)
            if track is not None:
                self._broken.add(track.id)
                self._drop_from_queue(track.id)
            if self._play is not None and self._play.track.path == event.path:
                self._play.logged = True  # not the listener's verdict: log nothing
                self._play = None
            self._next_path = None
        name = track.title if track is not None and track.title else event.path
        self._add_message(f"cannot play {name}: {event.message or 'undecodable'}")
        self._after_change(now)
        self._notify("message", "now_playing", "queue")

    # -- resume ----------------------------------------------------------------------------
    def save_state(self) -> None:
        with self._lock:
            state = SessionState(
                track_id=self._play.track.id if self._play is not None else None,
                position=round(self.position, 3), volume=self.volume, muted=self.muted,
                mood=self.mood, queue=list(self._user_queue),
                tail=[i.track.id for i in self._tail], saved_at=self.clock())
        save_state(self.home.state_file, state)

    def restore_state(self) -> bool:
        """Resume the saved queue, mood and volume, and the track paused at its position."""
        state, problem = load_state(self.home.state_file, self.home.backups_dir)
        if problem:
            self._say(problem)
        if state is None:
            return False
        with self._lock:
            if state.mood in ALL_MOODS:
                self.mood = state.mood
            self.volume = state.volume
            self.muted = state.muted
            self._user_queue = [t for t in state.queue if t in self.catalog.tracks]
        if self._player_ok():
            self.player.set_volume(self.volume)
        track = self.catalog.tracks.get(state.track_id) if state.track_id is not None else None
        if track is not None and not track.missing and self._player_ok():
            with self._lock:
                self._play = _Play(track, self.clock())
                self._duration = track.duration
                self._position = state.position
                self._paused = True
                self._played.append(track.id)
            self.player.play(track.path, start=state.position, paused=True, gain_db=self._gain(track))
        elif track is not None:
            self._position = state.position
        self.rerank(notify=False)
        self._notify("now_playing", "queue", "mood", "state")
        return True

    def close(self) -> None:
        """Quitting is not a verdict on the track playing: nothing is logged for it (the
        caller saves the state to resume it)."""
        if self.player is not None:
            with contextlib.suppress(Exception):  # closing a lost device may fail; we are leaving
                self.player.close()
        self.history.close()
