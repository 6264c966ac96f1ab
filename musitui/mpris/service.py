"""The MPRIS D-Bus service (dbus-fast on the app's asyncio loop), an adapter over the Session.

Exports ``/org/mpris/MediaPlayer2`` with the root and Player interfaces under the bus name
``org.mpris.MediaPlayer2.musitui`` (``….instance<pid>`` when another musitui holds it). Every
remote call runs the same Session method the TUI key runs (Next is ``session.next()``, as
``n``). Session changes arrive on any thread; they schedule one flush on the loop, which
announces the properties that changed (PropertiesChanged) and Seeked after a jump.
"""

# No ``from __future__ import annotations``: dbus-fast reads the D-Bus signatures from the
# annotations at class creation.

import asyncio
import contextlib
import logging
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

from dbus_fast import BusType, PropertyAccess, RequestNameReply, Variant
from dbus_fast.aio import MessageBus
from dbus_fast.annotations import (
    DBusBool,
    DBusDict,
    DBusDouble,
    DBusInt64,
    DBusObjectPath,
    DBusSignature,
    DBusStr,
)
from dbus_fast.service import ServiceInterface, dbus_property, method, signal

from musitui.core.contracts import RemoteSession
from musitui.mpris.state import MICROSECONDS, Snapshot, art_url, snapshot, track_object_path

DBusStrings = Annotated[list[str], DBusSignature("as")]
BUS_NAME = "org.mpris.MediaPlayer2.musitui"
OBJECT_PATH = "/org/mpris/MediaPlayer2"
SEEK_JUMP = 1.5  # seconds off the expected position that count as a seek
log = logging.getLogger("musitui.mpris")


class RootInterface(ServiceInterface):
    def __init__(self, on_quit: Callable[[], None] | None) -> None:
        super().__init__("org.mpris.MediaPlayer2")
        self._on_quit = on_quit

    @method()
    def Raise(self) -> None:
        pass

    @method()
    def Quit(self) -> None:
        if self._on_quit is not None:
            self._on_quit()

    @dbus_property(access=PropertyAccess.READ)
    def CanQuit(self) -> DBusBool:
        return self._on_quit is not None

    @dbus_property(access=PropertyAccess.READ)
    def CanRaise(self) -> DBusBool:
        return False

    @dbus_property(access=PropertyAccess.READ)
    def HasTrackList(self) -> DBusBool:
        return False

    @dbus_property(access=PropertyAccess.READ)
    def Identity(self) -> DBusStr:
        return "musitui"

    @dbus_property(access=PropertyAccess.READ)
    def DesktopEntry(self) -> DBusStr:
        return "musitui"

    @dbus_property(access=PropertyAccess.READ)
    def SupportedUriSchemes(self) -> DBusStrings:
        return ["file"]

    @dbus_property(access=PropertyAccess.READ)
    def SupportedMimeTypes(self) -> DBusStrings:
        return ["audio/mpeg", "audio/flac", "audio/ogg", "audio/opus", "audio/mp4", "audio/wav"]


