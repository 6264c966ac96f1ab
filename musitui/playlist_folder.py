"""The user's playlists: the ``playlists`` folder in the data folder, plus the M3U/M3U8 files
opened from elsewhere (remembered in ``opened_playlists.json``). Listing (name, track count,
length), renaming, deleting and removing one entry. Pure: no UI, no audio; reading and
writing is ``musitui.playlists``'s.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from musitui.paths import Home
from musitui.playlists import PLAYLIST_SUFFIXES, load_m3u, save_m3u8
from musitui.store.atomic import atomic_write_bytes

OPENED_FILE = "opened_playlists.json"
MAX_OPENED = 50


@dataclass(frozen=True)
class Entry:
    """What is known of one playlist entry: its file and, from the catalog, its length."""

    path: str
    title: str
    seconds: float | None


@dataclass(frozen=True)
class PlaylistInfo:
    path: Path
    name: str  # the file name without its suffix
    tracks: int  # entries that exist
    missing: int  # entries that point to no file
    seconds: float  # the known length of the existing entries
    problem: str | None = None  # why it could not be read (then it lists as empty)


# (path) -> (title, seconds) from the catalog, or None for a file it does not know
Lookup = Callable[[str], tuple[str, float | None] | None]


def playlists_dir(home: Home) -> Path:
    return home.data_dir / "playlists"


def opened(home: Home) -> list[Path]:
    """The playlists opened from outside the folder, newest first, that still exist."""
    try:
        names = json.loads((home.data_dir / OPENED_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    if not isinstance(names, list):
        return []
    return [Path(n) for n in names if isinstance(n, str) and Path(n).is_file()]


def remember_opened(home: Home, path: Path) -> None:
    """Note ``path`` among the opened playlists (unless it is in the playlists folder)."""
    path = path.absolute()
    if path.parent == playlists_dir(home).absolute():
        return
    kept = [str(path)] + [str(p) for p in opened(home) if p.absolute() != path]
    home.data_dir.mkdir(parents=True, exist_ok=True)
    atomic_write_bytes(home.data_dir / OPENED_FILE,
                       json.dumps(kept[:MAX_OPENED], ensure_ascii=False).encode("utf-8"))


def forget_opened(home: Home, path: Path) -> None:
    path = path.absolute()
    kept = [str(p) for p in opened(home) if p.absolute() != path]
    if (home.data_dir / OPENED_FILE).exists():
        atomic_write_bytes(home.data_dir / OPENED_FILE, json.dumps(kept).encode("utf-8"))


def playlist_files(home: Home) -> list[Path]:
    """The folder's playlists by name, then the opened ones."""
    folder = playlists_dir(home)
    try:
        inside = sorted((p for p in folder.iterdir()
                         if p.suffix.lower() in PLAYLIST_SUFFIXES and p.is_file()),
                        key=lambda p: p.name.casefold())
    except OSError:
        inside = []
    return inside + [p for p in opened(home) if p not in inside]


def entries(path: Path, lookup: Lookup) -> tuple[list[Entry], int, str | None]:
    """The existing entries of ``path`` (in order), how many are missing, and a problem."""
    loaded = load_m3u(path)
    problem = loaded.problems[0] if loaded.problems and not loaded.paths else None
    found: list[Entry] = []
    for entry in loaded.paths:
        known = lookup(entry)
        title, seconds = known if known is not None else (Path(entry).stem, None)
        found.append(Entry(path=entry, title=title, seconds=seconds))
    return found, len(loaded.missing), problem


def describe(path: Path, lookup: Lookup) -> PlaylistInfo:
    found, missing, problem = entries(path, lookup)
    return PlaylistInfo(path=path, name=path.stem, tracks=len(found), missing=missing,
                        seconds=sum(e.seconds or 0.0 for e in found), problem=problem)


def list_playlists(home: Home, lookup: Lookup) -> list[PlaylistInfo]:
    return [describe(path, lookup) for path in playlist_files(home)]


def rename(path: Path, new_name: str) -> Path:
    """``path`` renamed to ``new_name`` in its folder (the suffix kept unless one is given);
    ValueError with one line for a name that cannot be, OSError from the file system."""
    name = new_name.strip()
    if not name or name in (".", "..") or "/" in name or os.sep in name or "\0" in name:
        raise ValueError(f"{name!r} cannot be a playlist's name")
    if Path(name).suffix.lower() not in PLAYLIST_SUFFIXES:
        name += path.suffix or ".m3u8"
    target = path.with_name(name)
    if target.exists() and target != path:
        raise ValueError(f"{target.name} exists already")
    path.rename(target)
    return target


def save(path: Path, kept: Sequence[Entry]) -> Path:
    return save_m3u8(path, [e.path for e in kept], titles=[e.title for e in kept],
                     durations=[e.seconds for e in kept])


def remove_entry(path: Path, index: int, lookup: Lookup) -> tuple[Entry, int]:
    """Take the ``index``-th existing entry out of ``path`` and save it; returns that entry
    and how many missing entries the rewrite dropped. IndexError when there is none."""
    found, missing, _problem = entries(path, lookup)
    removed = found.pop(index)
    save(path, found)
    return removed, missing
