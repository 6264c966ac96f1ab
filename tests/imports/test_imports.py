"""`musitui history import` of other services' exports: every format synthesised here, each
listen checked for the file it went to, its time and finish/skip; strangers' songs of a
library title never matched; re-imports and cross-service copies add nothing; bad input is
one line naming the file, with nothing imported from it."""

from __future__ import annotations

import io
import json
import shutil
import time
import zipfile
from pathlib import Path

import pytest
from import_formats import (
    Made,
    lastfm_header_csv,
    lastfm_plain_csv,
    listenbrainz_line,
    listenbrainz_zip,
    scrobbler_log,
    spotify_json,
)

from musitui.cli import main
from musitui.paths import Home
from musitui.store.catalog import Catalog
from musitui.store.history import History

T0 = 1_600_000_000.0
# The library: (artist, title, album, seconds).
LIBRARY = [
    ("The Beatles", "Come Together", "Abbey Road", 259.0),
    ("Beyoncé", "Halo", "I Am... Sasha Fierce", 261.0),
    ("Hans Zimmer", "Time", "Inception", 275.0),
    ("Hans Zimmer", "Time (Live)", "Live in Prague", 300.0),
    ("Sigur Rós", "Hoppípolla", "Takk...", 268.0),
    ("Daft Punk", "One More Time", "Discovery", 320.0),
    ("Daft Punk", "One More Time", "Alive 2007", 400.0),
    ("Unknown artist", "Intro", "", 60.0),
]


def build_library(home: Path) -> dict[str, int]:
    """A catalog of LIBRARY (no audio needed to match); returns "artist/title/album" -> id."""
    catalog = Catalog.open(Home(config_dir=home, data_dir=home).ensure(), write=True)
    ids = {}
    for n, (artist, title, album, seconds) in enumerate(LIBRARY):
        track = catalog.new_track(f"/music/{n}.flac", title=title, artist=artist, album=album,
                                  duration=seconds)
        ids[f"{artist}/{title}/{album}"] = track.id
    catalog.save()
    catalog.close()
    return ids


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "home"


@pytest.fixture
def ids(home: Path) -> dict[str, int]:
    return build_library(home)


def run(home: Path, *args: str) -> int:
    return main(["--home", str(home), *args])


def events(home: Path) -> list[dict]:
    history = History.open(Home(config_dir=home, data_dir=home))
    try:
        return history.events(kinds=["finish", "skip"], newest_first=False)
    finally:
        history.close()


def kept_aside(home: Path) -> list[dict]:
    path = home / "history" / "unmatched.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


# Listens as another service spells them: (listen, the library key it must match or None).
VARIANTS = [
    (Made(T0, "Beatles", "Come Together - Remastered 2009", "Abbey Road", 259),
     "The Beatles/Come Together/Abbey Road"),
    (Made(T0 + 300, "BEYONCE", "Halo", "", 261), "Beyoncé/Halo/I Am... Sasha Fierce"),
    (Made(T0 + 600, "Sigur Ros", "Hoppipolla", "Takk", 268), "Sigur Rós/Hoppípolla/Takk..."),
    (Made(T0 + 900, "Hans Zimmer", 'Time (From "Inception")', "Inception", 275),
     "Hans Zimmer/Time/Inception"),
    (Made(T0 + 1200, "Hans  Zimmer", "Time - Live", "Live in Prague", 300),
     "Hans Zimmer/Time (Live)/Live in Prague"),
    (Made(T0 + 1500, "Daft Punk feat. Nobody", "One More Time", "Alive 2007", 400),
     "Daft Punk/One More Time/Alive 2007"),
    # Strangers' songs with a library title: never given to the library's file.
    (Made(T0 + 1800, "Mesh", "Time", "", 275), None),
    (Made(T0 + 2100, "Depeche Mode", "Halo", "Violator", 270), None),
    (Made(T0 + 2400, "Someone", "Intro", "", 60), None),  # the untagged file is nobody's
    (Made(T0 + 2700, "Beatles Tribute Band", "Come Together", "Abbey Road", 259), None),
]


