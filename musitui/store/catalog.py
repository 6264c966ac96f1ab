"""The catalog on disk: every track musitui knows, its tags and its analysis summary.

One JSON file, written atomically: far cheaper than TinyDB for a table that is rewritten as a
whole after each scan. Beside it, a columnar cache (catalog_columns) that start-up paths read
instead: Track objects are then built only for the tracks somebody asks for.
"""

from __future__ import annotations

import contextlib
import gc
import time
from collections.abc import Callable, Iterator, MutableMapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from musitui.core.model import Track
from musitui.paths import Home
from musitui.store.atomic import (
    DamagedFile,
    atomic_write_with,
    copy_aside,
    dump_json,
    load_json_or_backup,
    move_aside,
)
from musitui.store.catalog_records import check_catalog
from musitui.store.locks import StoreLock

if TYPE_CHECKING:
    from musitui.store.catalog_columns import CatalogColumns

COLUMNS_FILE_NAME = "catalog.columns.npz"  # numpy is imported only where this file is used

SCHEMA_VERSION = 1
LOCK_FILE_NAME = "catalog.lock"


class PartlyDamaged(DamagedFile):
    """catalog.json loaded without its damaged records or fields (see catalog_records)."""

    def __init__(self, path: Path, problems: list[str]) -> None:
        super().__init__(path, path, problems[0])
        self.problems = problems
        first = f"{len(problems)} problem(s), first: {problems[0]}" if len(problems) > 1 else problems[0]
        self.args = (f"{path} is damaged ({first}); what could be read was loaded, a copy is "
                     "kept in the backups before it is next written, and the next scan fills "
                     "in the rest",)


class CatalogChanged(Exception):
    """A save refused: another process wrote the catalog since this one read it."""
SAVE_CHUNK = 500  # tracks serialised per step of a save


