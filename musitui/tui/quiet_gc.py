"""Keep the cyclic garbage collector out of the UI's frames while worker threads build.

A worker building 50,000-row structures triggers collections, and a collection holds the
GIL for 20-70 ms whichever thread started it: the UI thread misses frames. The builders make
no reference cycles (reference counting frees what they drop), so they pause the collector;
``freeze`` then moves what was built out of every later collection.
"""

from __future__ import annotations

import contextlib
import gc
import threading
from collections.abc import Iterator

_lock = threading.Lock()
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
                gc.enable()


def collect_young() -> None:
    """Collect the two young generations: the cycles made during a paused stretch."""
    gc.collect(1)


def freeze() -> None:
    """Move every object alive now out of later collections (long-lived library data)."""
    gc.freeze()
