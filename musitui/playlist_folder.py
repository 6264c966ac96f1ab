"""The user's playlists: the ``playlists`` folder in the data folder, plus the M3U/M3U8 files
opened from elsewhere (remembered in ``opened_playlists.json``). Listing (name, track count,
length), renaming, deleting and removing one entry. Pure: no UI, no audio; reading and
writing is ``musitui.playlists``'s.

A **smart playlist** is a saved search (any ``/`` query, e.g. ``genre:jazz mood:calm``): a
``NAME.query`` file in the folder holding the query, listed with the others; its tracks are
whatever the query matches now (the caller's ``resolve``), so it follows the library.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from musitui.paths import Home
from musitui.playlists import PLAYLIST_SUFFIXES, LoadedPlaylist, load_m3u, save_m3u8
from musitui.store.atomic import atomic_write_bytes

OPENED_FILE = "opened_playlists.json"
SMART_SUFFIX = ".query"
MAX_QUERY = 500  # characters of a saved query
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
    query: str | None = None  # a smart playlist's search

    @property
    def smart(self) -> bool:
        return self.query is not None


# (path) -> (title, seconds) from the catalog, or None for a file it does not know
Lookup = Callable[[str], tuple[str, float | None] | None]
# (query) -> the paths of the tracks it matches now, or None while it cannot be answered yet
Resolve = Callable[[str], list[str] | None]


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
                         if p.suffix.lower() in (*PLAYLIST_SUFFIXES, SMART_SUFFIX) and p.is_file()),
                        key=lambda p: p.name.casefold())
    except OSError:
        inside = []
    return inside + [p for p in opened(home) if p not in inside]


def checked_name(name: str) -> str:
    """``name`` stripped; ValueError (one line) when it cannot be a file name here."""
    clean = name.strip()
    if not clean or clean in (".", "..") or "/" in clean or os.sep in clean or "\0" in clean:
        raise ValueError(f"{clean!r} cannot be a playlist's name")
    return clean


def is_smart(path: Path) -> bool:
    return path.suffix.lower() == SMART_SUFFIX


def read_query(path: Path) -> str:
    """A smart playlist's query (OSError when it cannot be read)."""
    with path.open(encoding="utf-8", errors="replace") as file:
        return " ".join(file.read(MAX_QUERY + 1).split())[:MAX_QUERY]


def save_smart(home: Home, name: str, query: str) -> Path:
    """``NAME.query`` in the playlists folder; ValueError with one line for a bad name."""
    clean = checked_name(name)
    if not query.strip():
        raise ValueError("an empty search would match everything; type a search first")
    folder = playlists_dir(home)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{clean}{SMART_SUFFIX}"
    atomic_write_bytes(path, (" ".join(query.split())[:MAX_QUERY] + "\n").encode("utf-8"))
    return path


def entries(path: Path, lookup: Lookup, resolve: Resolve | None = None
            ) -> tuple[list[Entry], int, str | None]:
    """The existing entries of ``path`` (in order), how many are missing, and a problem; a
    smart playlist's are what its query matches now."""
    if is_smart(path):
        try:
            query = read_query(path)
        except OSError as error:
            return [], 0, f"cannot read it: {error.strerror or error}"
        paths = resolve(query) if resolve is not None else None
        if paths is None:
            return [], 0, "the search is not ready yet"
        loaded = LoadedPlaylist(paths, [], [])
    else:
        loaded = load_m3u(path)
    problem = loaded.problems[0] if loaded.problems and not loaded.paths else None
    found: list[Entry] = []
    for entry in loaded.paths:
        known = lookup(entry)
        title, seconds = known if known is not None else (Path(entry).stem, None)
        found.append(Entry(path=entry, title=title, seconds=seconds))
    return found, len(loaded.missing), problem


def describe(path: Path, lookup: Lookup, resolve: Resolve | None = None) -> PlaylistInfo:
    found, missing, problem = entries(path, lookup, resolve)
    query = None
    if is_smart(path):
        try:
            query = read_query(path)
        except OSError:
            query = ""
    return PlaylistInfo(path=path, name=path.stem, tracks=len(found), missing=missing,
                        seconds=sum(e.seconds or 0.0 for e in found), problem=problem,
                        query=query)


def list_playlists(home: Home, lookup: Lookup, resolve: Resolve | None = None
                   ) -> list[PlaylistInfo]:
    return [describe(path, lookup, resolve) for path in playlist_files(home)]


def rename(path: Path, new_name: str) -> Path:
    """``path`` renamed to ``new_name`` in its folder (the suffix kept unless one is given);
    ValueError with one line for a name that cannot be, OSError from the file system."""
    name = checked_name(new_name)
    if is_smart(path):
        name = (name[: -len(SMART_SUFFIX)] if name.lower().endswith(SMART_SUFFIX) else name)
        name += SMART_SUFFIX
    elif Path(name).suffix.lower() not in PLAYLIST_SUFFIXES:
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