class Catalog:
    def __init__(self, path: Path, backups_dir: Path | None = None) -> None:
        self.path = Path(path)
        self.backups_dir = backups_dir
        self.tracks = TrackTable()
        self.folders: list[str] = []
        self.next_id = 1
        self._by_path_map: dict[str, int] | None = {}
        self.damaged: DamagedFile | None = None
        self.after_save: Callable[[], None] | None = None  # told after every save
        # Given what a reload replaced (the player frees big structures in steps, elsewhere).
        self.retire: Callable[..., None] = _drop
        self._loaded_stamp: tuple[int, ...] | None = None
        # The writer's lock (open(..., write=True)); it also covers the feature store and
        # the analysis failures, which only the catalog's writer writes.
        self._writer = StoreLock(self.path.with_name(LOCK_FILE_NAME), "the catalog")
        self._needs_backup = False  # loaded with damaged records: keep a copy before saving

    @classmethod
    def open(cls, home: Home, *, write: bool = False,
             on_wait: Callable[[str], None] | None = None) -> Catalog:
        """The catalog. ``write=True`` for a process that will change it (scan, analyze, the
        player's background job): it waits (telling ``on_wait``) for any other writer to
        finish, then reads the file, so two scans at once both keep their tracks."""
        catalog = cls(home.catalog_file, home.backups_dir)
        if write:
            catalog._writer.acquire(on_wait)
        catalog.load()
        if write and catalog._needs_backup and catalog.path.exists():
            catalog.save()  # keeps a copy of the damaged file, then writes what was read
        return catalog

    def close(self) -> None:
        """Let another writer in (also when this process ends, however it ends)."""
        self._writer.release()

    def load(self) -> None:
        # The cyclic GC would run dozens of full passes over the objects of a 50k catalog
        # while they are being created (2.3 s -> 1.0 s without it); none of them are garbage.
        with gc_paused():
            self._load()

    def reload(self, *, settle_seconds: float = 2.0) -> bool:
        """Read the file again if another process saved it since (the player's background
        job): the new state is built aside and swapped in at once, so a reader in another
        thread sees the old catalog or the new one, never half of it. True if it changed.

        The writer saves catalog.json, then its columns cache: a reload that lands between
        the two waits (up to ``settle_seconds``) for the cache rather than parsing the JSON.
        """
        stamp = _stat_stamp(self.path)
        if stamp == self._loaded_stamp:
            return False
        fresh = Catalog(self.path, self.backups_dir)
        deadline = time.monotonic() + settle_seconds
        with gc_paused():
            while True:
                cached = fresh._cached_columns() if stamp is not None else None
                if cached is not None or time.monotonic() > deadline:
                    break
                time.sleep(0.05)
                stamp = _stat_stamp(self.path)
            if cached is not None:
                fresh._take_columns(cached)
                fresh._loaded_stamp = stamp
            else:
                fresh._load()
        replaced = (self.tracks, self._by_path_map)
        self.tracks, self._by_path_map = fresh.tracks, fresh._by_path_map
        self.folders, self.next_id = fresh.folders, fresh.next_id
        self._loaded_stamp = fresh._loaded_stamp
        if fresh.damaged is not None:
            self.damaged = fresh.damaged
        self.retire(*replaced)
        return True

    def _load(self) -> None:
        self._loaded_stamp = _stat_stamp(self.path)
        self.tracks = TrackTable()
        self._by_path_map = {}
        cached = self._cached_columns()
        if cached is not None:
            self._take_columns(cached)
            return
        data, damaged = load_json_or_backup(self.path, self.backups_dir)
        self.damaged = damaged
        if data is None and (damaged is not None or not self.path.exists()):
            return  # no catalog yet, or one that did not parse (moved aside)
        checked, problems = check_catalog(data)
        if checked is None:
            self._set_aside(problems[0])
            return
        if problems:
            self._needs_backup = True
            self.damaged = PartlyDamaged(self.path, problems)
        self.folders = checked["folders"]
        self.next_id = checked["next_id"]
        for raw in checked["tracks"]:
            track = Track.from_dict(raw)
            self.tracks[track.id] = track
            self._by_path_map[track.path] = track.id
        if self.tracks:
            self.next_id = max(self.next_id, max(self.tracks) + 1)
        if self.tracks and not self._needs_backup:
            self._save_columns()  # the cache was absent or stale: the next start reads it

    def _set_aside(self, reason: str) -> None:
        """A file with nothing to keep: moved to the backups, the catalog starts empty."""
        try:
            backup = move_aside(self.path, self.backups_dir)
        except OSError:
            backup = self.path  # cannot move it (read-only): it stays, and is not overwritten
            self._needs_backup = True
        self.damaged = DamagedFile(self.path, backup, reason)

    def _take_columns(self, cached: tuple[CatalogColumns, list[str], int]) -> None:
        columns, self.folders, self.next_id = cached
        self.tracks = TrackTable(columns)
        self._by_path_map = None  # built from the columns when first needed

    @property
    def _columns_path(self) -> Path:
        return self.path.with_name(COLUMNS_FILE_NAME)

    def _cached_columns(self) -> tuple[CatalogColumns, list[str], int] | None:
        if not self._columns_path.exists():
            return None
        from musitui.store.catalog_columns import file_stamp, load_columns

        return load_columns(self._columns_path, file_stamp(self.path))

    def save(self) -> None:
        """Write the catalog atomically. Without the writer's lock, a save takes it for the
        moment and refuses (CatalogChanged) if another process is writing the catalog or
        wrote it since this one read it."""
        if self._writer.held:
            self._save()
            return
        if StoreLock.held_in_process(self._writer.path):
            raise CatalogChanged(f"{self.path} is being written by another part of this "
                                 "process; not saved")
        lock = StoreLock(self._writer.path, "the catalog")
        if not lock.acquire(wait=False):
            raise CatalogChanged(f"another musitui is writing {self.path}; not saved")
        try:
            if _stat_stamp(self.path) != self._loaded_stamp:
                raise CatalogChanged(f"{self.path} was changed by another musitui since it was "
                                     "read; not saved")
            self._save()
        finally:
            lock.release()

    def _save(self) -> None:
        if self._needs_backup and self.path.exists():
            copy_aside(self.path, self.backups_dir)  # its damaged parts were left out
        self._needs_backup = False
        head = dump_json({"schema": SCHEMA_VERSION, "next_id": self.next_id, "folders": self.folders})

        # Written a chunk of tracks at a time, each a small dump per track: a single call
        # over 50k tracks (one orjson dump, or freeing 50k dicts at once) holds the GIL for
        # 50-150 ms, a visible stall for the UI thread of the player.
        def write(tmp: Path) -> None:
            with open(tmp, "wb") as handle:
                handle.write(head[:-1] + b',"tracks":[')
                first = True
                for chunk in self.tracks.dict_chunks(SAVE_CHUNK):
                    handle.write((b"" if first else b",") + b",".join(map(dump_json, chunk)))
                    first = False
                handle.write(b"]}")

        atomic_write_with(self.path, write)
        self._save_columns()
        self._loaded_stamp = _stat_stamp(self.path)  # memory holds what the file holds
        if self.after_save is not None:
            self.after_save()

    def _save_columns(self) -> None:
        from musitui.store.catalog_columns import file_stamp, save_columns

        stamp = file_stamp(self.path)
        if stamp is None:
            return
        with contextlib.suppress(OSError):  # only a cache: the next start reads catalog.json instead
            save_columns(self._columns_path, self.columns(), stamp=stamp, folders=self.folders,
                         next_id=self.next_id)

    def columns(self) -> CatalogColumns:
        """Every track as columns, as they are now."""
        return self.tracks.columns()

    def __len__(self) -> int:
        return len(self.tracks)

    def __iter__(self) -> Iterator[Track]:
        return iter(self.tracks.values())

    def get(self, track_id: int) -> Track | None:
        return self.tracks.get(track_id)

    def by_path(self, path: str) -> Track | None:
        track_id = self._by_path.get(path)
        return None if track_id is None else self.tracks.get(track_id)

    @property
    def _by_path(self) -> dict[str, int]:
        if self._by_path_map is None:
            columns = self.tracks.columns()
            self._by_path_map = dict(zip(columns.path, columns.ids.tolist(), strict=True))
        return self._by_path_map

    def present(self) -> list[Track]:
        """Tracks whose files were there at the last scan."""
        return [t for t in self.tracks.values() if not t.missing]

    def new_track(self, path: str, **values: Any) -> Track:
        track = Track(id=self.next_id, path=path, **values)
        self.next_id += 1
        self.add(track)
        return track

    def add(self, track: Track) -> None:
        self.tracks[track.id] = track
        self._by_path[track.path] = track.id

    def move(self, track: Track, new_path: str) -> None:
        """Give an existing identity (and so its history) a new path."""
        self._by_path.pop(track.path, None)
        track.path = new_path
        self._by_path[new_path] = track.id

    def remember_folder(self, folder: str) -> None:
        if folder not in self.folders:
            self.folders.append(folder)


