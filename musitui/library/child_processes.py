"""Process pools of the library layer (tag reading, demo synthesis): how to start workers
safely and make them end with the process that started them."""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import threading
from multiprocessing.context import BaseContext

PR_SET_PDEATHSIG = 1


def pool_context() -> BaseContext:
    """fork is fastest, but forking while other threads run (the TUI scans from a worker
    thread; a test run leaves helper threads behind) can copy a held lock into the child,
    which then deadlocks: fork only when this is the process's one thread."""
    return multiprocessing.get_context("fork" if threading.active_count() == 1 else "forkserver")


def start_worker() -> None:
    """Pool initializer: Ctrl-C is the parent's to handle (workers are shut down by it), and
    a forked worker gets SIGKILL when its parent dies, so a killed scan leaves none behind."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    with contextlib.suppress(OSError, AttributeError):
        import ctypes
        import ctypes.util

        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() == 1:  # the parent died before the request took effect
        os._exit(1)
