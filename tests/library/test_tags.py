"""Tag reading: every format with and without tags, the tag rules, and broken files."""

from __future__ import annotations

import os
import re
from pathlib import Path

import numpy as np
import pytest
from library_helpers import EXPECTED_CODEC, FORMATS, make_track, tag_file, write_audio

from musitui.core.model import UNKNOWN_ARTIST
from musitui.library.formats import audio_kind
from musitui.library.tags import read_tags
from musitui.library.tags_error import TagError
from musitui.library.text import fix_mojibake, parse_number, parse_year, resolve_genre


def read(path: Path, lyrics_file: str | None = None) -> dict:
    kind = audio_kind(path.name)
    assert kind is not None
    return read_tags(str(path), kind, lyrics_file)


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_every_format_with_tags(tmp_path: Path, fmt: str) -> None:
    ext = FORMATS[fmt][0]
    path = make_track(tmp_path / "Album Folder", f"file{ext}", fmt, seconds=0.5,
                      title="  Ünïcode Title ", artist="The Artist", album="The Album",
                      albumartist="Various", genre="(17)", track="3/0", disc="2/2",
                      date="1999-05-01", lyrics="first line\nsecond line", rg_track_gain="-6.50 dB")
    fields = read(path)
    assert fields["title"] == "Ünïcode Title"
    assert fields["artist"] == "The Artist"
    assert fields["album"] == "The Album"
    assert fields["albumartist"] == "Various"
    assert fields["genre"] == "Rock"
    assert fields["track_no"] == 3
    assert fields["disc_no"] == 2
    assert fields["year"] == 1999
    assert fields["lyrics"] == "first line\nsecond line"
    assert fields["replaygain"] == {"track_gain": -6.5}
    assert fields["codec"] == EXPECTED_CODEC[fmt]
    assert fields["sample_rate"] == FORMATS[fmt][3]
    assert fields["channels"] == 2
    assert fields["duration"] == pytest.approx(0.5, abs=0.06)


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_every_format_without_tags_falls_back(tmp_path: Path, fmt: str) -> None:
    ext = FORMATS[fmt][0]
    path = write_audio(tmp_path / "My Folder" / f"my_song name{ext.upper()}", fmt)
    fields = read(path)
    assert fields["title"] == "my song name"
    assert fields["album"] == "My Folder"
    assert fields["artist"] == UNKNOWN_ARTIST
    assert fields["codec"] == EXPECTED_CODEC[fmt]
    assert fields["duration"] > 0.4
    assert "genre" not in fields and "year" not in fields


def test_wav_riff_info_tags_are_read(tmp_path: Path) -> None:
    path = write_audio(tmp_path / "info.wav", "wav")
    info = b"".join(key + len(value).to_bytes(4, "little") + value + b"\0" * (len(value) % 2)
                    for key, value in ((b"INAM", b"Salcon\0"), (b"IART", b"SuperTux Team\0"),
                                       (b"ICRD", b"2004\0")))
    chunk = b"LIST" + (len(info) + 4).to_bytes(4, "little") + b"INFO" + info
    data = bytearray(path.read_bytes() + chunk)
    data[4:8] = (len(data) - 8).to_bytes(4, "little")
    path.write_bytes(bytes(data))
    fields = read(path)
    assert (fields["title"], fields["artist"], fields["year"]) == ("Salcon", "SuperTux Team", 2004)


def test_sidecar_lrc_lyrics_when_none_embedded(tmp_path: Path) -> None:
    path = write_audio(tmp_path / "song.flac", "flac")
    lrc = tmp_path / "song.lrc"
    lrc.write_text("\ufeff[00:01.00] hello\n[00:02.00] world\n", encoding="utf-8")
    assert read(path, str(lrc))["lyrics"] == "[00:01.00] hello\n[00:02.00] world"
    tag_file(path, "flac", lyrics="embedded wins")
    assert read(path, str(lrc))["lyrics"] == "embedded wins"