def _drop(*_objects: object) -> None:
    """Let reference counting free them, here and now."""


def _stat_stamp(path: Path) -> tuple[int, int, int] | None:
    """Which written version of a file this is (inode, size, mtime): atomic saves change it."""
    try:
        info = path.stat()
    except OSError:
        return None
    return (info.st_ino, info.st_size, info.st_mtime_ns)


class TrackTable(MutableMapping[int, Track]):
    """id -> Track, built lazily from columns: a Track object exists once somebody asks for it.

    A Track handed out may be changed in place by its holder, so ``columns()`` reads every
    handed-out Track again (they are few on the paths where speed matters).
    """

    def __init__(self, columns: CatalogColumns | None = None) -> None:
        self._base = columns
        ids = columns.ids.tolist() if columns is not None else []
        self._row_of: dict[int, int] = {track_id: row for row, track_id in enumerate(ids)}
        self._keys: dict[int, None] = dict.fromkeys(ids)
        self._live: dict[int, Track] = {}
        self._removed = False

    def __getitem__(self, track_id: int) -> Track:
        track = self._live.get(track_id)
        if track is not None:
            return track
        if track_id not in self._keys:
            raise KeyError(track_id)
        track = self._base.track(self._row_of[track_id])  # type: ignore[union-attr]
        self._live[track_id] = track
        return track

    def __setitem__(self, track_id: int, track: Track) -> None:
        self._live[track_id] = track
        self._keys[track_id] = None

    def __delitem__(self, track_id: int) -> None:
        del self._keys[track_id]
        self._live.pop(track_id, None)
        self._removed = True

    def __contains__(self, track_id: object) -> bool:
        return track_id in self._keys

    def __iter__(self) -> Iterator[int]:
        return iter(self._keys)

    def __len__(self) -> int:
        return len(self._keys)

    def dicts(self) -> list[dict[str, Any]]:
        """Every track as a plain dict, without keeping a Track object for each."""
        return [record for chunk in self.dict_chunks(len(self._keys) or 1) for record in chunk]

    def dict_chunks(self, size: int) -> Iterator[list[dict[str, Any]]]:
        """Every track as a plain dict, ``size`` at a time (so no step builds or frees them all)."""
        chunk: list[dict[str, Any]] = []
        for track_id in self._keys:
            track = self._live.get(track_id)
            if track is None:
                track = self._base.track(self._row_of[track_id])  # type: ignore[union-attr]
            chunk.append(track.to_dict())
            if len(chunk) >= size:
                yield chunk
                chunk = []
        if chunk:
            yield chunk

    def set_analyses(self, ids: Sequence[int], values: dict[str, Sequence[Any]]) -> None:
        """Give the tracks ``ids`` an analysis summary: ``values`` holds one sequence per
        ``Analysis`` field, aligned with ``ids``. Rows still only in the columns are written
        there (new arrays and lists, never the ones handed out before), so a 50k-track
        library builds no Track or Analysis object for it."""
        from musitui.core.model import Analysis

        names = list(values)
        in_base: list[tuple[int, int]] = []  # (row, position)
        for position, track_id in enumerate(ids):
            live = self._live.get(track_id)
            row = self._row_of.get(track_id) if self._base is not None else None
            if live is None and row is not None:
                in_base.append((row, position))
                continue
            track = live if live is not None else self[track_id]
            track.analysis = Analysis(**{name: values[name][position] for name in names})
        if in_base:
            self._base = self._base.with_analyses(in_base, values)  # type: ignore[union-attr]

    def columns(self) -> CatalogColumns:
        if self._base is None:
            from musitui.store.catalog_columns import CatalogColumns

            return CatalogColumns.from_tracks(self.values())
        columns = self._base.patched(self._row_of, list(self._live.values()))
        if self._removed:
            import numpy as np

            columns = columns.take(np.fromiter((i in self._keys for i in columns.ids.tolist()), dtype=bool,
                                               count=len(columns)))
        return columns


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """No cyclic garbage collection inside the block (reference counting still frees)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
