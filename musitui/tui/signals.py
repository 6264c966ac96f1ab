"""SIGTERM / SIGHUP (the terminal closed) while the app runs: the session saves the resume
state, then the app quits with 128 + the signal's number. The handlers it replaced are put
back when the app unmounts."""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Callable

from musitui.core.contracts import SessionControl, SignalHandler


class SignalWatch:
    def __init__(self) -> None:
        self._replaced: dict[int, SignalHandler] = {}  # signal number -> the handler it had

    def start(self, session: SessionControl, leave: Callable[[int], None]) -> None:
        """Main thread only (Python runs signal handlers there); elsewhere, nothing."""
        if threading.current_thread() is threading.main_thread():
            self._replaced = session.save_state_on_signals(then=leave)

    def stop(self) -> None:
        for signum, handler in self._replaced.items():
            with contextlib.suppress(TypeError, ValueError):
                signal.signal(signum, handler)
        self._replaced = {}
