"""The history's listens for scrobbling elsewhere, by the user's own tools:

- ``scrobbler``: a ``.scrobbler.log`` (Audioscrobbler 1.1, ``#TZ/UTC``): every finish and
  skip, ``L`` when it was listened to by the scrobbling rule (half the track, or 4 minutes),
  ``S`` otherwise;
- ``listenbrainz``: a ZIP laid out as ListenBrainz's own export (``listens/<year>/<month>.jsonl``,
  one listen per line), which its import page takes back, with the listens that count as one.

A listen's time is when it began: the event's ``ts`` (its end) less what was heard.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import orjson

from musitui import __version__

FORMATS = ("scrobbler", "listenbrainz")
SCROBBLE_SECONDS = 240.0  # Last.fm's rule: half the track, or 4 minutes, whichever is less


@dataclass(frozen=True)
class TrackInfo:
    """What the catalog adds to an event: its album, number and length."""

    album: str = ""
    track_no: int | None = None
    duration: float = 0.0


@dataclass(frozen=True)
class Played:
    start: float
    artist: str
    title: str
    album: str
    track_no: int | None
    duration: float
    listened: bool  # a scrobble by the rule above


def listens(events: Iterable[dict[str, Any]], tracks: Mapping[int, TrackInfo]) -> list[Played]:
    """The finishes and skips with an artist and title, oldest first."""
    found: list[Played] = []
    for event in events:
        if event.get("kind") not in ("finish", "skip") or not event.get("title"):
            continue
        info = tracks.get(int(event["track_id"])) if event.get("track_id") is not None else None
        info = info or TrackInfo()
        duration = float(event.get("duration") or info.duration or 0.0)
        heard = event.get("listened")
        heard = float(heard) if isinstance(heard, int | float) else None
        if heard is None and event.get("kind") == "finish":
            heard = duration
        enough = min(SCROBBLE_SECONDS, duration / 2) if duration else 30.0
        found.append(Played(start=float(event["ts"]) - (heard or 0.0),
                            artist=str(event.get("artist") or ""), title=str(event["title"]),
                            album=info.album, track_no=info.track_no, duration=duration,
                            listened=event.get("kind") == "finish" and (heard or 0.0) >= enough))
    found.sort(key=lambda p: p.start)
    return found


def _clean(text: str) -> str:
    return " ".join(text.replace("\t", " ").split())


def scrobbler_log(played: list[Played]) -> bytes:
    lines = ["#AUDIOSCROBBLER/1.1", "#TZ/UTC", f"#CLIENT/musitui {__version__}"]
    for p in played:
        lines.append("\t".join((
            _clean(p.artist), _clean(p.album), _clean(p.title),
            str(p.track_no) if p.track_no else "", str(round(p.duration)),
            "L" if p.listened else "S", str(int(p.start)), "")))
    return ("\n".join(lines) + "\n").encode("utf-8")


def listenbrainz(played: list[Played]) -> bytes:
    import io
    import time
    import zipfile

    months: dict[str, list[bytes]] = {}
    for p in played:
        if not p.listened:
            continue
        meta: dict[str, Any] = {"artist_name": p.artist, "track_name": p.title}
        if p.album:
            meta["release_name"] = p.album
        info: dict[str, Any] = {"media_player": "musitui", "submission_client": "musitui",
                                "submission_client_version": __version__}
        if p.duration:
            info["duration_ms"] = int(round(p.duration * 1000))
        if p.track_no:
            info["tracknumber"] = p.track_no
        meta["additional_info"] = info
        when = time.gmtime(p.start)
        months.setdefault(f"listens/{when.tm_year}/{when.tm_mon}.jsonl", []).append(
            orjson.dumps({"listened_at": int(p.start), "track_metadata": meta}))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, lines in months.items():
            archive.writestr(name, b"\n".join(lines) + b"\n")
    return buffer.getvalue()
