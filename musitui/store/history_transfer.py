"""Moving the history between machines: an export's lines read back, checked and de-duplicated.

``History.import_jsonl`` reads a JSON-lines export with ``read_export`` (every line checked
before anything is written: a bad line names its number and what is wrong) and keeps what
``fresh_events`` finds new; ``History.append_events`` then writes them all or none. Only a
regular file of at most ``MAX_IMPORT_BYTES`` is read (never a FIFO or ``/dev/zero``), lines of
at most ``MAX_IMPORT_LINE`` bytes.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from musitui.store.history_events import HistoryError, event_problem
from musitui.untrusted import load_json

MAX_IMPORT_BYTES = 512 * 1024 * 1024
MAX_IMPORT_LINE = 1024 * 1024

Event = dict[str, Any]


def read_bounded(path: Path, limit: int = MAX_IMPORT_BYTES) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes; HistoryError otherwise."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)  # a FIFO must not block the open
    except OSError as exc:
        raise HistoryError(f"cannot read {path}: {exc.strerror or exc}") from exc
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise HistoryError(f"cannot import {path}: not a regular file")
        if info.st_size > limit:
            raise HistoryError(f"cannot import {path}: larger than {limit // (1024 * 1024)} MB")
        with os.fdopen(fd, "rb", closefd=False) as handle:
            raw = handle.read(limit + 1)
    except OSError as exc:
        raise HistoryError(f"cannot read {path}: {exc.strerror or exc}") from exc
    finally:
        os.close(fd)
    if len(raw) > limit:
        raise HistoryError(f"cannot import {path}: larger than {limit // (1024 * 1024)} MB")
    return raw


def read_export(path: Path) -> list[Event]:
    """The events of a JSON-lines export; HistoryError (nothing imported) at the first bad line."""
    raw = read_bounded(Path(path))
    incoming: list[Event] = []
    for number, line in enumerate(raw.split(b"\n"), 1):
        if not line.strip():
            continue
        if len(line) > MAX_IMPORT_LINE:
            raise HistoryError(f"{path} line {number} is longer than {MAX_IMPORT_LINE // 1024} KiB; "
                               "nothing was imported")
        try:
            event = load_json(line)
        except ValueError as exc:
            raise HistoryError(f"{path} line {number} is not JSON; nothing was imported") from exc
        problem = event_problem(event, numbered=False)
        if problem is not None:
            raise HistoryError(f"{path} line {number} is not a history event ({problem}); "
                               "nothing was imported")
        incoming.append(event)
    return incoming


def fresh_events(incoming: list[Event], existing: Iterable[Event],
                 resolve_track: Callable[[Event], int | None] | None = None
                 ) -> tuple[list[Event], int]:
    """The events of ``incoming`` not already present (same kind, ts and path), oldest first,
    each in a listening session and re-linked by ``resolve_track(event) -> track id | None``;
    and how many were skipped as duplicates (so importing twice adds nothing)."""
    known = {(e.get("kind"), round(float(e.get("ts", 0)), 3), e.get("path")) for e in existing}
    fresh: list[Event] = []
    skipped = 0
    for event in sorted(incoming, key=lambda e: float(e["ts"])):
        key = (event.get("kind"), round(float(event["ts"]), 3), event.get("path"))
        if key in known:
            skipped += 1
            continue
        known.add(key)
        event = dict(event)
        event["seq"] = -1  # numbered when written
        if event.get("session") is None:
            event["session"] = int(float(event["ts"]))
        if resolve_track is not None:
            event["track_id"] = resolve_track(event)
        fresh.append(event)
    return fresh, skipped
