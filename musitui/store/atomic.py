"""Crash-safe file writes and the handling of damaged data files.

A write goes to a temporary file in the same folder, is fsynced, then renamed over the
target, and the folder is fsynced: a kill at any moment leaves either the old or the new
file, never a torn one. A file that cannot be parsed is moved aside into a backup, with a
message for the user; it is never silently overwritten.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson

from musitui.untrusted import UntrustedError, load_json


def fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def atomic_write_bytes(path: Path, data: bytes) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp_name, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp_name)
        raise naming(exc, path) from None
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp_name)
        raise
    fsync_dir(path.parent)


def naming(exc: OSError, path: Path) -> OSError:
    """``exc`` naming the file that was not written (a write on a full disk says only "No
    space left on device", or names a temporary file nobody knows)."""
    if exc.filename is not None and Path(exc.filename) == Path(path):
        return exc
    return type(exc)(exc.errno, exc.strerror or str(exc), str(path))


def atomic_write_json(path: Path, value: Any, *, indent: int | None = None) -> None:
    atomic_write_bytes(path, dump_json(value, indent=indent))


def dump_json(value: Any, *, indent: int | None = None) -> bytes:
    """UTF-8 JSON; orjson (10x faster on a big catalog) when the value allows it."""
    if indent is None:
        try:
            return orjson.dumps(value)
        except TypeError:  # e.g. a str with lone surrogates, or a non-str key: the slow path
            pass
    separators = (",", ":") if indent is None else None
    try:
        return json.dumps(value, ensure_ascii=False, indent=indent,
                          separators=separators).encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates (non-UTF-8 file names): escape them
        return json.dumps(value, indent=indent, separators=separators).encode("ascii")


def atomic_write_with(path: Path, write: Callable[[Path], None]) -> None:
    """Let ``write`` fill a temporary path (e.g. ``numpy.savez``), then move it into place."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=path.suffix or ".tmp", dir=path.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        write(tmp)
        with open(tmp, "rb+") as handle:
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise naming(exc, path) from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    fsync_dir(path.parent)


class DamagedFile(Exception):
    """A data file could not be read; it was moved to ``backup``."""

    def __init__(self, path: Path, backup: Path, reason: str) -> None:
        super().__init__(f"{path} was damaged ({reason}); it was moved to {backup} and a fresh one started")
        self.path = path
        self.backup = backup
        self.reason = reason


def move_aside(path: Path, backups_dir: Path | None = None) -> Path:
    """Move a damaged file out of the way, keeping it, and return where it went."""
    return _aside(Path(path), backups_dir, os.replace)


def _aside(path: Path, backups_dir: Path | None, put: Callable[[Path, Path], object]) -> Path:
    """``put(path, target)`` into the backups folder (beside ``path`` without one), fsynced."""
    folder = backups_dir or path.parent
    folder.mkdir(parents=True, exist_ok=True)
    target = _backup_name(folder, path.name)
    put(path, target)
    fsync_dir(folder)
    return target


def _backup_name(folder: Path, name: str) -> Path:
    stamp = time.strftime("%Y%m%d-%H%M%S")
    target = folder / f"{name}.damaged-{stamp}"
    counter = 1
    while target.exists():
        counter += 1
        target = folder / f"{name}.damaged-{stamp}-{counter}"
    return target


def load_json_or_backup(path: Path, backups_dir: Path | None = None) -> tuple[Any | None, DamagedFile | None]:
    """Read JSON from ``path``.

    Returns ``(value, None)``; ``(None, None)`` when the file does not exist; and
    ``(None, DamagedFile)`` when it could not be parsed; the damaged file has then been
    moved aside so the caller can start fresh without losing it.
    """
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None, None
    try:
        # The guarded reader: a 400-digit id or [ x 30,000 is damage like any other, never a
        # RecursionError or a number numpy cannot hold.
        return load_json(raw), None
    except UntrustedError as exc:
        backup = move_aside(path, backups_dir)
        return None, DamagedFile(path, backup, _short_reason(exc))


def _short_reason(exc: Exception) -> str:
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return text[:120]


def copy_aside(path: Path, backups_dir: Path | None = None) -> Path:
    """Keep a copy of ``path`` (about to be rewritten without its damaged parts) in the
    backups folder, and return where it went."""
    import shutil

    return _aside(Path(path), backups_dir, shutil.copyfile)
