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
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from musitui.config import Config
from musitui.core.contracts import PlayerControl
from musitui.core.model import Track
from musitui.core.moods import ALL_MOODS, AUTO, nearest_mood, next_mood
from musitui.core.names import fold_name
from musitui.core.play_modes import MODES, RADIO, REPEAT_ONE, PlayModes
from musitui.core.play_modes import next_mode as next_play_mode
from musitui.playback.mixer import clamp_volume
from musitui.recommend.arrays import Library, TrackColumns, build_library_from_columns
from musitui.recommend.engine import Listening, Weights, mood_target, rank
from musitui.recommend.outcomes import NOT_THIS, REJECT, SEEK_SLACK_SECONDS, Ending, Listen, verdict
from musitui.store.history import History
from musitui.store.state import SessionState, load_state, save_state

MAX_MESSAGES = 50
# previous() restarts the current track when it has played longer than this.
RESTART_SECONDS = 3.0
# The resume state is saved this long after a change (a kill -9 loses at most this much).
STATE_SAVE_SECONDS = 2.0
STATE_CHANGES = frozenset({"queue", "now_playing", "position", "state", "mood", "play_mode"})


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
    weights: dict[str, float] = field(default_factory=dict)  # Σ parts·weights == score


@dataclass
class _Play:
    """The track being played and whether its outcome (finish/skip) is logged yet.

    ``heard(position)`` is how much of it was played: the position reached, plus what was
    played twice (seeks back), minus what was seeked over (seeks forward). A resumed track
    counts from 0 (its start was heard before the restart). ``confirmed`` turns true when
    the player's "start" (or a position) for this play arrives, or on a seek: before that, a
    "start" of another file is late news of a play already left, not a gapless hand-over.
    """

    track: Track
    started: float
    logged: bool = False
    confirmed: bool = False
    seek_offset: float = 0.0
    seeked_forward: bool = False

    def heard(self, position: float) -> float:
        return max(0.0, position + self.seek_offset)

    def seeked(self, origin: float, target: float) -> None:
        self.seek_offset += origin - target
        if target > origin + SEEK_SLACK_SECONDS:
            self.seeked_forward = True


@dataclass(frozen=True)
class Queued:
    """What enqueue_many() did: added, already in the queue, and the playing track left out."""

    added: int = 0
    already: int = 0
    playing: int = 0


def tagger_arrays(home: Any, ids: Any) -> tuple[Any, Any]:
    """The pretrained tagger's embeddings of ``ids`` when the second analysis pass stored them
    (musitui.store.tagger_store), else (None, None)."""
    try:
        from musitui.store.tagger_store import TaggerStore
    except ImportError:
        return None, None
    try:
        emb, _tags, found = TaggerStore.open(home).rows_for(ids)
    except Exception:  # a damaged or missing store: the handcrafted features still rank
        return None, None
    if found is None or not found.any():
        return None, None
    return ids[found], emb[found]


