"""The listener's own word on a track's mood: ``<data>/mood_corrections.json``.

``{"version": 1, "tracks": {"<track id>": {"mood": "calm", "path": "...", "ts": 1.7e9}}}``.
Keyed by the catalog's track id (stable for the life of a file, kept when it moves), so a
correction survives rescans; it is applied after every mood computation
(``analysis.mood.apply_corrections``), so it survives re-analysis too. Written atomically; a
file that cannot be read is moved to the backups folder (the corrections start empty, said
once in ``damaged``).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from musitui.core.moods import MOOD_ORDER
from musitui.paths import Home
from musitui.store.atomic import DamagedFile, atomic_write_json, load_json_or_backup

FILE_NAME = "mood_corrections.json"
VERSION = 1


@dataclass
class MoodCorrections:
    path: Path
    backups_dir: Path | None = None
    moods: dict[int, str] = field(default_factory=dict)  # track id -> mood name
    paths: dict[int, str] = field(default_factory=dict)
    stamps: dict[int, float] = field(default_factory=dict)
    damaged: DamagedFile | None = None

    @classmethod
    def open(cls, home: Home) -> MoodCorrections:
        store = cls(home.data_dir / FILE_NAME, home.backups_dir)
        store.load()
        return store

    def load(self) -> None:
        value, damaged = load_json_or_backup(self.path, self.backups_dir)
        self.damaged = damaged
        self.moods, self.paths, self.stamps = {}, {}, {}
        tracks = value.get("tracks") if isinstance(value, dict) else None
        if not isinstance(tracks, dict):
            return
        for key, entry in tracks.items():
            if not (isinstance(key, str) and key.isdigit() and isinstance(entry, dict)):
                continue
            mood = entry.get("mood")
            if mood in MOOD_ORDER:
                self.moods[int(key)] = str(mood)
                self.paths[int(key)] = str(entry.get("path") or "")
                ts = entry.get("ts")
                self.stamps[int(key)] = float(ts) if isinstance(ts, int | float) else 0.0

    def set(self, track_id: int, path: str, mood: str) -> None:
        """Record (in memory) that ``track_id`` is ``mood``; ``save()`` writes it."""
        if mood not in MOOD_ORDER:
            raise ValueError(f"no mood {mood!r}")
        self.moods[int(track_id)] = mood
        self.paths[int(track_id)] = path
        self.stamps[int(track_id)] = time.time()

    def remove(self, track_id: int) -> bool:
        found = self.moods.pop(int(track_id), None) is not None
        self.paths.pop(int(track_id), None)
        self.stamps.pop(int(track_id), None)
        return found

    def save(self) -> None:
        atomic_write_json(self.path, {"version": VERSION, "tracks": {
            str(k): {"mood": v, "path": self.paths.get(k, ""), "ts": self.stamps.get(k, 0.0)}
            for k, v in sorted(self.moods.items())}}, indent=1)
