"""Find what blocks the UI thread: a sampler of every thread's stack, for debugging stalls.

Enabled by ``MUSITUI_STALL_TRACE=1`` or ``=FILE``: the app then samples, marks frames more
than 25 ms late and writes everything at exit (to FILE, else $TMPDIR/musitui-stall-trace.txt).
``bench/bench_tui.py --trace FILE`` does the same for its runs.
Every ``interval`` seconds a daemon thread records where each thread is. A long C call that
holds the GIL (a sort, a JSON dump, a garbage collection) stops the sampler too, so a gap
between two samples *is* a stall: the sample before it shows the line that made the call,
the one after where that thread went next. A late frame marked with ``mark_late`` is
reported with the samples taken while it was due; ``dump()`` writes everything at the end.
"""

from __future__ import annotations

import asyncio
import bisect
import gc
import os
import sys
import tempfile
import threading
import time
from collections import deque
from pathlib import Path
from typing import Any, TextIO

ENV = "MUSITUI_STALL_TRACE"
DEPTH = 6  # frames kept per thread (innermost first)
# Innermost functions of a thread that is waiting, not working: left out of reports.
IDLE = frozenset({"wait", "select", "get", "_worker", "_wait_for_tstate_lock", "poll", "recv",
                  "recv_bytes", "_recv", "accept", "sleep", "_run_once"})


def enabled() -> bool:
    return os.environ.get(ENV, "") not in ("", "0")


Stack = tuple[tuple[str, str, int], ...]


def _stack(frame: Any, depth: int = DEPTH) -> Stack:
    out: list[tuple[str, str, int]] = []
    while frame is not None and len(out) < depth:
        code = frame.f_code
        out.append((code.co_filename.rsplit("/", 1)[-1], code.co_name, frame.f_lineno))
        frame = frame.f_back
    return tuple(out)


def format_stack(stack: Stack) -> str:
    return " < ".join(f"{name}:{line} {func}" for name, func, line in stack)


