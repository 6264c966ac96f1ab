"""The listening ledger: what was heard, the verdict on each play, and the history it makes.

One event is recorded in one place (``_record``): into this listening session's finishes,
skips and rejections (what the ranker's context reads), into the ranker's counts
(``note``), and as one pending history entry. The entries of one user action (a skip and
the play that follows it) reach the disk together, in one write and one fsync, when the
session calls ``flush()``; that is outside the lock the UI reads under, so an fsync never
holds up the screen. Flushes are serialised (``_writing``), so the journal keeps the order
in which the events happened.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass

from musitui.config import HistoryConfig
from musitui.core.model import Track
from musitui.recommend.outcomes import NOT_THIS, REJECT, SEEK_SLACK_SECONDS, Ending, Listen, verdict
from musitui.store.history import History
from musitui.store.history_events import Entry, listen_entry

PLAYED_KEPT = 200  # how far back previous() can step
Timed = list[tuple[int, float]]  # (track id, when)


@dataclass
class Play:
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


class Ledger:
    """The caller holds the session lock around every method but ``flush`` and ``settled``."""

    def __init__(self, history: History, rules: HistoryConfig, lock: threading.RLock, *,
                 note: Callable[[Track, str, float], None],
                 problem: Callable[[str], None]) -> None:
        self.history = history
        self.skip_seconds = rules.skip_seconds
        self.skip_fraction = rules.skip_fraction
        self.session_gap = rules.session_gap_minutes * 60.0
        self._lock = lock
        self._note = note  # the ranker's counts (Ranking.note)
        self._problem = problem  # a write that failed, in one line
        self.play: Play | None = None
        self.played: list[int] = []  # newest last, for previous()
        # The current listening session: what was finished, skipped, rejected with
        # not_this(). Appended to, never rebound: the session shows these lists as they are.
        self.finished: Timed = []
        self.skipped: Timed = []
        self.rejected: Timed = []
        self._pending: list[Entry] = []
        self._writing = threading.RLock()

    @property
    def now_playing(self) -> Track | None:
        return self.play.track if self.play is not None else None

    def load_session(self, now: float, tracks: Mapping[int, Track]) -> None:
        """Pick up the listening session still going on (events of the last half hour)."""
        for event in self.history.aggregates.session_events(now, self.session_gap):
            track_id = event.get("track_id")
            if track_id is None or track_id not in tracks:
                continue
            when = (int(track_id), float(event["ts"]))
            if event["kind"] == "finish":
                self.finished.append(when)
            elif event["kind"] == "skip":
                self.skipped.append(when)
                if event.get("reason") == NOT_THIS:
                    self.rejected.append(when)

    # -- plays ----------------------------------------------------------------------------
    def begin(self, track: Track, now: float, mood: str, *, confirmed: bool = False,
              remember: bool = True) -> None:
        self.play = Play(track, now, confirmed=confirmed)
        if remember:
            self.played.append(track.id)
            del self.played[:-PLAYED_KEPT]
        self._record(listen_entry("play", track, position=0.0, duration=track.duration or None,
                                  mood=mood, ts=now))

    def resume(self, track: Track, now: float) -> None:
        """The track of a resumed session, paused: no event (its play was logged before)."""
        self.play = Play(track, now)
        self.played.append(track.id)

    def close(self, position: float, ending: Ending, *, now: float, mood: str,
              duration: float | None) -> None:
        """Log the outcome of the current play once, as recommend.outcomes.verdict says."""
        play, self.play = self.play, None
        if play is None or play.logged:
            return
        play.logged = True
        duration = duration or play.track.duration or None
        if ending == "end" and duration:
            position = duration
        listen = Listen(heard=play.heard(position), duration=duration,
                        seeked_forward=play.seeked_forward)
        outcome = verdict(listen, ending, self.skip_seconds, self.skip_fraction)
        if outcome is None:
            return
        self._record(listen_entry("skip" if outcome == REJECT else outcome, play.track,
                                  position=position, duration=duration, mood=mood, ts=now,
                                  reason=NOT_THIS if outcome == REJECT else None))

    def abandon(self) -> None:
        """The play ended in an error: not the listener's verdict, nothing is logged."""
        if self.play is not None:
            self.play.logged = True
        self.play = None

    def reject_unplayed(self, track: Track, now: float) -> None:
        """"Not this" for the head of Up next: it counts against its kind, it is not logged."""
        self.rejected.append((track.id, now))

    def step_back(self, tracks: Mapping[int, Track]) -> int | None:
        """The track to go back to (A, B, C: C -> B -> A), forgetting the one left."""
        played = self.played
        if self.play is not None and played and played[-1] == self.play.track.id:
            back = played[:-1]
        else:  # nothing playing: the newest played track is the one to go back to
            back = list(played)
        while back and back[-1] not in tracks:
            back.pop()
        if not back:
            return None
        self.played = back
        return back[-1]

    # -- what the user did to the queue and the mood ------------------------------------------
    def user_event(self, kind: str, track: Track | None, *, mood: str, now: float) -> None:
        self._record(Entry(kind, track, now, {"mood": mood}))

    # -- the one place an event is recorded ---------------------------------------------------
    def _record(self, entry: Entry) -> None:
        self._pending.append(entry)
        track, ts = entry.track, float(entry.ts or 0.0)
        if track is None or entry.kind not in ("play", "finish", "skip"):
            return
        self._note(track, entry.kind, ts)
        if entry.kind == "finish":
            self.finished.append((track.id, ts))
        elif entry.kind == "skip":
            self.skipped.append((track.id, ts))
            if entry.fields.get("reason") == NOT_THIS:
                self.rejected.append((track.id, ts))

    def flush(self) -> None:
        """Write what is pending: one history write (one fsync) for everything one action
        did. A full disk or an unwritable folder costs those events (said in one line),
        never the music or the app. Call it without holding the session lock."""
        with self._writing:
            with self._lock:
                pending, self._pending = self._pending, []
            if not pending:
                return
            try:
                self.history.log_many(pending)
            except OSError as exc:
                reason = exc.strerror or str(exc) or type(exc).__name__
                self._problem(f"could not save to the listening history ({reason}); "
                              "this event was not recorded")

    @contextlib.contextmanager
    def settled(self) -> Iterator[None]:
        """Everything pending written and no write in flight until the block ends (a
        library rebuild copies the history's counts in it)."""
        with self._writing:
            self.flush()
            yield
