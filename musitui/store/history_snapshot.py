"""The history's derived files: the aggregates snapshot and the head.

- ``aggregates.npz``: the counts (``history_aggregates``) as of event ``seq``, plus the size
  of every shard it has seen and how far the shards go (``compacted_seq``). Opening loads it
  and replays the journal events after it, so opening does not grow with the history.
- ``head.json``: the newest seq, time and listening session, what a light logger
  (``History.open_for_append``) needs without numpy or the aggregates. A head never goes back.

Both are derived data: a damaged or foreign one is ignored and written again, never backed up.
"""

from __future__ import annotations

import json
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from musitui.store.atomic import atomic_write_json, atomic_write_with
from musitui.store.history_aggregates import Aggregates
from musitui.store.history_events import event_problem
from musitui.untrusted import load_json

if TYPE_CHECKING:
    import numpy as np

SNAPSHOT = "aggregates.npz"
HEAD = "head.json"
SNAPSHOT_VERSION = 2


@dataclass
class Snapshot:
    aggregates: Aggregates
    shard_sizes: dict[str, int]  # shard file name -> its size when the snapshot was written
    compacted_seq: int  # the events up to here are in the shards


def read_snapshot(path: Path) -> Snapshot | None:
    """The snapshot; None when it is missing, of another version or unreadable."""
    import numpy as np

    try:
        with np.load(path, allow_pickle=False) as data:
            header = json.loads(str(data["header"]))
            if header.get("version") != SNAPSHOT_VERSION:
                return None
            aggregates = Aggregates.from_arrays(data)
        shards = {str(k): int(v) for k, v in header.get("shards", {}).items()}
        return Snapshot(aggregates, shards, int(header.get("compacted_seq", 0)))
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError, IndexError, EOFError, zipfile.BadZipFile):
        return None  # derived data only: rebuilt from the events, so no backup is needed


def write_snapshot(path: Path, arrays: dict[str, np.ndarray], *, compacted_seq: int,
                   shard_sizes: dict[str, int]) -> None:
    """``arrays`` (``Aggregates.to_arrays()``) with the header, atomically."""
    import numpy as np

    header = {"version": SNAPSHOT_VERSION, "compacted_seq": compacted_seq, "shards": shard_sizes}
    arrays = {"header": np.array(json.dumps(header)), **arrays}

    def write(tmp: Path) -> None:
        with open(tmp, "wb") as handle:
            np.savez(handle, allow_pickle=True, **arrays)  # the flag named: the stub types **kwds as it

    atomic_write_with(path, write)


def read_head(path: Path) -> tuple[int, float, int] | None:
    """(seq, last_ts, session) from ``head.json``; None if it is missing, unreadable, of
    another version or of the wrong shape (a list, a string seq...)."""
    try:
        head = load_json(path.read_bytes(), max_bytes=64 * 1024)
    except (OSError, ValueError):
        return None
    if not isinstance(head, dict) or head.get("version") != SNAPSHOT_VERSION:
        return None
    seq, last_ts, session = head.get("seq"), head.get("last_ts"), head.get("session")
    probe = {"seq": seq, "ts": last_ts, "session": session, "kind": "play"}
    if event_problem(probe) is not None or not isinstance(seq, int) \
            or not isinstance(last_ts, int | float):
        return None
    return seq, float(last_ts), int(session or 0)


def write_head(path: Path, seq: int, last_ts: float, session: int) -> None:
    """The head, unless another process got further (a head never goes back)."""
    known = read_head(path)
    if known is not None and known[0] > seq:
        return
    atomic_write_json(path, {"version": SNAPSHOT_VERSION, "seq": seq, "last_ts": last_ts,
                             "session": session})