class StallTracer:
    """Samples kept as text (strings are not tracked by the garbage collector, so the
    tracer adds no collection work); nothing is printed while it runs (under Textual, stderr
    is the app's, and printing costs the UI thread): ``dump()`` writes it all at the end."""

    def __init__(self, interval: float = 0.002, gap: float = 0.025, keep: int = 20000) -> None:
        self.interval = interval
        self.gap = gap
        self.times: deque[float] = deque(maxlen=keep)
        self.texts: deque[str] = deque(maxlen=keep)
        self.gaps: list[tuple[float, float, str, str]] = []
        self.collections: list[tuple[float, float, int, str]] = []
        self.late: list[tuple[float, float]] = []  # windows a frame was late in (``mark_late``)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._gc_started: float | None = None

    # -- life ------------------------------------------------------------------------
    def start(self) -> StallTracer:
        self._thread = threading.Thread(target=self._run, name="stall-trace", daemon=True)
        self._thread.start()
        gc.callbacks.append(self._on_gc)
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._on_gc in gc.callbacks:
            gc.callbacks.remove(self._on_gc)
        if self._thread is not None:
            self._thread.join(timeout=1)

    # -- sampling --------------------------------------------------------------------
    def _snapshot(self) -> str:
        """Where every working thread is (and the UI thread always), one line each."""
        names = {t.ident: t.name for t in threading.enumerate()}
        me = threading.get_ident()
        lines = []
        for ident, frame in sys._current_frames().items():
            if ident == me:
                continue
            name = names.get(ident, str(ident))
            stack = _stack(frame)
            if stack and (name == "MainThread" or stack[0][1] not in IDLE):
                lines.append(f"  {name}: {format_stack(stack)}")
        return "\n".join(lines)

    def _run(self) -> None:
        last_t, last = time.perf_counter(), self._snapshot()
        while not self._stop.wait(self.interval):
            now, snap = time.perf_counter(), self._snapshot()
            self.times.append(now)
            self.texts.append(snap)
            if now - last_t > self.gap:
                self.gaps.append((last_t, now, last, snap))
            last_t, last = now, snap

    def _on_gc(self, phase: str, info: dict[str, Any]) -> None:
        now = time.perf_counter()
        if phase == "start":
            self._gc_started = now
            return
        if self._gc_started is None:
            return
        took, self._gc_started = now - self._gc_started, None
        if took * 1000 >= 5:
            self.collections.append((now - took, took, int(info.get("generation", -1)),
                                     threading.current_thread().name))

    # -- reading ---------------------------------------------------------------------
    def mark_late(self, start: float, end: float) -> None:
        """A frame due at ``start`` came at ``end`` (cheap: reported by ``dump``). Two
        watchers (the app's and a benchmark's) seeing the same stall mark it once."""
        if self.late and start < self.late[-1][1] and end > self.late[-1][0]:
            return
        self.late.append((start, end))

    def report(self, start: float, end: float) -> str:
        """What the threads did from ``start`` to ``end``: the sample before, the first and
        last few within, the one after; and the collections that overlapped."""
        times = list(self.times)
        first, last = bisect.bisect_left(times, start), bisect.bisect_right(times, end)
        picks = sorted({*range(max(0, first - 1), min(first + 3, last)),
                        *range(max(first, last - 3), min(last + 1, len(times)))})
        texts = list(self.texts)
        lines = [f" t={times[i]:.3f}\n{texts[i]}" for i in picks if i < len(texts)]
        for t, took, gen, thread in self.collections:
            if t <= end and t + took >= start:
                lines.append(f" gc gen {gen} at {t:.3f} for {took * 1000:.0f} ms in {thread}")
        return "\n".join(lines)

    def dump(self, out: TextIO | None = None) -> None:
        """Every GIL gap, slow collection and late frame seen, to ``out`` (stderr)."""
        out = out or sys.__stderr__
        if out is None:  # no stderr at all (pythonw)
            return
        for before_t, after_t, before, after in self.gaps:
            print(f"[GIL gap] {(after_t - before_t) * 1000:.0f} ms at {before_t:.3f}\n before:\n{before}"
                  f"\n after:\n{after}", file=out)
        for t, took, gen, thread in self.collections:
            print(f"[gc] gen {gen} at {t:.3f}: {took * 1000:.0f} ms in {thread}", file=out)
        for start, end in self.late:
            print(f"[late frame] {(end - start) * 1000:.0f} ms late at {end:.3f}\n"
                  + self.report(start, end), file=out)
        out.flush()


async def watch_frames(tracer: StallTracer, frame: float = 1 / 60, late: float = 0.025) -> None:
    """On the UI's event loop: wake every frame and mark the wake-ups more than ``late`` late."""
    while True:
        due = time.perf_counter() + frame
        await asyncio.sleep(frame)
        now = time.perf_counter()
        if now - due > late:
            tracer.mark_late(due, now)


def dump_path() -> Path:
    """Where the app writes the trace when it exits: the variable's value when it is a path."""
    value = os.environ.get(ENV, "")
    if value in ("", "0", "1"):
        return Path(tempfile.gettempdir()) / "musitui-stall-trace.txt"
    return Path(value).expanduser()


_tracer: StallTracer | None = None


def start_if_enabled() -> StallTracer | None:
    """The process-wide tracer, started once when ``MUSITUI_STALL_TRACE`` is set."""
    global _tracer
    if _tracer is None and enabled():
        _tracer = StallTracer().start()
    return _tracer


class AppTrace:
    """The app's tracing while it runs (only when ``MUSITUI_STALL_TRACE`` is set): its late
    frames marked from the event loop, everything written to ``dump_path()`` at exit."""

    def __init__(self) -> None:
        self._tracer: StallTracer | None = None
        self._watch: asyncio.Task[None] | None = None

    def start(self) -> None:
        """On the event loop."""
        self._tracer = start_if_enabled()
        if self._tracer is not None:
            self._watch = asyncio.get_running_loop().create_task(watch_frames(self._tracer))

    def write(self) -> str | None:
        """Write the trace; a one-line problem when it could not be written."""
        if self._tracer is None:
            return None
        if self._watch is not None:
            self._watch.cancel()
        try:
            with open(dump_path(), "a", encoding="utf-8") as out:
                self._tracer.dump(out)
        except OSError as exc:
            return f"could not write the stall trace: {exc}"
        return None
