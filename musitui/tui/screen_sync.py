"""Session → screen: what the session says changed reaches Up next, Now playing, the mood bar
and the notifications.

Session and player callbacks arrive on other threads. They only mark what changed and
schedule one flush on the event loop (``call_soon_threadsafe``), so a burst of position
events costs one repaint and a rerank reaches the screen on the next loop turn.
"""

from __future__ import annotations

import asyncio
import contextvars
import threading
from typing import TYPE_CHECKING

from musitui.config import Config
from musitui.core.model import Track
from musitui.core.moods import AUTO
from musitui.tui.bars import MoodBar, NowPlaying, NowPlayingState, PaneTitle, replaygain_text
from musitui.tui.cover_art import CoverArt
from musitui.tui.library_view import LibraryView
from musitui.tui.playing import playback_problem
from musitui.tui.up_next import UpNextView

if TYPE_CHECKING:
    from musitui.tui.app import MusituiApp

NOW_PLAYING_CHANGES = frozenset({"now_playing", "position", "state", "mood", "queue", "play_mode"})
MOOD_CHANGES = frozenset({"mood", "now_playing"})  # auto follows what plays and was finished


class ScreenSync:
    def __init__(self, app: MusituiApp) -> None:
        self.app = app
        self._lock = threading.Lock()
        self._pending: set[str] = set()
        self._flush_scheduled = False
        self._loop: asyncio.AbstractEventLoop | None = None
        self._context: contextvars.Context | None = None
        self.messages_seen = 0  # messages from before the app opened are shown too

    def start(self) -> None:
        """On the event loop (the app mounted): flushes are scheduled on this loop, in the
        app's context (a player thread has none: timers started there would lack Textual's
        active_app)."""
        self._loop = asyncio.get_running_loop()
        self._context = contextvars.copy_context()

    def on_change(self, change: str) -> None:
        """The session's subscriber, called from any thread: remember, schedule one flush."""
        with self._lock:
            self._pending.add(change)
            if self._flush_scheduled or self._loop is None:
                return
            self._flush_scheduled = True
        self._loop.call_soon_threadsafe(self._apply, context=self._context)

    def _apply(self) -> None:
        with self._lock:
            changes, self._pending = self._pending, set()
            self._flush_scheduled = False
        if not self.app.is_running or self.app.session is None:
            return
        if "queue" in changes:
            self.queue()
        if changes & NOW_PLAYING_CHANGES:
            self.now_playing()
        if changes & MOOD_CHANGES:
            self.mood()
        if "message" in changes:
            self.messages()

    def everything(self) -> None:
        self.queue(highlight=False)
        self.now_playing()
        self.mood()
        self.messages()

    def queue(self, highlight: bool = True) -> None:
        app = self.app
        items = list(app.attached.up_next)
        view = app.query_one(UpNextView)
        view.empty_text = ("Up next fills in once tracks are catalogued." if not app.model.track_count
                           else "Nothing to play next.")
        view.set_items(items, highlight=highlight and app.animate_highlight)
        queued = sum(1 for item in items if item.user_queued)
        title = f"Up next · {queued} queued" if queued else "Up next"
        app.query_one("#up-next-title", PaneTitle).update(title)

    def now_playing(self) -> None:
        app = self.app
        s = app.attached
        track = s.now_playing
        state = "stopped" if track is None else ("paused" if s.paused else "playing")
        problem = playback_problem(app)
        # The player knows best (a resumed track starts paused).
        if (track is not None and problem is None and s.player is not None
                and s.player.state in ("playing", "paused")):
            state = s.player.state
        note = "No audio output · browsing and queueing still work" if problem else ""
        items = list(s.up_next)
        app.query_one(NowPlaying).update_state(NowPlayingState(
            track=track, position=float(s.position or 0.0), duration=float(s.duration or 0.0),
            state=state, volume=int(s.volume), muted=s.muted,
            mood=s.mood, note=note, replaygain=self._replaygain(track),
            queue_length=len(items), queue_seconds=sum(float(i.track.duration or 0.0) for i in items),
            mode=s.play_mode,  # musitui/core/play_modes.py
            notes=(s.notes_on(track.id) or [""])[-1] if track is not None else ""))
        app.query_one(LibraryView).set_playing(track.id if track is not None else None)
        app.query_one(CoverArt).show(track.path if track is not None else None)

    def _replaygain(self, track: Track | None) -> str:
        if track is None:
            return ""
        playback = (self.app.config or Config()).playback
        return replaygain_text(track, playback.replaygain, playback.replaygain_preamp_db)

    def mood(self) -> None:
        session = self.app.attached
        effective = session.effective_mood
        vibe = session.vibe
        self.app.query_one(MoodBar).set_mood(session.mood, effective if effective != AUTO else "",
                                             vibe.label if vibe is not None else "")

    def messages(self) -> None:
        messages = list(self.app.attached.messages)
        for message in messages[self.messages_seen:]:
            self.app.notify(message, severity="warning", timeout=8)
        self.messages_seen = len(messages)
