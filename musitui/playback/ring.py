"""A single-producer / single-consumer ring of float32 frames, preallocated once.

The decoder thread is the only writer of ``w`` and ``skip_to``; the audio callback is the
only writer of ``r``. Both are plain ints that only grow (absolute frame counts), so each
side reads the other's counter without a lock. A flush is the producer asking the consumer
to jump ``r`` forward to ``skip_to``; the producer never overwrites frames between ``r``
and ``w`` until the consumer has moved past them.
"""

from __future__ import annotations

import numpy as np


class Ring:
    def __init__(self, capacity: int, channels: int) -> None:
        self.capacity = capacity
        self.channels = channels
        self.buf = np.zeros((capacity, channels), dtype=np.float32)
        self.w = 0  # frames ever written
        self.r = 0  # frames ever consumed (heard)
        self.skip_to = 0  # consumer jumps r here at its next call (flush)
        self.end_w: int | None = None  # no audio after this frame: running dry is not an underrun
        self.primed = False  # enough audio written since the last flush to count underruns
        self.hold = False  # a seek/play/stop is on its way: play nothing stale until its flush

    # -- producer side -------------------------------------------------------------------
    def free(self) -> int:
        return self.capacity - (self.w - self.r)

    def write(self, data: np.ndarray) -> None:
        """Append ``data`` (n, channels); the caller made sure ``n <= free()``."""
        n = len(data)
        start = self.w % self.capacity
        first = min(n, self.capacity - start)
        self.buf[start:start + first] = data[:first]
        if first < n:
            self.buf[: n - first] = data[first:]
        self.w += n

    def flush(self) -> None:
        """Drop everything not yet heard; the consumer applies it at its next call."""
        self.primed = False
        self.end_w = None
        self.skip_to = self.w
        self.hold = False

    # -- consumer side (the audio callback) ----------------------------------------------
    def readable(self) -> int:
        return self.w - max(self.r, self.skip_to)

    def read_into(self, out: np.ndarray, n: int) -> None:
        """Copy ``n`` frames into ``out[:n]`` and consume them; ``n <= readable()``."""
        start = self.r % self.capacity
        first = min(n, self.capacity - start)
        out[:first] = self.buf[start:start + first]
        if first < n:
            out[first:n] = self.buf[: n - first]
        self.r += n
