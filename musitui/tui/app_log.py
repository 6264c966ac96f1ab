"""The app's quiet log: one line each in the data folder's musitui.log, never on screen."""

from __future__ import annotations

import contextlib
import time
from pathlib import Path


def log_line(data_dir: Path | None, text: str) -> None:
    if data_dir is None:
        return
    with contextlib.suppress(OSError), open(data_dir / "musitui.log", "a", encoding="utf-8") as log:
        log.write(f"{time.strftime('%Y-%m-%d %H:%M:%S')} {text}\n")
