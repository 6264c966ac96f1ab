"""ListenBrainz: its export (``listens/<year>/<month>.jsonl``, one listen per line; older
exports: one JSON array) and the ``{"listen_type": "import", "payload": [...]}`` document
its API takes (what ``musitui history export --format listenbrainz`` writes).

A listen: ``listened_at`` (seconds, when it began), ``track_metadata.artist_name``,
``track_name``, ``release_name``, ``additional_info.duration_ms`` (or ``duration``, seconds).
A scrobble is a listen: each becomes a finish.
"""

from __future__ import annotations

from typing import Any

from musitui.imports.listens import (
    NotUnderstood,
    Reading,
    Scrobble,
    load_json,
    number_field,
    strip_bom,
    text_field,
)

SOURCE = "listenbrainz"


def read(data: bytes, name: str) -> Reading:
    """Every listen of ``data``; NotUnderstood when any line or record is not one."""
    body = strip_bom(data).strip()
    reading = Reading(name)
    if body.startswith(b"["):
        for number, record in enumerate(load_json(body), 1):
            _add(reading, record, f"listen {number}")
        return reading.checked()
    if body.startswith(b"{") and b'"payload"' in body[:4096]:
        document = load_json(body)
        payload = document.get("payload") if isinstance(document, dict) else None
        if not isinstance(payload, list):
            raise NotUnderstood('has no "payload" list of listens')
        for number, record in enumerate(payload, 1):
            _add(reading, record, f"listen {number}")
        return reading.checked()
    for number, line in enumerate(body.split(b"\n"), 1):
        if line.strip():
            _add(reading, load_json(line, f"line {number}"), f"line {number}")
    return reading.checked()


def _add(reading: Reading, record: Any, where: str) -> None:
    listen = listen_of(record)
    if listen is None:
        raise NotUnderstood(f"{where} is not a ListenBrainz listen "
                            "(listened_at, track_metadata.artist_name and track_name)")
    reading.add(listen, where)


def listen_of(record: Any) -> Scrobble | None:
    if not isinstance(record, dict):
        return None
    when = number_field(record.get("listened_at"))
    meta = record.get("track_metadata")
    if when is None or not isinstance(meta, dict):
        return None
    artist, title = text_field(meta.get("artist_name")), text_field(meta.get("track_name"))
    if not artist or not title:
        return None
    info = meta.get("additional_info")
    duration = None
    if isinstance(info, dict):
        ms = number_field(info.get("duration_ms"))
        seconds = number_field(info.get("duration"))
        duration = ms / 1000.0 if ms else seconds
    return Scrobble(start=when, artist=artist, title=title,
                    album=text_field(meta.get("release_name")),
                    duration=duration if duration and duration > 0 else None, source=SOURCE)
