"""M3U/M3U8 playlists: round trip, relative paths, missing entries, odd names, other writers."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from musitui.playlists import is_playlist, load_m3u, playlist_entry, save_m3u8

ODD_NAMES = [
    "plain.mp3",
    "with spaces  and  tabs\t.flac",
    "#1 hit.ogg",
    "Café Lumière – été.opus",
    "日本語のうた.m4a",
    "semi;colon,comma & 'quotes' \"double\".wav",
    "percent %20 and ?query#frag.mp3",
    " leading space.mp3",
    "trailing space.mp3 ",
]


def make_tracks(folder: Path, names: list[str]) -> list[str]:
    paths = []
    for name in names:
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"audio")
        paths.append(str(path))
    return paths


def test_round_trip_with_odd_names_and_relative_paths(tmp_path):
    music = tmp_path / "Music"
    tracks = make_tracks(music / "Album", ODD_NAMES)
    playlist = music / "Playlists" / "mix.m3u8"
    playlist.parent.mkdir()
    titles = [f"Artist - {Path(t).stem}" for t in tracks]
    save_m3u8(playlist, tracks, titles=titles, durations=[61.4] * len(tracks))

    text = playlist.read_text(encoding="utf-8")
    lines = text.splitlines()
    assert lines[0] == "#EXTM3U"
    assert lines[1] == "#EXTINF:61,Artist - plain"
    assert lines[2] == "../Album/plain.mp3"
    # No entry line is absolute, and none would read as a comment.
    entries = [line for line in lines if not line.startswith("#")]
    assert len(entries) == len(tracks)
    assert not any(entry.startswith("/") for entry in entries if "://" not in entry)
    assert "../Album/日本語のうた.m4a" in entries  # UTF-8 text, not escaped

    loaded = load_m3u(playlist)
    assert loaded.paths == tracks
    assert loaded.missing == [] and loaded.problems == []


def test_playlist_moves_with_its_music(tmp_path):
    music = tmp_path / "Music"
    tracks = make_tracks(music, ["a/1.mp3", "b/2.flac"])
    save_m3u8(music / "list.m3u8", tracks)
    moved = tmp_path / "Elsewhere"
    music.rename(moved)
    loaded = load_m3u(moved / "list.m3u8")
    assert loaded.paths == [str(moved / "a/1.mp3"), str(moved / "b/2.flac")]


def test_absolute_when_only_the_root_is_shared(tmp_path):
    folder = tmp_path / "lists"
    folder.mkdir()
    assert playlist_entry("/definitely/elsewhere/song.mp3", folder) == (
        "/definitely/elsewhere/song.mp3")
    assert playlist_entry(str(tmp_path / "x" / "song.mp3"), folder) == "../x/song.mp3"


def test_missing_entries_are_reported_not_fatal(tmp_path):
    tracks = make_tracks(tmp_path, ["here.mp3", "also here.mp3"])
    playlist = tmp_path / "list.m3u8"
    save_m3u8(playlist, [tracks[0], str(tmp_path / "gone.mp3"), tracks[1]])
    loaded = load_m3u(playlist)
    assert loaded.paths == tracks
    assert loaded.missing == [str(tmp_path / "gone.mp3")]
    assert loaded.problems == []


def test_other_writers_latin1_crlf_urls_windows_separators(tmp_path):
    tracks = make_tracks(tmp_path, ["Sub Dir/Café.mp3", "abs.flac", "url #1.ogg", "x.wav"])
    content = "\r\n".join([
        "#EXTM3U",
        "",
        "# a comment",
        "#EXTINF:200,Someone - Café",
        "Sub Dir\\Café.mp3",                             # Windows separators, Latin-1 é
        "   ",
        str(tmp_path / "abs.flac"),                      # absolute
        "file://" + str(tmp_path / "url %231.ogg").replace(" ", "%20"),  # file URL, escaped #
        "file://localhost" + str(tmp_path / "x.wav"),
        "http://radio.example/stream",                   # not a local file
        "file://otherhost/share/song.mp3",
        "C:\\Music\\not here.mp3",
        "missing.mp3",
    ]) + "\r\n"
    playlist = tmp_path / "old.m3u"
    playlist.write_bytes(content.encode("latin-1"))
    loaded = load_m3u(playlist)
    assert loaded.paths == tracks
    assert loaded.missing == ["C:/Music/not here.mp3", str(tmp_path / "missing.mp3")]
    assert len(loaded.problems) == 2
    assert loaded.problems[0].startswith("line 10: not a local file")
    assert loaded.problems[1].startswith("line 11: not a local file (host otherhost)")


def test_utf8_bom_and_unescaped_hash_in_file_url(tmp_path):
    tracks = make_tracks(tmp_path, ["ünï #2.mp3"])
    playlist = tmp_path / "bom.m3u"
    playlist.write_bytes(b"\xef\xbb\xbf" + f"file://{tracks[0]}\n".encode())
    assert load_m3u(playlist).paths == tracks


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX byte file names")
def test_non_utf8_and_newline_names_survive(tmp_path):
    raw_name = os.fsdecode(b"latin1-caf\xe9.mp3")  # not valid UTF-8 on disk
    try:
        tracks = make_tracks(tmp_path, [raw_name, "two\nlines.mp3"])
    except (OSError, UnicodeEncodeError):
        pytest.skip("file system refuses these names")
    playlist = tmp_path / "odd.m3u8"
    save_m3u8(playlist, tracks)
    playlist.read_bytes().decode("utf-8")  # still valid UTF-8
    assert load_m3u(playlist).paths == tracks
    # A Latin-1 .m3u naming the Latin-1 file finds it too.
    legacy = tmp_path / "legacy.m3u"
    legacy.write_bytes(b"latin1-caf\xe9.mp3\n")
    assert load_m3u(legacy).paths == [tracks[0]]


def test_bad_input_never_raises(tmp_path):
    assert load_m3u(tmp_path / "nope.m3u").problems[0].startswith("cannot read playlist")
    folder = tmp_path / "folder.m3u"
    folder.mkdir()
    assert load_m3u(folder).problems[0].startswith("cannot read playlist")
    binary = tmp_path / "song.m3u"
    binary.write_bytes(b"\x00\x01ID3\x00" * 100)
    assert load_m3u(binary).problems == ["song.m3u is not a playlist (binary data)"]
    weird = tmp_path / "weird.m3u8"
    weird.write_bytes(b"file://\nfile:relative.mp3\n\xff\xfe bad utf8\n" + b"x" * 5000 + b"\n")
    loaded = load_m3u(weird)
    assert loaded.paths == []
    assert "not valid UTF-8" in loaded.problems[0]
    assert len(loaded.problems) == 3 and len(loaded.missing) == 2


def test_empty_playlist_and_suffixes(tmp_path):
    playlist = save_m3u8(tmp_path / "empty.m3u8", [])
    assert playlist.read_text(encoding="utf-8") == "#EXTM3U\n"
    assert load_m3u(playlist) == ([], [], [])
    assert is_playlist("a/B.M3U") and is_playlist("x.m3u8") and not is_playlist("x.mp3")


def test_names_that_look_like_comments_in_the_playlist_folder(tmp_path):
    tracks = make_tracks(tmp_path, ["#1 hit.ogg", "#EXTINF:3,x.mp3", " lead.mp3", "ok.mp3"])
    playlist = save_m3u8(tmp_path / "here.m3u8", tracks)
    entries = playlist.read_text(encoding="utf-8").splitlines()[1:]
    assert entries == ["./#1 hit.ogg", "./#EXTINF:3,x.mp3", "./ lead.mp3", "ok.mp3"]
    assert load_m3u(playlist).paths == tracks


def test_reading_is_bounded(tmp_path, monkeypatch):
    import os

    import musitui.playlists as playlists

    huge = tmp_path / "huge.m3u"
    with huge.open("wb") as handle:
        handle.truncate(256 * 1024 * 1024)  # sparse: 256 MB that costs no disk
    assert load_m3u(huge).problems == [
        "huge.m3u is too large for a playlist (256 MB; at most 16 MB); not read"]
    song = tmp_path / "a.mp3"
    song.write_bytes(b"x")
    long_line = tmp_path / "long.m3u8"
    long_line.write_bytes(b"a" * (10 * 1024 * 1024) + b"\na.mp3\n")
    loaded = load_m3u(long_line)
    assert loaded.paths == [str(song)]
    assert loaded.problems == ["line 1: longer than 8192 bytes (10485760), not a path; skipped"]
    fifo = tmp_path / "fifo.m3u"
    os.mkfifo(fifo)
    assert load_m3u(fifo).problems == [f"cannot read playlist {fifo}: not a regular file"]
    assert load_m3u("/dev/zero").problems == ["cannot read playlist /dev/zero: not a regular file"]
    monkeypatch.setattr(playlists, "MAX_ENTRIES", 3)
    many = tmp_path / "many.m3u"
    many.write_text("a.mp3\n" * 5 + "\n".join(f"gone{n}.mp3" for n in range(30)))
    loaded = load_m3u(many)
    assert loaded.paths == [str(song)] * 3
    assert loaded.problems == ["many.m3u: more than 3 entries; the rest (from line 4) were not read"]
    monkeypatch.setattr(playlists, "MAX_ENTRIES", 1000)
    bad = tmp_path / "bad.m3u"
    bad.write_text("\n".join(f"http://x/{n}" for n in range(50)))
    problems = load_m3u(bad).problems
    assert len(problems) == 21 and problems[-1] == "... and 30 more problem(s)"
