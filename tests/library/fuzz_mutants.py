"""Seeded mutants of small synthesised audio files, for the fuzz test (issue 11): cuts,
bit flips, header fields claiming zero or huge sizes/channels/rates/bits, random bytes
under every extension."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
from damaged_helpers import fix_ogg_crc, m4a_faststart
from library_helpers import write_audio

BASES = {"wav": ".wav", "aiff": ".aiff", "flac": ".flac", "ogg": ".ogg", "opus": ".opus",
         "mp3": ".mp3", "aac": ".m4a"}
EXTENSIONS = (".mp3", ".flac", ".ogg", ".opus", ".m4a", ".wav", ".aiff", ".aif", ".mp4")
ZERO_OR_HUGE = (0, 0xFFFFFFFF)


def _put(data: bytes, at: int, value: int, width: int, order: str = "little") -> bytes | None:
    if at < 0 or at + width > len(data):
        return None
    out = bytearray(data)
    out[at:at + width] = (value & ((1 << (8 * width)) - 1)).to_bytes(width, order)
    return bytes(out)


def _header_mutants(fmt: str, data: bytes) -> list[bytes]:
    out: list[bytes | None] = []
    if fmt == "wav":
        fmt_at = data.find(b"fmt ") + 8
        data_at = data.find(b"data") + 4
        for value in ZERO_OR_HUGE:
            out += [_put(data, fmt_at + 2, value, 2), _put(data, fmt_at + 4, value, 4),
                    _put(data, fmt_at + 8, value, 4), _put(data, fmt_at + 12, value, 2),
                    _put(data, fmt_at + 14, value, 2), _put(data, data_at, value, 4),
                    _put(data, 4, value, 4), _put(data, fmt_at - 4, value, 4)]
    elif fmt == "aiff":
        comm = data.find(b"COMM") + 8
        ssnd = data.find(b"SSND") + 4
        for value in ZERO_OR_HUGE:
            out += [_put(data, comm, value, 2, "big"), _put(data, comm + 2, value, 4, "big"),
                    _put(data, comm + 6, value, 2, "big"), _put(data, comm + 8, value, 2, "big"),
                    _put(data, ssnd, value, 4, "big"), _put(data, 4, value, 4, "big")]
    elif fmt == "flac":
        info = 8  # "fLaC" + block header, then STREAMINFO
        for value in ZERO_OR_HUGE:
            out += [_put(data, info, value, 2, "big"), _put(data, info + 2, value, 2, "big"),
                    _put(data, info + 10, value, 3, "big"), _put(data, info + 13, value, 5, "big"),
                    _put(data, 5, value, 3, "big")]
    elif fmt in ("ogg", "opus"):
        marker, channels_at, rate_at = (b"\x01vorbis", 11, 12) if fmt == "ogg" else (b"OpusHead", 9, 12)
        at = data.find(marker)
        for value in ZERO_OR_HUGE:
            for offset, width in ((channels_at, 1), (rate_at, 4)):
                mutant = _put(data, at + offset, value, width)
                if mutant is not None:
                    fixed = bytearray(mutant)
                    fix_ogg_crc(fixed, 0)
                    out += [bytes(fixed), mutant]  # with and without a valid CRC
    elif fmt == "mp3":
        frame = data.find(b"\xff\xfb")
        for byte in (0x00, 0xF0, 0x0C, 0xFF):
            out.append(_put(data, frame + 2, byte, 1))
        out.append(b"ID3\x04\x00\x00\x7f\x7f\x7f\x7f" + data)
        out.append(b"ID3\x04\x00\x00\x00\x00\x00\x00" + data)
    elif fmt == "aac":
        for atom in (b"ftyp", b"moov", b"trak", b"mdat", b"mdhd", b"stsz", b"stco"):
            at = data.find(atom) - 4
            for value in (0, 1, 0xFFFFFFFF):
                out.append(_put(data, at, value, 4, "big"))
        mdhd = data.find(b"mdhd") + 4
        out += [_put(data, mdhd + 12, 0, 4, "big"), _put(data, mdhd + 16, 0xFFFFFFFF, 4, "big")]
    return [m for m in out if m is not None]


def mutants(seed: int = 1234) -> list[tuple[str, bytes]]:
    """(file name, bytes) of every mutant; the same list for the same seed."""
    import tempfile

    rng = np.random.default_rng(seed)
    made: list[tuple[str, bytes]] = []
    with tempfile.TemporaryDirectory() as folder:
        for fmt, ext in BASES.items():
            path = Path(folder) / f"base{ext}"
            if fmt == "aac":
                m4a_faststart(path, 0.6)
            else:
                write_audio(path, fmt, seconds=0.6)
            data = path.read_bytes()
            for index, cut in enumerate([1, 4, 12, 44, 100, 300] + sorted(rng.integers(1, len(data), 10).tolist())):
                made.append((f"{fmt}-cut{index}{ext}", data[:cut]))
            for index in range(16):
                flipped = bytearray(data)
                head = index % 2 == 0  # half of them hit the headers
                span = min(len(data), 512) if head else len(data)
                for at in rng.integers(0, span, int(rng.integers(1, 33))).tolist():
                    flipped[at] ^= 1 << int(rng.integers(0, 8))
                made.append((f"{fmt}-flip{index}{ext}", bytes(flipped)))
            for index, mutant in enumerate(_header_mutants(fmt, data)):
                made.append((f"{fmt}-field{index}{ext}", mutant))
    for ext in EXTENSIONS:
        for size in (1, 100, 5000, 70000):
            made.append((f"random{size}{ext}", rng.integers(0, 256, size, dtype=np.uint8).tobytes()))
    return made


def write_mutants(folder: Path, seed: int = 1234) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, data in mutants(seed):
        path = folder / name
        path.write_bytes(data)
        paths.append(path)
    return paths


Check = Callable[[Path], None]
