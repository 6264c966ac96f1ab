"""Cover art: where a track's picture comes from, and a small cached copy of it.

A picture embedded in the file wins (ID3 APIC, FLAC pictures, Vorbis/Opus
METADATA_BLOCK_PICTURE, MP4 ``covr``); otherwise an image beside the file
(``cover.*``, ``folder.*``, ``front.*``). ``cached_cover`` decodes it once with Pillow,
shrinks it to at most ``CACHE_PIXELS`` square and writes a JPEG under the data folder, keyed
by the file's path, size and mtime, so the player and MPRIS (``mpris:artUrl``) read a small
file. Call it off the UI thread: it reads tags and decodes images. No Textual here.

A cover is untrusted input: only JPEG/PNG/WebP/GIF/BMP are opened, a file beside the track
only when it is a regular file of at most 32 MB, a picture of more than 16 megapixels is
refused before it is decoded, and any error is "no cover" (``_thumbnail`` never raises).
"""

from __future__ import annotations

import base64
import hashlib
import io
import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from musitui.library.formats import audio_kind

CoverKind = Literal["embedded", "folder"]
FOLDER_NAMES = ("cover", "folder", "front")
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".webp", ".gif", ".bmp")
CACHE_PIXELS = 256
COVER_FORMATS = ("JPEG", "PNG", "WEBP", "GIF", "BMP")  # what Pillow may open: nothing else
MAX_COVER_BYTES = 32 * 1024 * 1024
MAX_COVER_PIXELS = 16_000_000  # 4000 x 4000 (a JPEG: after draft's 1/8 scale): ~64 MB decoded
CACHE_DIR = "covers"
ID3_FRONT = 3  # picture type "Cover (front)"


@dataclass(frozen=True)
class CoverSource:
    kind: CoverKind
    data: bytes | None = None  # embedded picture bytes
    path: Path | None = None   # image file beside the track


def find_cover(path: str | os.PathLike[str]) -> CoverSource | None:
    """The track's cover, embedded first, then beside the file; None when there is none.
    An unreadable file or damaged tag counts as no embedded picture (never raises)."""
    data = embedded_picture(path)
    if data:
        return CoverSource("embedded", data=data)
    image = folder_image(Path(path).parent)
    return CoverSource("folder", path=image) if image is not None else None


def cover_kind(path: str | os.PathLike[str]) -> CoverKind | None:
    found = find_cover(path)
    return found.kind if found is not None else None


def folder_image(folder: Path) -> Path | None:
    """``cover.jpg``, ``folder.png``, ``front.webp``… (any case), in that order of names."""
    try:
        names = {entry.name.lower(): entry.name for entry in os.scandir(folder) if entry.is_file()}
    except OSError:
        return None
    for stem in FOLDER_NAMES:
        for suffix in IMAGE_SUFFIXES:
            name = names.get(stem + suffix)
            if name is not None:
                return folder / name
    return None


def embedded_picture(path: str | os.PathLike[str]) -> bytes | None:
    kind = audio_kind(str(path))
    try:
        if kind in ("mp3", "wav", "aiff"):
            return _id3_picture(path, kind)
        if kind == "flac":
            from mutagen.flac import FLAC

            return _best_picture(FLAC(path).pictures)
        if kind in ("ogg", "opus"):
            return _vorbis_picture(path, kind)
        if kind == "mp4":
            from mutagen.mp4 import MP4

            mp4_tags = MP4(path).tags
            covers: list[bytes] = list(mp4_tags.get("covr", [])) if mp4_tags is not None else []
            return bytes(covers[0]) if covers else None
    except Exception:  # noqa: BLE001 - mutagen raises many types for damaged files
        return None
    return None


def _id3_picture(path: str | os.PathLike[str], kind: str) -> bytes | None:
    if kind == "mp3":
        from mutagen.id3 import ID3

        return _best_picture(ID3(path).getall("APIC"))
    from mutagen.aiff import AIFF
    from mutagen.wave import WAVE

    tags = (WAVE if kind == "wav" else AIFF)(path).tags
    if tags is None:
        return None
    return _best_picture(tags.getall("APIC"))


def _vorbis_picture(path: str | os.PathLike[str], kind: str) -> bytes | None:
    from mutagen.flac import Picture
    from mutagen.oggopus import OggOpus
    from mutagen.oggvorbis import OggVorbis

    audio = (OggOpus if kind == "opus" else OggVorbis)(path)
    pictures = []
    values: list[str] = (list(audio.tags.get("metadata_block_picture", [])) if audio.tags is not None
                         else [])
    for value in values:
        try:
            pictures.append(Picture(base64.b64decode(value)))
        except Exception:  # noqa: BLE001 - one bad block: try the next
            continue
    return _best_picture(pictures)


