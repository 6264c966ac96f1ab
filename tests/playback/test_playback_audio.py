"""Audio fixtures for the playback tests, synthesised at test time (no corpus needed)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import soundfile as sf
from library_helpers import write_mp4

FORMATS = {  # extension -> (soundfile format, subtype, samplerate); m4a goes through PyAV
    "wav": ("WAV", "FLOAT", 44100),
    "flac": ("FLAC", "PCM_24", 44100),
    "ogg": ("OGG", "VORBIS", 44100),
    "mp3": ("MP3", "MPEG_LAYER_III", 44100),
    "opus": ("OGG", "OPUS", 48000),
    "m4a": (None, None, 44100),
}


def chirp(seconds: float, rate: int, f0: float = 200.0, f1: float = 3000.0,
          amplitude: float = 0.4) -> np.ndarray:
    """A stereo sweep: every instant sounds different, so where it is can be found again."""
    t = np.arange(int(seconds * rate)) / rate
    phase = 2 * np.pi * (f0 * t + (f1 - f0) * t * t / (2 * seconds))
    left = amplitude * np.sin(phase)
    right = amplitude * np.sin(phase * 1.01)
    return np.stack([left, right], axis=1).astype(np.float32)


def tone(seconds: float, rate: int = 44100, freq: float = 440.0, amplitude: float = 0.3,
         channels: int = 2) -> np.ndarray:
    t = np.arange(int(seconds * rate)) / rate
    mono = (amplitude * np.sin(2 * np.pi * freq * t)).astype(np.float32)
    return np.repeat(mono[:, None], channels, axis=1)


def write_audio(path: Path, data: np.ndarray, rate: int) -> Path:
    ext = path.suffix.lstrip(".").lower()
    if ext == "m4a":
        write_mp4(path, data, rate, "aac")
        return path
    fmt, subtype, _ = FORMATS[ext]
    sf.write(str(path), data, rate, format=fmt, subtype=subtype)
    return path


def decode_all(path: Path) -> tuple[np.ndarray, int]:
    """The file as the player's decoder sees it, start to end."""
    from musitui.decode import open_audio

    source = open_audio(path)
    parts = []
    while True:
        block = source.read(65536)
        if not len(block):
            break
        parts.append(block)
    source.close()
    return np.concatenate(parts), source.samplerate


def locate(excerpt: np.ndarray, reference: np.ndarray) -> int:
    """Frame offset in ``reference`` where ``excerpt`` (mono-mixed) fits best."""
    x = excerpt.mean(axis=1) if excerpt.ndim == 2 else excerpt
    ref = reference.mean(axis=1) if reference.ndim == 2 else reference
    n = len(ref) + len(x)
    size = 1 << (n - 1).bit_length()
    spectrum = np.fft.rfft(ref, size) * np.conj(np.fft.rfft(x, size))
    corr = np.fft.irfft(spectrum, size)[: len(ref) - len(x) + 1]
    return int(np.argmax(corr))


# -- the helpers checked, and the decoder's seeking checked below the player ------------------
def test_every_fixture_format_decodes_to_its_length(tmp_path):
    for ext, (_, _, rate) in FORMATS.items():
        path = write_audio(tmp_path / f"s.{ext}", chirp(1.0, rate), rate)
        data, decoded_rate = decode_all(path)
        assert decoded_rate == rate
        assert abs(len(data) / rate - 1.0) < 0.03, ext


def test_decoder_seek_is_sample_exact_against_a_full_decode(tmp_path):
    from musitui.decode import open_audio

    for ext, (_, _, rate) in FORMATS.items():
        path = write_audio(tmp_path / f"s.{ext}", chirp(3.0, rate), rate)
        reference, _ = decode_all(path)
        source = open_audio(path)
        source.read(5000)  # seeking after some decoding, as the player does
        source.seek(1.77)
        excerpt = source.read(4096)
        source.close()
        assert abs(locate(excerpt, reference) / rate - 1.77) <= 0.05, ext
