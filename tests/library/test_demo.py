"""The demo library: formats, tags, durations, determinism, refusal, and that the styles differ.

The library is written once at seconds_scale=0.2 (tracks of ~6-12 s). The style checks use
plain numpy features (no librosa): loudness, spectral centroid, onset density, and a
major/minor score from a chroma profile.
"""

from __future__ import annotations

import argparse
import hashlib
import os
from pathlib import Path

import mutagen
import numpy as np
import pytest

from musitui.decode import open_audio
from musitui.library import demo
from musitui.library.demo import (
    DemoError,
    demo_tracks,
    fix_ogg_serial,
    ogg_crc,
    plan_track,
    read_demo_csv,
    write_demo_library,
)

SCALE = 0.2
LOUD = ("happy", "energetic", "intense")
SOFT = ("calm", "sad")
# Krumhansl-Kessler key profiles, tonic first.
MAJOR_PROFILE = np.array([6.35, 2.23, 3.48, 2.33, 4.38, 4.09, 2.52, 5.19, 2.39, 3.66, 2.29, 2.88])
MINOR_PROFILE = np.array([6.33, 2.68, 3.52, 5.38, 2.60, 3.53, 2.54, 4.75, 3.98, 2.69, 3.34, 3.17])


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Path]]:
    folder = tmp_path_factory.mktemp("demo") / "Demo Music"
    return folder, write_demo_library(folder, seconds_scale=SCALE, jobs=2)


def file_hashes(folder: Path) -> dict[str, str]:
    return {str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(folder.rglob("*")) if path.is_file()}


def test_writes_every_format_and_the_ground_truth(library):
    folder, written = library
    rows = read_demo_csv(folder)
    assert len(written) == len(rows) == 24
    assert [folder / row["path"] for row in rows] == written
    assert all(path.is_file() and path.stat().st_size > 10_000 for path in written)
    formats = [path.suffix for path in written]
    assert {fmt: formats.count(fmt) for fmt in set(formats)} == {
        ".flac": 4, ".mp3": 4, ".ogg": 4, ".opus": 4, ".m4a": 4, ".wav": 4}
    assert len({row["artist"] for row in rows}) == 5
    assert {row["style"] for row in rows} == {"happy", "energetic", "calm", "sad", "intense"}
    # Each album is one artist, one genre, one style.
    for album in {row["album"] for row in rows}:
        members = [row for row in rows if row["album"] == album]
        assert 4 <= len(members) <= 6
        assert len({(row["artist"], row["genre"], row["style"]) for row in members}) == 1
    # No half-written files are left behind.
    assert not [p for p in folder.rglob(".*.part")]


def test_tags_are_readable_with_mutagen(library):
    folder, _ = library
    rows = read_demo_csv(folder)
    for row in rows:
        audio = mutagen.File(folder / row["path"], easy=True)
        assert audio is not None, row["path"]
        tags = audio.tags
        if row["format"] == "wav":
            from mutagen.wave import WAVE
            tags = WAVE(folder / row["path"]).tags
            fields = {"title": str(tags["TIT2"]), "artist": str(tags["TPE1"]),
                      "album": str(tags["TALB"]), "genre": str(tags["TCON"]),
                      "tracknumber": str(tags["TRCK"]), "date": str(tags["TDRC"])}
        else:
            fields = {key: tags[key][0] for key in
                      ("title", "artist", "album", "genre", "tracknumber", "date")}
        total = sum(1 for other in rows if other["album"] == row["album"])
        assert fields == {"title": row["title"], "artist": row["artist"], "album": row["album"],
                          "genre": row["genre"], "tracknumber": f"{row['tracknumber']}/{total}",
                          "date": row["year"]}, row["path"]
    assert any(not row["title"].isascii() for row in rows)


def _embedded_lyrics(path: Path) -> str:
    audio = mutagen.File(path)
    if path.suffix in (".flac", ".ogg", ".opus"):
        return audio.tags["lyrics"][0]
    if path.suffix == ".m4a":
        return audio.tags["\xa9lyr"][0]
    return str(audio.tags.getall("USLT")[0])