class Session:
    def __init__(self, home: Any, config: Config | None, catalog: Any, *,
                 player: PlayerControl | None = None,
                 history: History | None = None, features: Any = None,
                 clock: Callable[[], float] = time.time) -> None:
        config = config if config is not None else Config()
        self.home = home
        self.config = config
        self.catalog = catalog
        self.player = player
        self.history = history if history is not None else History.open(home, config)
        self.features = features
        self.clock = clock
        limit_blas_threads()
        self.weights = Weights.from_config(config.recommend)
        self.skip_seconds = config.history.skip_seconds
        self.skip_fraction = config.history.skip_fraction
        self.session_gap = config.history.session_gap_minutes * 60.0
        self.messages: list[str] = list(self.history.messages)
        self.mood = config.ui.mood if config.ui.mood in ALL_MOODS else AUTO
        self.volume = round(clamp_volume(config.playback.volume))
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
        # Files whose "stopped" the player will still send for a play play_track() left.
        self._stale_stops: list[str] = []
        # Resume state: saved STATE_SAVE_SECONDS after a change, once restore_state() ran.
        self._autosave = False
        self._save_timer: threading.Timer | None = None
        self._state_problem: str | None = None
        # A listener's prompt (musitui.words.prompt.Vibe): replaces the mood term while set.
        self.vibe: Any = None
        self._prompt_target: tuple[Any, Any] | None = None  # (lib, PromptTarget) cache
        self.notes: dict[int, list[Any]] = {}  # track id -> the listener's notes (store.notes)
        self.lib: Library = self._build_library()
        # Play modes (h-modes): radio is the recommender; the others fill Up next's tail.
        self.modes = PlayModes(then_radio=config.playback.in_order_then != "stop")
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
        tagger_ids, tagger_matrix = tagger_arrays(self.home, columns.ids)
        lib = build_library_from_columns(columns, feature_ids=feature_ids, feature_matrix=matrix,
                                         feature_names=names,
                                         aggregates=aggregates or self.history.aggregates,
                                         tagger_ids=tagger_ids, tagger_matrix=tagger_matrix)
        lib.lyrics_shift = self._lyrics_shifts(lib)
        lib.note_feel = self._note_feels(lib)
        return lib

    def _note_feels(self, lib: Library) -> Any:
        """The listener's notes per library row: the mean feel of each track's notes."""
        from musitui.store.notes import Notes

        notes = Notes.open(self.home).current() if self.home is not None else {}
        self.notes = notes
        if not notes:
            return None
        import numpy as np

        feel = np.zeros(len(lib.ids), dtype=np.float32)
        for track_id, written in notes.items():
            row = lib.row(track_id)
            feels = [n.feel for n in written if n.feel is not None]
            if row is not None and feels:
                feel[row] = sum(feels) / len(feels)
        return feel

    def add_note(self, track_id: int, text: str) -> str:
        """Write a note on a track (its feel read here: call it off the UI thread), rerank with
        it, and say in one line what was noted."""
        from musitui.store.notes import NoteError, Notes
        from musitui.words.encoder import cache_dir_for, shared
        from musitui.words.notes import note_feel

        track = self.catalog.tracks.get(track_id) if self.catalog is not None else None
        if track is None:
            return "That track is no longer in the library"
        feel = note_feel(text, shared(cache_dir_for(self.home.data_dir))) if text.strip() else None
        try:
            Notes.open(self.home).add(track, text, feel)
        except NoteError as exc:
            return str(exc)
        with self._lock:
            self.lib.note_feel = self._note_feels(self.lib)
            self._prompt_target = None
        self.rerank()
        if not text.strip():
            return f"Notes cleared: {track.title or track.path}"
        kind = "a warm note" if (feel or 0) > 0 else "a cold note" if (feel or 0) < 0 else "a note"
        return f"Noted ({kind}): {track.title or track.path}"

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
        from musitui.words.target import build_target, tag_rows

        tags = tag_rows(self.home, self.lib.ids) if (self.vibe.audio or self.vibe.exclude_audio) else None
        target = build_target(self.vibe, self.lib.ids, self._track_columns(), tags)
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
                if event.get("reason") == NOT_THIS:
                    self.rejected.append((int(track_id), float(event["ts"])))

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
        """``callback(change)`` with "queue", "now_playing", "position", "state", "mood" or
        "message", from any thread."""
        self._subscribers.append(callback)

    def _notify(self, *changes: str) -> None:
        if self._autosave and STATE_CHANGES.intersection(changes):
            self._schedule_save()
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

    @property
    def effective_mood(self) -> str:
        """The mood now matched: the picked one, or for auto the named mood nearest the centre
        of what was just finished (and is playing); "auto" while there is nothing to follow."""
        if self.mood != AUTO:
            return self.mood
        with self._lock:
            target = mood_target(self.lib, self.listening())
        return AUTO if target is None else nearest_mood(*target)

    def _player_ok(self) -> bool:
        return self.player is not None and self.player.available

    def _no_player(self) -> bool:
        """True (and a message saying why) when there is nothing to play through."""
        if self._player_ok():
            return False
        why = self.player.problem if self.player is not None else None
        self._say(f"nothing plays: {why or 'no audio output was opened'}")
        return True

    # -- playing ------------------------------------------------------------------------------
    def play_track(self, track_id: int, *, ending: Ending = "next", remember: bool = True) -> bool:
        """Play ``track_id`` now; the current play ends as ``ending`` (see recommend.outcomes).
        ``remember=False``: going back, the track is already the newest in the played list."""
        track = self.catalog.tracks.get(track_id) if self.catalog is not None else None
        if track is None:
            self._say(f"no track with id {track_id}")
            return False
        if self._no_player():
            return False
        now = self.clock()
        with self._lock:
            self._close_play(self.position, ending, now=now)
            self._drop_from_queue(track.id)
            self._begin(track, now, remember=remember)
            self._next_path = None
            left = getattr(self.player, "current_path", None)
            if left is not None and getattr(self.player, "state", "stopped") != "stopped":
                self._stale_stops.append(left)  # play() posts a "stopped" for it: not ours
        self.player.play(track.path, gain_db=self._gain(track))
        self._after_change(now)
        self._notify("now_playing", "state", "queue")
        return True

    def play_next_in_queue(self) -> bool:
        items = self.up_next
        if not items and self.modes.mode == REPEAT_ONE and self._play is not None:
            return self.play_track(self._play.track.id)
        if not items:
            self._say("the queue is empty")
            return False
        return self.play_track(items[0].track.id)

    def next(self) -> bool:
        """Skip to the head of Up next; stopping early counts as a skip."""
        return self.play_next_in_queue()

    def previous(self) -> bool:
        """Restart the track after RESTART_SECONDS; before that, step back through what was
        played (A, B, C: C -> B -> A). Going back is no verdict on the track left."""
        if self._play is not None and self.position > RESTART_SECONDS:
            self.seek_to(0.0)
            return True
        with self._lock:
            played = self._played
            if self._play is not None and played and played[-1] == self._play.track.id:
                back = played[:-1]
            else:  # nothing playing: the newest played track is the one to go back to
                back = list(played)
            while back and back[-1] not in self.catalog.tracks:
                back.pop()
            if back:
                self._played = back
        if not back:
            if self._play is not None:
                self.seek_to(0.0)
                return True
            self._say("nothing played before this")
            return False
        return self.play_track(back[-1], ending="previous", remember=False)

    def not_this(self) -> None:
        """Reject the current track (or drop the head of Up next) and push similar tracks down.
        A rejection wherever it happens in the track, never a finish."""
        now = self.clock()
        if self._play is not None:
            with self._lock:
                self._close_play(self.position, "not_this", now=now)
            self.rerank(notify=False)  # so the track that follows is not a near copy
            if not self.play_next_in_queue():
                self.stop()
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
            self.seek_to(self.position + float(seconds))

    def seek_to(self, seconds: float) -> None:
        if self._no_player() or self._play is None:
            return
        target = max(0.0, float(seconds))
        if self.duration:
            target = min(target, self.duration)  # as the player clamps it
        with self._lock:
            if self._play is not None:
                self._play.seeked(self.position, target)
                self._play.confirmed = True  # the seek may swallow the player's "start"
        self.player.seek(target)
        self._notify("position")  # paused, the player sends no position event

    def set_volume(self, volume: float) -> None:
        """0..100; what is not a number leaves the volume as it is."""
        self.volume = round(clamp_volume(volume, self.volume))
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
    def enqueue(self, track_id: int) -> bool:
        """Queue one track (the playing one too: asked for by name, it plays again).
        False when it was already queued (nothing changes) or is unknown."""
        return self.enqueue_many([track_id], skip_playing=False).added == 1

    def enqueue_many(self, track_ids: list[int], *, skip_playing: bool = True) -> Queued:
        """Queue tracks in order (an album, a playlist) with one rerank. Tracks already queued
        stay where they are; the playing track is left out unless ``skip_playing`` is False."""
        added = already = playing = 0
        with self._lock:
            now_id = self._play.track.id if self._play is not None else None
            for track_id in track_ids:
                track = self.catalog.tracks.get(track_id)
                if track is None:
                    self._say(f"no track with id {track_id}")
                    continue
                if track_id in self._user_queue:
                    already += 1
                    continue
                if skip_playing and track_id == now_id:
                    playing += 1
                    continue
                self._user_queue.append(track_id)
                self._dismissed.discard(track_id)
                self._record(self.history.log, "queue", track, mood=self.mood, ts=self.clock())
                added += 1
        if added:
            self.rerank()
        return Queued(added, already, playing)

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
            self._tail = [QueueItem(self.catalog.tracks[p.track_id], p.score, p.parts, p.reason,
                                    weights=p.weights)
                          for p in picks if p.track_id in self.catalog.tracks]
            self._apply_play_mode()
        self._update_next()
        if notify:
            self._notify("queue")

    def _update_next(self) -> None:
        """Keep the player's pre-buffered next track equal to the head of Up next."""
        if not self._player_ok() or self._play is None:
            return
        items = self.up_next
        head = items[0].track if items else None
        if self.modes.mode == REPEAT_ONE and not self._user_queue:
            head = self._play.track  # the playing track again (Up next does not list it)
        path = head.path if head else None
        if path != self._next_path:
            self._next_path = path
            self.player.set_next(path, gain_db=self._gain(head) if head else 0.0)

    def _gain(self, track: Track) -> float:
        mode = self.config.playback.replaygain
        if mode == "off" or not track.replaygain:
            return 0.0
        preamp = self.config.playback.replaygain_preamp_db
        key = "album_gain" if mode == "album" and "album_gain" in track.replaygain else "track_gain"
        return float(track.replaygain.get(key, 0.0)) + preamp

    # -- play modes (h-modes) ---------------------------------------------------------------
    @property
    def play_mode(self) -> str:
        return self.modes.mode

    def set_play_mode(self, mode: str) -> None:
        if mode not in MODES:
            self._say(f"no play mode {mode!r}; one of {', '.join(MODES)}")
            return
        with self._lock:
            if mode != self.modes.mode:
                self.modes.mode = mode
                self.modes.played = set()
                self.modes.round = 0
                self.modes.seed = int(self.clock() * 1000) % 2**31
        self.rerank()
        self._notify("play_mode")

    def cycle_play_mode(self) -> None:
        self.set_play_mode(next_play_mode(self.modes.mode))

    def set_play_source(self, track_ids: list[int]) -> None:
        """The list *in order*, shuffle and repeat all follow (e.g. the library as shown);
        without one they follow the playing track's album."""
        with self._lock:
            self.modes.set_source([t for t in track_ids if t in self.catalog.tracks])
        self.rerank()

    def _album_of(self, track: Track) -> list[int]:
        """The album's tracks, grouped with the browser's keys (case and accents folded)."""
        album, artist = fold_name(track.album), fold_name(track.albumartist or track.artist)
        tracks = [t for t in self.catalog.present() if fold_name(t.album) == album
                  and fold_name(t.albumartist or t.artist) == artist]
        tracks.sort(key=lambda t: (t.disc_no or 0, t.track_no or 0, t.path))
        return [t.id for t in tracks]

    def _apply_play_mode(self) -> None:
        """Outside radio, the tail is what the mode plays next (then radio, for *in order*
        at the end of its list when ``[playback] in_order_then`` is "radio")."""
        modes = self.modes
        if modes.mode == RADIO:
            return
        current = self._play.track if self._play is not None else None
        if current is not None and current.id not in modes.source and current.album:
            modes.set_source(self._album_of(current), album=True)
            modes.mark_played(current.id)  # it began before its album became the list
        count = max(0, self.weights.up_next_length - len(self._user_queue))
        ids = [t for t in modes.upcoming(current.id if current else None, count)
               if t in self.catalog.tracks and t not in self._broken
               and t not in self._user_queue]
        items = [QueueItem(self.catalog.tracks[t], reason=modes.reason) for t in ids]
        if modes.mode == "in order" and modes.then_radio and len(items) < count:
            taken = set(ids)
            items += [i for i in self._tail if i.track.id not in taken][:count - len(items)]
        self._tail = items

    # -- listening bookkeeping ---------------------------------------------------------------
    def _begin(self, track: Track, now: float, *, confirmed: bool = False,
               remember: bool = True) -> None:
        self._play = _Play(track, now, confirmed=confirmed)
        self._position = 0.0
        self._duration = track.duration
        self._paused = False
        if remember:
            self._played.append(track.id)
            del self._played[:-200]
        self.modes.mark_played(track.id)
        self._record(self.history.log_listen, "play", track, position=0.0, duration=track.duration or None,
                                mood=self.mood, ts=now)
        self._note(track, "play", now)

    def _close_play(self, position: float, ending: Ending, *, now: float) -> None:
        """Log the outcome of the current play once, as recommend.outcomes.verdict says."""
        play = self._play
        if play is None or play.logged:
            self._play = None
            return
        play.logged = True
        self._play = None
        track = play.track
        duration = self._duration or track.duration or None
        if ending == "end" and duration:
            position = duration
        listen = Listen(heard=play.heard(position), duration=duration,
                        seeked_forward=play.seeked_forward)
        outcome = verdict(listen, ending, self.skip_seconds, self.skip_fraction)
        if outcome is None:
            return
        kind = "skip" if outcome == REJECT else outcome
        self._record(self.history.log_listen, kind, track, position=position, duration=duration,
                     mood=self.mood, ts=now, reason=NOT_THIS if outcome == REJECT else None)
        self._note(track, kind, now)
        (self.finished if kind == "finish" else self.skipped).append((track.id, now))
        if outcome == REJECT:
            self.rejected.append((track.id, now))

    def _after_change(self, now: float) -> None:
        self.rerank(notify=False)

    # -- player events ----------------------------------------------------------------------
    def handle_player_event(self, event: Any) -> None:
        """React to one PlayerEvent (kind, path, position, duration, message)."""
        kind = event.kind
        if kind == "position":
            play = self._play
            if play is not None and not play.confirmed and play.track.path == event.path:
                play.confirmed = True  # heard: its "start" was delivered or swallowed by a seek
            self._position = float(event.position or 0.0)
            if event.duration:
                self._duration = float(event.duration)
            self._notify("position")
            return
        now = self.clock()
        if kind == "start":
            self._on_start(event, now)
        elif kind in ("end", "stopped"):
            with self._lock:
                play = self._play
                if kind == "stopped" and event.path in self._stale_stops:
                    self._stale_stops.remove(event.path)  # the play left by play_track()
                    return
                if play is None or play.track.path != event.path:
                    return
                self._close_play(float(event.position or 0.0), "end" if kind == "end" else "next",
                                 now=now)
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
            if self._play is not None and not self._play.confirmed \
                    and self._play.track.path != event.path:
                # The start of a play already left (two plays asked for quickly): the
                # player's start for the current one is still to come. A gapless hand-over
                # only ever follows a confirmed play.
                return
            if self._play is not None and self._play.track.path == event.path \
                    and not self._play.logged and not self._play.confirmed:
                self._play.confirmed = True
                if event.duration:
                    self._duration = float(event.duration)
                # A resumed track starts paused: believe the player, not the event.
                self._paused = self.player is not None and self.player.state == "paused"
            else:
                if self._play is not None:
                    # Gapless hand-over without an "end" first: the previous one ran out.
                    self._close_play(self._position, "end", now=now)
                if track is None:
                    self._add_message(f"playing {event.path}, which is not in the catalog")
                    return
                self._drop_from_queue(track.id)
                self._begin(track, now, confirmed=True)
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
    def _schedule_save(self) -> None:
        with self._lock:
            if self._save_timer is not None:
                return  # one save per window, whatever changes meanwhile
            timer = threading.Timer(STATE_SAVE_SECONDS, self._save_in_background)
            timer.daemon = True
            self._save_timer = timer
        timer.start()

    def _save_in_background(self) -> None:
        with self._lock:
            self._save_timer = None
        self.save_state_or_say()

    def save_state_or_say(self) -> bool:
        """Save the resume state; a failure becomes a message (once per problem), not an error."""
        try:
            self.save_state()
        except OSError as exc:
            reason = exc.strerror or str(exc) or type(exc).__name__
            text = f"could not save the resume state to {self.home.state_file} ({reason})"
            if text != self._state_problem:
                self._state_problem = text
                self._say(text)
            return False
        self._state_problem = None
        return True

    def save_state_on_signals(self, then: Callable[[int], None] | None = None) -> dict[int, Any]:
        """On SIGTERM or SIGHUP (the terminal closed) save the resume state, then call
        ``then(signum)`` (default: exit with 128 + signum). Main thread only; returns the
        handlers replaced (to put back with ``signal.signal``)."""
        def handler(signum: int, _frame: Any) -> None:
            self.save_state_or_say()
            if then is not None:
                then(signum)
            else:
                raise SystemExit(128 + signum)

        return {signum: signal.signal(signum, handler) for signum in (signal.SIGTERM, signal.SIGHUP)}

    def save_state(self) -> None:
        """Write the resume state now (atomically); raises OSError when it cannot."""
        with self._lock:
            state = SessionState(
                track_id=self._play.track.id if self._play is not None else None,
                position=round(self.position, 3), volume=self.volume, muted=self.muted,
                mood=self.mood, queue=list(self._user_queue),
                tail=[i.track.id for i in self._tail], saved_at=self.clock(),
                play_mode=self.modes.mode, play_source=list(self.modes.source),
                play_seed=self.modes.seed)
        save_state(self.home.state_file, state)

    def restore_state(self) -> bool:
        """Resume the saved queue, mood and volume, and the track paused at its position."""
        state, problem = load_state(self.home.state_file, self.home.backups_dir)
        self._autosave = True  # from now on every change is saved (debounced)
        if problem:
            self._say(problem)
        if state is None:
            return False
        with self._lock:
            if state.mood in ALL_MOODS:
                self.mood = state.mood
            self.volume = round(clamp_volume(state.volume, self.volume))
            self.muted = state.muted
            self._user_queue = [t for t in state.queue if t in self.catalog.tracks]
            if state.play_mode in MODES:
                self.modes.mode, self.modes.seed = state.play_mode, state.play_seed
                self.modes.source = [t for t in state.play_source if t in self.catalog.tracks]
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
        self._notify("now_playing", "queue", "mood", "state", "play_mode")
        return True

    def close(self) -> None:
        """Quitting is not a verdict on the track playing: nothing is logged for it (the
        caller saves the state to resume it)."""
        with self._lock:
            timer, self._save_timer, self._autosave = self._save_timer, None, False
        if timer is not None:
            timer.cancel()
        if self.player is not None:
            with contextlib.suppress(Exception):  # closing a lost device may fail; we are leaving
                self.player.close()
        self.history.close()
