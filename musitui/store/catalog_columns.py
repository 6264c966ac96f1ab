"""The catalog as columns: one array or list per field, a row per track.

Start-up paths (the TUI's library list, ``musitui recommend``) need a few fields of every
track, not 50,000 Track objects. The columns are kept in a binary cache beside catalog.json
(``catalog.columns.npz``), written at every save and trusted only while catalog.json is the
very file it was made from (same inode, size and mtime). catalog.json stays the record.
"""

from __future__ import annotations

import os
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

import numpy as np

from musitui.core.model import Analysis, Track
from musitui.store.atomic import atomic_write_with, dump_json

COLUMNS_VERSION = 4
SEPARATED = -1
UNPACK_CHUNK = 256 * 1024  # bytes of text decoded per step
NONE_INT = -1  # how an absent track/disc number, year, rate or channel count is stored

TEXT = ("path", "title", "artist", "album", "albumartist", "genre", "codec", "warning")
OPTIONAL_TEXT = ("lyrics",)
INTS = ("ids", "size", "mtime_ns")
OPTIONAL_INTS = ("track_no", "disc_no", "year", "sample_rate", "channels")
FLOATS = ("duration", "added_at")
ANALYSIS_TEXT = ("key", "mode", "mood", "style", "style_source", "tags")
ANALYSIS_FLOATS = ("tempo", "valence", "arousal", "style_confidence")


