"""The listens that matched none of the user's files, kept aside (``history/unmatched.jsonl``)
so that a later scan that brings the file can still give them to it.

One JSON object per line: the listen's fields (``Scrobble``) and its listening session.
Written atomically, whole, by the one import or scan that changes it. A line that does not
read as a listen is left out with a message (the file as found is kept in the backups).
"""

from __future__ import annotations

import contextlib
from pathlib import Path

import orjson

from musitui.imports.listens import Scrobble
from musitui.store.atomic import atomic_write_bytes, copy_aside

FILE = "unmatched.jsonl"
_FIELDS = tuple(Scrobble.__dataclass_fields__)


def path_in(history_dir: Path) -> Path:
    return Path(history_dir) / FILE


def load(history_dir: Path, messages: list[str],
         backups_dir: Path | None = None) -> list[tuple[Scrobble, int]]:
    """The listens kept aside, with their sessions (oldest first)."""
    path = path_in(history_dir)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return []
    except OSError as exc:
        messages.append(f"cannot read {path}: {exc.strerror or exc}; the listens kept aside "
                        "are left as they are")
        return []
    kept: list[tuple[Scrobble, int]] = []
    bad = 0
    for line in raw.split(b"\n"):
        if not line.strip():
            continue
        item = _decode(line)
        if item is None:
            bad += 1
        else:
            kept.append(item)
    if bad:
        where = ""
        with contextlib.suppress(OSError):
            where = f"; the file as it was is kept as {copy_aside(path, backups_dir)}"
        messages.append(f"{path.name}: skipped {bad} unreadable line(s){where}")
    return kept


def _decode(line: bytes) -> tuple[Scrobble, int] | None:
    try:
        record = orjson.loads(line)
    except orjson.JSONDecodeError:
        return None
    if not isinstance(record, dict):
        return None
    session = record.pop("session", 0)
    try:
        listen = Scrobble(**{k: v for k, v in record.items() if k in _FIELDS})
    except TypeError:
        return None
    ok = (isinstance(listen.start, int | float) and isinstance(listen.artist, str)
          and isinstance(listen.title, str) and isinstance(listen.album, str)
          and isinstance(session, int) and all(
              v is None or isinstance(v, int | float) for v in (listen.duration, listen.heard)))
    return (listen, session) if ok else None


def save(history_dir: Path, items: list[tuple[Scrobble, int]]) -> None:
    """Replace the file with ``items`` (removed when there are none)."""
    path = path_in(history_dir)
    if not items:
        path.unlink(missing_ok=True)
        return
    lines = [orjson.dumps({"start": x.start, "artist": x.artist, "title": x.title,
                           "album": x.album, "duration": x.duration, "heard": x.heard,
                           "ending": x.ending, "skipped": x.skipped, "source": x.source,
                           "session": session}) for x, session in items]
    atomic_write_bytes(path, b"\n".join(lines) + b"\n")
