"""Progress for long jobs on the command line: a bar on a terminal, plain lines otherwise.

Written to stderr, so ``--json`` output on stdout stays clean.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO

from musitui.text_safety import printable


class Progress:
    def __init__(self, label: str, total: int, *, stream: TextIO | None = None,
                 enabled: bool = True, unit: str = "files") -> None:
        self.label = label
        self.total = max(0, total)
        self.done = 0
        self.unit = unit
        self.stream = stream or sys.stderr
        self.enabled = enabled
        self.is_tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self.started = time.monotonic()
        self._last_draw = 0.0
        self._last_line_pct = -1

    def advance(self, count: int = 1, note: str = "") -> None:
        self.done += count
        self._draw(note)

    def rate(self) -> float:
        elapsed = time.monotonic() - self.started
        return self.done / elapsed if elapsed > 0 else 0.0

    def eta(self) -> float | None:
        rate = self.rate()
        if rate <= 0 or self.total <= 0:
            return None
        return max(0.0, (self.total - self.done) / rate)

    def _draw(self, note: str = "") -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        finished = self.done >= self.total
        if self.is_tty:
            if not finished and now - self._last_draw < 0.1:
                return
            self._last_draw = now
            width = 30
            frac = self.done / self.total if self.total else 1.0
            filled = int(width * frac)
            bar = "█" * filled + "·" * (width - filled)
            eta = self.eta()
            eta_text = f" ETA {format_seconds(eta)}" if eta is not None and not finished else ""
            note_text = f" {printable(note)[:40]}" if note else ""
            line = (f"\r{self.label} [{bar}] {self.done}/{self.total} "
                    f"{self.rate():.1f} {self.unit}/s{eta_text}{note_text}")
            self.stream.write(line.ljust(100)[:160])
            self.stream.flush()
        else:
            pct = int(100 * self.done / self.total) if self.total else 100
            step = pct // 10
            if step != self._last_line_pct and (pct % 10 == 0 or finished or now - self._last_draw > 5):
                self._last_line_pct = step
                self._last_draw = now
                self.stream.write(f"{self.label}: {self.done}/{self.total} ({pct}%) "
                                  f"{self.rate():.1f} {self.unit}/s\n")
                self.stream.flush()

    def close(self) -> None:
        if self.enabled and self.is_tty:
            self.stream.write("\n")
            self.stream.flush()


def format_seconds(seconds: float | None) -> str:
    if seconds is None:
        return "--:--"
    seconds = int(round(seconds))
    minutes, secs = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"