@dataclass
class CatalogColumns:
    ids: np.ndarray
    missing: np.ndarray
    size: np.ndarray
    mtime_ns: np.ndarray
    path: list[str]
    title: list[str]
    artist: list[str]
    album: list[str]
    albumartist: list[str]
    genre: list[str]
    codec: list[str]
    warning: list[str]
    lyrics: list[str | None]
    replaygain: list[str]  # JSON text, "" for none: read only when a Track is built
    track_no: np.ndarray
    disc_no: np.ndarray
    year: np.ndarray
    sample_rate: np.ndarray
    channels: np.ndarray
    duration: np.ndarray
    added_at: np.ndarray
    analyzed: np.ndarray
    feature_version: np.ndarray
    tempo: np.ndarray
    valence: np.ndarray
    arousal: np.ndarray
    style_confidence: np.ndarray
    key: list[str]
    mode: list[str]
    mood: list[str]
    style: list[str]
    style_source: list[str]
    tags: list[str]

    def __len__(self) -> int:
        return int(self.ids.shape[0])

    def take(self, rows: np.ndarray | Sequence[int]) -> CatalogColumns:
        """The rows at ``rows`` (indices or a boolean mask), in that order."""
        rows = np.asarray(rows)
        if rows.dtype == bool:
            rows = np.flatnonzero(rows)
        picked = rows.tolist()
        values: dict[str, Any] = {}
        for name in _FIELD_NAMES:
            column = getattr(self, name)
            values[name] = column[rows] if isinstance(column, np.ndarray) else [column[r] for r in picked]
        return CatalogColumns(**values)

    def present(self) -> CatalogColumns:
        """Rows whose files were there at the last scan."""
        if not self.missing.any():
            return self
        return self.take(~self.missing)

    def track(self, row: int) -> Track:
        """A Track object for one row."""
        values: dict[str, Any] = {"id": int(self.ids[row]), "missing": bool(self.missing[row])}
        for name in ("size", "mtime_ns"):
            values[name] = int(getattr(self, name)[row])
        for name in (*TEXT, *OPTIONAL_TEXT):
            values[name] = getattr(self, name)[row]
        for name in OPTIONAL_INTS:
            number = int(getattr(self, name)[row])
            values[name] = None if number == NONE_INT else number
        for name in FLOATS:
            values[name] = float(getattr(self, name)[row])
        gains = self.replaygain[row]
        values["replaygain"] = _loads(gains) if gains else {}
        values["analysis"] = None
        if self.analyzed[row]:
            analysis = object.__new__(Analysis)
            analysis.__dict__ = {
                "feature_version": int(self.feature_version[row]),
                **{name: float(getattr(self, name)[row]) for name in ANALYSIS_FLOATS},
                **{name: getattr(self, name)[row] for name in ANALYSIS_TEXT},
            }
            values["analysis"] = analysis
        track = object.__new__(Track)
        track.__dict__ = values
        return track

    @classmethod
    def from_tracks(cls, tracks: Iterable[Track]) -> CatalogColumns:
        tracks = list(tracks)
        n = len(tracks)
        values: dict[str, Any] = {
            "ids": np.fromiter((t.id for t in tracks), dtype=np.int64, count=n),
            "missing": np.fromiter((bool(t.missing) for t in tracks), dtype=bool, count=n),
        }
        for name in ("size", "mtime_ns"):
            values[name] = np.fromiter((int(getattr(t, name) or 0) for t in tracks), dtype=np.int64, count=n)
        for name in TEXT:
            values[name] = [getattr(t, name) or "" for t in tracks]
        values["lyrics"] = [t.lyrics for t in tracks]
        values["replaygain"] = [_dumps(t.replaygain) if t.replaygain else "" for t in tracks]
        for name in OPTIONAL_INTS:
            values[name] = np.fromiter((_int_or_none(getattr(t, name)) for t in tracks), dtype=np.int64, count=n)
        for name in FLOATS:
            values[name] = np.fromiter((float(getattr(t, name) or 0.0) for t in tracks), dtype=np.float64, count=n)
        analyses = [t.analysis for t in tracks]
        values["analyzed"] = np.fromiter((a is not None for a in analyses), dtype=bool, count=n)
        values["feature_version"] = np.fromiter((a.feature_version if a is not None else 0 for a in analyses),
                                                dtype=np.int64, count=n)
        for name in ANALYSIS_FLOATS:
            values[name] = np.fromiter((float(getattr(a, name) or 0.0) if a is not None else 0.0
                                        for a in analyses), dtype=np.float64, count=n)
        for name in ANALYSIS_TEXT:
            values[name] = [(getattr(a, name) or "") if a is not None else "" for a in analyses]
        return cls(**values)

    def with_analyses(self, rows_positions: Sequence[tuple[int, int]],
                      values: dict[str, Sequence[Any]]) -> CatalogColumns:
        """A copy with analysis fields written at some rows: ``rows_positions`` pairs a row
        with its position in each sequence of ``values`` (one per Analysis field)."""
        rows = np.fromiter((r for r, _ in rows_positions), dtype=np.int64, count=len(rows_positions))
        positions = [p for _, p in rows_positions]
        changed: dict[str, Any] = {"analyzed": self.analyzed.copy()}
        changed["analyzed"][rows] = True
        for name, column in values.items():
            picked = [column[p] for p in positions]
            current = getattr(self, name)
            if isinstance(current, np.ndarray):
                updated = current.copy()
                updated[rows] = np.asarray(picked, dtype=current.dtype)
                changed[name] = updated
            else:
                texts = list(current)
                for row, value in zip(rows.tolist(), picked, strict=True):
                    texts[row] = value or ""
                changed[name] = texts
        return replace(self, **changed)

    def patched(self, row_of: dict[int, int], tracks: Sequence[Track]) -> CatalogColumns:
        """These columns with ``tracks`` written over their rows (or appended when new)."""
        if not tracks:
            return self
        fresh = CatalogColumns.from_tracks(tracks)
        rows = np.array([row_of.get(t.id, -1) for t in tracks], dtype=np.int64)
        known = rows >= 0
        values: dict[str, Any] = {}
        for name in _FIELD_NAMES:
            column, update = getattr(self, name), getattr(fresh, name)
            if isinstance(column, np.ndarray):
                merged = column.copy()
                merged[rows[known]] = update[known]
                values[name] = np.concatenate([merged, update[~known]])
            else:
                texts = list(column)
                for source, row in enumerate(rows.tolist()):
                    if row >= 0:
                        texts[row] = update[source]
                texts.extend(update[i] for i in np.flatnonzero(~known).tolist())
                values[name] = texts
        return CatalogColumns(**values)


_FIELD_NAMES: tuple[str, ...] = tuple(f.name for f in fields(CatalogColumns))


def file_stamp(path: Path) -> np.ndarray | None:
    """What identifies one written version of a file: inode, size and mtime (ns)."""
    try:
        info = os.stat(path)
    except OSError:
        return None
    return np.array([info.st_ino, info.st_size, info.st_mtime_ns], dtype=np.int64)


def save_columns(target: Path, columns: CatalogColumns, *, stamp: np.ndarray,
                 folders: list[str], next_id: int) -> None:
    arrays: dict[str, np.ndarray] = {
        "version": np.array([COLUMNS_VERSION], dtype=np.int64),
        "stamp": stamp,
        "next_id": np.array([next_id], dtype=np.int64),
    }
    arrays["folders_text"], arrays["folders_offsets"] = _pack_text(folders)
    for name in _FIELD_NAMES:
        column = getattr(columns, name)
        if isinstance(column, np.ndarray):
            arrays[name] = column
        elif name in OPTIONAL_TEXT:
            arrays[f"{name}_none"] = np.array([v is None for v in column], dtype=bool)
            arrays[f"{name}_text"], arrays[f"{name}_offsets"] = _pack_text([v or "" for v in column])
        else:
            arrays[f"{name}_text"], arrays[f"{name}_offsets"] = _pack_text(column)
    atomic_write_with(target, lambda tmp: _savez(tmp, arrays))


