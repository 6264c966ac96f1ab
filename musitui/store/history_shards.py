"""The compacted part of the history: TinyDB files, one series per month, each capped in size.

TinyDB rewrites its whole file on every insert and parses it whole on open, so events are
never inserted one by one here: the journal collects them and compaction moves them in with
one ``insert_multiple`` per shard. A month is split into parts of at most ``SHARD_EVENTS``
events, so a compaction rewrites at most one small file per month touched.

Beside each shard, ``events-YYYY-MM.NNN.columns.npz`` keeps the few fields the aggregates
use (``EventColumns``), stamped with the shard's size, mtime and inode: a full rebuild of the
aggregates reads these instead of parsing every month's JSON again. They are derived data:
a stale, missing or unreadable one is simply made again from its shard.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import threading
import time
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tinydb.storages import Storage

from musitui.store.atomic import atomic_write_bytes
from musitui.store.history_events import valid_events
from musitui.untrusted import UntrustedError, load_json

if TYPE_CHECKING:
    from musitui.store.history_aggregates import EventColumns

SHARD_EVENTS = 5000
TABLE = "events"
_SHARD_NAME = re.compile(r"^events-(\d{4})-(\d{2})\.(\d{3})\.json$")
COLUMNS_SUFFIX = ".columns.npz"
COLUMNS_VERSION = 1


class ShardDamaged(Exception):
    pass


class AtomicJSONStorage(Storage):
    """TinyDB storage that writes through temp file + fsync + rename, and refuses bad JSON."""

    def __init__(self, path: str) -> None:
        self.path = Path(path)

    def read(self) -> dict[str, dict[str, Any]] | None:
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return None
        data = parse_json(raw)
        if not isinstance(data, dict) or not isinstance(data.get(TABLE, {}), dict):
            raise ShardDamaged("not a history table")
        return data

    def write(self, data: dict[str, dict[str, Any]]) -> None:
        text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
        atomic_write_bytes(self.path, text.encode("utf-8"))


def parse_json(raw: bytes) -> Any:
    """The guarded reader (orjson, about 3x faster on the shards, else json: it also reads
    what orjson refuses and json.dumps writes: NaN, Infinity, lone surrogates). ShardDamaged
    if it refuses the file (not JSON, too deep, a number too long)."""
    try:
        return load_json(raw)
    except UntrustedError as exc:
        raise ShardDamaged(str(exc)[:120]) from exc


def month_of(ts: float) -> str:
    return time.strftime("%Y-%m", time.gmtime(ts))  # UTC: the same shard on any machine


def shard_files(folder: Path) -> list[Path]:
    """Every shard, oldest month and part first."""
    found = [p for p in folder.glob("events-*.json") if _SHARD_NAME.match(p.name)]
    return sorted(found, key=lambda p: p.name)


def shard_path(folder: Path, month: str, part: int) -> Path:
    return folder / f"events-{month}.{part:03d}.json"


def read_shard(path: Path, problems: list[str] | None = None) -> list[dict[str, Any]]:
    """The usable events of one shard; raises ShardDamaged when it does not parse. A record
    that is not a valid event is left out, with a line in ``problems``."""
    data = AtomicJSONStorage(str(path)).read() or {}
    return valid_events(list(data.get(TABLE, {}).values()), problems)


def append_to_month(folder: Path, month: str, events: list[dict[str, Any]]) -> list[Path]:
    """Insert ``events`` into the month's newest part(s); events already there (same seq) are
    skipped, so redoing an interrupted compaction is harmless. Returns the files written."""
    parts = [p for p in shard_files(folder) if p.name.startswith(f"events-{month}.")]
    newest = _SHARD_NAME.match(parts[-1].name) if parts else None  # shard_files() matched it
    part = int(newest.group(3)) if newest is not None else 0
    written: list[Path] = []
    pending = list(events)
    from tinydb import TinyDB  # only compaction writes shards

    while pending:
        path = shard_path(folder, month, part)
        db = TinyDB(str(path), storage=AtomicJSONStorage)
        try:
            table = db.table(TABLE)
            present = {doc.get("seq") for doc in table.all()}
            fresh = [e for e in pending if e.get("seq") not in present]
            room = SHARD_EVENTS - len(present)
            if room <= 0:
                part += 1
                continue
            batch, pending = fresh[:room], fresh[room:]
            if batch:
                table.insert_multiple(batch)
                written.append(path)
            if pending:
                part += 1
        finally:
            db.close()
    return written


# -- the column files beside the shards ---------------------------------------------------
def columns_path(shard: Path) -> Path:
    return shard.with_name(shard.name.removesuffix(".json") + COLUMNS_SUFFIX)


def _stamp(shard: Path) -> list[int]:
    st = os.stat(shard)
    return [COLUMNS_VERSION, st.st_size, st.st_mtime_ns, st.st_ino]


def shard_columns(shard: Path, problems: list[str] | None = None) -> EventColumns | None:
    """The aggregate fields of every event of ``shard``, in ``read_shard`` order: from its
    column file when that still matches the shard, else parsed (and the file made again).
    None when the shard has events of unusual shape; raises ShardDamaged, FileNotFoundError."""
    import numpy as np

    from musitui.store.history_aggregates import EventColumns

    stamp = _stamp(shard)
    try:
        with np.load(columns_path(shard), allow_pickle=False) as data:
            if json.loads(str(data["stamp"])) == stamp:
                return EventColumns.from_arrays(data)
    except (OSError, ValueError, KeyError, TypeError, EOFError, zipfile.BadZipFile):
        pass  # missing or unreadable: derived data, made again below
    return write_shard_columns(shard, stamp, problems)


def write_shard_columns(shard: Path, stamp: list[int] | None = None,
                        problems: list[str] | None = None) -> EventColumns | None:
    """Parse ``shard`` and keep its columns beside it (best effort: a read-only folder or a
    full disk only costs speed). Raises ShardDamaged, FileNotFoundError."""
    import numpy as np

    from musitui.store.history_aggregates import EventColumns

    stamp = _stamp(shard) if stamp is None else stamp  # before reading: a change makes it stale
    columns = EventColumns.of(read_shard(shard, problems))
    if columns is None:
        return None

    # Renamed into place (never read half-written) but not fsynced: after a crash it is at
    # worst unreadable or stale, and then made again.
    target = columns_path(shard)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    try:
        with open(tmp, "wb") as handle:
            np.savez(handle, allow_pickle=True, stamp=np.array(json.dumps(stamp)),
                     **columns.to_arrays())
        os.replace(tmp, target)
    except OSError:
        with contextlib.suppress(OSError):
            tmp.unlink()
    return columns


def remove_orphan_columns(folder: Path) -> None:
    """Column files whose shard is gone (moved aside as damaged, say)."""
    for path in folder.glob(f"events-*{COLUMNS_SUFFIX}"):
        shard = path.with_name(path.name.removesuffix(COLUMNS_SUFFIX) + ".json")
        if not shard.exists():
            with contextlib.suppress(OSError):
                path.unlink()
