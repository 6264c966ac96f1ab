"""The compacted part of the history: TinyDB files, one series per month, each capped in size.

TinyDB rewrites its whole file on every insert and parses it whole on open, so events are
never inserted one by one here: the journal collects them and compaction moves them in with
one ``insert_multiple`` per shard. A month is split into parts of at most ``SHARD_EVENTS``
events, so a compaction rewrites at most one small file per month touched.
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path
from typing import Any

from tinydb import TinyDB
from tinydb.storages import Storage

from musitui.store.atomic import atomic_write_bytes

SHARD_EVENTS = 5000
TABLE = "events"
_SHARD_NAME = re.compile(r"^events-(\d{4})-(\d{2})\.(\d{3})\.json$")


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
        try:
            data = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ShardDamaged(str(exc).splitlines()[0][:120]) from exc
        if not isinstance(data, dict) or not isinstance(data.get(TABLE, {}), dict):
            raise ShardDamaged("not a history table")
        return data

    def write(self, data: dict[str, dict[str, Any]]) -> None:
        text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
        atomic_write_bytes(self.path, text.encode("utf-8"))


def month_of(ts: float) -> str:
    return time.strftime("%Y-%m", time.gmtime(ts))  # UTC: the same shard on any machine


def shard_files(folder: Path) -> list[Path]:
    """Every shard, oldest month and part first."""
    found = [p for p in folder.glob("events-*.json") if _SHARD_NAME.match(p.name)]
    return sorted(found, key=lambda p: p.name)


def shard_path(folder: Path, month: str, part: int) -> Path:
    return folder / f"events-{month}.{part:03d}.json"


def read_shard(path: Path) -> list[dict[str, Any]]:
    """All events of one shard; raises ShardDamaged when it does not parse."""
    data = AtomicJSONStorage(str(path)).read() or {}
    table = data.get(TABLE, {})
    try:
        return [dict(event) for event in table.values()]
    except (TypeError, ValueError) as exc:
        raise ShardDamaged("not a history table") from exc


def append_to_month(folder: Path, month: str, events: list[dict[str, Any]]) -> list[Path]:
    """Insert ``events`` into the month's newest part(s); events already there (same seq) are
    skipped, so redoing an interrupted compaction is harmless. Returns the files written."""
    parts = [p for p in shard_files(folder) if p.name.startswith(f"events-{month}.")]
    part = int(_SHARD_NAME.match(parts[-1].name).group(3)) if parts else 0
    written: list[Path] = []
    pending = list(events)
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
