"""What catalog.json must hold, checked on load: a damaged file never blocks a command.

``check_catalog(data)`` returns what can be kept and a line per problem. A file whose shape is
wrong (``[]``, ``null``, ``{}``, ``"tracks": "x"``) keeps nothing; a track record with a
wrong field (a number as title) keeps the track with that field at its default; a record
without a usable id or path is left out. The catalog says so, and keeps a copy of the file
before it next writes it (see ``Catalog``), so nothing is ever overwritten silently.
"""

from __future__ import annotations

import math
from dataclasses import MISSING, fields
from typing import Any

from musitui.core.model import Analysis, Track
from musitui.untrusted import fits_int64

_INT = (int,)
_NUM = (int, float)
_STR = (str,)
_NONE = (type(None),)
_TRACK_TYPES: dict[str, tuple[type, ...]] = {
    "size": _INT, "mtime_ns": _INT, "title": _STR, "artist": _STR, "album": _STR,
    "albumartist": _STR, "genre": _STR, "track_no": _INT + _NONE, "disc_no": _INT + _NONE,
    "year": _INT + _NONE, "duration": _NUM, "codec": _STR, "sample_rate": _INT + _NONE,
    "channels": _INT + _NONE, "lyrics": _STR + _NONE, "replaygain": (dict,),
    "missing": (bool,), "added_at": _NUM,
}
_ANALYSIS_TYPES: dict[str, tuple[type, ...]] = {
    "feature_version": _INT, "tempo": _NUM, "key": _STR, "mode": _STR, "valence": _NUM,
    "arousal": _NUM, "mood": _STR, "style": _STR, "style_confidence": _NUM, "style_source": _STR,
}
_ANALYSIS_REQUIRED = {f.name for f in fields(Analysis) if f.default is MISSING}
_DEFAULTS = {f.name: f.default for f in fields(Track) if f.default is not MISSING}


def _fits(value: Any, types: tuple[type, ...]) -> bool:
    if isinstance(value, bool) and bool not in types:
        return False
    if not isinstance(value, types):
        return False
    if isinstance(value, int) and not isinstance(value, bool):
        return fits_int64(value)  # a 40-digit size or id: no numpy column holds it
    return not isinstance(value, float) or math.isfinite(value)


def check_catalog(data: Any) -> tuple[dict[str, Any] | None, list[str]]:
    """``({"folders", "next_id", "tracks"}, problems)``; None when nothing can be kept."""
    if not isinstance(data, dict):
        return None, [f"it holds {type(data).__name__ if data is not None else 'null'}, not a catalog"]
    if not isinstance(data.get("tracks"), list):
        return None, ["it has no list of tracks"]
    problems: list[str] = []
    folders = data.get("folders", [])
    if not isinstance(folders, list):
        problems.append("the folder list is not a list")
        folders = []
    kept_folders = [f for f in folders if isinstance(f, str)]
    if len(kept_folders) != len(folders):
        problems.append("a folder is not text")
    next_id = data.get("next_id", 1)
    if not _fits(next_id, _INT) or next_id < 1:
        problems.append(f"next_id {next_id!r} is not a whole number")
        next_id = 1
    tracks: list[dict[str, Any]] = []
    seen: set[int] = set()
    for raw in data["tracks"]:
        record = check_track(raw, problems)
        if record is None:
            continue
        if record["id"] in seen:
            problems.append(f"track id {record['id']} appears twice")
            continue
        seen.add(record["id"])
        tracks.append(record)
    return {"folders": kept_folders, "next_id": next_id, "tracks": tracks}, problems


def check_track(raw: Any, problems: list[str]) -> dict[str, Any] | None:
    """The record with every bad field at its default; None without a usable id and path."""
    if not isinstance(raw, dict):
        problems.append("a track record is not an object")
        return None
    track_id, path = raw.get("id"), raw.get("path")
    if not isinstance(track_id, int) or not _fits(track_id, _INT) or track_id < 0 \
            or not isinstance(path, str) or not path:
        problems.append(f"a track record has no usable id and path ({str(track_id)[:20]!r})")
        return None
    record = dict(raw)
    before = len(problems)
    for name, types in _TRACK_TYPES.items():
        if name in record and not _fits(record[name], types):
            problems.append(f"track {track_id}: {name} is not {_kind(types)}")
            record[name] = _DEFAULTS[name] if name != "replaygain" else {}
    gains = record.get("replaygain") or {}
    if not all(isinstance(k, str) and _fits(v, _NUM) for k, v in gains.items()):
        problems.append(f"track {track_id}: replaygain is not a table of numbers")
        record["replaygain"] = {}
    analysis = record.get("analysis")
    if analysis is not None and not _analysis_ok(analysis):
        problems.append(f"track {track_id}: its analysis is damaged (it will be analysed again)")
        record["analysis"] = None
    if len(problems) > before:
        record["size"] = record["mtime_ns"] = 0  # so the next scan reads its tags again
    return record


def _analysis_ok(analysis: Any) -> bool:
    if not isinstance(analysis, dict) or not set(analysis) >= _ANALYSIS_REQUIRED:
        return False
    return all(_fits(analysis[name], types) for name, types in _ANALYSIS_TYPES.items()
               if name in analysis)


def _kind(types: tuple[type, ...]) -> str:
    if types[0] is str:
        return "text"
    if types[0] is bool:
        return "true/false"
    if types[0] is dict:
        return "a table"
    return "a number"