class PlayerInterface(ServiceInterface):
    def __init__(self, adapter: "MprisService") -> None:
        super().__init__("org.mpris.MediaPlayer2.Player")
        self.adapter = adapter

    # -- methods: each one is a Session call, as the TUI's keys make ----------------
    @method()
    def Next(self) -> None:
        self.adapter.session.next()

    @method()
    def Previous(self) -> None:
        self.adapter.session.previous()

    @method()
    def Pause(self) -> None:
        self.adapter.set_playing(False)

    @method()
    def Play(self) -> None:
        self.adapter.set_playing(True)

    @method()
    def PlayPause(self) -> None:
        self.adapter.play_pause()

    @method()
    def Stop(self) -> None:
        self.adapter.session.stop()

    @method()
    def Seek(self, offset: DBusInt64) -> None:
        session = self.adapter.session
        if session.now_playing is None:
            return
        target = float(session.position or 0.0) + offset / MICROSECONDS
        if target >= float(session.duration or 0.0) > 0:
            session.next()  # the spec: seeking past the end acts like Next
            return
        session.seek_to(max(0.0, target))
        self.adapter.seeked(max(0.0, target))

    @method()
    def SetPosition(self, track_id: DBusObjectPath, position: DBusInt64) -> None:
        session = self.adapter.session
        track = session.now_playing
        if track is None or track_id != track_object_path(track.id):
            return  # a stale request: the spec says ignore it
        seconds = position / MICROSECONDS
        if not 0 <= seconds <= float(session.duration or 0.0):
            return
        session.seek_to(seconds)
        self.adapter.seeked(seconds)

    @method()
    def OpenUri(self, uri: DBusStr) -> None:
        pass  # not supported: musitui plays from its catalog

    @signal()
    def Seeked(self, position: DBusInt64) -> DBusInt64:
        return position

    # -- properties -------------------------------------------------------------------
    @dbus_property(access=PropertyAccess.READ)
    def PlaybackStatus(self) -> DBusStr:
        return self.adapter.current.status

    @dbus_property(access=PropertyAccess.READ)
    def Rate(self) -> DBusDouble:
        return 1.0

    @dbus_property(access=PropertyAccess.READ)
    def MinimumRate(self) -> DBusDouble:
        return 1.0

    @dbus_property(access=PropertyAccess.READ)
    def MaximumRate(self) -> DBusDouble:
        return 1.0

    @dbus_property(access=PropertyAccess.READ)
    def Metadata(self) -> DBusDict:
        return wrap_metadata(self.adapter.current)

    @dbus_property()
    def Volume(self) -> DBusDouble:
        return self.adapter.current.volume

    # dbus-fast's property: its setter keeps the getter's name (mypy knows only builtin ones).
    @Volume.setter  # type: ignore[no-redef]
    def Volume(self, value: DBusDouble) -> None:
        # The session's own rule (clamp_volume): below 0 is 0, above 1 is 1, NaN changes nothing.
        self.adapter.session.set_volume(float(value) * 100.0)

    @dbus_property(access=PropertyAccess.READ)
    def Position(self) -> DBusInt64:
        session = self.adapter.session
        return int(float(session.position or 0.0) * MICROSECONDS) if session.now_playing else 0

    @dbus_property(access=PropertyAccess.READ)
    def CanGoNext(self) -> DBusBool:
        return self.adapter.current.can_go_next

    @dbus_property(access=PropertyAccess.READ)
    def CanGoPrevious(self) -> DBusBool:
        return self.adapter.current.can_go_previous

    @dbus_property(access=PropertyAccess.READ)
    def CanPlay(self) -> DBusBool:
        return self.adapter.current.can_play

    @dbus_property(access=PropertyAccess.READ)
    def CanPause(self) -> DBusBool:
        return self.adapter.current.can_pause

    @dbus_property(access=PropertyAccess.READ)
    def CanSeek(self) -> DBusBool:
        return self.adapter.current.can_seek

    @dbus_property(access=PropertyAccess.READ)
    def CanControl(self) -> DBusBool:
        return True


def wrap_metadata(snap: Snapshot) -> dict[str, Variant]:
    return {key: Variant(sig, value) for key, sig, value in snap.metadata}


# property name -> how to read it from a Snapshot, for PropertiesChanged
ANNOUNCED: dict[str, Callable[[Snapshot], object]] = {
    "PlaybackStatus": lambda s: s.status,
    "Metadata": wrap_metadata,
    "Volume": lambda s: s.volume,
    "CanPlay": lambda s: s.can_play,
    "CanPause": lambda s: s.can_pause,
    "CanSeek": lambda s: s.can_seek,
    "CanGoNext": lambda s: s.can_go_next,
    "CanGoPrevious": lambda s: s.can_go_previous,
}
FIELDS = {"PlaybackStatus": "status", "Metadata": "metadata", "Volume": "volume",
          "CanPlay": "can_play", "CanPause": "can_pause", "CanSeek": "can_seek",
          "CanGoNext": "can_go_next", "CanGoPrevious": "can_go_previous"}


