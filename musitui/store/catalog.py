"""The catalog on disk: every track musitui knows, its tags and its analysis summary.

One JSON file, written atomically. Loading 50k tracks takes a fraction of a second, which
is far cheaper than TinyDB for a table that is rewritten as a whole after each scan.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from musitui.model import Track
from musitui.paths import Home
from musitui.store.atomic import DamagedFile, atomic_write_json, load_json_or_backup

SCHEMA_VERSION = 1


class Catalog:
    def __init__(self, path: Path, backups_dir: Path | None = None) -> None:
        self.path = Path(path)
        self.backups_dir = backups_dir
        self.tracks: dict[int, Track] = {}
        self.folders: list[str] = []
        self.next_id = 1
        self._by_path: dict[str, int] = {}
        self.damaged: DamagedFile | None = None

    @classmethod
    def open(cls, home: Home) -> Catalog:
        catalog = cls(home.catalog_file, home.backups_dir)
        catalog.load()
        return catalog

    def load(self) -> None:
        # The cyclic GC would run dozens of full passes over the objects of a 50k catalog
        # while they are being created (2.3 s -> 1.0 s without it); none of them are garbage.
        with gc_paused():
            self._load()

    def _load(self) -> None:
        data, damaged = load_json_or_backup(self.path, self.backups_dir)
        self.damaged = damaged
        if not isinstance(data, dict):
            return
        self.folders = list(data.get("folders", []))
        self.next_id = int(data.get("next_id", 1))
        for raw in data.get("tracks", []):
            track = Track.from_dict(raw)
            self.tracks[track.id] = track
            self._by_path[track.path] = track.id
        if self.tracks:
            self.next_id = max(self.next_id, max(self.tracks) + 1)

    def save(self) -> None:
        payload: dict[str, Any] = {
            "schema": SCHEMA_VERSION,
            "next_id": self.next_id,
            "folders": self.folders,
            "tracks": [t.to_dict() for t in self.tracks.values()],
        }
        atomic_write_json(self.path, payload)

    def __len__(self) -> int:
        return len(self.tracks)

    def __iter__(self) -> Iterator[Track]:
        return iter(self.tracks.values())

    def get(self, track_id: int) -> Track | None:
        return self.tracks.get(track_id)

    def by_path(self, path: str) -> Track | None:
        track_id = self._by_path.get(path)
        return None if track_id is None else self.tracks.get(track_id)

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

    def update_many(self, tracks: Iterable[Track]) -> None:
        for track in tracks:
            self.add(track)


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
