"""Keep the cyclic garbage collector out of the UI's frames while worker threads build.

A worker building 50,000-row structures triggers collections, and a collection holds the
GIL for 20-70 ms whichever thread started it: the UI thread misses frames. The builders make
no reference cycles (reference counting frees what they drop), so they pause the collector;
when the last pause ends, what was built is frozen: moved out of every later collection.
"""

from __future__ import annotations

import atexit
import contextlib
import gc
import threading
from collections.abc import Iterator

_lock = threading.Lock()
# Frozen objects are never collected, not even when the interpreter exits: extension types
# in reference cycles then look leaked (nanobind, used by soxr, prints a warning per object).
# Thaw everything before the final collections.
atexit.register(gc.unfreeze)
_pauses = 0
_was_enabled = True


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """No cyclic collection inside the block; nests and overlaps across threads."""
    global _pauses, _was_enabled
    with _lock:
        if _pauses == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _pauses += 1
    try:
        yield
    finally:
        with _lock:
            _pauses -= 1
            if _pauses == 0 and _was_enabled:
                # Whatever the block allocated is still in the young generation, uncounted
                # by any collection: the first one after enable() would walk all of it while
                # holding the GIL (46-254 ms measured at 50k tracks). Freezing first moves it
                # out of collections (a list splice). The price: reference cycles the block
                # made are never collected (a few hundred objects per scan).
                gc.freeze()
                gc.enable()


def freeze() -> None:
    """Move every object alive now out of later collections (long-lived library data)."""
    gc.freeze()


_builders = threading.RLock()


@contextlib.contextmanager
def one_builder() -> Iterator[None]:
    """One heavy background rebuild at a time (the session's arrays, the shelf, the search
    keys). Threads share the GIL in turns: with two builders running, the UI thread got a
    third of it and a 10 ms repaint took 30-50 ms; with one, about half."""
    with _builders:
        yield
