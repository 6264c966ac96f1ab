"""Synthesised damaged-but-playable files (issue 15) and files with no audio at all."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from library_helpers import tone, write_audio


def _ogg_crc(page: bytes) -> int:
    crc = 0
    for byte in page:
        crc ^= byte << 24
        for _ in range(8):
            crc = ((crc << 1) ^ 0x04C11DB7) & 0xFFFFFFFF if crc & 0x80000000 else (crc << 1) & 0xFFFFFFFF
    return crc


def ogg_without_eos(path: Path, seconds: float = 4.0) -> Path:
    """A whole Vorbis stream whose last page lacks the end-of-stream flag (CRC fixed)."""
    data = bytearray(write_audio(path, "ogg", seconds=seconds).read_bytes())
    last = data.rfind(b"OggS")
    data[last + 5] &= ~0x04 & 0xFF
    page = bytearray(data[last:])
    page[22:26] = b"\0\0\0\0"
    data[last + 22:last + 26] = _ogg_crc(bytes(page)).to_bytes(4, "little")
    path.write_bytes(bytes(data))
    return path


def _cut(path: Path, fmt: str, seconds: float, share: float, noise: bool = False) -> Path:
    data = write_audio(path, fmt, seconds=seconds, noise=noise).read_bytes()
    path.write_bytes(data[: int(len(data) * share) + 77])  # +77: not on a page/frame boundary
    return path


def ogg_cut_mid_page(path: Path, seconds: float = 6.0) -> Path:
    return _cut(path, "ogg", seconds, 0.6)


def flac_cut_mid_frame(path: Path, seconds: float = 6.0) -> Path:
    return _cut(path, "flac", seconds, 0.5, noise=True)


def mp3_with_garbage(path: Path, seconds: float = 6.0, garbage: int = 16384) -> Path:
    data = bytearray(write_audio(path, "mp3", seconds=seconds, noise=True).read_bytes())
    middle = len(data) // 2
    data[middle:middle + garbage] = np.random.default_rng(3).integers(0, 256, garbage, dtype=np.uint8).tobytes()
    path.write_bytes(bytes(data))
    return path


def m4a_faststart(path: Path, seconds: float) -> Path:
    """AAC in MP4 with the index (moov) before the audio (mdat), as streaming files are."""
    import av

    rate = 44100
    planar = np.ascontiguousarray(tone(seconds, rate).T)
    with av.open(str(path), "w", format="mp4", options={"movflags": "faststart"}) as container:
        stream = container.add_stream("aac", rate=rate)
        stream.layout = "stereo"
        stream.format = "fltp"
        for start in range(0, planar.shape[1], 1024):
            frame = av.AudioFrame.from_ndarray(np.ascontiguousarray(planar[:, start:start + 1024]),
                                               format="fltp", layout="stereo")
            frame.sample_rate = rate
            frame.pts = start
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)
    return path


def m4a_cut_mdat(path: Path, seconds: float = 6.0) -> Path:
    data = m4a_faststart(path, seconds).read_bytes()
    path.write_bytes(data[: int(len(data) * 0.6)])
    return path


DAMAGED = {  # name -> (maker, what the warning starts with)
    "no_eos.ogg": (ogg_without_eos, "no end-of-stream page"),
    "cut.ogg": (ogg_cut_mid_page, "cut short: the last Ogg page is incomplete; audio ends at 0:0"),
    "garbage.mp3": (mp3_with_garbage, "damaged data at 0:0"),
    "cut.flac": (flac_cut_mid_frame, "cut short: audio ends at 0:0"),
    "cut.m4a": (m4a_cut_mdat, "cut short: audio ends at about 0:0"),
}


def write_damaged(folder: Path) -> dict[str, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    return {name: maker(folder / name) for name, (maker, _) in DAMAGED.items()}


def write_no_audio(folder: Path) -> dict[str, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    empty = folder / "empty.flac"
    empty.write_bytes(b"")
    noise = folder / "random.ogg"
    noise.write_bytes(np.random.default_rng(7).integers(0, 256, 20000, dtype=np.uint8).tobytes())
    return {"empty.flac": empty, "random.ogg": noise}


def fix_ogg_crc(data: bytearray, page_at: int) -> None:
    """Recompute the CRC of the Ogg page starting at ``page_at`` (after editing it)."""
    count = data[page_at + 26]
    end = page_at + 27 + count + sum(data[page_at + 27:page_at + 27 + count])
    page = bytearray(data[page_at:end])
    page[22:26] = b"\0\0\0\0"
    data[page_at + 22:page_at + 26] = _ogg_crc(bytes(page)).to_bytes(4, "little")


def wav_field(path: Path, source: Path, offset: int, value: int, width: int = 2) -> Path:
    """A copy of WAV ``source`` with the fmt chunk's field at ``offset`` set to ``value``
    (2: channels, 4: sample rate, 14: bits per sample)."""
    data = bytearray(source.read_bytes())
    at = data.find(b"fmt ") + 8 + offset
    data[at:at + width] = value.to_bytes(width, "little")
    path.write_bytes(bytes(data))
    return path


def ogg_zero_channels(path: Path, source: Path) -> Path:
    data = bytearray(source.read_bytes())
    data[data.find(b"\x01vorbis") + 11] = 0
    fix_ogg_crc(data, 0)
    path.write_bytes(bytes(data))
    return path