def _best_picture(pictures: list) -> bytes | None:
    """The front cover if there is one, else the first picture."""
    if not pictures:
        return None
    front = next((p for p in pictures if getattr(p, "type", None) == ID3_FRONT), pictures[0])
    return bytes(front.data) or None


def cache_key(path: str | os.PathLike[str]) -> str | None:
    """A fingerprint of the file (path, size, mtime) and of its folder (mtime: a cover.jpg
    added or replaced beside it): a changed file gets a new cached cover."""
    try:
        stat = os.stat(path)
        folder = os.stat(os.path.dirname(os.path.abspath(path)))
    except OSError:
        return None
    text = f"{os.path.abspath(path)}\0{stat.st_size}\0{stat.st_mtime_ns}\0{folder.st_mtime_ns}"
    return hashlib.sha1(text.encode("utf-8", "surrogateescape")).hexdigest()


def cached_cover(data_dir: Path, path: str | os.PathLike[str]) -> Path | None:
    """A small JPEG of the track's cover under ``data_dir/covers`` (made once), or None when
    the track has none or its image cannot be decoded."""
    key = cache_key(path)
    if key is None:
        return None
    folder = Path(data_dir) / CACHE_DIR
    target = folder / f"{key}.jpg"
    if target.is_file():
        return target
    source = find_cover(path)
    small = _thumbnail(source) if source is not None else None
    if small is None:
        return None
    try:
        folder.mkdir(parents=True, exist_ok=True)
        # one name per thread: the TUI's decoder and the MPRIS adapter may make the same cover
        tmp = folder / f".{key}.{os.getpid()}.{threading.get_ident()}.part"
        tmp.write_bytes(small)
        os.replace(tmp, target)
    except OSError:
        return target if target.is_file() else None
    return target


def _thumbnail(source: CoverSource) -> bytes | None:
    """A JPEG thumbnail of the cover, or None for anything that is not a plain picture.

    Only JPEG, PNG, WebP, GIF and BMP are opened (never EPS, which runs Ghostscript, nor TIFF,
    whose library writes over the screen); a file beside the track is read only when it is a
    regular file of at most ``MAX_COVER_BYTES``; the size in the header is checked before any
    pixel is decoded (a JPEG after ``draft``, which decodes at 1/2 … 1/8 scale); and any error
    at all means no cover. JPEG, not PNG: encoding a 256 px PNG holds the GIL ~10 ms (a late
    frame), JPEG < 1 ms."""
    try:
        return _shrink(_cover_bytes(source))
    except Exception:  # noqa: BLE001 - a hostile picture raises anything (SyntaxError included)
        return None


def _cover_bytes(source: CoverSource) -> bytes | None:
    from musitui.untrusted import read_regular

    if source.data is not None:
        return source.data if len(source.data) <= MAX_COVER_BYTES else None
    if source.path is None:
        return None
    return read_regular(source.path, MAX_COVER_BYTES)


def _shrink(raw: bytes | None) -> bytes | None:
    if not raw:
        return None
    from PIL import Image

    _quiet_pillow()
    with Image.open(io.BytesIO(raw), formats=COVER_FORMATS) as image:
        image.draft("RGB", (CACHE_PIXELS, CACHE_PIXELS))  # JPEG: decode at the smallest scale
        width, height = image.size
        if width * height > MAX_COVER_PIXELS or not width or not height:
            return None
        image.load()
        small = image.convert("RGB")
        small.thumbnail((CACHE_PIXELS, CACHE_PIXELS))
        out = io.BytesIO()
        small.save(out, format="JPEG", quality=90)
        return out.getvalue()


def _quiet_pillow() -> None:
    """Pillow warns (on stderr: over the player's screen) about pictures this module refuses
    anyway by their size; the warning is silenced once for the process."""
    import warnings

    from PIL import Image

    warnings.filterwarnings("ignore", category=Image.DecompressionBombWarning)


def open_thumbnail(path: Path) -> Any:
    """The cached thumbnail as a loaded PIL image (it is our own JPEG; a file swapped in under
    the cache folder is still only opened as a small JPEG), or None."""
    try:
        raw = read_cached(path)
        if raw is None:
            return None
        from PIL import Image

        with Image.open(io.BytesIO(raw), formats=("JPEG",)) as image:
            if image.size[0] * image.size[1] > 4 * CACHE_PIXELS * CACHE_PIXELS:
                return None
            return image.convert("RGB")
    except Exception:  # noqa: BLE001 - as _thumbnail: any error is no cover
        return None


def read_cached(path: Path) -> bytes | None:
    from musitui.untrusted import read_regular

    try:
        return read_regular(path, 4 * 1024 * 1024)
    except (OSError, ValueError):
        return None