def test_vorbis_unsyncedlyrics_and_mp4_lyrics(tmp_path: Path) -> None:
    ogg = write_audio(tmp_path / "a.ogg", "ogg")
    from mutagen.oggvorbis import OggVorbis

    audio = OggVorbis(str(ogg))
    audio["UNSYNCEDLYRICS"] = ["la la la"]
    audio.save()
    assert read(ogg)["lyrics"] == "la la la"
    m4a = make_track(tmp_path, "b.m4a", "aac", lyrics="mp4 words")
    assert read(m4a)["lyrics"] == "mp4 words"


def test_id3_mojibake_and_whitespace_are_repaired(tmp_path: Path) -> None:
    path = make_track(tmp_path, "m.mp3", "mp3", title="\tPlain  Title\x00 ",
                      artist="CubulÃ³ â€“ Ã„Ã¶Ã¼", album="Ã‰dition spÃ©ciale", genre="17")
    fields = read(path)
    assert fields["title"] == "Plain Title"
    assert fields["artist"] == "Cubuló – Äöü"
    assert fields["album"] == "Édition spéciale"
    assert fields["genre"] == "Rock"


def test_mp3_without_id3_and_opus_without_tags_are_not_lost(tmp_path: Path) -> None:
    # mutagen.File() returns None for a tagless Opus: the class for the extension is used.
    opus = write_audio(tmp_path / "bare.opus", "opus")
    assert read(opus)["codec"] == "opus"
    mp3 = write_audio(tmp_path / "bare.mp3", "mp3")
    assert read(mp3)["title"] == "bare"


def test_text_helpers() -> None:
    assert parse_number("3/0") == 3
    assert parse_number(" 07/12 ") == 7
    assert parse_number("0") is None and parse_number("A1") is None and parse_number("") is None
    assert parse_year("2008-01-02") == 2008
    assert parse_year("jan08") is None
    assert resolve_genre("(17)") == "Rock" and resolve_genre("Trip-Hop") == "Trip-Hop"
    assert fix_mojibake("CafÃ©") == "Café"
    assert fix_mojibake("Äpfel und Åsa") == "Äpfel und Åsa"  # real non-ASCII stays as it is
    assert fix_mojibake("生きた洞窟") == "生きた洞窟"


# --- broken files: each is one TagError with a readable reason -----------------------------

def reason(path: Path) -> str:
    with pytest.raises(TagError) as error:
        read(path)
    text = str(error.value)
    assert "\n" not in text and "Traceback" not in text
    return text


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.flac"
    path.write_bytes(b"")
    assert reason(path) == "empty file (0 bytes)"


def test_text_named_mp3(tmp_path: Path) -> None:
    path = tmp_path / "notes.mp3"
    path.write_text("this is not music\n" * 50)
    assert "not a valid MP3 file" in reason(path)


@pytest.mark.parametrize("name", ["noise.flac", "noise.ogg", "noise.m4a", "noise.wav",
                                  "noise.aiff", "noise.opus"])
