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
import sys
import threading
import time
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


# -- freeing big structures in steps ------------------------------------------------
RETIRE_CHUNK = 2048  # items freed per step
RETRY_SECONDS, RETRY_LIMIT = 1.0, 120  # a retired object still in use is looked at again
RETIRE_DELAY = 0.25  # seconds
_retired: list[object] = []
_retired_ready = threading.Condition()
_retirer: threading.Thread | None = None


def retire(*objects: object) -> None:
    """Free structures nobody will use again (a replaced shelf, search index or catalog
    table) in a background thread, a few thousand items at a time. Dropping them at once is
    one decref cascade over 50k tracks' strings: a single 10-30 ms C call, wherever the last
    reference went (often the UI thread), that no other thread can interrupt.

    Who still holds a retired structure is read from its reference count: the structures are
    shared across rooms (catalog columns handed out, a rerank in flight, a search index lent
    to its successor), and the count is the record every holder keeps already. Kept for its
    measurement (``bench/bench_tui.py --retire-only``; docs/ARCHITECTURE.md)."""
    global _retirer
    with _retired_ready:
        _retired.extend(o for o in objects if o is not None)
        if _retirer is None:
            _retirer = threading.Thread(target=_retire_forever, name="musitui-retire", daemon=True)
            _retirer.start()
        _retired_ready.notify()


def _retire_forever() -> None:
    waiting: list[tuple[object, int]] = []  # still held elsewhere (e.g. by a build in flight)
    while True:
        with _retired_ready:
            if not _retired:
                _retired_ready.wait(timeout=RETRY_SECONDS if waiting else None)
            fresh, _retired[:] = list(_retired), []
        queue = [(obj, 0) for obj in fresh] + waiting
        del fresh
        waiting = []
        # Things are retired when their replacement is swapped in, just before the screen
        # repaints: let that repaint have the GIL, then free as one builder among the others.
        time.sleep(RETIRE_DELAY)
        with one_builder():
            while queue:
                obj, tries = queue.pop()
                # References: ``obj`` and getrefcount's argument. More: somebody still uses it.
                if sys.getrefcount(obj) > 2:
                    if tries < RETRY_LIMIT:
                        waiting.append((obj, tries + 1))
                else:
                    dismantle(obj)
                del obj


def dismantle(obj: object, depth: int = 0) -> None:
    """Empty ``obj``'s big lists and dicts in steps, but only those nobody else holds (the
    reference count says so): a list still shared with a live structure is left alone."""
    attributes = getattr(obj, "__dict__", None)
    if not isinstance(attributes, dict):
        return
    for name in list(attributes):
        value = attributes.get(name)
        # References: the attribute, ``value`` and getrefcount's argument.
        if sys.getrefcount(value) > 3:
            continue
        if isinstance(value, list):
            while value:
                del value[-RETIRE_CHUNK:]
        elif isinstance(value, dict):
            for _ in range(0, len(value), RETIRE_CHUNK):
                for _ in range(min(RETIRE_CHUNK, len(value))):
                    value.popitem()
        elif depth < 2 and type(value).__module__.startswith("musitui."):
            dismantle(value, depth + 1)
        del value