def test_lyrics_embedded_and_sidecar(library):
    folder, _ = library
    rows = read_demo_csv(folder)
    embedded = [row for row in rows if row["lyrics"] == "embedded"]
    assert len(embedded) >= 5
    assert {row["format"] for row in embedded} == set(demo.FORMATS)
    for row in embedded:
        text = _embedded_lyrics(folder / row["path"])
        assert len(text.splitlines()) >= 3
        words = text.lower()
        if row["style"] == "sad":
            assert any(word in words for word in ("alone", "lonely", "tears", "miss"))
        if row["style"] == "happy":
            assert any(word in words for word in ("happy", "love", "sun", "dancing"))
    lrc_rows = [row for row in rows if row["lyrics"] == "lrc"]
    assert len(lrc_rows) == 1
    lrc = (folder / lrc_rows[0]["path"]).with_suffix(".lrc").read_text(encoding="utf-8")
    timed = [line for line in lrc.splitlines() if line[:1] == "[" and line[1:3].isdigit()]
    assert len(timed) == 4 and all(line[9] == "]" and line[10:] for line in timed)
    times = [int(line[1:3]) * 60 + float(line[4:9]) for line in timed]
    assert times == sorted(times) and times[0] > 0
    assert times[-1] < float(lrc_rows[0]["seconds"])


def test_durations_match_tags_and_scale(library):
    folder, _ = library
    for row in read_demo_csv(folder):
        length = mutagen.File(folder / row["path"]).info.length
        assert length == pytest.approx(float(row["seconds"]), abs=0.1), row["path"]
        assert 4.0 <= length <= 13.0, row["path"]


def test_full_length_tracks_are_30_to_60_seconds_with_the_same_music():
    for track in demo_tracks():
        full = plan_track(track, 1.0)
        short = plan_track(track, SCALE)
        seconds = full.bars * 4 * 60 / full.tempo
        assert 30 <= seconds <= 61, track.relpath
        assert (short.tempo, short.root, short.progression) == (
            full.tempo, full.root, full.progression)
        assert short.bars < full.bars
        assert short.melody == full.melody[: len(short.melody)]


def test_rewriting_gives_identical_bytes_and_keeps_other_files(library):
    folder, _ = library
    before = file_hashes(folder)
    assert len(before) == 24 + 3 + 2  # audio, the .lrc, demo.csv, the marker, two album covers
    (folder / "my notes.txt").write_text("mine", encoding="utf-8")
    # Over an earlier demo library (allowed), in one process where the first write used two:
    # the bytes must not change.
    write_demo_library(folder, seconds_scale=SCALE, jobs=1)
    after = file_hashes(folder)
    assert after.pop("my notes.txt")
    assert after == before
    (folder / "my notes.txt").unlink()


def test_refuses_a_folder_that_is_not_a_demo_library(tmp_path, capsys):
    from musitui.commands import demo as demo_command

    folder = tmp_path / "music"
    folder.mkdir()
    (folder / "song.mp3").write_bytes(b"not yours to overwrite")
    with pytest.raises(DemoError, match="not empty"):
        write_demo_library(folder, seconds_scale=SCALE)
    args = argparse.Namespace(folder=str(folder), quiet=False, jobs=1)
    assert demo_command.run(args, ctx=None) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "not empty" in err and "Traceback" not in err
    assert sorted(os.listdir(folder)) == ["song.mp3"]
    (tmp_path / "file").write_text("x", encoding="utf-8")
    with pytest.raises(DemoError, match="not a folder"):
        write_demo_library(tmp_path / "file")


def _reference_ogg_crc(data: bytes) -> int:
    crc = 0
    for byte in data:
        crc ^= byte << 24
        for _ in range(8):
            crc = ((crc << 1) ^ 0x04C11DB7) if crc & 0x80000000 else crc << 1
            crc &= 0xFFFFFFFF
    return crc


def test_ogg_crc_and_serial_patch(library):
    rng = np.random.default_rng(1)
    for size in (0, 1, 27, 300):
        data = rng.integers(0, 256, size, dtype=np.uint8).tobytes()
        assert ogg_crc(data) == _reference_ogg_crc(data)
    folder, written = library
    ogg = next(path for path in written if path.suffix == ".ogg")
    data = ogg.read_bytes()
    patched = fix_ogg_serial(data, serial=12345)
    assert patched != data and len(patched) == len(data)
    target = folder.parent / "patched.ogg"
    target.write_bytes(patched)
    # libogg drops pages with a bad CRC: a full decode proves every CRC is right.
    import soundfile
    assert soundfile.info(str(target)).frames == soundfile.info(str(ogg)).frames
    assert len(soundfile.read(str(target))[0]) == soundfile.info(str(ogg)).frames
    target.unlink()


# ---------------------------------------------------------------------------- the styles


