"""The listening history: every play, finish, skip, queue change and mood change.

Layout of ``home.history_dir``:

- ``journal.jsonl``: the newest events, one JSON object per line. Logging appends one line
  and fsyncs before returning, so an acknowledged event survives ``kill -9``; that is the
  whole per-event cost (no TinyDB table rebuild on the hot path).
- ``events-YYYY-MM.NNN.json``: TinyDB shards (one series per month, at most 5000 events per
  file). Every ``COMPACT_EVERY`` events the journal is folded into them with one
  ``insert_multiple`` per shard and then emptied.
- ``aggregates.npz``: the derived counts (see ``history_aggregates``) as of event ``seq``,
  plus the size of every shard it has seen. Opening loads it and replays the journal events
  after ``seq``, so the cost of opening does not grow with the history.
- ``events-YYYY-MM.NNN.columns.npz``: beside each shard, the few fields the aggregates use,
  written at compaction. Without a usable snapshot every aggregate is rebuilt column-wise from
  these (``Aggregates.from_columns``), parsing only the shards whose column file is missing
  or stale: 100k events in about 0.2 s instead of parsing 22 MB of JSON.

A shard whose size differs from what the snapshot recorded is parsed to check it; a shard
that does not parse is moved into the backups folder with a message in ``messages`` and the
aggregates are rebuilt from what is left. Nothing is ever silently started empty.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import threading
import time
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from musitui.store.atomic import (
    atomic_write_bytes,
    atomic_write_json,
    atomic_write_with,
    fsync_dir,
    move_aside,
)
from musitui.store.history_aggregates import Aggregates, EventColumns
from musitui.store.history_events import (
    KINDS,
    LISTENS,
    Entry,
    event_problem,
    listen_entry,
    new_event,
)
from musitui.store.history_shards import (
    ShardDamaged,
    append_to_month,
    month_of,
    read_shard,
    remove_orphan_columns,
    shard_columns,
    shard_files,
    write_shard_columns,
)
from musitui.store.locks import flocked

if TYPE_CHECKING:
    import numpy as np

    from musitui.core.model import Track

COMPACT_EVERY = 1000
JOURNAL = "journal.jsonl"
SNAPSHOT = "aggregates.npz"
HEAD = "head.json"
WRITER_LOCK = "journal.lock"
COMPACTION_LOCK = "compaction.lock"
SNAPSHOT_VERSION = 2


class HistoryError(Exception):
    """A history operation that cannot be done; the message is one line for the user."""


def parse_journal(raw: bytes, problems: list[str]) -> list[dict[str, Any]]:
    """The valid events of complete journal lines; a line per bad one goes to ``problems``."""
    events: list[dict[str, Any]] = []
    for line in raw.split(b"\n"):
        if not line.strip():
            continue
        try:
            event = json.loads(line)
        except ValueError:
            problems.append("not JSON")
            continue
        problem = event_problem(event)
        if problem is None:
            events.append(event)
        else:
            problems.append(problem)
    return events


def read_head(path: Path) -> tuple[int, float, int] | None:
    """(seq, last_ts, session) from ``head.json``; None if it is missing, unreadable, of
    another version or of the wrong shape (a list, a string seq...)."""
    try:
        head = json.loads(path.read_bytes())
    except (OSError, ValueError):
        return None
    if not isinstance(head, dict) or head.get("version") != SNAPSHOT_VERSION:
        return None
    seq, last_ts, session = head.get("seq"), head.get("last_ts"), head.get("session")
    probe = {"seq": seq, "ts": last_ts, "session": session, "kind": "play"}
    if event_problem(probe) is not None:
        return None
    return int(seq), float(last_ts), int(session or 0)


class History:
    def __init__(self, folder: Path, backups_dir: Path | None = None, *,
                 session_gap_minutes: float = 30.0, compact_every: int = COMPACT_EVERY,
                 background_compaction: bool = True) -> None:
        self.folder = Path(folder)
        self.backups_dir = backups_dir
        self.session_gap = session_gap_minutes * 60.0
        self.compact_every = compact_every
        self.messages: list[str] = []
        self.aggregates = Aggregates()
        self._journal: list[dict[str, Any]] = []
        self._fd: int | None = None
        # What this process has seen of the journal file (inode, bytes), to take in what
        # another process (the player and `musitui event`, say) appended or compacted.
        self._journal_ident: tuple[int, int] | None = None
        self._journal_size = 0
        self._torn_tail = False
        self._journal_damaged = False  # a bad line was skipped: keep a copy before rewriting
        self._reported: set[str] = set()  # shards whose problems were told already
        self._shard_sizes: dict[str, int] = {}
        self._compacted_seq = 0
        self._lock = threading.RLock()
        self._compacting = False
        self._worker: threading.Thread | None = None
        self.background_compaction = background_compaction
        # open_for_append(): the aggregates are not loaded, so never compact or snapshot.
        self._append_only = False

    # -- opening -------------------------------------------------------------------------
    @classmethod
    def open(cls, home: Any, config: Any = None, **options: Any) -> History:
        if config is not None:
            options.setdefault("session_gap_minutes", config.history.session_gap_minutes)
        history = cls(home.history_dir, home.backups_dir, **options)
        history.load()
        return history

    @property
    def journal_path(self) -> Path:
        return self.folder / JOURNAL

    @property
    def snapshot_path(self) -> Path:
        return self.folder / SNAPSHOT

    @property
    def head_path(self) -> Path:
        return self.folder / HEAD

    @classmethod
    def open_for_append(cls, home: Any, config: Any = None, **options: Any) -> History:
        """A history that can only log: it reads the newest seq/time/session (``head.json``
        and the journal) instead of the aggregates, so a script logging one event
        (``musitui event``) needs neither numpy nor the snapshot. The next full open replays
        what it logged. Falls back to a full open when there is no head file."""
        if config is not None:
            options.setdefault("session_gap_minutes", config.history.session_gap_minutes)
        history = cls(home.history_dir, home.backups_dir, **options)
        if not history._load_head():
            history.load()
        return history

    def _load_head(self) -> bool:
        self.folder.mkdir(parents=True, exist_ok=True)
        if not self.head_path.exists():
            if shard_files(self.folder) or self.snapshot_path.exists():
                return False
            head = (0, 0.0, 0)  # a new history: nothing to know
        else:
            head = read_head(self.head_path)
            if head is None:
                return False  # unreadable or of another version: the full open reads the rest
        seq, last_ts, session = head
        self._journal = self._read_journal()
        for event in self._journal:
            if event["seq"] > seq:
                seq, last_ts = event["seq"], float(event["ts"])
                session = int(event.get("session") or session)
        self.aggregates.seq, self.aggregates.last_ts, self.aggregates.session = seq, last_ts, session
        self._append_only = True
        return True

    def load(self) -> None:
        """Read everything. Never fails for want of disk space: the only writes here (a
        snapshot matching what is left after damage, a missing head file) are best effort."""
        self.folder.mkdir(parents=True, exist_ok=True)
        self._journal = self._read_journal()
        snapshot = self._read_snapshot()
        damaged = self._check_shards(snapshot)
        if snapshot is not None and not damaged:
            self.aggregates = snapshot
        else:
            self.aggregates = self._rebuild_from_shards()
        for event in self._journal:
            self.aggregates.apply(event)
        if damaged and self.aggregates.seq:
            # No snapshot, or one describing shards that are gone: write one matching what is left.
            self._best_effort(self._write_snapshot_locked)
        elif self.aggregates.seq and not self.head_path.exists():
            self._best_effort(self._write_head_locked)

    def _best_effort(self, write: Callable[[], None]) -> None:
        # A read-only or full disk: derived data, written again by the next writer.
        with contextlib.suppress(OSError):
            write()

    def _write_snapshot_locked(self) -> None:
        with self._compaction_lock(), self._lock, self._writer_lock():
            self._write_snapshot()

    def _write_head_locked(self) -> None:
        with self._lock, self._writer_lock():
            self._write_head()

    def _read_journal(self) -> list[dict[str, Any]]:
        """The journal's complete, valid events, and how far it was read (``_catch_up`` takes
        in only what others append after that). Never writes: a bad line is skipped with a
        message (compaction keeps a copy of the file before it drops the line); a torn last
        line is a write never acknowledged, or one going on right now, and is left to the
        writers, who hold the lock."""
        try:
            with open(self.journal_path, "rb") as handle:
                st = os.fstat(handle.fileno())
                raw = handle.read()
        except FileNotFoundError:
            self._journal_ident, self._journal_size = None, 0
            return []
        complete, newline, _tail = raw.rpartition(b"\n")
        self._journal_ident = (st.st_dev, st.st_ino)
        self._journal_size = len(complete) + len(newline)
        problems: list[str] = []
        events = parse_journal(complete, problems)
        if problems:
            self._journal_damaged = True
            try:
                kept = f"the file as it was is kept as {self._keep_damaged_journal()}"
            except OSError as exc:  # a full or read-only disk: the file stays as it is
                kept = f"the file is left as it is (no copy could be made: {exc.strerror or exc})"
            self.messages.append(f"history journal: skipped {len(problems)} unreadable line(s) "
                                 f"({problems[0]}); {kept}; the {len(events)} other events loaded")
        return events

    def _keep_damaged_journal(self) -> Path:
        """A copy of the journal as it is now in the backups, made once per version of the
        file (named by inode and size), so a reader that finds damage keeps the evidence
        and compaction can rewrite the journal without the bad lines."""
        import shutil

        st = os.stat(self.journal_path)
        folder = self.backups_dir or self.folder
        target = folder / f"{JOURNAL}.damaged-{st.st_ino}-{st.st_size}"
        if not target.exists():
            folder.mkdir(parents=True, exist_ok=True)
            tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
            try:
                shutil.copyfile(self.journal_path, tmp)
                os.replace(tmp, target)
            finally:
                tmp.unlink(missing_ok=True)
        return target

    def _read_snapshot(self) -> Aggregates | None:
        import numpy as np

        try:
            with np.load(self.snapshot_path, allow_pickle=False) as data:
                header = json.loads(str(data["header"]))
                if header.get("version") != SNAPSHOT_VERSION:
                    return None
                aggregates = Aggregates.from_arrays(data)
            self._shard_sizes = {str(k): int(v) for k, v in header.get("shards", {}).items()}
            self._compacted_seq = int(header.get("compacted_seq", 0))
            return aggregates
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError, TypeError, IndexError, EOFError, zipfile.BadZipFile):
            # Derived data only: rebuilt from the events, so no backup is needed.
            self._shard_sizes = {}
            return None

    def _check_shards(self, snapshot: Aggregates | None) -> bool:
        """Parse the shards the snapshot does not vouch for; move damaged ones aside."""
        if snapshot is None:
            return True  # a full rebuild parses (and checks) every shard anyway
        damaged = False
        present = {p.name: p for p in shard_files(self.folder)}
        if set(self._shard_sizes) - set(present):
            missing = sorted(set(self._shard_sizes) - set(present))
            self.messages.append(f"history shard(s) missing: {', '.join(missing)}; "
                                 "counts were rebuilt from the events that are left")
            damaged = True
        for name, path in present.items():
            if self._shard_sizes.get(name) == path.stat().st_size:
                continue
            try:
                self._note_bad_records(path, read_shard)
            except ShardDamaged as exc:
                self._move_damaged_shard(path, exc)
                damaged = True
        return damaged

    def _rebuild_from_shards(self) -> Aggregates:
        """Every aggregate again from the shards, reading each month's column file (see
        ``history_shards``) and parsing only the shards without a current one."""
        import numpy as np

        parts: list[EventColumns] = []
        paths: list[Path] = []
        for path, columns in self._readable_shards(shard_columns, shard_files(self.folder)):
            if columns is None:  # events of unusual shape: the one-by-one rebuild
                return self._rebuild_from_events()
            parts.append(columns)
            paths.append(path)
        remove_orphan_columns(self.folder)
        columns = EventColumns.concat(parts)
        offsets = np.cumsum([0, *(len(part) for part in parts)])

        def fetch(rows: list[int]) -> list[dict[str, Any]]:
            """The events at ``rows``, read from their shards (the newest few only)."""
            read: dict[int, list[dict[str, Any]]] = {}
            found = []
            for row in rows:
                part = int(np.searchsorted(offsets, row, side="right")) - 1
                if part not in read:
                    read[part] = read_shard(paths[part])
                event = read[part][row - int(offsets[part])]
                if int(event.get("seq", 0)) != int(columns.seq[row]):
                    raise ShardDamaged("changed while it was read")
                found.append(event)
            return found

        try:
            aggregates = Aggregates.from_columns(columns, fetch)
        except (ShardDamaged, FileNotFoundError, IndexError, ValueError, TypeError):
            # Another process compacted meanwhile: parse everything once more.
            return self._rebuild_from_events()
        return self._rebuilt(aggregates)

    def _rebuild_from_events(self) -> Aggregates:
        return self._rebuilt(Aggregates.from_events(list(self._iter_shard_events())))

    def _rebuilt(self, aggregates: Aggregates) -> Aggregates:
        """Note what the shards held when ``aggregates`` was rebuilt from them."""
        self._compacted_seq = aggregates.seq
        self._shard_sizes = {p.name: p.stat().st_size for p in shard_files(self.folder)}
        return aggregates

    def _readable_shards(self, read: Callable[[Path], Any],
                         files: list[Path]) -> Iterator[tuple[Path, Any]]:
        """``read(path)`` of each shard; a damaged one is moved aside (with a message) and
        skipped, one that vanished meanwhile is skipped."""
        for path in files:
            try:
                yield path, self._note_bad_records(path, read)
            except ShardDamaged as exc:
                self._move_damaged_shard(path, exc)
            except FileNotFoundError:
                continue

    def _note_bad_records(self, path: Path, read: Callable[..., Any]) -> Any:
        """``read(path, problems)``, saying once per shard how many records it left out."""
        problems: list[str] = []
        result = read(path, problems)
        if problems and path.name not in self._reported:
            self._reported.add(path.name)
            self.messages.append(f"history file {path.name}: skipped {len(problems)} unreadable "
                                 f"event(s) ({problems[0]}); the rest loaded")
        return result

    def _move_damaged_shard(self, path: Path, exc: Exception) -> None:
        try:
            backup = move_aside(path, self.backups_dir)
        except OSError as error:
            if path.name not in self._reported:
                self._reported.add(path.name)
                self.messages.append(f"history file {path.name} is damaged ({exc}) and could not "
                                     f"be moved aside ({error.strerror or error}); it was skipped")
            return
        self.messages.append(f"history file {path.name} is damaged ({exc}); it was moved "
                             f"to {backup}; the rest of the history loaded")

    def _iter_shard_events(self, newest_first: bool = False) -> Iterator[dict[str, Any]]:
        files = shard_files(self.folder)
        if newest_first:
            files.reverse()
        for _path, events in self._readable_shards(read_shard, files):
            events.sort(key=lambda e: int(e.get("seq", 0)), reverse=newest_first)
            yield from events

    # -- logging -------------------------------------------------------------------------
    def log(self, kind: str, track: Track | None = None, *, ts: float | None = None,
            **fields: Any) -> dict[str, Any]:
        """Record one event; durable on disk when this returns.

        ``track`` is a catalog Track (or None for e.g. a mood change); its id, path, artist
        and title are copied so the event can be re-linked if the file moves. Other fields:
        ``position``, ``listened``, ``duration``, ``mood``, anything JSON-serialisable.
        """
        return self.log_many([Entry(kind, track, ts, fields)])[0]

    def log_many(self, entries: Sequence[Entry]) -> list[dict[str, Any]]:
        """Record the events one action made (a skip and the next play) with one write and
        one fsync; all are durable on disk when this returns, or none was written."""
        for entry in entries:
            if entry.kind not in KINDS:
                raise HistoryError(f"unknown event kind {entry.kind!r} "
                                   f"(expected one of {', '.join(KINDS)})")
        if not entries:
            return []
        with self._lock, self._writer_lock():
            agg = self.aggregates
            seq, last_ts, session = agg.seq, agg.last_ts, agg.session
            events: list[dict[str, Any]] = []
            for entry in entries:
                now = time.time() if entry.ts is None else float(entry.ts)
                if not session or now - last_ts > self.session_gap:
                    session = int(now)
                seq += 1
                last_ts = max(last_ts, now)
                events.append(new_event(entry, seq, now, session))
            self._append_many(events)
            for event in events:
                agg.apply(event)
            self._journal.extend(events)
            due = len(self._journal) >= self.compact_every and not self._append_only
        if due:
            if self.background_compaction:
                self._compact_in_background()
            else:
                self.compact()
        return events

    def log_listen(self, kind: str, track: Track, *, position: float | None = None,
                   duration: float | None = None, mood: str | None = None,
                   ts: float | None = None, reason: str | None = None) -> dict[str, Any]:
        """A play/finish/skip of ``track`` (see ``history_events.listen_entry``)."""
        if kind not in LISTENS:
            raise HistoryError(f"unknown listening event {kind!r} (expected play, finish or skip)")
        return self.log_many([listen_entry(kind, track, position=position, duration=duration,
                                           mood=mood, ts=ts, reason=reason)])[0]

    def _append(self, event: dict[str, Any]) -> None:
        self._append_many([event])

    def _append_many(self, events: list[dict[str, Any]]) -> None:
        if not events:
            return
        line = "".join(json.dumps(e, ensure_ascii=False, separators=(",", ":")) + "\n"
                       for e in events).encode("utf-8")
        if self._torn_tail:  # a writer died mid-line: never glue an event onto its fragment
            line = b"\n" + line
            self._torn_tail = False
        if self._fd is None:
            new = not self.journal_path.exists()
            self._fd = os.open(self.journal_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
            if new:
                fsync_dir(self.folder)
        view = memoryview(line)
        while view:
            view = view[os.write(self._fd, view):]
        os.fsync(self._fd)
        st = os.fstat(self._fd)
        self._journal_ident, self._journal_size = (st.st_dev, st.st_ino), st.st_size

    # -- compaction ----------------------------------------------------------------------
    def compact(self) -> None:
        """Move the journal into the month shards, snapshot the aggregates, empty the journal."""
        if self._append_only:
            return
        with self._lock:
            if self._compacting:
                return
            self._compacting = True
        try:
            self._compact()
        finally:
            self._compacting = False

    def _compact_in_background(self) -> None:
        with self._lock:
            if self._compacting:
                return
            self._compacting = True
        self._worker = threading.Thread(target=self._compact_then_release, daemon=True,
                                        name="musitui-history-compact")
        self._worker.start()

    def _compact_then_release(self) -> None:
        try:
            self._compact()
        except OSError as exc:  # e.g. disk full: the journal still holds every event
            with self._lock:
                self.messages.append(f"could not compact the history ({exc.strerror or exc}); "
                                     "nothing is lost, it will be retried")
        finally:
            self._compacting = False

    def _compact(self) -> None:
        # One compactor at a time across processes (two would rewrite the same shard, each
        # dropping the other's insert). Logging goes on meanwhile: only events up to ``upto``
        # are moved, and only those are taken out of the journal at the end. A kill at any
        # point leaves every event in the journal, the shards or both (duplicates are
        # recognised by seq).
        with self._compaction_lock():
            self._compact_locked()

    def _compact_locked(self) -> None:
        with self._lock:
            pending = [e for e in self._journal if int(e["seq"]) > self._compacted_seq]
            upto = self.aggregates.seq
            arrays = self.aggregates.to_arrays()
        if not pending and not self._journal:
            return
        by_month: dict[str, list[dict[str, Any]]] = {}
        for event in pending:
            by_month.setdefault(month_of(float(event["ts"])), []).append(event)
        for month, events in by_month.items():
            for path in append_to_month(self.folder, month, events):
                with contextlib.suppress(ShardDamaged, OSError):
                    write_shard_columns(path)  # so a rebuild need not parse it again
        shard_sizes = {p.name: p.stat().st_size for p in shard_files(self.folder)}
        with self._lock, self._writer_lock():
            # The writer lock took in what other processes appended meanwhile: it is kept.
            self._write_snapshot(arrays, upto, shard_sizes)
            if self._journal_damaged:  # never rewritten without a copy of the bad lines
                self._keep_damaged_journal()
                self._journal_damaged = False
            self._compacted_seq = max(self._compacted_seq, upto)
            self._shard_sizes = shard_sizes
            keep = [e for e in self._journal if int(e["seq"]) > upto]
            self._rewrite_journal(keep)
            self._journal = keep

    def _write_snapshot(self, arrays: dict[str, np.ndarray] | None = None, upto: int | None = None,
                        shard_sizes: dict[str, int] | None = None) -> None:
        import numpy as np

        header = {"version": SNAPSHOT_VERSION,
                  "compacted_seq": self._compacted_seq if upto is None else upto,
                  "shards": self._shard_sizes if shard_sizes is None else shard_sizes}
        arrays = self.aggregates.to_arrays() if arrays is None else arrays

        def write(tmp: Path) -> None:
            with open(tmp, "wb") as handle:
                np.savez(handle, header=np.array(json.dumps(header)), **arrays)

        atomic_write_with(self.snapshot_path, write)
        meta = json.loads(str(arrays["meta"]))
        self._write_head(meta["seq"], meta["last_ts"], meta["session"])

    def _write_head(self, seq: int | None = None, last_ts: float | None = None,
                    session: int | None = None) -> None:
        """What a light logger (open_for_append) needs, without numpy or the aggregates."""
        agg = self.aggregates
        seq = agg.seq if seq is None else seq
        last_ts = agg.last_ts if last_ts is None else last_ts
        session = agg.session if session is None else session
        known = read_head(self.head_path)
        if known is not None and known[0] > seq:
            return  # another process got further: a head never goes back
        atomic_write_json(self.head_path, {"version": SNAPSHOT_VERSION, "seq": seq,
                                           "last_ts": last_ts, "session": session})

    def _rewrite_journal(self, events: list[dict[str, Any]]) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
        text = "".join(json.dumps(e, ensure_ascii=False, separators=(",", ":")) + "\n" for e in events)
        atomic_write_bytes(self.journal_path, text.encode("utf-8"))
        self._remember_journal()

    # -- several writers ----------------------------------------------------------------
    @contextlib.contextmanager
    def _writer_lock(self) -> Iterator[None]:
        """One writer at a time across processes; on entry, take in what others logged so
        sequence numbers stay unique and a compaction never drops their events."""
        self.folder.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.folder / WRITER_LOCK, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            self._catch_up()
            yield
        finally:
            os.close(fd)  # releases the lock

    @contextlib.contextmanager
    def _compaction_lock(self) -> Iterator[None]:
        """Serialises what rewrites the shards and the snapshot, across processes."""
        with flocked(self.folder / COMPACTION_LOCK):
            yield

    def _take_in_head(self) -> None:
        """Events another process compacted away before we saw them still count for numbering."""
        head = read_head(self.head_path)
        if head is None:
            return
        seq, last_ts, session = head
        agg = self.aggregates
        if seq > agg.seq:
            agg.seq = seq
        if last_ts > agg.last_ts:
            agg.last_ts, agg.session = last_ts, session

    def _remember_journal(self) -> None:
        try:
            st = os.stat(self.journal_path)
        except FileNotFoundError:
            self._journal_ident, self._journal_size = None, 0
            return
        self._journal_ident, self._journal_size = (st.st_dev, st.st_ino), st.st_size

    def _catch_up(self) -> None:
        try:
            st = os.stat(self.journal_path)
        except FileNotFoundError:
            st = None
        ident = None if st is None else (st.st_dev, st.st_ino)
        if ident == self._journal_ident and (st is None or st.st_size == self._journal_size):
            return  # nobody else wrote
        if ident != self._journal_ident or (st is not None and st.st_size < self._journal_size):
            # Another process rewrote the journal (compaction): our descriptor is stale.
            if self._fd is not None:
                os.close(self._fd)
                self._fd = None
            start = 0
            self._take_in_head()
        else:
            start = self._journal_size
        if st is None:
            self._journal_ident, self._journal_size = None, 0
            return
        with open(self.journal_path, "rb") as handle:
            handle.seek(start)
            raw = handle.read()
        complete, _, tail = raw.rpartition(b"\n")
        self._torn_tail = bool(tail.strip())
        known = {int(e["seq"]) for e in self._journal}
        problems: list[str] = []
        for event in parse_journal(complete, problems):
            seq = event["seq"]
            if seq in known:
                continue
            if seq > self.aggregates.seq:
                self.aggregates.apply(event)
            self._journal.append(event)
        if problems:
            self._journal_damaged = True  # skipped; a copy is kept at the next compaction
        self._journal.sort(key=lambda e: int(e["seq"]))
        self._journal_ident, self._journal_size = ident, st.st_size

    def close(self) -> None:
        worker = self._worker
        if worker is not None and worker.is_alive():
            worker.join()
        with self._lock:
            if self._fd is not None:
                os.close(self._fd)
                self._fd = None

    # -- reading -------------------------------------------------------------------------
    def events(self, *, limit: int | None = None, kinds: Iterable[str] | None = None,
               since: float | None = None, newest_first: bool = True) -> list[dict[str, Any]]:
        """Events, newest first by default; reads only as many shards as ``limit`` needs."""
        wanted = set(kinds) if kinds else None
        seen: set[int] = set()
        found: list[dict[str, Any]] = []

        def take(event: dict[str, Any]) -> bool:
            seq = int(event.get("seq", 0))
            if seq in seen:
                return False
            seen.add(seq)
            if wanted and event.get("kind") not in wanted:
                return False
            if since is not None and float(event.get("ts", 0)) < since:
                return False
            found.append(event)
            return limit is not None and len(found) >= limit

        with self._lock:
            journal = list(self._journal)
        done = any(take(e) for e in reversed(journal))
        if not done:
            for event in self._iter_shard_events(newest_first=True):
                if take(event):
                    break
        found.sort(key=lambda e: int(e.get("seq", 0)), reverse=newest_first)
        return found

    def __len__(self) -> int:
        return self.aggregates.events

    # -- moving data between machines -----------------------------------------------------
    def export_jsonl(self, path: Path) -> int:
        """The listening events, then the notes on tracks (kind "note"), as JSON lines."""
        from musitui.store.notes import note_events

        events = self.events(newest_first=False) + note_events(self.folder)
        text = "".join(json.dumps(e, ensure_ascii=False, separators=(",", ":")) + "\n" for e in events)
        atomic_write_bytes(Path(path), text.encode("utf-8"))
        return len(events)

    def import_jsonl(self, path: Path, resolve_track: Any = None) -> tuple[int, int]:
        """Add the events of a JSON-lines export; returns (added, skipped as duplicates).

        Every line is checked before anything is written, and then all are written or none:
        a bad line names its number and what is wrong. Only a regular file of at most
        ``MAX_IMPORT_BYTES`` is read (never a FIFO or ``/dev/zero``), lines of at most
        ``MAX_IMPORT_LINE`` bytes. ``resolve_track(event) -> track id | None`` re-links events
        to this machine's catalog. Events already present (same kind, ts and path) are
        skipped, so importing twice adds nothing.
        """
        raw = read_bounded(Path(path))
        incoming: list[dict[str, Any]] = []
        for number, line in enumerate(raw.split(b"\n"), 1):
            if not line.strip():
                continue
            if len(line) > MAX_IMPORT_LINE:
                raise HistoryError(f"{path} line {number} is longer than {MAX_IMPORT_LINE // 1024} KiB; "
                                   "nothing was imported")
            try:
                event = json.loads(line)
            except ValueError as exc:
                raise HistoryError(f"{path} line {number} is not JSON; nothing was imported") from exc
            problem = event_problem(event, numbered=False)
            if problem is not None:
                raise HistoryError(f"{path} line {number} is not a history event ({problem}); "
                                   "nothing was imported")
            incoming.append(event)
        from musitui.store.notes import import_note_events

        notes = [e for e in incoming if e.get("kind") == "note"]
        incoming = [e for e in incoming if e.get("kind") != "note"]
        existing = {(e.get("kind"), round(float(e.get("ts", 0)), 3), e.get("path"))
                    for e in self.events(newest_first=False)}
        fresh: list[dict[str, Any]] = []
        skipped = 0
        incoming.sort(key=lambda e: float(e["ts"]))
        for event in incoming:
            key = (event.get("kind"), round(float(event["ts"]), 3), event.get("path"))
            if key in existing:
                skipped += 1
                continue
            existing.add(key)
            event = dict(event)
            event["seq"] = -1  # numbered under the lock below
            if event.get("session") is None:
                event["session"] = int(float(event["ts"]))
            if resolve_track is not None:
                event["track_id"] = resolve_track(event)
            fresh.append(event)
        self.append_events(fresh)
        notes_added, notes_skipped = import_note_events(self.folder, notes, resolve_track) if notes else (0, 0)
        return len(fresh) + notes_added, skipped + notes_skipped

    def append_events(self, events: list[dict[str, Any]]) -> None:
        """Add ``events`` (checked, with their own ``ts`` and ``session``; oldest first) with
        one write and one fsync, then fold them into the shards: the bulk path of every
        import. Their ``seq`` is set here. All or nothing: HistoryError when the journal
        cannot be written."""
        if not events:
            return
        try:
            with self._lock, self._writer_lock():
                for number, event in enumerate(events, self.aggregates.seq + 1):
                    event["seq"] = number
                self._append_many(events)
                for event in events:
                    self.aggregates.apply(event)
                self._journal.extend(events)
        except OSError as exc:
            raise HistoryError(f"cannot write the history in {self.folder}: "
                               f"{exc.strerror or exc}; nothing was imported") from exc
        try:
            self.compact()
        except OSError as exc:  # the events are in the journal: a later compaction moves them
            self.messages.append(f"could not compact the history in {self.folder} "
                                 f"({exc.strerror or exc}); nothing is lost, it will be retried")


MAX_IMPORT_BYTES = 512 * 1024 * 1024
MAX_IMPORT_LINE = 1024 * 1024


def read_bounded(path: Path, limit: int = MAX_IMPORT_BYTES) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes; HistoryError otherwise."""
    import stat

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
