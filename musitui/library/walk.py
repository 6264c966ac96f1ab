"""Walking a music folder: every audio file with its fingerprint (size, mtime), and a
readable error for everything that cannot be walked.

Hidden files and folders (a leading dot) and non-audio files are skipped. Symbolic links are
followed (configurable), and each real folder is entered once, so a link loop ends.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Callable
from dataclasses import dataclass, field

from musitui.library.formats import SIDECAR_LYRICS, audio_kind, is_hidden


@dataclass(frozen=True)
class FileEntry:
    path: str
    kind: str
    size: int
    mtime_ns: int
    lyrics_file: str | None = None


@dataclass
class WalkResult:
    files: list[FileEntry] = field(default_factory=list)
    errors: list[dict[str, str]] = field(default_factory=list)
    # Folders that could not be listed: their known tracks must not be marked missing.
    unreadable_dirs: list[str] = field(default_factory=list)
    interrupted: bool = False


def printable(path: str) -> str:
    """A path that can be shown and stored as UTF-8: undecodable bytes become ``\\xNN``."""
    return os.fsencode(path).decode("utf-8", "backslashreplace")


def is_utf8(path: str) -> bool:
    try:
        path.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def os_reason(exc: OSError) -> str:
    if isinstance(exc, PermissionError):
        return "permission denied"
    if isinstance(exc, FileNotFoundError):
        return "vanished during the scan"
    if exc.errno == errno.ELOOP:
        return "symbolic link loop"
    return (exc.strerror or type(exc).__name__).lower()


def walk(root: str, *, follow_symlinks: bool = True,
         should_stop: Callable[[], bool] | None = None) -> WalkResult:
    result = WalkResult()
    try:
        root_stat = os.stat(root)
    except FileNotFoundError:
        # Unmounted or deleted: what was in it is marked missing (kept, never deleted).
        result.errors.append({"path": printable(root),
                              "error": "folder not found; its tracks are marked missing"})
        return result
    except OSError as exc:
        result.errors.append({"path": printable(root), "error": f"cannot open folder: {os_reason(exc)}"})
        result.unreadable_dirs.append(root)
        return result
    visited = {(root_stat.st_dev, root_stat.st_ino)}
    pending = [root]
    while pending:
        if should_stop is not None and should_stop():
            result.interrupted = True
            break
        folder = pending.pop()
        subfolders = _walk_folder(folder, result, visited, follow_symlinks)
        pending.extend(reversed(subfolders))
    return result


def _walk_folder(folder: str, result: WalkResult, visited: set[tuple[int, int]],
                 follow_symlinks: bool) -> list[str]:
    def fail(path: str, reason: str) -> None:
        result.errors.append({"path": printable(path), "error": reason})

    try:
        with os.scandir(folder) as listing:
            entries = sorted(listing, key=lambda e: e.name)
    except OSError as exc:
        fail(folder, f"cannot read folder: {os_reason(exc)}")
        result.unreadable_dirs.append(folder)
        return []
    lyrics = {e.name[: -len(SIDECAR_LYRICS)].lower(): e.path for e in entries
              if e.name.lower().endswith(SIDECAR_LYRICS) and not is_hidden(e.name)}
    subfolders: list[str] = []
    for entry in entries:
        name = entry.name
        if is_hidden(name):
            continue
        kind = audio_kind(name)
        try:
            is_link = entry.is_symlink()
            if is_link and not follow_symlinks:
                continue
            info = entry.stat(follow_symlinks=True)
        except OSError as exc:
            if kind is None and not isinstance(exc, PermissionError) and exc.errno != errno.ELOOP:
                continue  # a dangling link or vanished entry that would not have been music anyway
            if isinstance(exc, FileNotFoundError) and is_link:
                fail(entry.path, "broken symbolic link (its target does not exist)")
            else:
                fail(entry.path, f"cannot read: {os_reason(exc)}")
            continue
        if stat.S_ISDIR(info.st_mode):
            key = (info.st_dev, info.st_ino)
            if key in visited:
                fail(entry.path, "symbolic link to a folder already scanned "
                                 "(a loop or a duplicate): skipped")
                continue
            visited.add(key)
            subfolders.append(entry.path)
            continue
        if kind is None:
            continue
        if not stat.S_ISREG(info.st_mode):
            fail(entry.path, "not a regular file (a device, socket or pipe)")
            continue
        if not is_utf8(entry.path):
            fail(entry.path, "file name is not valid UTF-8; rename the file to add it")
            continue
        stem = name[: name.rfind(".")].lower()
        result.files.append(FileEntry(entry.path, kind, info.st_size, info.st_mtime_ns,
                                      lyrics.get(stem)))
    return subfolders
