"""Cover art: found embedded in every tag format or beside the file, cached as a small PNG,
and named by ``info --json``."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from musitui.library.cover import CACHE_PIXELS, cached_cover, cover_kind, find_cover
from musitui.library.demo import write_audio, write_tags
from musitui.library.demo_art import cover_image, embed_art

FORMATS = {"flac": ".flac", "mp3": ".mp3", "ogg": ".ogg", "opus": ".opus", "m4a": ".m4a",
           "wav": ".wav"}
TAGS = {"title": "T", "artist": "A", "album": "B", "albumartist": "A", "genre": "Pop",
        "tracknumber": "1/1", "date": "2020"}


def tagged_file(folder: Path, fmt: str, *, art: bool) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"track{FORMATS[fmt]}"
    sr = 48000 if fmt == "opus" else 44100
    audio = (0.1 * np.sin(np.arange(sr // 2) * 0.05)).astype(np.float32)[:, None]
    write_audio(path, audio, sr, fmt)
    write_tags(path, fmt, TAGS, None)
    if art:
        embed_art(path, fmt, "happy")
    return path


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_embedded_picture_is_found_in_every_format(tmp_path: Path, fmt: str) -> None:
    path = tagged_file(tmp_path / "album", fmt, art=True)
    found = find_cover(path)
    assert found is not None and found.kind == "embedded"
    assert found.data == cover_image("happy")


@pytest.mark.parametrize("fmt", ["mp3", "flac"])
def test_no_picture_no_folder_image_means_none(tmp_path: Path, fmt: str) -> None:
    assert cover_kind(tagged_file(tmp_path / "album", fmt, art=False)) is None


@pytest.mark.parametrize("name", ["cover.jpg", "Folder.JPG", "front.png"])
def test_folder_image_beside_the_file(tmp_path: Path, name: str) -> None:
    path = tagged_file(tmp_path / "album", "mp3", art=False)
    (path.parent / name).write_bytes(cover_image("calm", "JPEG" if name.lower().endswith("jpg") else "PNG"))
    found = find_cover(path)
    assert found is not None and found.kind == "folder" and found.path == path.parent / name


def test_embedded_wins_over_the_folder(tmp_path: Path) -> None:
    path = tagged_file(tmp_path / "album", "flac", art=True)
    (path.parent / "cover.jpg").write_bytes(cover_image("calm", "JPEG"))
    assert cover_kind(path) == "embedded"


def test_damaged_file_has_no_embedded_cover_and_raises_nothing(tmp_path: Path) -> None:
    path = tmp_path / "album" / "broken.mp3"
    path.parent.mkdir()
    path.write_bytes(b"ID3\x04\x00\x00\x00\x00\x7f\x7f" + os.urandom(300))
    assert find_cover(path) is None


def test_cached_cover_is_a_small_jpeg_made_once(tmp_path: Path) -> None:
    path = tagged_file(tmp_path / "album", "mp3", art=False)
    big = Image.new("RGB", (1200, 900), (200, 30, 30))
    big.save(path.parent / "cover.jpg")
    cached = cached_cover(tmp_path / "data", path)
    assert cached is not None and cached.parent == tmp_path / "data" / "covers"
    with Image.open(cached) as image:
        assert image.format == "JPEG" and max(image.size) == CACHE_PIXELS
        assert image.getpixel((10, 10))[0] > 150
    stamp = cached.stat().st_mtime_ns
    assert cached_cover(tmp_path / "data", path) == cached
    assert cached.stat().st_mtime_ns == stamp


def test_threads_making_the_same_cover_at_once_all_get_it(tmp_path: Path) -> None:
    """The TUI's decoder and the MPRIS adapter ask for the same new cover together; a shared
    temporary name made one of them lose the rename and report no cover (an empty artUrl)."""
    from concurrent.futures import ThreadPoolExecutor

    path = tagged_file(tmp_path / "album", "mp3", art=False)
    Image.new("RGB", (1600, 1600), (20, 200, 30)).save(path.parent / "cover.jpg")
    for attempt in range(5):
        data = tmp_path / f"data{attempt}"
        with ThreadPoolExecutor(4) as pool:
            found = list(pool.map(cached_cover, [data] * 4, [path] * 4))
        assert all(f is not None and f.is_file() for f in found), found
        assert not list((data / "covers").glob("*.part"))


def test_an_undecodable_image_gives_no_cover(tmp_path: Path) -> None:
    path = tagged_file(tmp_path / "album", "mp3", art=False)
    (path.parent / "cover.jpg").write_bytes(b"not a picture")
    assert cover_kind(path) == "folder"  # it is there…
    assert cached_cover(tmp_path / "data", path) is None  # …but cannot be shown


def test_info_json_names_the_cover(tmp_path: Path) -> None:
    embedded = tagged_file(tmp_path / "a", "flac", art=True)
    beside = tagged_file(tmp_path / "b", "mp3", art=False)
    (beside.parent / "folder.jpg").write_bytes(cover_image("calm", "JPEG"))
    bare = tagged_file(tmp_path / "c", "ogg", art=False)
    found = {}
    for path in (embedded, beside, bare):
        out = subprocess.run([sys.executable, "-m", "musitui", "--home", str(tmp_path / "home"),
                              "info", str(path), "--json"], capture_output=True, text=True,
                             check=True, timeout=60)
        found[path] = json.loads(out.stdout)["cover"]
    assert found == {embedded: "embedded", beside: "folder", bare: None}
