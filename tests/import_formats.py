"""Exports of other services, synthesised for tests and benches: each writer takes listens
(``Made``) and writes the bytes that service's exporter would."""

from __future__ import annotations

import csv
import io
import json
import time
import zipfile
from dataclasses import dataclass


@dataclass(frozen=True)
class Made:
    start: float  # when it began (UTC seconds)
    artist: str
    title: str
    album: str = ""
    seconds: float = 200.0  # length of the track
    heard: float | None = None  # Spotify / the log: what was played (None: all of it)
    skipped: bool = False


def _iso(ts: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ts))


def listenbrainz_line(m: Made) -> dict:
    return {"listened_at": int(m.start), "recording_msid": "x",
            "track_metadata": {"artist_name": m.artist, "track_name": m.title,
                               "release_name": m.album or None,
                               "additional_info": {"duration_ms": int(m.seconds * 1000)}}}


def listenbrainz_zip(made: list[Made]) -> bytes:
    """The 2024+ export: user.json, feedback.jsonl and listens/<year>/<month>.jsonl."""
    months: dict[str, list[str]] = {}
    for m in made:
        month = time.strftime("%Y/%-m", time.gmtime(m.start))
        months.setdefault(month, []).append(json.dumps(listenbrainz_line(m)))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("user.json", json.dumps({"user_id": 1, "username": "me"}))
        archive.writestr("feedback.jsonl", json.dumps({"score": 1}) + "\n")
        for month, lines in sorted(months.items()):
            archive.writestr(f"listens/{month}.jsonl", "\n".join(lines) + "\n")
    return buffer.getvalue()


def lastfm_header_csv(made: list[Made]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\n")
    writer.writerow(["uts", "utc_time", "artist", "artist_mbid", "album", "album_mbid",
                     "track", "track_mbid"])
    for m in made:
        writer.writerow([int(m.start), time.strftime("%d %b %Y, %H:%M", time.gmtime(m.start)),
                         m.artist, "", m.album, "", m.title, ""])
    return out.getvalue().encode("utf-8")


def lastfm_plain_csv(made: list[Made]) -> bytes:
    """artist,album,track,date without a header; commas stripped from the names."""
    lines = []
    for m in made:
        names = [x.replace(",", "") for x in (m.artist, m.album, m.title)]
        lines.append(",".join([*names, time.strftime("%d %b %Y %H:%M", time.gmtime(m.start))]))
    return ("\n".join(lines) + "\n").encode("utf-8")


def spotify_record(m: Made, **extra: object) -> dict:
    heard = m.seconds if m.heard is None else m.heard
    return {"ts": _iso(m.start + heard), "platform": "linux", "ms_played": int(heard * 1000),
            "conn_country": "SE", "master_metadata_track_name": m.title,
            "master_metadata_album_artist_name": m.artist,
            "master_metadata_album_album_name": m.album,
            "spotify_track_uri": "spotify:track:x", "episode_name": None,
            "episode_show_name": None, "spotify_episode_uri": None, "audiobook_title": None,
            "audiobook_uri": None, "audiobook_chapter_uri": None, "audiobook_chapter_title": None,
            "reason_start": "trackdone",
            "reason_end": "trackdone" if heard >= m.seconds else ("fwdbtn" if m.skipped else "endplay"),
            "shuffle": False, "skipped": m.skipped, "offline": False, **extra}


def spotify_json(made: list[Made], podcasts: int = 0, audiobooks: int = 0) -> bytes:
    records = [spotify_record(m) for m in made]
    base = made[0].start if made else 1_600_000_000.0
    for n in range(podcasts):
        records.append({**spotify_record(Made(base + 7 * n, "", "")),
                        "master_metadata_track_name": None,
                        "master_metadata_album_artist_name": None,
                        "episode_name": f"Episode {n}", "episode_show_name": "A Show",
                        "spotify_episode_uri": "spotify:episode:x"})
    for n in range(audiobooks):
        records.append({**spotify_record(Made(base + 11 * n, "", "")),
                        "master_metadata_track_name": None,
                        "master_metadata_album_artist_name": None,
                        "audiobook_title": "A Book", "audiobook_uri": "spotify:show:x",
                        "audiobook_chapter_title": f"Chapter {n}"})
    return json.dumps(records, indent=2).encode("utf-8")


def scrobbler_log(made: list[Made], tz: str = "UTC") -> bytes:
    lines = ["#AUDIOSCROBBLER/1.1", f"#TZ/{tz}", "#CLIENT/Rockbox ipodvideo $Revision$"]
    for n, m in enumerate(made, 1):
        rating = "S" if m.skipped else "L"
        lines.append("\t".join([m.artist, m.album, m.title, str(n), str(int(m.seconds)), rating,
                                str(int(m.start)), ""]))
    return ("\n".join(lines) + "\n").encode("utf-8")