def at(seconds: float) -> object:
    """A time to the millisecond (pytest.approx alone would allow ~half an hour at 1.6e9)."""
    return pytest.approx(seconds, rel=0, abs=0.001)


def check_matches(home: Path, ids: dict[str, int], *, spotify: bool = False,
                  minutes: bool = False) -> None:
    """Each library listen became a finish of the right file at its own time (``minutes``:
    the export keeps whole minutes); the others are kept aside."""
    found = {e["track_id"]: e for e in events(home)}
    wanted = [(made, key) for made, key in VARIANTS if key]
    assert len(found) == len(wanted)
    for made, key in wanted:
        event = found[ids[key]]
        length = LIBRARY[[f"{a}/{t}/{al}" for a, t, al, _ in LIBRARY].index(key)][3]
        assert event["kind"] == "finish"
        # Spotify says when the stream ended; a scrobble when it began (+ the file's length).
        start = made.start - made.start % 60 if minutes else made.start
        assert event["ts"] == at(start + (made.seconds if spotify else length))
    aside = {(k["artist"], k["title"]) for k in kept_aside(home)}
    assert aside == {(m.artist, m.title) for m, key in VARIANTS if key is None}


def test_listenbrainz_zip(home: Path, ids: dict[str, int], tmp_path: Path,
                          capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "listenbrainz_me_1700000000.zip"
    source.write_bytes(listenbrainz_zip([m for m, _ in VARIANTS]))
    assert run(home, "history", "import", str(source)) == 0
    out = capsys.readouterr().out
    assert "imported 6 listens" in out and "4 listens match no file" in out
    assert "Mesh (1)" in out
    check_matches(home, ids)


def test_listenbrainz_jsonl_and_old_array(home: Path, ids: dict[str, int], tmp_path: Path) -> None:
    lines = [listenbrainz_line(m) for m, _ in VARIANTS]
    (tmp_path / "2020").mkdir()
    (tmp_path / "2020" / "9.jsonl").write_text("".join(json.dumps(x) + "\n" for x in lines[:5]))
    (tmp_path / "listens.json").write_text(json.dumps(lines[5:]))
    assert run(home, "history", "import", str(tmp_path)) == 0
    check_matches(home, ids)


@pytest.mark.parametrize("writer", [lastfm_header_csv, lastfm_plain_csv])
def test_lastfm_csv_both_shapes(home: Path, ids: dict[str, int], tmp_path: Path, writer) -> None:
    source = tmp_path / "scrobbles.csv"
    source.write_bytes(writer([m for m, _ in VARIANTS]))
    assert run(home, "history", "import", str(source)) == 0
    check_matches(home, ids, minutes=writer is lastfm_plain_csv)


def test_spotify_extended_history(home: Path, ids: dict[str, int], tmp_path: Path,
                                  capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "Spotify Extended Streaming History"
    folder.mkdir()
    made = [m for m, _ in VARIANTS]
    (folder / "Streaming_History_Audio_2020.json").write_bytes(
        spotify_json(made, podcasts=3, audiobooks=2))
    (folder / "Streaming_History_Video_2020.json").write_text("[]")
    (folder / "ReadMeFirst_ExtendedStreamingHistory.pdf").write_bytes(b"%PDF-1.4")
    assert run(home, "history", "import", str(folder)) == 0
    out = capsys.readouterr().out
    assert "5 podcast, audiobook or untitled streams left out" in out
    check_matches(home, ids, spotify=True)
    assert all(e["source"] == "spotify" for e in events(home))


def test_spotify_skips_by_what_was_heard(home: Path, ids: dict[str, int], tmp_path: Path) -> None:
    """skipped=true is a skip; a stop before 30 s a skip; a stop after it, or the end, a finish."""
    halo = ids["Beyoncé/Halo/I Am... Sasha Fierce"]
    cases = [(Made(T0, "Beyoncé", "Halo", seconds=261, heard=250, skipped=True), "skip"),
             (Made(T0 + 1000, "Beyoncé", "Halo", seconds=261, heard=10), "skip"),
             (Made(T0 + 2000, "Beyoncé", "Halo", seconds=261, heard=45), "finish"),
             (Made(T0 + 3000, "Beyoncé", "Halo", seconds=261), "finish")]
    (tmp_path / "endsong_0.json").write_bytes(spotify_json([m for m, _ in cases]))
    assert run(home, "history", "import", str(tmp_path / "endsong_0.json")) == 0
    got = events(home)
    assert [(e["track_id"], e["kind"]) for e in got] == [(halo, kind) for _, kind in cases]
    for event, (made, _) in zip(got, cases, strict=True):
        heard = made.seconds if made.heard is None else made.heard
        assert event["ts"] == at(made.start + heard)
        assert event["listened"] == at(heard)


def test_spotify_account_data_history(home: Path, ids: dict[str, int], tmp_path: Path) -> None:
    records = [{"endTime": "2020-09-13 12:40", "artistName": "Beyonce", "trackName": "Halo",
                "msPlayed": 261000},
               {"endTime": "2020-09-13 12:45", "artistName": "Beyonce", "trackName": "Halo",
                "msPlayed": 5000}]
    (tmp_path / "StreamingHistory0.json").write_text(json.dumps(records))
    assert run(home, "history", "import", str(tmp_path / "StreamingHistory0.json")) == 0
    got = events(home)
    assert [e["kind"] for e in got] == ["finish", "skip"]
    assert got[0]["ts"] == 1_600_000_800.0  # 2020-09-13 12:40 UTC


def test_scrobbler_log(home: Path, ids: dict[str, int], tmp_path: Path) -> None:
    made = [m for m, _ in VARIANTS]
    source = tmp_path / ".scrobbler.log"
    source.write_bytes(scrobbler_log(made))
    assert run(home, "history", "import", str(source)) == 0
    check_matches(home, ids)


def test_scrobbler_log_skips_and_local_clock(home: Path, ids: dict[str, int], tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TZ", "UTC-02:00")  # the computer's zone: two hours east of UTC
    time.tzset()
    try:
        made = [Made(T0, "Hans Zimmer", "Time", "Inception", 275, skipped=True),
                Made(T0 + 600, "Hans Zimmer", "Time", "Inception", 275)]
        source = tmp_path / "player.log"
        source.write_bytes(scrobbler_log(made, tz="UNKNOWN"))
        assert run(home, "history", "import", str(source)) == 0
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()
    got = events(home)
    time_id = ids["Hans Zimmer/Time/Inception"]
    assert [(e["track_id"], e["kind"]) for e in got] == [(time_id, "skip"), (time_id, "finish")]
    # The player's clock showed local time: 2 h ahead of UTC.
    assert got[0]["ts"] == T0 - 7200
    assert got[1]["ts"] == T0 + 600 - 7200 + 275


def test_reimport_and_other_services_add_nothing(home: Path, ids: dict[str, int],
                                                 tmp_path: Path) -> None:
    made = [m for m, _ in VARIANTS]
    files = {"lb.zip": listenbrainz_zip(made), "lastfm.csv": lastfm_header_csv(made),
             "plain.csv": lastfm_plain_csv(made), ".scrobbler.log": scrobbler_log(made),
             "Streaming_History_Audio_2020.json": spotify_json(
                 [Made(m.start + 4, m.artist, m.title, m.album, m.seconds) for m in made])}
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    assert run(home, "history", "import", str(tmp_path / "lb.zip")) == 0
    first, aside = events(home), kept_aside(home)
    for name in [*files, "lb.zip"]:
        assert run(home, "history", "import", str(tmp_path / name)) == 0
    assert events(home) == first
    assert kept_aside(home) == aside
    # All at once into a new home: each listen once.
    other = tmp_path / "other"
    build_library(other)
    assert run(other, "history", "import", str(tmp_path)) == 0
    assert [(e["track_id"], e["kind"]) for e in events(other)] == [
        (e["track_id"], e["kind"]) for e in first]
    assert len(kept_aside(other)) == len(aside)


def test_a_song_played_twice_in_a_minute_counts_twice(home: Path, ids: dict[str, int],
                                                      tmp_path: Path) -> None:
    made = [Made(T0, "Beyoncé", "Halo", seconds=261, heard=3, skipped=True),
            Made(T0 + 5, "Beyoncé", "Halo", seconds=261)]
    (tmp_path / "endsong_1.json").write_bytes(spotify_json(made))
    assert run(home, "history", "import", str(tmp_path / "endsong_1.json")) == 0
    assert [e["kind"] for e in events(home)] == ["skip", "finish"]


def _truncated_zip() -> bytes:
    whole = listenbrainz_zip([m for m, _ in VARIANTS])
    return whole[: len(whole) // 2]


def _crc_broken_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("listens/2020/9.jsonl", json.dumps(listenbrainz_line(VARIANTS[0][0])))
    data = bytearray(buffer.getvalue())
    at = data.index(b"listened_at")
    data[at] = ord("L")
    return bytes(data)


BAD = [
    ("export.zip", _truncated_zip(), "damaged or truncated ZIP"),
    ("crc.zip", _crc_broken_zip(), "damaged or truncated ZIP"),
    ("songs.csv", b"title,artist,plays\nHalo,Beyonce,3\n", "CSV of another shape"),
    ("latin1.csv", lastfm_plain_csv([Made(T0, "Beyoncé", "Halo")]).decode().encode("latin-1"),
     "is not UTF-8 text"),
    ("old.csv", lastfm_header_csv([Made(5.0 + n, "Beyoncé", "Halo") for n in range(5)]),
     "impossible dates"),
    ("future.log", scrobbler_log([Made(4e10, "Beyoncé", "Halo")]), "impossible dates"),
    ("nolog.log", b"Beyonce\tHalo\tx\n", "is not a listening history"),
    ("bad.log", b"#AUDIOSCROBBLER/1.1\n#TZ/UTC\nBeyonce\tx\tHalo\t1\t200\tQ\t1600000000\t\n",
     "neither L nor S"),
    ("cut.json", spotify_json([Made(T0, "Beyoncé", "Halo")])[:-40], "is not JSON"),
    ("other.json", b'[{"name": "Halo", "plays": 3}]', "is not a listening history"),
    ("empty.jsonl", b"", "is empty"),
    ("ms.jsonl", (json.dumps({**listenbrainz_line(Made(T0, "Beyoncé", "Halo")),
                              "listened_at": int(T0 * 1000)}) + "\n").encode(), "impossible dates"),
]


@pytest.mark.parametrize(("name", "data", "said"), BAD, ids=[b[0] for b in BAD])
def test_bad_input_is_one_line_and_imports_nothing(home: Path, ids: dict[str, int], tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str],
                                                   name: str, data: bytes, said: str) -> None:
    source = tmp_path / name
    source.write_bytes(data)
    assert run(home, "history", "import", str(source)) == 1
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and str(source) in lines[0] and said in lines[0], err
    assert "nothing was imported" in lines[0]
    assert events(home) == [] and kept_aside(home) == []


def test_a_few_impossible_dates_are_left_out_and_told(home: Path, ids: dict[str, int],
                                                      tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    made = [Made(T0 + 300 * n, "Beyoncé", "Halo") for n in range(200)]
    made[7] = Made(0.0, "Beyoncé", "Halo")  # Last.fm keeps a few 1970 scrobbles
    (tmp_path / "s.csv").write_bytes(lastfm_header_csv(made))
    assert run(home, "history", "import", str(tmp_path / "s.csv")) == 0
    assert "1 listens with impossible dates left out" in capsys.readouterr().out
    assert len(events(home)) == 199


def test_a_folder_imports_what_it_understands(home: Path, ids: dict[str, int], tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "good.csv").write_bytes(lastfm_header_csv([VARIANTS[1][0]]))
    (tmp_path / "bad.csv").write_bytes(b"a,b\n1,2\n")
    assert run(home, "history", "import", str(tmp_path)) == 0
    captured = capsys.readouterr()
    assert "bad.csv" in captured.err and "good.csv" not in captured.err
    assert [e["track_id"] for e in events(home)] == [ids["Beyoncé/Halo/I Am... Sasha Fierce"]]


def test_sessions_from_gaps_feed_coplay_and_evaluate(home: Path, ids: dict[str, int],
                                                     tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    songs = [("The Beatles", "Come Together"), ("Beyoncé", "Halo"), ("Sigur Rós", "Hoppípolla")]
    made = []
    for day in range(4):  # four evenings, three songs back to back each
        start = T0 + day * 86400
        for n, (artist, title) in enumerate(songs):
            made.append(Made(start + 280 * n, artist, title))
    (tmp_path / "s.csv").write_bytes(lastfm_header_csv(made))
    assert run(home, "history", "import", str(tmp_path / "s.csv")) == 0
    got = events(home)
    assert len({e["session"] for e in got}) == 4
    assert all(len({e["session"] for e in got[i:i + 3]}) == 1 for i in range(0, 12, 3))
    history = History.open(Home(config_dir=home, data_dir=home))
    halo = ids["Beyoncé/Halo/I Am... Sasha Fierce"]
    assert history.aggregates.tracks[halo][1] == 4  # four finishes
    assert history.aggregates.coplay_row(ids["The Beatles/Come Together/Abbey Road"],
                                         T0 + 4 * 86400).get(halo, 0) > 0
    history.close()
    capsys.readouterr()
    assert run(home, "evaluate", "--json") == 0
    report = json.loads(capsys.readouterr().out)
    assert report["sessions"] == 4 and report["cases"] == 8


def test_export_scrobbler_and_listenbrainz_round_trip(home: Path, ids: dict[str, int],
                                                      tmp_path: Path) -> None:
    made = [Made(T0, "Beyoncé", "Halo", seconds=261),
            Made(T0 + 400, "Hans Zimmer", "Time", seconds=275, heard=12, skipped=True)]
    (tmp_path / "endsong_0.json").write_bytes(spotify_json(made))
    assert run(home, "history", "import", str(tmp_path / "endsong_0.json")) == 0
    log, lb = tmp_path / "out" / ".scrobbler.log", tmp_path / "out" / "listenbrainz.zip"
    assert run(home, "history", "export", "--format", "scrobbler", str(log)) == 0
    assert run(home, "history", "export", "--format", "listenbrainz", str(lb)) == 0
    lines = log.read_text().splitlines()
    assert lines[:2] == ["#AUDIOSCROBBLER/1.1", "#TZ/UTC"]
    rows = [line.split("\t") for line in lines[3:]]
    assert [(r[0], r[2], r[5], int(r[6])) for r in rows] == [
        ("Beyoncé", "Halo", "L", int(T0)), ("Hans Zimmer", "Time", "S", int(T0 + 400))]
    with zipfile.ZipFile(lb) as archive:
        assert archive.namelist() == ["listens/2020/9.jsonl"]  # as ListenBrainz exports
        listens = [json.loads(x) for x in archive.read("listens/2020/9.jsonl").splitlines()]
    assert [(x["listened_at"], x["track_metadata"]["track_name"]) for x in listens] == [
        (int(T0), "Halo")]  # a skip is not a listen
    for exported in (log, lb):
        other = tmp_path / f"again-{exported.name}"
        build_library(other)
        assert run(other, "history", "import", str(exported)) == 0
        again = events(other)
        assert again[0]["track_id"] == ids["Beyoncé/Halo/I Am... Sasha Fierce"]
        assert again[0]["ts"] == at(T0 + 261)


def test_interrupted_read_imports_nothing(home: Path, ids: dict[str, int], tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    from musitui.imports import importer

    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.csv").write_bytes(lastfm_header_csv([VARIANTS[1][0]]))
    (folder / "b.csv").write_bytes(lastfm_header_csv([VARIANTS[0][0]]))
    calls = []

    def reader(data: bytes, name: str):
        calls.append(name)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real(data, name)

    real = importer.READERS["lastfm"]
    monkeypatch.setitem(importer.READERS, "lastfm", reader)
    assert run(home, "history", "import", str(folder)) == 130
    assert events(home) == [] and kept_aside(home) == []


def test_ctrl_c_during_the_commit_waits_for_it(home: Path, ids: dict[str, int], tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    import os
    import signal

    made = [m for m, _ in VARIANTS]
    (tmp_path / "s.csv").write_bytes(lastfm_header_csv(made))
    real = History.append_events

    def interrupted(self: History, new: list[dict]) -> None:
        os.kill(os.getpid(), signal.SIGINT)  # Ctrl-C now: held until the commit is done
        real(self, new)

    monkeypatch.setattr(History, "append_events", interrupted)
    assert run(home, "history", "import", str(tmp_path / "s.csv")) == 130
    assert len(events(home)) == 6 and len(kept_aside(home)) == 4
    assert "imported 6 listens" in capsys.readouterr().out


def test_kept_aside_listens_get_their_file_when_a_scan_brings_it(home: Path, ids: dict[str, int],
                                                                 tmp_path: Path) -> None:
    from library_helpers import make_track

    made = [Made(T0, "Mesh", "Time", "Automation Baby", 275),
            Made(T0 + 300, "Depeche Mode", "Halo", "Violator", 270)]
    (tmp_path / "s.csv").write_bytes(lastfm_header_csv(made))
    assert run(home, "history", "import", str(tmp_path / "s.csv")) == 0
    assert events(home) == [] and len(kept_aside(home)) == 2
    music = tmp_path / "music"
    make_track(music, "time.wav", "wav", title="Time", artist="Mesh", album="Automation Baby")
    assert run(home, "scan", "--no-analyze", str(music)) == 0
    got = events(home)
    assert [(e["title"], e["artist"], e["kind"]) for e in got] == [("Time", "Mesh", "finish")]
    assert got[0]["path"] == str(music / "time.wav")
    assert got[0]["ts"] == at(T0 + got[0]["duration"])  # its own time
    assert [k["artist"] for k in kept_aside(home)] == ["Depeche Mode"]
    # Importing the same export again adds nothing: the listen is in the history now.
    assert run(home, "history", "import", str(tmp_path / "s.csv")) == 0
    assert len(events(home)) == 1 and len(kept_aside(home)) == 1


def test_the_command_line_says_one_line_without_a_traceback(home: Path, ids: dict[str, int],
                                                            tmp_path: Path) -> None:
    from cli_helpers import musitui

    source = tmp_path / "Streaming_History_Audio_2020.json"
    source.write_bytes(spotify_json([Made(T0, "Beyoncé", "Halo")])[:-10])
    done = musitui("history", "import", str(source), home=home)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert done.stderr.count("\n") == 1 and str(source) in done.stderr
    source.write_bytes(spotify_json([Made(T0, "Beyoncé", "Halo")]))
    done = musitui("history", "import", "--json", str(source), home=home)
    assert done.returncode == 0 and json.loads(done.stdout)["added"] == 1


def test_the_same_song_in_two_files_is_one_listen_across_services(tmp_path: Path) -> None:
    """An MP3 and an Ogg of one song: ListenBrainz's copy (with a duration) goes to the
    closest file, Last.fm's (without) to the first; still one listen."""
    home = tmp_path / "home"
    catalog = Catalog.open(Home(config_dir=home, data_dir=home).ensure(), write=True)
    mp3 = catalog.new_track("/m/love.mp3", title="Love Theme", artist="Ryan Reilly", duration=95.4)
    ogg = catalog.new_track("/m/love.ogg", title="Love Theme", artist="Ryan Reilly", duration=99.0)
    catalog.save()
    catalog.close()
    listen = Made(T0, "Ryan Reilly", "Love Theme", seconds=99.0)
    (tmp_path / "lb.jsonl").write_text(json.dumps(listenbrainz_line(listen)) + "\n")
    (tmp_path / "lastfm.csv").write_bytes(lastfm_header_csv([listen]))
    assert run(home, "history", "import", str(tmp_path / "lb.jsonl")) == 0
    assert [e["track_id"] for e in events(home)] == [ogg.id]
    assert run(home, "history", "import", str(tmp_path / "lastfm.csv")) == 0
    assert [e["track_id"] for e in events(home)] == [ogg.id]
    other = tmp_path / "other"
    shutil.copytree(home, other, ignore=shutil.ignore_patterns("history"))
    assert run(other, "history", "import", str(tmp_path / "lastfm.csv")) == 0
    assert [e["track_id"] for e in events(other)] == [mp3.id]


def test_the_players_background_scan_gives_kept_aside_listens_their_file(
        home: Path, ids: dict[str, int], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import threading

    from library_helpers import make_track

    from musitui.background_job import Reporter, run_job

    (tmp_path / "s.csv").write_bytes(lastfm_header_csv([Made(T0, "Mesh", "Time", "", 275)]))
    assert run(home, "history", "import", str(tmp_path / "s.csv")) == 0
    music = tmp_path / "music"
    make_track(music, "time.wav", "wav", title="Time", artist="Mesh")
    capsys.readouterr()
    stop = threading.Event()
    spec = {"config_dir": str(home), "data_dir": str(home), "folders": [str(music)]}
    assert run_job(spec, Reporter(stop), stop) == 0
    notices = [json.loads(line).get("notice", "") for line in capsys.readouterr().out.splitlines()]
    assert any("1 listens kept aside" in n for n in notices), notices
    assert [(e["artist"], e["title"]) for e in events(home)] == [("Mesh", "Time")]
    assert kept_aside(home) == []


def test_spotify_zip_as_downloaded(home: Path, ids: dict[str, int], tmp_path: Path) -> None:
    buffer = io.BytesIO()
    made = [m for m, _ in VARIANTS]
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        folder = "Spotify Extended Streaming History/"
        archive.writestr(folder + "ReadMeFirst_ExtendedStreamingHistory.pdf", b"%PDF-1.4")
        archive.writestr(folder + "Streaming_History_Audio_2020_0.json", spotify_json(made[:5]))
        archive.writestr(folder + "Streaming_History_Audio_2020_1.json", spotify_json(made[5:]))
        archive.writestr(folder + "Streaming_History_Video_2020.json", b"[]")
    (tmp_path / "my_spotify_data.zip").write_bytes(buffer.getvalue())
    assert run(home, "history", "import", str(tmp_path / "my_spotify_data.zip")) == 0
    check_matches(home, ids, spotify=True)


def test_spotify_streams_that_went_back_quit_failed_or_were_private_are_left_out(
        home: Path, ids: dict[str, int], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from import_formats import spotify_record

    halo = Made(T0, "Beyoncé", "Halo", seconds=261, heard=12)
    records = [spotify_record(Made(T0 + 1000 * n, "Beyoncé", "Halo", seconds=261, heard=12),
                              reason_end=end)
               for n, end in enumerate(["backbtn", "logout", "trackerror", "fwdbtn"])]
    records.append(spotify_record(Made(T0 + 9000, "Beyoncé", "Halo"), incognito_mode=True))
    (tmp_path / "endsong_0.json").write_text(json.dumps(records))
    assert run(home, "history", "import", str(tmp_path / "endsong_0.json")) == 0
    out = capsys.readouterr().out
    assert "3 streams that ended going back" in out
    assert "1 streams of Spotify private sessions left out" in out
    got = events(home)
    assert [(e["kind"], e["ts"]) for e in got] == [("skip", T0 + 3000 + halo.heard)]


def test_other_files_of_an_export_are_passed_over_in_one_line(
        home: Path, ids: dict[str, int], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Spotify's account data ZIP holds a dozen other JSON files, and podcast history."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("Spotify Account Data/Userdata.json", json.dumps({"username": "me"}))
        archive.writestr("Spotify Account Data/Playlist1.json", json.dumps({"playlists": []}))
        archive.writestr("Spotify Account Data/StreamingHistory_music_0.json", json.dumps(
            [{"endTime": "2020-09-13 12:40", "artistName": "Beyonce", "trackName": "Halo",
              "msPlayed": 261000}]))
        archive.writestr("Spotify Account Data/StreamingHistory_podcast_0.json", json.dumps(
            [{"endTime": "2020-09-13 13:40", "podcastName": "A Show", "episodeName": "One",
              "msPlayed": 1000000}]))
    (tmp_path / "my_spotify_data.zip").write_bytes(buffer.getvalue())
    assert run(home, "history", "import", str(tmp_path / "my_spotify_data.zip")) == 0
    captured = capsys.readouterr()
    assert captured.err == ""
    assert "passed over 2 file(s) that are not listening histories (Userdata.json, " \
           "Playlist1.json)" in captured.out
    assert "1 podcast, audiobook or untitled streams left out" in captured.out
    assert [e["track_id"] for e in events(home)] == [ids["Beyoncé/Halo/I Am... Sasha Fierce"]]
    # Named alone, such a file is an error; a folder with nothing to import says so.
    (tmp_path / "only").mkdir()
    (tmp_path / "only" / "Userdata.json").write_text(json.dumps({"username": "me"}))
    assert run(home, "history", "import", str(tmp_path / "only" / "Userdata.json")) == 1
    assert "Userdata.json is not a listening history" in capsys.readouterr().err
    assert run(home, "history", "import", str(tmp_path / "only")) == 1
    assert "found no listening history in" in capsys.readouterr().err


def test_lastfm_now_playing_rows_are_not_scrobbles(home: Path, ids: dict[str, int],
                                                   tmp_path: Path) -> None:
    plain = b"Beyonce,I Am,Halo,\n" + lastfm_plain_csv([Made(T0, "Beyonce", "Halo")])
    header = lastfm_header_csv([Made(T0 + 600, "Beyonce", "Halo")]).replace(
        b'"track_mbid"\n', b'"track_mbid"\n"","","Beyonce","","","","Halo",""\n', 1)
    (tmp_path / "plain.csv").write_bytes(plain)
    (tmp_path / "header.csv").write_bytes(header)
    assert run(home, "history", "import", str(tmp_path)) == 0
    # The header-less shape has minutes only: 12:26:40 is 12:26.
    assert [e["ts"] for e in events(home)] == [T0 - 40 + 261, T0 + 600 + 261]


def test_utf16_and_bom_text_are_read(home: Path, ids: dict[str, int], tmp_path: Path) -> None:
    """Spreadsheets save "Unicode text" as UTF-16 with a byte-order mark, or UTF-8 with one."""
    made = [Made(T0, "Beyoncé", "Halo"), Made(T0 + 600, "Sigur Rós", "Hoppípolla")]
    text = lastfm_header_csv(made).decode("utf-8")
    (tmp_path / "utf16.csv").write_bytes(text.encode("utf-16"))
    (tmp_path / "bom.log").write_bytes(b"\xef\xbb\xbf" + scrobbler_log(made))
    assert run(home, "history", "import", str(tmp_path / "utf16.csv")) == 0
    assert run(home, "history", "import", str(tmp_path / "bom.log")) == 0  # the same listens
    assert [e["track_id"] for e in events(home)] == [ids["Beyoncé/Halo/I Am... Sasha Fierce"],
                                                     ids["Sigur Rós/Hoppípolla/Takk..."]]


def test_an_archive_that_would_unpack_too_big_is_refused_whole(
        home: Path, ids: dict[str, int], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    from musitui.imports import sources

    monkeypatch.setattr(sources, "MAX_IMPORT_BYTES", 4000)  # 512 MB in use: kept small here
    archive = listenbrainz_zip([Made(T0 + 300 * n, "Beyoncé", "Halo") for n in range(40)])
    (tmp_path / "lb.zip").write_bytes(archive)
    assert len(archive) < 4000
    assert run(home, "history", "import", str(tmp_path / "lb.zip")) == 1
    assert "would unpack to more than" in capsys.readouterr().err
    assert events(home) == []
