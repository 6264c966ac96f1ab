"""The session's own thread: its commands (history fsyncs, reranks) run there one at a time,
in the order of the keys, never on the event loop; and the session as remote controls
(MPRIS) see it, with every command queued on that same thread."""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TYPE_CHECKING, TypeVar

from musitui.core.contracts import PlayerControl, SessionControl

if TYPE_CHECKING:
    from musitui.core.model import Track

T = TypeVar("T")


def first_line(exc: BaseException) -> str:
    """An exception as one line for the user (its first line, else its type's name)."""
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


class SessionThread:
    """One worker thread that runs session commands in order."""

    def __init__(self, notify: Callable[[str], None]) -> None:
        """``notify``: says a failed command's one line to the user (on the event loop)."""
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="musitui-session")
        self._notify = notify

    def submit(self, command: Callable[..., T], *args: object) -> Future[T]:
        """Queue a command without waiting (a Future)."""
        return self._executor.submit(command, *args)

    async def run(self, command: Callable[..., T], *args: object) -> T | None:
        """Run one command on the session thread; the loop goes on meanwhile. A failure is one
        line for the user (None is returned), never a traceback."""
        loop = asyncio.get_running_loop()
        try:
            return await loop.run_in_executor(self._executor, functools.partial(command, *args))
        except Exception as exc:  # noqa: BLE001 - one line for the user, never a traceback
            self._notify(f"That did not work: {first_line(exc)}")
            return None

    def shutdown(self) -> None:
        """Wait for what was asked (before the resume state is saved)."""
        self._executor.shutdown(wait=True)


class SessionOnThread:
    """The session as remote controls (MPRIS) see it (a ``RemoteSession``): its commands are
    queued on the app's session thread, in order, never run on the event loop; what they
    read is the session's own."""

    def __init__(self, session: SessionControl, thread: SessionThread) -> None:
        self._session = session
        self._thread = thread

    # -- read: straight from the session ----------------------------------------------
    @property
    def player(self) -> PlayerControl | None:
        return self._session.player

    @property
    def now_playing(self) -> Track | None:
        return self._session.now_playing

    @property
    def up_next(self) -> Sequence[object]:
        return self._session.up_next

    @property
    def position(self) -> float:
        return self._session.position

    @property
    def duration(self) -> float:
        return self._session.duration

    @property
    def paused(self) -> bool:
        return self._session.paused

    @property
    def volume(self) -> int:
        return self._session.volume

    @property
    def muted(self) -> bool:
        return self._session.muted

    def subscribe(self, callback: Callable[[str], None]) -> None:
        self._session.subscribe(callback)

    # -- commands: queued on the session thread -----------------------------------------
    def next(self) -> None:
        self._thread.submit(self._session.next)

    def previous(self) -> None:
        self._thread.submit(self._session.previous)

    def toggle_pause(self) -> None:
        self._thread.submit(self._session.toggle_pause)

    def play_next_in_queue(self) -> None:
        self._thread.submit(self._session.play_next_in_queue)

    def stop(self) -> None:
        self._thread.submit(self._session.stop)

    def seek_to(self, seconds: float) -> None:
        self._thread.submit(self._session.seek_to, seconds)

    def set_volume(self, volume: float) -> None:
        self._thread.submit(self._session.set_volume, volume)