def _mono(path: Path) -> tuple[np.ndarray, int]:
    source = open_audio(str(path))
    try:
        audio = np.asarray(source.read(source.samplerate * 60), dtype=np.float64)
        samplerate = source.samplerate
    finally:
        source.close()
    return (audio.mean(axis=1) if audio.ndim == 2 else audio), samplerate


def _centroid(x: np.ndarray, sr: int) -> float:
    n = 2048
    frames = np.lib.stride_tricks.sliding_window_view(x, n)[::n]
    spectrum = np.abs(np.fft.rfft(frames * np.hanning(n), axis=1)).mean(axis=0)
    return float(np.sum(spectrum * np.fft.rfftfreq(n, 1 / sr)) / np.sum(spectrum))


def _onsets_per_second(x: np.ndarray, sr: int) -> float:
    """Sharp rises of the 10 ms energy envelope (x1.5 within 30 ms) above a -20 dB gate."""
    hop = int(0.01 * sr)
    envelope = np.sqrt((x[: len(x) // hop * hop].reshape(-1, hop) ** 2).mean(axis=1)) + 1e-9
    rising = (envelope[3:] / envelope[:-3] > 1.5) & (envelope[3:] > 0.1 * envelope.max())
    starts = rising & ~np.concatenate([[False], rising[:-1]])
    return float(starts.sum() / (len(x) / sr))


def _mode_score(x: np.ndarray, sr: int, tonic: int) -> float:
    """Correlation with the major minus the minor key profile, on a chroma of 80-2000 Hz."""
    n = 16384
    frames = np.lib.stride_tricks.sliding_window_view(x, n)[:: n // 2]
    power = (np.abs(np.fft.rfft(frames * np.hanning(n), axis=1)) ** 2).mean(axis=0)
    freqs = np.fft.rfftfreq(n, 1 / sr)
    band = (freqs > 80) & (freqs < 2000)
    pitch_class = (np.round(12 * np.log2(freqs[band] / 440)) + 69).astype(int) % 12
    chroma = np.roll(np.bincount(pitch_class, np.sqrt(power[band]), 12), -tonic)
    return float(np.corrcoef(chroma, MAJOR_PROFILE)[0, 1]
                 - np.corrcoef(chroma, MINOR_PROFILE)[0, 1])


@pytest.fixture(scope="module")
def features(library) -> dict[str, list[dict[str, float]]]:
    folder, _ = library
    by_style: dict[str, list[dict[str, float]]] = {}
    for row in read_demo_csv(folder):
        x, sr = _mono(folder / row["path"])
        tonic = demo.NOTE_NAMES.index(row["key"].split()[0])
        by_style.setdefault(row["style"], []).append({
            "rms_db": 20 * np.log10(np.sqrt(np.mean(x**2))),
            "centroid": _centroid(x, sr),
            "onsets": _onsets_per_second(x, sr),
            "mode": _mode_score(x, sr, tonic),
            "tempo": float(row["tempo"]),
        })
    return by_style


def _values(features, styles, name):
    return [track[name] for style in styles for track in features[style]]


def test_loud_styles_are_louder(features):
    assert min(_values(features, LOUD, "rms_db")) > max(_values(features, SOFT, "rms_db")) + 6


def test_fast_styles_are_brighter_and_denser(features):
    fast = ("energetic", "intense")
    assert min(_values(features, fast, "centroid")) > 2 * max(_values(features, SOFT, "centroid"))
    assert min(_values(features, fast, "onsets")) > max(_values(features, SOFT, "onsets"))
    assert np.mean(_values(features, fast, "onsets")) > 2 * np.mean(
        _values(features, SOFT, "onsets"))
    assert np.mean(_values(features, ("energetic",), "onsets")) > np.mean(
        _values(features, ("happy",), "onsets"))
    assert min(_values(features, fast, "tempo")) > 130 > 80 > max(
        _values(features, SOFT, "tempo"))


def test_major_and_minor_styles_are_heard_as_such(features):
    for style in ("happy", "energetic", "calm"):
        assert min(_values(features, (style,), "mode")) > 0.2, style
    for style in ("sad", "intense"):
        assert max(_values(features, (style,), "mode")) < -0.1, style


def test_some_albums_have_covers_embedded_or_beside_the_files(library):
    from musitui.library.cover import cover_kind

    folder, _ = library
    kinds: dict[str, set] = {}
    for row in read_demo_csv(folder):
        kinds.setdefault(row["album"], set()).add(cover_kind(folder / row["path"]))
    assert kinds == {"Golden Hour": {"embedded"}, "Overdrive": {"folder"}, "Soft Tides": {"folder"},
                     "Rain on Glass": {None}, "Furnace": {None}}