class MprisService:
    """``await MprisService(session, data_dir).start()`` → True when on the bus; False (and
    one log line) when there is no session bus. ``close()`` leaves the bus."""

    def __init__(self, session: RemoteSession, data_dir: Path | None, *,
                 on_quit: Callable[[], None] | None = None) -> None:
        self.session = session
        self.data_dir = data_dir
        self.on_quit = on_quit
        self.bus: MessageBus | None = None
        self.bus_name = ""
        self.current = Snapshot()
        self.problem: str | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._player = PlayerInterface(self)
        self._flush_scheduled = False
        self._closed = False
        self._art_for: str | None = None  # the track path whose art URL is known (or looked up)
        self._art = ""
        self._art_tasks: set[asyncio.Task] = set()  # held: the loop keeps only weak references
        self._last_position: tuple[int, float, float] | None = None  # (track id, position, time)

    async def start(self) -> bool:
        self._loop = asyncio.get_running_loop()
        try:
            self.bus = await MessageBus(bus_type=BusType.SESSION).connect()
            self.bus.export(OBJECT_PATH, RootInterface(self.on_quit))
            self.bus.export(OBJECT_PATH, self._player)
            self.bus_name = BUS_NAME
            reply = await self.bus.request_name(BUS_NAME)
            if reply not in (RequestNameReply.PRIMARY_OWNER, RequestNameReply.ALREADY_OWNER):
                self.bus_name = f"{BUS_NAME}.instance{os.getpid()}"
                await self.bus.request_name(self.bus_name)
        except Exception as exc:  # noqa: BLE001 - no session bus: the player runs without MPRIS
            reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            self.problem = f"MPRIS off: no D-Bus session bus ({reason})"
            log.info(self.problem)
            self._disconnect()
            return False
        self.current = self._snapshot()
        self.session.subscribe(self._on_change)
        return True

    def close(self) -> None:
        self._closed = True
        self._disconnect()

    def _disconnect(self) -> None:
        if self.bus is not None:
            with contextlib.suppress(Exception):
                self.bus.disconnect()
            self.bus = None

    # -- actions that need the current state ------------------------------------------
    def play_pause(self) -> None:
        session = self.session
        if session.now_playing is None:
            if session.up_next:
                session.play_next_in_queue()
            return
        session.toggle_pause()

    def set_playing(self, playing: bool) -> None:
        """Play / Pause: set the state, never toggle. Read from the session as it is now, not
        from the last announced snapshot, so Play + Play sent together leave it playing."""
        session = self.session
        if session.now_playing is None:
            if playing and session.up_next:
                session.play_next_in_queue()
            return
        if session.paused == playing:
            session.toggle_pause()

    def seeked(self, seconds: float) -> None:
        track = self.session.now_playing
        if track is not None:
            self._last_position = (track.id, seconds, time.monotonic())
        self._player.Seeked(int(seconds * MICROSECONDS))

    # -- session → bus ------------------------------------------------------------------
    def _on_change(self, change: str) -> None:
        """Any thread: schedule one flush on the loop."""
        if self._closed or self._loop is None or self._flush_scheduled:
            return
        self._flush_scheduled = True
        with contextlib.suppress(RuntimeError):  # the loop closed
            self._loop.call_soon_threadsafe(self._flush)

    def _flush(self) -> None:
        self._flush_scheduled = False
        if self._closed or self.bus is None:
            return
        self._watch_position()
        new = self._snapshot()
        changed = {name: read(new) for name, read in ANNOUNCED.items()
                   if getattr(new, FIELDS[name]) != getattr(self.current, FIELDS[name])}
        self.current = new
        if changed:
            self._player.emit_properties_changed(changed)

    def _watch_position(self) -> None:
        """Announce Seeked when the position jumped (a seek from the TUI's keys)."""
        session = self.session
        now = time.monotonic()
        track = session.now_playing
        if track is None:
            self._last_position = None
            return
        position = float(session.position or 0.0)
        last = self._last_position
        self._last_position = (track.id, position, now)
        if last is None or last[0] != track.id:  # a new track starts at 0: not a seek
            return
        expected = last[1] + (now - last[2] if self.current.status == "Playing" else 0.0)
        if abs(position - expected) > SEEK_JUMP:
            self._player.Seeked(int(position * MICROSECONDS))

    def _snapshot(self) -> Snapshot:
        track = self.session.now_playing
        path = track.path if track is not None else None
        if path != self._art_for:
            self._art_for, self._art = path, ""
            if path is not None and self.data_dir is not None and self._loop is not None:
                task = self._loop.create_task(self._find_art(self.data_dir, path))
                self._art_tasks.add(task)
                task.add_done_callback(self._art_tasks.discard)
        return snapshot(self.session, self._art)

    async def _find_art(self, data_dir: Path, path: str) -> None:
        from musitui.library.cover import cached_cover

        found = await asyncio.to_thread(cached_cover, data_dir, path)
        if path == self._art_for and found is not None and not self._closed:
            self._art = art_url(found)
            self._flush()
