"""The history's journal file (``journal.jsonl``): the newest events, one JSON object a line.

Appending writes the lines and fsyncs before returning, so an acknowledged event survives
``kill -9``. The journal remembers how much of the file this process has seen (inode,
bytes), so a writer can take in what another process appended or compacted (``news``).
Reading never writes: a bad line is skipped with a message and a copy of the file is kept
in the backups (``keep_damaged``) before anything rewrites it; a torn last line is a write
never acknowledged, or one going on right now, and is left to the writers, who hold the
lock (``History._writer_lock``).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
from pathlib import Path
from typing import Any

from musitui.store.atomic import atomic_write_bytes, fsync_dir, naming
from musitui.store.history_events import event_problem
from musitui.untrusted import load_json

JOURNAL = "journal.jsonl"

Event = dict[str, Any]


def parse_journal(raw: bytes, problems: list[str]) -> list[Event]:
    """The valid events of complete journal lines; a line per bad one goes to ``problems``."""
    events: list[Event] = []
    for line in raw.split(b"\n"):
        if not line.strip():
            continue
        try:
            event = load_json(line)
        except ValueError:  # UntrustedError: not JSON, too deep, a number too long
            problems.append("not JSON")
            continue
        problem = event_problem(event)
        if problem is None:
            events.append(event)
        else:
            problems.append(problem)
    return events


def dump_lines(events: list[Event]) -> bytes:
    """``events`` as journal lines (also the export format)."""
    return "".join(json.dumps(e, ensure_ascii=False, separators=(",", ":")) + "\n"
                   for e in events).encode("utf-8")


class Journal:
    def __init__(self, folder: Path, backups_dir: Path | None) -> None:
        self.folder = folder
        self.backups_dir = backups_dir
        self.path = folder / JOURNAL
        self._fd: int | None = None
        # What this process has seen of the file (inode, bytes), to take in what another
        # process (the player and `musitui event`, say) appended or compacted.
        self._ident: tuple[int, int] | None = None
        self._size = 0
        self._torn_tail = False
        self.damaged = False  # a bad line was skipped: keep a copy before rewriting

    def read(self, messages: list[str]) -> list[Event]:
        """The complete, valid events, and how far the file was read (``news`` takes in only
        what others append after that); a line in ``messages`` for skipped ones."""
        try:
            with open(self.path, "rb") as handle:
                st = os.fstat(handle.fileno())
                raw = handle.read()
        except FileNotFoundError:
            self._ident, self._size = None, 0
            return []
        complete, newline, _tail = raw.rpartition(b"\n")
        self._ident = (st.st_dev, st.st_ino)
        self._size = len(complete) + len(newline)
        problems: list[str] = []
        events = parse_journal(complete, problems)
        if problems:
            self.damaged = True
            try:
                kept = f"the file as it was is kept as {self.keep_damaged()}"
            except OSError as exc:  # a full or read-only disk: the file stays as it is
                kept = f"the file is left as it is (no copy could be made: {exc.strerror or exc})"
            messages.append(f"history journal: skipped {len(problems)} unreadable line(s) "
                            f"({problems[0]}); {kept}; the {len(events)} other events loaded")
        return events

    def keep_damaged(self) -> Path:
        """A copy of the journal as it is now in the backups, made once per version of the
        file (named by inode and size), so a reader that finds damage keeps the evidence
        and compaction can rewrite the journal without the bad lines."""
        st = os.stat(self.path)
        folder = self.backups_dir or self.folder
        target = folder / f"{JOURNAL}.damaged-{st.st_ino}-{st.st_size}"
        if not target.exists():
            folder.mkdir(parents=True, exist_ok=True)
            tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
            try:
                shutil.copyfile(self.path, tmp)
                os.replace(tmp, target)
            finally:
                tmp.unlink(missing_ok=True)
        return target

    def append(self, events: list[Event]) -> None:
        """One write and one fsync for ``events``; under the writer lock."""
        if not events:
            return
        line = dump_lines(events)
        if self._torn_tail:  # a writer died mid-line: never glue an event onto its fragment
            line = b"\n" + line
            self._torn_tail = False
        if self._fd is None:
            new = not self.path.exists()
            self._fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
            if new:
                fsync_dir(self.folder)
        before = os.fstat(self._fd).st_size
        try:
            view = memoryview(line)
            while view:
                view = view[os.write(self._fd, view):]
            os.fsync(self._fd)
        except OSError as exc:
            # A full disk took part of the line: cut it off again (a truncate needs no room),
            # so a failed event leaves no torn line for the next read to call damage.
            with contextlib.suppress(OSError):
                os.ftruncate(self._fd, before)
                os.fsync(self._fd)
            raise naming(exc, self.path) from None
        st = os.fstat(self._fd)
        self._ident, self._size = (st.st_dev, st.st_ino), st.st_size

    def rewrite(self, events: list[Event]) -> None:
        """The journal holding only ``events`` (atomically); under the writer lock."""
        self.close()
        atomic_write_bytes(self.path, dump_lines(events))
        try:
            st = os.stat(self.path)
        except FileNotFoundError:
            self._ident, self._size = None, 0
            return
        self._ident, self._size = (st.st_dev, st.st_ino), st.st_size

    def news(self) -> tuple[list[Event], bool] | None:
        """What other processes wrote since this one last looked: None when nobody did, else
        the valid events read (from the start when the file was rewritten, by a compaction)
        and whether it was rewritten. Under the writer lock."""
        try:
            st: os.stat_result | None = os.stat(self.path)
        except FileNotFoundError:
            st = None
        ident = None if st is None else (st.st_dev, st.st_ino)
        if ident == self._ident and (st is None or st.st_size == self._size):
            return None  # nobody else wrote
        rewritten = ident != self._ident or (st is not None and st.st_size < self._size)
        start = self._size
        if rewritten:  # our descriptor is stale
            self.close()
            start = 0
        if st is None:
            self._ident, self._size = None, 0
            return [], rewritten
        with open(self.path, "rb") as handle:
            handle.seek(start)
            raw = handle.read()
        complete, _, tail = raw.rpartition(b"\n")
        self._torn_tail = bool(tail.strip())
        problems: list[str] = []
        events = parse_journal(complete, problems)
        if problems:
            self.damaged = True  # skipped; a copy is kept at the next compaction
        self._ident, self._size = ident, st.st_size
        return events, rewritten

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