def load_columns(source: Path, stamp: np.ndarray | None) -> tuple[CatalogColumns, list[str], int] | None:
    """The cached columns, or None when absent, stale (``stamp`` differs) or unreadable."""
    if stamp is None:
        return None
    try:
        with np.load(source, allow_pickle=False) as data:
            if int(data["version"][0]) != COLUMNS_VERSION or not np.array_equal(data["stamp"], stamp):
                return None
            arrays = {name: data[name] for name in data.files}
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile):
        return None  # only a cache: catalog.json is read instead
    try:
        values: dict[str, Any] = {}
        for name in _FIELD_NAMES:
            if name in arrays:
                values[name] = arrays[name]
            else:
                values[name] = _unpack_text(arrays[f"{name}_text"], arrays[f"{name}_offsets"])
        folders = _unpack_text(arrays["folders_text"], arrays["folders_offsets"])
        nones = arrays["lyrics_none"]
        if nones.any():
            values["lyrics"] = [None if none else text for text, none in zip(values["lyrics"], nones.tolist(),
                                                                             strict=True)]
        columns = CatalogColumns(**values)
        if any(len(getattr(columns, name)) != len(columns) for name in _FIELD_NAMES):
            return None
        return columns, folders, int(arrays["next_id"][0])
    except (KeyError, ValueError, UnicodeDecodeError):
        return None


def _pack_text(values: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """UTF-8 text of every value and how to cut it apart again.

    NUL-separated (one C-level split on load) unless a value holds a NUL itself; then
    character offsets: ``offsets[0] == -1`` marks the separated form and carries the count.
    """
    values = list(values)
    joined = "\0".join(values)
    if joined.count("\0") == max(len(values) - 1, 0):
        offsets = np.array([SEPARATED, len(values)], dtype=np.int64)
    else:
        joined = "".join(values)
        lengths = np.fromiter((len(v) for v in values), dtype=np.int64, count=len(values))
        offsets = np.zeros(len(values) + 1, dtype=np.int64)
        np.cumsum(lengths, out=offsets[1:])
    return np.frombuffer(joined.encode("utf-8", "surrogatepass"), dtype=np.uint8), offsets


def _unpack_text(blob: np.ndarray, offsets: np.ndarray) -> list[str]:
    if len(offsets) == 2 and offsets[0] == SEPARATED:
        count = int(offsets[1])
        values = _split_separated(blob) if count else []
        if len(values) != count:
            raise ValueError("text column does not match its count")
        return values
    text = blob.tobytes().decode("utf-8", "surrogatepass")
    bounds = offsets.tolist()
    if bounds and bounds[-1] != len(text):
        raise ValueError("text column does not match its offsets")
    return [text[a:b] for a, b in zip(bounds, bounds[1:], strict=False)]


def _split_separated(blob: np.ndarray) -> list[str]:
    """NUL-separated UTF-8 back into strings, ~UNPACK_CHUNK bytes per step: one decode and
    split of a 50k-track column is a single C call that held the GIL ~25 ms (a background
    reload stalled the player's UI thread); in steps the interpreter can hand it over."""
    raw = blob.tobytes()
    values: list[str] = []
    start = 0
    while start < len(raw):
        end = raw.find(b"\0", start + UNPACK_CHUNK) if len(raw) - start > UNPACK_CHUNK else -1
        piece = raw[start:] if end < 0 else raw[start:end]
        values += piece.decode("utf-8", "surrogatepass").split("\0")
        if end < 0:
            return values
        start = end + 1
    return values + [""] if raw.endswith(b"\0") or not raw else values


def _savez(path: Path, arrays: dict[str, np.ndarray]) -> None:
    with open(path, "wb") as handle:
        np.savez(handle, **arrays)  # type: ignore[arg-type]  # the stub reads **arrays as allow_pickle


def _int_or_none(value: Any) -> int:
    return NONE_INT if value is None else int(value)


def _dumps(value: Any) -> str:
    return dump_json(value).decode("utf-8")


def _loads(text: str) -> Any:
    import json

    return json.loads(text)
