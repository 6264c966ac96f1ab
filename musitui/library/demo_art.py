"""Cover art for the demo library: a small generated picture per album (Pillow), embedded in
the files of one album, written beside the files of two others, none for the rest, so every
way musitui finds a cover (and its absence) shows up in the demo."""

from __future__ import annotations

import base64
import io
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from musitui.library.demo_files import present

if TYPE_CHECKING:
    from mutagen.flac import Picture

# style name -> where its cover goes: "embedded" in every file, or a file name beside them
ART: dict[str, str] = {"happy": "embedded", "energetic": "folder.jpg", "calm": "cover.png"}
COLOURS: dict[str, tuple[tuple[int, int, int], tuple[int, int, int]]] = {
    "happy": ((255, 196, 60), (236, 84, 120)),
    "energetic": ((40, 220, 255), (120, 40, 200)),
    "calm": ((150, 220, 200), (40, 90, 140)),
}
SIZE = 96


def cover_image(style: str, fmt: str = "PNG") -> bytes:
    """A deterministic picture: a diagonal gradient between the style's colours, with rings."""
    top, bottom = (np.array(c, dtype=np.float64) for c in COLOURS[style])
    y, x = np.mgrid[0:SIZE, 0:SIZE] / (SIZE - 1)
    mix = ((x + y) / 2)[..., None]
    pixels = top * (1 - mix) + bottom * mix
    radius = np.hypot(x - 0.62, y - 0.38)
    rings = (np.sin(radius * 40) > 0.6) & (radius < 0.45)
    pixels[rings] = pixels[rings] * 0.55 + 255 * 0.45
    from PIL import Image

    image = Image.fromarray(pixels.clip(0, 255).astype(np.uint8), "RGB")
    out = io.BytesIO()
    image.save(out, format=fmt, **({"quality": 90} if fmt == "JPEG" else {}))
    return out.getvalue()


def write_folder_art(album: Path, style: str) -> None:
    where = ART.get(style)
    if where is None or where == "embedded":
        return
    fmt = "JPEG" if where.endswith(".jpg") else "PNG"
    (album / where).write_bytes(cover_image(style, fmt))


def embed_art(path: Path, fmt: str, style: str) -> None:
    """Embed the style's cover in a tagged demo file (the tags are written already)."""
    if ART.get(style) != "embedded":
        return
    data = cover_image(style)
    if fmt in ("flac", "ogg", "opus"):
        _embed_vorbis(path, fmt, data)
    elif fmt in ("mp3", "wav"):
        _embed_id3(path, fmt, data)
    else:
        from mutagen.mp4 import MP4, MP4Cover

        audio = MP4(path)
        present(audio.tags, "MP4 tags")["covr"] = [MP4Cover(data, imageformat=MP4Cover.FORMAT_PNG)]
        audio.save()


def _picture(data: bytes) -> Picture:
    from mutagen.flac import Picture

    picture = Picture()
    picture.type, picture.mime, picture.desc = 3, "image/png", "front"
    picture.width = picture.height = SIZE
    picture.depth = 24
    picture.data = data
    return picture


def _embed_vorbis(path: Path, fmt: str, data: bytes) -> None:
    from mutagen.flac import FLAC
    from mutagen.oggopus import OggOpus
    from mutagen.oggvorbis import OggVorbis

    if fmt == "flac":
        flac = FLAC(path)
        flac.add_picture(_picture(data))
        flac.save()
        return
    audio = {"ogg": OggVorbis, "opus": OggOpus}[fmt](path)
    present(audio.tags, "Vorbis comments")["metadata_block_picture"] = [
        base64.b64encode(_picture(data).write()).decode("ascii")]
    audio.save()


def _embed_id3(path: Path, fmt: str, data: bytes) -> None:
    from mutagen import id3

    frame = id3.APIC(encoding=3, mime="image/png", type=3, desc="front", data=data)
    if fmt == "wav":
        from mutagen.wave import WAVE

        audio = WAVE(path)
        present(audio.tags, "ID3 tag").add(frame)
        audio.save()
    else:
        tags = id3.ID3(path)
        tags.add(frame)
        tags.save(path, v2_version=4)
