"""Spotify's streaming history: the extended one (``Streaming_History_Audio_*.json``, older
``endsong_*.json``) and the account data's ``StreamingHistory*.json``.

Extended records: ``ts`` is when the stream *ended* (UTC), ``ms_played`` how much was heard,
``master_metadata_track_name`` / ``_album_artist_name`` / ``_album_album_name``,
``reason_end`` ("trackdone": it ran out) and ``skipped``. Podcast episodes
(``episode_name``, ``spotify_episode_uri``) and audiobook chapters (``audiobook_*``) are not
music and are left out (counted), and so are streams of a private session
(``incognito_mode``: the listener asked that they shape no recommendation). The account
data's records: ``endTime``
("2019-05-20 14:43", UTC), ``artistName``, ``trackName``, ``msPlayed``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from musitui.imports import listens
from musitui.imports.listens import NotUnderstood, Reading, Scrobble

SOURCE = "spotify"
# reason_end -> how the play ended (``recommend.outcomes.Ending``): going back, quitting and a
# stream that failed are no verdict on the track, as in musitui.
ENDINGS = {"trackdone": "end", "backbtn": "previous", "logout": "quit",
           "unexpected-exit": "quit", "unexpected-exit-while-paused": "quit",
           "trackerror": "error"}
_NOT_MUSIC = ("episode_name", "spotify_episode_uri", "episode_show_name", "audiobook_title",
              "audiobook_uri", "audiobook_chapter_uri", "audiobook_chapter_title")


def read(data: bytes, name: str) -> Reading:
    records = listens.load_json(data)
    if not isinstance(records, list):
        raise NotUnderstood("is not a list of streams")
    reading = Reading(name)
    for number, record in enumerate(records, 1):
        _add(reading, record, number)
    return reading.checked()


def _add(reading: Reading, record: Any, number: int) -> None:
    if not isinstance(record, dict):
        raise NotUnderstood(f"stream {number} is not an object")
    if "ts" in record:
        listen = _extended(record, reading, number)
    elif "endTime" in record:
        listen = _account(record, reading, number)
    else:
        raise NotUnderstood(f"stream {number} is not a Spotify stream (no ts or endTime)")
    if listen is not None:
        reading.add(listen, f"stream {number}")


def _extended(record: dict[str, Any], reading: Reading, number: int) -> Scrobble | None:
    ended = _time(record.get("ts"), number)
    heard = _ms(record.get("ms_played"), number)
    title = listens.text_field(record.get("master_metadata_track_name"))
    artist = listens.text_field(record.get("master_metadata_album_artist_name"))
    if not title or not artist or any(record.get(key) for key in _NOT_MUSIC):
        reading.not_music += 1  # a podcast, an audiobook, or a stream with no track
        return None
    if record.get("incognito_mode") is True:
        reading.private += 1
        return None
    return Scrobble(start=ended - heard, artist=artist, title=title,
                    album=listens.text_field(record.get("master_metadata_album_album_name")),
                    heard=heard, ending=ENDINGS.get(str(record.get("reason_end")), "next"),
                    skipped=record.get("skipped") is True, source=SOURCE)


def _account(record: dict[str, Any], reading: Reading, number: int) -> Scrobble | None:
    ended = _time(record.get("endTime"), number)
    heard = _ms(record.get("msPlayed"), number)
    if "episodeName" in record or "podcastName" in record:
        reading.not_music += 1  # StreamingHistory_podcast_*.json
        return None
    title, artist = listens.text_field(record.get("trackName")), listens.text_field(record.get("artistName"))
    if not title or not artist:
        raise NotUnderstood(f"stream {number} has no artistName or trackName")
    return Scrobble(start=ended - heard, artist=artist, title=title, heard=heard, source=SOURCE)


def _time(value: Any, number: int) -> float:
    if isinstance(value, str):
        try:
            when = datetime.fromisoformat(value.strip())
        except ValueError:
            pass
        else:
            return (when if when.tzinfo else when.replace(tzinfo=UTC)).timestamp()
    raise NotUnderstood(f"stream {number}: {str(value)[:30]!r} is not a time")


def _ms(value: Any, number: int) -> float:
    ms = listens.number_field(value)
    if ms is None or ms < 0:
        raise NotUnderstood(f"stream {number}: ms_played {str(value)[:20]!r} is not a duration")
    return ms / 1000.0
