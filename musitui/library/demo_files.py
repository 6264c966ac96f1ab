"""Writing one demo track: audio in six formats (soundfile for FLAC/WAV/Vorbis, PyAV for
Opus/AAC/MP3) and its tags (mutagen), byte-deterministic: Ogg stream serials are fixed and
PyAV muxes with +bitexact."""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar, cast

import numpy as np

if TYPE_CHECKING:
    from mutagen._vorbis import VCommentDict


class DemoError(Exception):
    """The demo library cannot be written (one-line reason)."""


T = TypeVar("T")


def present(value: T | None, what: str) -> T:
    """``value``, which the encoder or tagger just made (a missing one is a DemoError)."""
    if value is None:
        raise DemoError(f"internal error: no {what}")
    return value


_BITREV = bytes(int(f"{i:08b}"[::-1], 2) for i in range(256))


def ogg_crc(data: bytes) -> int:
    """Ogg's CRC-32 (poly 0x04c11db7, not reflected, init 0), via zlib's reflected CRC-32."""
    reflected = zlib.crc32(data.translate(_BITREV), 0xFFFFFFFF) ^ 0xFFFFFFFF
    return int(f"{reflected:032b}"[::-1], 2)


def fix_ogg_serial(data: bytes, serial: int) -> bytes:
    """Set every page's stream serial (libsndfile picks a random one) and fix the CRCs."""
    out = bytearray(data)
    pos = 0
    while pos < len(out):
        if out[pos:pos + 4] != b"OggS" or pos + 27 > len(out):
            raise DemoError("internal error: unexpected Ogg page layout")
        segments = out[pos + 26]
        size = 27 + segments + sum(out[pos + 27:pos + 27 + segments])
        out[pos + 14:pos + 18] = struct.pack("<I", serial)
        out[pos + 22:pos + 26] = b"\0\0\0\0"
        out[pos + 22:pos + 26] = struct.pack("<I", ogg_crc(bytes(out[pos:pos + size])))
        pos += size
    return bytes(out)


def _write_soundfile(path: Path, audio: np.ndarray, sr: int, fmt: str) -> None:
    import soundfile

    formats = {"flac": ("FLAC", "PCM_16"), "wav": ("WAV", "PCM_16"), "ogg": ("OGG", "VORBIS")}
    container, subtype = formats[fmt]
    target: io.BytesIO | Path = io.BytesIO() if fmt == "ogg" else path
    block = 10 * sr  # libsndfile's Vorbis writer can crash on >= 60 s in one call
    with soundfile.SoundFile(target, "w", sr, audio.shape[1], subtype, format=container) as out:
        for start in range(0, len(audio), block):
            out.write(audio[start:start + block])
    if isinstance(target, io.BytesIO):
        path.write_bytes(fix_ogg_serial(target.getvalue(), serial=0x6D757369))


def _write_pyav(path: Path, audio: np.ndarray, sr: int, fmt: str) -> None:
    import av

    # The fast AAC coder and LAME quality 7 halve the encoding time; plenty for a demo.
    codec, container_format, bitrate, options = {
        "opus": ("libopus", "ogg", 96_000, {}),
        "m4a": ("aac", "ipod", 128_000, {"aac_coder": "fast"}),
        "mp3": ("libmp3lame", "mp3", 128_000, {"compression_level": "7"}),
    }[fmt]
    layout = "stereo" if audio.shape[1] == 2 else "mono"
    # +bitexact: fixed Ogg serials and no version/time stamps, so the bytes are reproducible.
    with av.open(str(path), "w", format=container_format,
                 options={"fflags": "+bitexact"}) as container:
        stream = container.add_stream(codec, rate=sr, options=options)
        if not isinstance(stream, av.AudioStream):
            raise DemoError(f"internal error: {codec} made no audio stream")
        stream.layout = layout
        stream.bit_rate = bitrate
        planar = np.ascontiguousarray(audio.T)
        block = 2 * sr
        for start in range(0, planar.shape[1], block):
            frame = av.AudioFrame.from_ndarray(np.ascontiguousarray(planar[:, start:start + block]),
                                               format="fltp", layout=layout)
            frame.sample_rate = sr
            frame.pts = start
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)


def write_audio(path: Path, audio: np.ndarray, sr: int, fmt: str) -> None:
    if fmt in ("opus", "m4a", "mp3"):
        _write_pyav(path, audio, sr, fmt)
    else:
        _write_soundfile(path, audio, sr, fmt)


def write_tags(path: Path, fmt: str, tags: dict[str, str], lyrics: str | None) -> None:
    if fmt in ("flac", "ogg", "opus"):
        _tag_vorbis(path, fmt, tags, lyrics)
    elif fmt in ("mp3", "wav"):
        _tag_id3(path, fmt, tags, lyrics)
    else:
        _tag_mp4(path, tags, lyrics)


def _tag_vorbis(path: Path, fmt: str, tags: dict[str, str], lyrics: str | None) -> None:
    from mutagen.flac import FLAC
    from mutagen.oggopus import OggOpus
    from mutagen.oggvorbis import OggVorbis

    audio = {"flac": FLAC, "ogg": OggVorbis, "opus": OggOpus}[fmt](path)
    if audio.tags is None:
        audio.add_tags()
    comments = cast("VCommentDict", present(audio.tags, "Vorbis comments"))  # typed as None upstream
    for key, value in tags.items():
        comments[key] = [value]
    if lyrics:
        comments["lyrics"] = [lyrics]
    audio.save()


def _tag_id3(path: Path, fmt: str, tags: dict[str, str], lyrics: str | None) -> None:
    from mutagen import id3

    frames: list[id3.Frame] = [id3.TIT2(encoding=3, text=tags["title"]), id3.TPE1(encoding=3, text=tags["artist"]),
              id3.TALB(encoding=3, text=tags["album"]), id3.TPE2(encoding=3, text=tags["albumartist"]),
              id3.TCON(encoding=3, text=tags["genre"]), id3.TRCK(encoding=3, text=tags["tracknumber"]),
              id3.TDRC(encoding=3, text=tags["date"])]
    if lyrics:
        frames.append(id3.USLT(encoding=3, lang="eng", desc="", text=lyrics))
    if fmt == "wav":
        from mutagen.wave import WAVE

        audio = WAVE(path)
        if audio.tags is None:
            audio.add_tags()
        wave_tags = cast("id3.ID3", present(audio.tags, "ID3 tag"))
        for frame in frames:
            wave_tags.add(frame)
        audio.save()
    else:
        tag = id3.ID3()
        for frame in frames:
            tag.add(frame)
        tag.save(path, v2_version=4)


def _tag_mp4(path: Path, tags: dict[str, str], lyrics: str | None) -> None:
    from mutagen.mp4 import MP4, MP4Tags

    audio = MP4(path)
    if audio.tags is None:
        audio.add_tags()
    atoms = cast("MP4Tags", present(audio.tags, "MP4 tags"))
    number, total = (int(part) for part in tags["tracknumber"].split("/"))
    atoms["\xa9nam"] = [tags["title"]]
    atoms["\xa9ART"] = [tags["artist"]]
    atoms["\xa9alb"] = [tags["album"]]
    atoms["aART"] = [tags["albumartist"]]
    atoms["\xa9gen"] = [tags["genre"]]
    atoms["\xa9day"] = [tags["date"]]
    atoms["trkn"] = [(number, total)]
    if lyrics:
        atoms["\xa9lyr"] = [lyrics]
    audio.save()