def test_random_bytes_under_an_audio_name(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(np.random.default_rng(5).integers(0, 256, 5000, dtype=np.uint8).tobytes())
    assert "not a valid" in reason(path)


def test_truncated_ogg_is_kept_with_a_warning(tmp_path: Path) -> None:
    data = write_audio(tmp_path / "full.ogg", "ogg", seconds=2.0).read_bytes()
    cut = tmp_path / "cut.ogg"
    cut.write_bytes(data[: len(data) // 2])
    fields = read(cut)
    assert fields["warning"].startswith("cut short: the last Ogg page is incomplete; audio ends at 0:0")
    assert 0.3 < fields["duration"] < 1.5


def test_truncated_mp3_is_kept_with_its_real_duration(tmp_path: Path) -> None:
    data = write_audio(tmp_path / "full.mp3", "mp3", seconds=4.0, noise=True).read_bytes()
    cut = tmp_path / "cut.mp3"
    cut.write_bytes(data[: len(data) * 4 // 10])
    fields = read(cut)
    assert re.fullmatch(r"cut short: audio ends at 0:01 of 0:04", fields["warning"])
    assert fields["duration"] == pytest.approx(1.6, abs=0.2)


def test_garbled_mp3_is_kept_with_a_warning(tmp_path: Path) -> None:
    path = write_audio(tmp_path / "g.mp3", "mp3", seconds=4.0, noise=True)
    data = bytearray(path.read_bytes())
    middle = len(data) // 2
    data[middle:middle + 16384] = np.random.default_rng(3).integers(0, 256, 16384, dtype=np.uint8).tobytes()
    path.write_bytes(bytes(data))
    fields = read(path)
    assert re.fullmatch(r"damaged data at 0:0[12], 1[67] KiB skipped", fields["warning"])
    assert 3.0 < fields["duration"] < 3.8


def test_intact_long_mp3_passes_the_frame_check(tmp_path: Path) -> None:
    path = write_audio(tmp_path / "ok.mp3", "mp3", seconds=4.0, noise=True)
    tag_file(path, "mp3", title="ok")
    assert read(path)["duration"] == pytest.approx(4.0, abs=0.1)


def test_unreadable_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write_audio(tmp_path / "locked.flac", "flac")
    real_open = os.open

    def deny(target, *args, **kwargs):
        if os.fspath(target) == str(path):
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(target, *args, **kwargs)

    monkeypatch.setattr(os, "open", deny)
    assert reason(path) == "cannot read: permission denied"


def test_fifo_does_not_hang(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.mp3"
    os.mkfifo(fifo)
    assert reason(fifo)


def test_truncated_flac_is_kept_with_a_warning(tmp_path: Path) -> None:
    data = write_audio(tmp_path / "full.flac", "flac", seconds=3.0, noise=True).read_bytes()
    cut = tmp_path / "cut.flac"
    cut.write_bytes(data[: len(data) // 2])
    fields = read(cut)
    assert fields["warning"] == "cut short: audio ends at 0:01 of 0:03"
    assert fields["duration"] == pytest.approx(1.5, abs=0.2)
    assert read(tmp_path / "full.flac")["duration"] == pytest.approx(3.0)
    assert "warning" not in read(tmp_path / "full.flac")


def test_replaygain_from_opus_r128_and_id3_rva2(tmp_path: Path) -> None:
    from mutagen import id3
    from mutagen.oggopus import OggOpus

    opus = write_audio(tmp_path / "r.opus", "opus")
    audio = OggOpus(str(opus))
    audio["R128_TRACK_GAIN"] = ["-1536"]  # Q7.8: -6 dB against -23 LUFS
    audio.save()
    assert read(opus)["replaygain"] == {"track_gain": -1.0}
    mp3 = write_audio(tmp_path / "r.mp3", "mp3")
    tags = id3.ID3()
    tags.add(id3.RVA2(desc="album", channel=1, gain=-4.5, peak=0.5))
    tags.save(str(mp3))
    assert read(mp3)["replaygain"] == {"album_gain": -4.5, "album_peak": 0.5}


@pytest.mark.parametrize("fmt", ["mp3", "flac", "aac"])
def test_huge_tag_values_are_capped_when_read(tmp_path: Path, fmt: str) -> None:
    from musitui.library.text import MAX_LYRICS_CHARS, MAX_TAG_CHARS

    ext = {"mp3": ".mp3", "flac": ".flac", "aac": ".m4a"}[fmt]
    path = make_track(tmp_path, f"big{ext}", fmt, title="T" * 1_000_000, artist="A " * 5000,
                      lyrics="la la la\n" * 20_000)
    fields = read(path)
    assert len(fields["title"]) == MAX_TAG_CHARS and fields["title"].endswith("…")
    assert len(fields["artist"]) <= MAX_TAG_CHARS
    assert len(fields["lyrics"]) <= MAX_LYRICS_CHARS and fields["lyrics"].startswith("la la la\n")
