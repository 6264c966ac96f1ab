"""SIGTERM / SIGHUP (the terminal closed) while the app runs: the session saves the resume
state, then the app quits with 128 + the signal's number. The handlers it replaced are put
back when the app unmounts.

A closed terminal can leave the app unable to finish by itself: Textual's SIGCONT handler
(the kernel sends SIGCONT with SIGHUP) restarts its output on the dead terminal, and the
shutdown then waits for writes nobody will take, whatever screen is open. So the command line
(``musitui`` in a terminal, not the in-process tests) sets ``exit_after``: that long after the
signal, if ``App.run`` has not returned, the process exits with the same status anyway. The
resume state is already saved (by the handler, before anything else) and every history event
was made durable when it was logged, so nothing is lost; the player stops with the process
instead of playing on unheard and logging finishes nobody heard.
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
from collections.abc import Callable

from musitui.core.contracts import SessionControl, SignalHandler

EXIT_AFTER_SECONDS = 3.0


class SignalWatch:
    def __init__(self) -> None:
        self._replaced: dict[int, SignalHandler] = {}  # signal number -> the handler it had
        self.exit_after: float | None = None  # seconds; None: wait for the app however long
        self._returned = threading.Event()

    def start(self, session: SessionControl, leave: Callable[[int], None]) -> None:
        """Main thread only (Python runs signal handlers there); elsewhere, nothing."""
        if threading.current_thread() is threading.main_thread():
            self._replaced = session.save_state_on_signals(
                then=lambda signum: self._leave(signum, leave))

    def _leave(self, signum: int, leave: Callable[[int], None]) -> None:
        if self.exit_after is not None:
            threading.Thread(target=self._exit_anyway, args=(128 + signum, self.exit_after),
                             name="musitui-exit", daemon=True).start()
        leave(signum)

    def _exit_anyway(self, status: int, seconds: float) -> None:
        if not self._returned.wait(seconds):
            os._exit(status)

    def returned(self) -> None:
        """``App.run`` returned: the app finished by itself, nothing to force."""
        self._returned.set()

    def stop(self) -> None:
        for signum, handler in self._replaced.items():
            with contextlib.suppress(TypeError, ValueError):
                signal.signal(signum, handler)
        self._replaced = {}
