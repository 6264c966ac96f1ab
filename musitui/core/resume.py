"""Resume: the session's state saved on the way (debounced), on SIGTERM/SIGHUP, and read back.

Once ``load()`` ran, every change the session announces in ``STATE_CHANGES`` schedules one
save ``STATE_SAVE_SECONDS`` later (a kill -9 loses at most that much), whatever else changes
meanwhile. A save that fails is a message, once per problem, never an error. What the state
holds is read from the rooms (``snapshot``) and put back into them (``apply``); the session
puts back its own mood and volume.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable, Iterable
from types import FrameType

from musitui.core.contracts import SignalHandler
from musitui.core.play_modes import MODES
from musitui.core.plays import Plays
from musitui.paths import Home
from musitui.store.state import SessionState, load_state, save_state

# The resume state is saved this long after a change (a kill -9 loses at most this much).
STATE_SAVE_SECONDS = 2.0
STATE_CHANGES = frozenset({"queue", "now_playing", "position", "state", "mood", "play_mode"})


class Resume:
    def __init__(self, home: Home, plays: Plays, lock: threading.RLock, *,
                 save: Callable[[], None], say: Callable[[str], None]) -> None:
        self.home = home
        self.plays = plays  # the rooms the state is read from and put back into
        self._session_lock = lock
        self._save = save  # writes the state now; raises OSError when it cannot
        self._say = say
        self._lock = threading.Lock()
        self.autosave = False
        self._timer: threading.Timer | None = None
        self._problem: str | None = None

    def changed(self, changes: Iterable[str]) -> None:
        if self.autosave and STATE_CHANGES.intersection(changes):
            self._schedule()

    def _schedule(self) -> None:
        with self._lock:
            if self._timer is not None:
                return  # one save per window, whatever changes meanwhile
            timer = threading.Timer(STATE_SAVE_SECONDS, self._save_in_background)
            timer.daemon = True
            self._timer = timer
        timer.start()

    def _save_in_background(self) -> None:
        with self._lock:
            self._timer = None
        self.save_or_say()

    def save_or_say(self) -> bool:
        """Save the resume state; a failure becomes a message (once per problem), not an error."""
        try:
            self._save()
        except OSError as exc:
            reason = exc.strerror or str(exc) or type(exc).__name__
            text = f"could not save the resume state to {self.home.state_file} ({reason})"
            if text != self._problem:
                self._problem = text
                self._say(text)
            return False
        self._problem = None
        return True

    def on_signals(self, then: Callable[[int], None] | None = None) -> dict[int, SignalHandler]:
        """On SIGTERM or SIGHUP (the terminal closed) save the resume state, then call
        ``then(signum)`` (default: exit with 128 + signum). Main thread only; returns the
        handlers replaced (to put back with ``signal.signal``)."""
        def handler(signum: int, _frame: FrameType | None) -> None:
            self.save_or_say()
            if then is not None:
                then(signum)
            else:
                raise SystemExit(128 + signum)

        return {signum: signal.signal(signum, handler) for signum in (signal.SIGTERM, signal.SIGHUP)}

    def load(self) -> SessionState | None:
        """The saved state (None: nothing to resume, or a damaged file, said); from now on
        every change is saved."""
        state, problem = load_state(self.home.state_file, self.home.backups_dir)
        self.autosave = True
        if problem:
            self._say(problem)
        return state

    # -- what the state holds ------------------------------------------------------------------
    def snapshot(self, *, position: float, volume: int, muted: bool, mood: str) -> SessionState:
        """The state now (the caller holds the session lock)."""
        plays = self.plays
        play, modes = plays.ledger.play, plays.modes
        return SessionState(
            track_id=play.track.id if play is not None else None, position=position,
            volume=volume, muted=muted, mood=mood, queue=list(plays.queue.user),
            tail=[i.track.id for i in plays.queue.tail], saved_at=plays.clock(),
            play_mode=modes.mode, play_source=list(modes.source), play_seed=modes.seed)

    def write(self, state: SessionState) -> None:
        """Atomically; raises OSError when it cannot."""
        save_state(self.home.state_file, state)

    def apply(self, state: SessionState, volume: int) -> None:
        """Put back the queue, the play mode, the volume and the track, paused at its
        position (the session put back its mood and volume)."""
        plays, catalog = self.plays, self.plays.catalog
        with self._session_lock:
            plays.queue.restore(state.queue)
            if state.play_mode in MODES:
                plays.modes.mode, plays.modes.seed = state.play_mode, state.play_seed
                plays.modes.source = [t for t in state.play_source if t in catalog.tracks]
        player = plays.transport.live
        if player is not None:
            player.set_volume(volume)
        track = catalog.tracks.get(state.track_id) if state.track_id is not None else None
        if track is not None and not track.missing and player is not None:
            with self._session_lock:
                plays.ledger.resume(track, plays.clock())
                plays.transport.reset(track.duration, state.position, paused=True)
            player.play(track.path, start=state.position, paused=True,
                        gain_db=plays.transport.gain(track))
        elif track is not None:
            plays.transport.position = state.position

    def close(self) -> None:
        with self._lock:
            timer, self._timer, self.autosave = self._timer, None, False
        if timer is not None:
            timer.cancel()
