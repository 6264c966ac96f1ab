"""Notes on tracks (the design's "comments", for one listener): ``history/notes.jsonl`` beside
the history journal, one JSON object per line, appended under an ``flock`` and fsynced before
``add`` returns (a note survives ``kill -9``). A record: ``kind`` "note", ``ts``, ``track_id``,
``path``/``title``/``artist`` (to re-link it when the file moves or on another machine),
``text``, and ``feel`` (the note's sentiment in [-1, 1], null when neutral; worked out when the
note is written, so reading notes never needs the sentiment models). An empty text clears
the track's notes. History export writes the notes as events of kind "note" after the
listening events; history import takes them back (``note_events`` / ``import_note_events``).
A bad line is skipped with a message; the rest is read.
"""

from __future__ import annotations

import json
import math
import os
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from musitui.store.locks import flocked

FILE_NAME = "notes.jsonl"
LOCK_NAME = "notes.lock"
MAX_TEXT = 2000
MAX_FILE = 64 * 1024 * 1024


class NoteError(Exception):
    """One line: why a note could not be written."""


class _Track(Protocol):
    id: int
    path: str
    title: str
    artist: str


@dataclass(frozen=True)
class Note:
    ts: float
    track_id: int | None
    path: str
    title: str
    artist: str
    text: str
    feel: float | None = None

    def to_event(self) -> dict[str, Any]:
        return {"kind": "note", "ts": self.ts, "track_id": self.track_id, "path": self.path,
                "title": self.title, "artist": self.artist, "text": self.text, "feel": self.feel}

    def public_dict(self) -> dict[str, Any]:
        return {"text": self.text, "ts": self.ts, "feel": self.feel}


def _note(record: Any) -> Note | None:
    if not isinstance(record, dict) or record.get("kind") != "note":
        return None
    ts, text, feel = record.get("ts"), record.get("text"), record.get("feel")
    track_id = record.get("track_id")
    if not isinstance(ts, int | float) or isinstance(ts, bool) or not math.isfinite(ts) or not isinstance(text, str):
        return None
    if track_id is not None and (not isinstance(track_id, int) or isinstance(track_id, bool)):
        return None
    if feel is not None and (not isinstance(feel, int | float) or not math.isfinite(feel) or abs(feel) > 1):
        feel = None
    return Note(float(ts), track_id, str(record.get("path") or ""), str(record.get("title") or ""),
                str(record.get("artist") or ""), text[:MAX_TEXT], None if feel is None else float(feel))


class Notes:
    """The notes of one home, read when opened (a few KB even for a big library)."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self.messages: list[str] = []
        self.all: list[Note] = []
        self._read()

    @classmethod
    def open(cls, home: Any) -> Notes:
        return cls(Path(home.history_dir))

    @property
    def path(self) -> Path:
        return self.folder / FILE_NAME

    def _read(self) -> None:
        try:
            with open(self.path, "rb") as handle:
                raw = handle.read(MAX_FILE)
        except FileNotFoundError:
            return
        except OSError as exc:
            self.messages.append(f"cannot read the notes in {self.path}: {exc.strerror or exc}")
            return
        bad = 0
        for line in raw.split(b"\n"):
            if not line.strip():
                continue
            try:
                note = _note(json.loads(line))
            except ValueError:
                note = None
            if note is None:
                bad += 1
                continue
            self.all.append(note)
        if bad:
            self.messages.append(f"{bad} damaged line(s) in {self.path} skipped")

    def current(self) -> dict[int, list[Note]]:
        """Track id -> its notes, oldest first (an empty note clears what came before)."""
        out: dict[int, list[Note]] = {}
        for note in sorted(self.all, key=lambda n: n.ts):
            if note.track_id is None:
                continue
            if not note.text.strip():
                out.pop(note.track_id, None)
            else:
                out.setdefault(note.track_id, []).append(note)
        return out

    def for_track(self, track_id: int) -> list[Note]:
        return self.current().get(int(track_id), [])

    def add(self, track: _Track, text: str, feel: float | None = None, *, ts: float | None = None) -> Note:
        """Write one note (durable when this returns); "" clears the track's notes."""
        note = Note(time.time() if ts is None else float(ts), int(track.id), track.path, track.title or "",
                    track.artist or "", " ".join(text.split())[:MAX_TEXT], feel)
        self._append([note])
        self.all.append(note)
        return note

    def _append(self, notes: list[Note]) -> None:
        data = "".join(json.dumps(n.to_event(), ensure_ascii=False, separators=(",", ":")) + "\n" for n in notes)
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            with flocked(self.folder / LOCK_NAME):
                fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
                try:
                    os.write(fd, data.encode("utf-8"))
                    os.fsync(fd)
                finally:
                    os.close(fd)
        except OSError as exc:
            raise NoteError(f"cannot write the note in {self.path}: {exc.strerror or exc}") from exc


def note_events(folder: Path) -> list[dict[str, Any]]:
    """Every note as a history event (kind "note"), oldest first: for history export."""
    return [n.to_event() for n in sorted(Notes(folder).all, key=lambda n: n.ts)]


def import_note_events(folder: Path, events: Iterable[dict[str, Any]],
                       resolve_track: Callable[[dict[str, Any]], int | None] | None = None) -> tuple[int, int]:
    """Add imported note events (checked by the caller); (added, skipped as already there)."""
    notes = Notes(folder)
    have = {(round(n.ts, 3), n.path, n.text) for n in notes.all}
    fresh: list[Note] = []
    skipped = 0
    for event in events:
        note = _note(event)
        if note is None:
            continue
        key = (round(note.ts, 3), note.path, note.text)
        if key in have:
            skipped += 1
            continue
        have.add(key)
        if resolve_track is not None:
            note = Note(note.ts, resolve_track(event), note.path, note.title, note.artist, note.text, note.feel)
        fresh.append(note)
    if fresh:
        notes._append(fresh)
    return len(fresh), skipped
