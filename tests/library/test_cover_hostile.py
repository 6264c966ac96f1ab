"""Hostile covers: only plain picture formats are opened (an EPS never reaches Ghostscript),
a 3 GB sparse cover.jpg and a 12000 x 12000 PNG are refused before decoding (peak memory of a
process making their thumbnails stays far below 300 MB), a broken PNG is no cover, never an
exception, and the player's cover thread goes on after one."""

from __future__ import annotations

import os
import struct
import subprocess
import sys
import zlib
from dataclasses import replace
from pathlib import Path

import pytest
from tui_helpers import Opener, build_world, make_app, run_async, wait_for

from musitui.library.cover import CoverSource, _thumbnail, cached_cover
from musitui.library.demo_art import cover_image

REPO = Path(__file__).resolve().parents[2]
EPS = b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 10 10\nnewpath 0 0 moveto showpage\n%%EOF\n"


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def huge_png(path: Path, side: int = 12000) -> Path:
    """A grey PNG of side x side pixels, compressed to well under a megabyte, written in
    strips (never side * side bytes in memory)."""
    packer = zlib.compressobj(9)
    row = b"\0" + b"\x80" * side
    body = b"".join(packer.compress(row * 500) for _ in range(side // 500)) + packer.flush()
    header = struct.pack(">IIBBBBB", side, side, 8, 0, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", header) + png_chunk(b"IDAT", body)
                     + png_chunk(b"IEND", b""))
    return path


def broken_png() -> bytes:
    good = cover_image("calm", "PNG")
    return good[:33] + png_chunk(b"IDAT", b"\x00garbage") + b"\xde\xad"


def test_only_plain_picture_formats_are_opened(monkeypatch: pytest.MonkeyPatch) -> None:
    from PIL import EpsImagePlugin

    ran: list[object] = []
    monkeypatch.setattr(EpsImagePlugin, "Ghostscript", lambda *a, **k: ran.append(a))
    monkeypatch.setattr(EpsImagePlugin, "has_ghostscript", lambda: True)
    assert _thumbnail(CoverSource("embedded", data=EPS)) is None
    assert ran == []
    for fmt in ("JPEG", "PNG", "WEBP", "GIF", "BMP"):
        assert _thumbnail(CoverSource("embedded", data=cover_image("calm", fmt))) is not None, fmt
    tiff = cover_image("calm", "TIFF")
    assert _thumbnail(CoverSource("embedded", data=tiff)) is None


@pytest.mark.parametrize("data", [broken_png(), b"\x89PNG\r\n\x1a\n", b"GIF89a\xff\xff\xff\xff",
                                  b"\xff\xd8\xff\xe0" + b"\x00" * 40, b"BM" + b"\xff" * 60],
                         ids=["broken-png", "png-signature", "gif-header", "jpeg-header", "bmp"])
def test_damaged_pictures_are_no_cover(data: bytes) -> None:
    assert _thumbnail(CoverSource("embedded", data=data)) is None


# VmHWM, not ru_maxrss: Linux keeps the parent's (pytest's) high-water mark across exec.
PEAK = """
import sys
from pathlib import Path
from musitui.library.cover import cached_cover
print(cached_cover(Path(sys.argv[1]), sys.argv[2]))
status = Path("/proc/self/status").read_text()
print(int(next(l for l in status.splitlines() if l.startswith("VmHWM")).split()[1]) // 1024)
"""


def peak_of_cached_cover(data_dir: Path, track: Path) -> tuple[str, int]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    done = subprocess.run([sys.executable, "-c", PEAK, str(data_dir), str(track)], env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0 and not done.stderr, done.stderr[-2000:]  # no warning either
    result, peak = done.stdout.split()
    return result, int(peak)


def test_a_3_gb_sparse_cover_and_a_12000_px_png_are_refused_before_decoding(tmp_path: Path) -> None:
    from library_helpers import make_track

    sparse = tmp_path / "sparse"
    track = make_track(sparse, "a.wav", "wav")
    with open(sparse / "cover.jpg", "wb") as handle:
        handle.write(cover_image("calm", "JPEG"))
        handle.truncate(3 * 1024**3)
    result, peak = peak_of_cached_cover(tmp_path / "data", track)
    assert result == "None" and peak < 300, peak

    wide = tmp_path / "wide"
    track = make_track(wide, "a.wav", "wav")
    huge_png(wide / "cover.png")
    assert (wide / "cover.png").stat().st_size < 1024 * 1024
    result, peak = peak_of_cached_cover(tmp_path / "data", track)
    assert result == "None" and peak < 300, peak


def test_a_fifo_cover_is_skipped(tmp_path: Path) -> None:
    from library_helpers import make_track

    track = make_track(tmp_path, "a.wav", "wav")
    os.mkfifo(tmp_path / "cover.jpg")  # is_file() says no: never opened
    assert cached_cover(tmp_path / "data", track) is None
    source = CoverSource("folder", path=tmp_path / "cover.jpg")
    assert _thumbnail(source) is None  # and read_regular refuses it when asked directly


@run_async
async def test_the_cover_thread_survives_a_bad_file(tmp_path: Path, tui: Opener,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    from musitui.library import cover as cover_module
    from musitui.tui.cover_art import CoverArt

    world = build_world(tmp_path, seconds=30.0)
    tracks = list(world.catalog.tracks.values())
    bad = next(t for t in tracks if t.album == "Quiet Hours")
    good = next(t for t in tracks if t.album == "Sunny Side")
    (Path(bad.path).parent / "cover.png").write_bytes(broken_png())
    (Path(good.path).parent / "cover.jpg").write_bytes(cover_image("happy", "JPEG"))
    real = cover_module.cached_cover
    exploded: list[str] = []

    def explode_once(data_dir: Path, path: str) -> Path | None:
        if path == bad.path and not exploded:
            exploded.append(path)
            raise SyntaxError("broken PNG file")  # what Pillow raised before it was caught
        return real(data_dir, path)

    monkeypatch.setattr(cover_module, "cached_cover", explode_once)
    session, config = tui.session(world, device="null")
    config.ui = replace(config.ui, cover_art="halfblocks", mpris=False)
    app = make_app(world, session, config)
    async with app.run_test(size=(120, 40)) as pilot:
        cover = app.query_one(CoverArt)
        session.play_track(bad.id)
        await wait_for(pilot, lambda: cover.settled_for == bad.path)
        assert exploded and cover.image is None and not cover.display
        session.play_track(good.id)
        await wait_for(pilot, lambda: cover.image is not None)
        assert cover.display
