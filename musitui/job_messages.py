"""The background job's report: one dataclass per kind of message, one JSON object a line.

``musitui.background_job`` writes them (``to_line``) on its stdout; the player's
``tui/jobs.py`` reads them back (``from_line``) as the same types. On the wire:

    {"status": "scanning Music…"}                  Status: what the job is doing now
    {"reading": [done, total], "folder": "Music"}  Reading: tags read in a scan
    {"saved": "scan" | "analysis"}                 Saved: the catalog on disk changed
    {"scanned": true}                              Scanned: every folder is scanned
    {"progress": [done, total]}                    Progress: the first analysis pass
    {"tagging": [done, total]}                     Tagging: the second pass (the tagger)
    {"problems": [...], "what": "…"}               Problems: files skipped, one line each
    {"notice": "…", "severity": "…"}               Notice: anything else to tell the user
    {"failed": "…"}                                Failed: the job stopped on an error
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Literal

Severity = Literal["information", "warning", "error"]
SavedWhat = Literal["scan", "analysis"]


@dataclass(frozen=True)
class Status:
    text: str


@dataclass(frozen=True)
class Reading:
    done: int
    total: int
    folder: str


@dataclass(frozen=True)
class Saved:
    what: SavedWhat


@dataclass(frozen=True)
class Scanned:
    pass


@dataclass(frozen=True)
class Progress:
    done: int
    total: int


@dataclass(frozen=True)
class Tagging:
    done: int
    total: int


@dataclass(frozen=True)
class Problems:
    lines: list[str]
    what: str


@dataclass(frozen=True)
class Notice:
    text: str
    severity: Severity = "information"


@dataclass(frozen=True)
class Failed:
    text: str


JobMessage = Status | Reading | Saved | Scanned | Progress | Tagging | Problems | Notice | Failed
_SEVERITIES: tuple[Severity, ...] = ("information", "warning", "error")


def to_json(message: JobMessage) -> dict[str, object]:
    match message:
        case Status(text):
            return {"status": text}
        case Reading(done, total, folder):
            return {"reading": [done, total], "folder": folder}
        case Saved(what):
            return {"saved": what}
        case Scanned():
            return {"scanned": True}
        case Progress(done, total):
            return {"progress": [done, total]}
        case Tagging(done, total):
            return {"tagging": [done, total]}
        case Problems(lines, what):
            return {"problems": list(lines), "what": what}
        case Notice(text, severity):
            return {"notice": text, "severity": severity}
        case Failed(text):
            return {"failed": text}


def to_line(message: JobMessage) -> str:
    return json.dumps(to_json(message), ensure_ascii=False) + "\n"


def from_line(raw: str | bytes) -> JobMessage | None:
    """The message of one report line; None for a line that is not one (never raises)."""
    try:
        data = json.loads(raw)
    except ValueError:
        return None
    return from_json(data) if isinstance(data, dict) else None


def from_json(data: dict[str, object]) -> JobMessage | None:
    if "status" in data:
        return Status(str(data["status"]))
    if "reading" in data:
        done, total = _pair(data["reading"])
        return Reading(done, total, str(data.get("folder", "")))
    if "saved" in data:
        return Saved("analysis" if data["saved"] == "analysis" else "scan")
    if data.get("scanned"):
        return Scanned()
    if "progress" in data:
        return Progress(*_pair(data["progress"]))
    if "tagging" in data:
        return Tagging(*_pair(data["tagging"]))
    if "problems" in data:
        problems = data["problems"]
        lines = [str(p) for p in problems] if isinstance(problems, list) else []
        return Problems(lines, str(data.get("what", "could not be read")))
    if "notice" in data:
        levels = [level for level in _SEVERITIES if data.get("severity") == level]
        return Notice(str(data["notice"]), *levels[:1])
    if "failed" in data:
        return Failed(str(data["failed"]))
    return None


def _pair(value: object) -> tuple[int, int]:
    """(done, total) from a [done, total] list; zeros for what is missing or not a number."""
    items = list(value) if isinstance(value, list | tuple) else []
    numbers = [int(v) if isinstance(v, int | float) else 0 for v in items[:2]]
    return (numbers + [0, 0])[0], (numbers + [0, 0])[1]
