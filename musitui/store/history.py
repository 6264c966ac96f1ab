"""The listening history: every play, finish, skip, queue change and mood change.

Layout of ``home.history_dir``, one module per file kind:

- ``journal.jsonl`` (``history_journal``): the newest events, one JSON object per line.
  Logging appends and fsyncs before returning, so an acknowledged event survives ``kill -9``;
  that is the whole per-event cost. The events one action made (a skip and the next play)
  are one write and one fsync (``log_many``).
- ``events-YYYY-MM.NNN.json`` (``history_shards``; read and rebuilt from by
  ``history_rebuild``): TinyDB shards (one series per month, at most 5000 events per file),
  each with a ``.columns.npz`` of the fields the aggregates use. Every ``COMPACT_EVERY``
  events the journal is folded into them with one ``insert_multiple`` per shard, then emptied.
- ``aggregates.npz`` and ``head.json`` (``history_snapshot``): the derived counts (see
  ``history_aggregates``) as of event ``seq``, and the newest seq/time/session for a light
  logger. Opening loads the snapshot and replays the journal events after it.

Exports and imports are checked line by line in ``history_transfer``. Several processes may
write: one writer at a time (``journal.lock``), one compactor at a time (``compaction.lock``).
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from musitui.store.atomic import atomic_write_bytes
from musitui.store.history_aggregates import Aggregates
from musitui.store.history_events import (
    KINDS,
    LISTENS,
    Entry,
    HistoryError,
    listen_entry,
    new_event,
)
from musitui.store.history_journal import JOURNAL, Journal, dump_lines, parse_journal
from musitui.store.history_rebuild import ShardSet
from musitui.store.history_shards import (
    ShardDamaged,
    append_to_month,
    month_of,
    shard_files,
    write_shard_columns,
)
from musitui.store.history_snapshot import (
    HEAD,
    SNAPSHOT,
    SNAPSHOT_VERSION,
    read_head,
    read_snapshot,
    write_head,
    write_snapshot,
)
from musitui.store.history_transfer import (
    MAX_IMPORT_BYTES,
    MAX_IMPORT_LINE,
    fresh_events,
    read_bounded,
    read_export,
)
from musitui.store.locks import flocked

if TYPE_CHECKING:
    import numpy as np

    from musitui.config import Config
    from musitui.core.model import Track
    from musitui.paths import Home

__all__ = ["COMPACT_EVERY", "JOURNAL", "HEAD", "MAX_IMPORT_BYTES", "MAX_IMPORT_LINE", "SNAPSHOT",
           "SNAPSHOT_VERSION", "History", "HistoryError", "parse_journal", "read_bounded",
           "read_head"]

COMPACT_EVERY = 1000
WRITER_LOCK = "journal.lock"
COMPACTION_LOCK = "compaction.lock"

Event = dict[str, Any]


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
        self.journal = Journal(self.folder, backups_dir)
        self.shards = ShardSet(self.folder, backups_dir, self.messages)
        self._journal: list[Event] = []  # the journal's events, in seq order
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
    def open(cls, home: Home, config: Config | None = None, *,
             compact_every: int = COMPACT_EVERY, background_compaction: bool = True) -> History:
        history = cls._for(home, config, compact_every, background_compaction)
        history.load()
        return history

    @classmethod
    def open_for_append(cls, home: Home, config: Config | None = None) -> History:
        """A history that can only log: it reads the newest seq/time/session (``head.json``
        and the journal) instead of the aggregates, so a script logging one event
        (``musitui event``) needs neither numpy nor the snapshot. The next full open replays
        what it logged. Falls back to a full open when there is no head file."""
        history = cls._for(home, config, COMPACT_EVERY, True)
        if not history._load_head():
            history.load()
        return history

    @classmethod
    def _for(cls, home: Home, config: Config | None, compact_every: int,
             background_compaction: bool) -> History:
        gap = config.history.session_gap_minutes if config is not None else 30.0
        return cls(home.history_dir, home.backups_dir, session_gap_minutes=gap,
                   compact_every=compact_every, background_compaction=background_compaction)

    @property
    def journal_path(self) -> Path:
        return self.journal.path

    @property
    def snapshot_path(self) -> Path:
        return self.folder / SNAPSHOT

    @property
    def head_path(self) -> Path:
        return self.folder / HEAD

    def _load_head(self) -> bool:
        self.folder.mkdir(parents=True, exist_ok=True)
        if not self.head_path.exists():
            if shard_files(self.folder) or self.snapshot_path.exists():
                return False
            head = (0, 0.0, 0)  # a new history: nothing to know
        else:
            known = read_head(self.head_path)
            if known is None:
                return False  # unreadable or of another version: the full open reads the rest
            head = known
        seq, last_ts, session = head
        self._journal = self.journal.read(self.messages)
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
        self._journal = self.journal.read(self.messages)
        snapshot = read_snapshot(self.snapshot_path)
        # A full rebuild parses (and checks) every shard anyway.
        damaged = snapshot is None or self.shards.check(snapshot.shard_sizes)
        if snapshot is not None and not damaged:
            self.aggregates = snapshot.aggregates
            self._shard_sizes, self._compacted_seq = snapshot.shard_sizes, snapshot.compacted_seq
        else:
            self.aggregates = self.shards.rebuild()
            self._compacted_seq, self._shard_sizes = self.aggregates.seq, self.shards.sizes()
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
            self._write_snapshot(self.aggregates.to_arrays(), self._compacted_seq,
                                 self._shard_sizes)

    def _write_head_locked(self) -> None:
        with self._lock, self._writer_lock():
            agg = self.aggregates
            write_head(self.head_path, agg.seq, agg.last_ts, agg.session)

    # -- logging -------------------------------------------------------------------------
    def log(self, kind: str, track: Track | None = None, *, ts: float | None = None,
            **fields: object) -> Event:
        """Record one event; durable on disk when this returns.

        ``track`` is a catalog Track (or None for e.g. a mood change); its id, path, artist
        and title are copied so the event can be re-linked if the file moves. Other fields:
        ``position``, ``listened``, ``duration``, ``mood``, anything JSON-serialisable.
        """
        return self.log_many([Entry(kind, track, ts, fields)])[0]

    def log_listen(self, kind: str, track: Track, *, position: float | None = None,
                   duration: float | None = None, mood: str | None = None,
                   ts: float | None = None, reason: str | None = None) -> Event:
        """A play/finish/skip of ``track`` (see ``history_events.listen_entry``)."""
        if kind not in LISTENS:
            raise HistoryError(f"unknown listening event {kind!r} (expected play, finish or skip)")
        return self.log_many([listen_entry(kind, track, position=position, duration=duration,
                                           mood=mood, ts=ts, reason=reason)])[0]

    def log_many(self, entries: Sequence[Entry]) -> list[Event]:
        """Record the events one action made (a skip and the next play) with one write and
        one fsync; all are durable on disk when this returns, or none was written (OSError)."""
        for entry in entries:
            if entry.kind not in KINDS:
                raise HistoryError(f"unknown event kind {entry.kind!r} "
                                   f"(expected one of {', '.join(KINDS)})")
        if not entries:
            return []
        with self._lock, self._writer_lock():
            agg = self.aggregates
            last_ts, session = agg.last_ts, agg.session
            events: list[Event] = []
            for entry in entries:
                now = time.time() if entry.ts is None else float(entry.ts)
                if not session or now - last_ts > self.session_gap:
                    session = int(now)
                last_ts = max(last_ts, now)
                events.append(new_event(entry, -1, now, session))
            due = self._commit(events)
        self._compact_when(due)
        return events

    def append_events(self, events: list[Event]) -> None:
        """Add ``events`` (checked, with their own ``ts`` and ``session``; oldest first) with
        one write and one fsync, then fold them into the shards: the bulk path of every
        import. Their ``seq`` is set here. All or nothing: HistoryError when the journal
        cannot be written."""
        if not events:
            return
        try:
            with self._lock, self._writer_lock():
                self._commit(events)
        except OSError as exc:
            raise HistoryError(f"cannot write the history in {self.folder}: "
                               f"{exc.strerror or exc}; nothing was imported") from exc
        try:
            self.compact()
        except OSError as exc:  # the events are in the journal: a later compaction moves them
            self.messages.append(f"could not compact the history in {self.folder} "
                                 f"({exc.strerror or exc}); nothing is lost, it will be retried")

    def _commit(self, events: list[Event]) -> bool:
        """Number ``events``, write them (one fsync) and count them; under both locks. True
        when the journal is due for compaction."""
        for number, event in enumerate(events, self.aggregates.seq + 1):
            event["seq"] = number
        self._append_many(events)
        for event in events:
            self.aggregates.apply(event)
        self._journal.extend(events)
        return len(self._journal) >= self.compact_every and not self._append_only

    def _append_many(self, events: list[Event]) -> None:
        self.journal.append(events)

    # -- compaction ----------------------------------------------------------------------
    def _compact_when(self, due: bool) -> None:
        if not due:
            return
        if self.background_compaction:
            self._compact_in_background()
        else:
            self.compact()

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
        by_month: dict[str, list[Event]] = {}
        for event in pending:
            by_month.setdefault(month_of(float(event["ts"])), []).append(event)
        for month, events in by_month.items():
            for path in append_to_month(self.folder, month, events):
                with contextlib.suppress(ShardDamaged, OSError):
                    write_shard_columns(path)  # so a rebuild need not parse it again
        shard_sizes = self.shards.sizes()
        with self._lock, self._writer_lock():
            # The writer lock took in what other processes appended meanwhile: it is kept.
            self._write_snapshot(arrays, upto, shard_sizes)
            if self.journal.damaged:  # never rewritten without a copy of the bad lines
                self.journal.keep_damaged()
                self.journal.damaged = False
            self._compacted_seq = max(self._compacted_seq, upto)
            self._shard_sizes = shard_sizes
            keep = [e for e in self._journal if int(e["seq"]) > upto]
            self.journal.rewrite(keep)
            self._journal = keep

    def _write_snapshot(self, arrays: dict[str, np.ndarray], upto: int,
                        shard_sizes: dict[str, int]) -> None:
        import json

        write_snapshot(self.snapshot_path, arrays, compacted_seq=upto, shard_sizes=shard_sizes)
        meta = json.loads(str(arrays["meta"]))
        write_head(self.head_path, meta["seq"], meta["last_ts"], meta["session"])

    # -- several writers ----------------------------------------------------------------
    @contextlib.contextmanager
    def _writer_lock(self) -> Iterator[None]:
        """One writer at a time across processes; on entry, take in what others logged so
        sequence numbers stay unique and a compaction never drops their events."""
        with self._file_lock(WRITER_LOCK):
            self._catch_up()
            yield

    def _compaction_lock(self) -> contextlib.AbstractContextManager[None]:
        """Serialises what rewrites the shards and the snapshot, across processes."""
        return self._file_lock(COMPACTION_LOCK)

    def _file_lock(self, name: str) -> contextlib.AbstractContextManager[None]:
        return flocked(self.folder / name)

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

    def _catch_up(self) -> None:
        news = self.journal.news()
        if news is None:
            return  # nobody else wrote
        events, rewritten = news
        if rewritten:
            self._take_in_head()
        known = {int(e["seq"]) for e in self._journal}
        for event in events:
            seq = event["seq"]
            if seq in known:
                continue
            if seq > self.aggregates.seq:
                self.aggregates.apply(event)
            self._journal.append(event)
        self._journal.sort(key=lambda e: int(e["seq"]))

    def close(self) -> None:
        worker = self._worker
        if worker is not None and worker.is_alive():
            worker.join()
        with self._lock:
            self.journal.close()

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
            for event in self.shards.events(newest_first=True):
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
        atomic_write_bytes(Path(path), dump_lines(events))
        return len(events)

    def import_jsonl(self, path: Path,
                     resolve_track: Callable[[Event], int | None] | None = None) -> tuple[int, int]:
        """Add the events of a JSON-lines export; returns (added, skipped as duplicates).
        Every line is checked before anything is written, then all are written or none (see
        ``history_transfer``); ``resolve_track(event) -> track id | None`` re-links events
        to this machine's catalog."""
        from musitui.store.notes import import_note_events

        incoming = read_export(path)
        notes = [e for e in incoming if e.get("kind") == "note"]  # to the notes beside the history
        fresh, skipped = fresh_events([e for e in incoming if e.get("kind") != "note"],
                                      self.events(newest_first=False), resolve_track)
        self.append_events(fresh)
        notes_added, notes_skipped = import_note_events(self.folder, notes, resolve_track) if notes else (0, 0)
        return len(fresh) + notes_added, skipped + notes_skipped
