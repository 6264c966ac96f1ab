"""Synthesising small tagged music files for the library tests (numpy + soundfile + PyAV +
mutagen), in whatever folder the test gives."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import soundfile

# format name -> (extension, soundfile format, subtype, sample rate); None = PyAV
FORMATS: dict[str, tuple[str, str | None, str | None, int]] = {
    "mp3": (".mp3", "MP3", "MPEG_LAYER_III", 44100),
    "flac": (".flac", "FLAC", "PCM_16", 44100),
    "ogg": (".ogg", "OGG", "VORBIS", 44100),
    "opus": (".opus", "OGG", "OPUS", 48000),
    "wav": (".wav", "WAV", "PCM_16", 44100),
    "aiff": (".aiff", "AIFF", "PCM_16", 44100),
    "aac": (".m4a", None, None, 44100),
    "alac": (".m4a", None, None, 44100),
}

EXPECTED_CODEC = {"mp3": "mp3", "flac": "flac", "ogg": "vorbis", "opus": "opus",
                  "wav": "pcm_s16le", "aiff": "pcm_s16be", "aac": "aac", "alac": "alac"}


def tone(seconds: float, rate: int, freq: float = 440.0, seed: int = 0) -> np.ndarray:
    t = np.arange(int(seconds * rate)) / rate
    rng = np.random.default_rng(seed)
    left = 0.3 * np.sin(2 * np.pi * freq * t) + 0.02 * rng.standard_normal(t.size)
    right = 0.3 * np.sin(2 * np.pi * freq * 1.5 * t)
    return np.stack([left, right], axis=1).astype(np.float32)


def write_audio(path: Path, fmt: str, seconds: float = 0.5, freq: float = 440.0,
                noise: bool = False) -> Path:
    ext, sf_format, subtype, rate = FORMATS[fmt]
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    data = tone(seconds, rate, freq)
    if noise:  # wide-band content makes a bigger MP3, for corruption tests
        data = (0.5 * np.random.default_rng(1).standard_normal(data.shape)).astype(np.float32)
    if sf_format is None:
        write_mp4(path, data, rate, fmt)
    else:
        soundfile.write(str(path), data, rate, format=sf_format, subtype=subtype)
    return path


def write_mp4(path: Path, data: np.ndarray, rate: int, codec: str) -> None:
    """Stereo ``data`` (frames, 2) into an MP4 container with PyAV: codec "aac" or "alac"."""
    import av

    with av.open(str(path), "w", format="mp4") as container:
        stream = container.add_stream(codec, rate=rate)
        stream.layout = "stereo"
        if codec == "alac":
            stream.format = "s16p"
            samples = (np.clip(data, -1, 1) * 32767).astype(np.int16)
            planar = np.ascontiguousarray(samples.T)
            fmt = "s16p"
        else:
            stream.format = "fltp"
            planar = np.ascontiguousarray(data.T)
            fmt = "fltp"
        block = 1024 if codec == "aac" else 4096
        for start in range(0, planar.shape[1], block):
            chunk = np.ascontiguousarray(planar[:, start:start + block])
            frame = av.AudioFrame.from_ndarray(chunk, format=fmt, layout="stereo")
            frame.sample_rate = rate
            frame.pts = start
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)


def tag_file(path: Path, fmt: str, **tags: str) -> None:
    """Write tags with mutagen. Keys: title artist album albumartist genre track disc date
    lyrics rg_track_gain."""
    path = str(path)
    if fmt in ("mp3", "wav", "aiff"):
        _tag_id3(path, fmt, tags)
    elif fmt in ("aac", "alac"):
        _tag_mp4(path, tags)
    else:
        _tag_vorbis(path, fmt, tags)


def _tag_id3(path: str, fmt: str, tags: dict[str, str]) -> None:
    from mutagen import id3

    frames = {"title": id3.TIT2, "artist": id3.TPE1, "album": id3.TALB, "albumartist": id3.TPE2,
              "genre": id3.TCON, "track": id3.TRCK, "disc": id3.TPOS, "date": id3.TDRC}
    if fmt == "mp3":
        from mutagen.mp3 import MP3
        audio = MP3(path)
    elif fmt == "wav":
        from mutagen.wave import WAVE
        audio = WAVE(path)
    else:
        from mutagen.aiff import AIFF
        audio = AIFF(path)
    if audio.tags is None:
        audio.add_tags()
    for key, value in tags.items():
        if key in frames:
            audio.tags.add(frames[key](encoding=3, text=[value]))
        elif key == "lyrics":
            audio.tags.add(id3.USLT(encoding=3, lang="eng", desc="", text=value))
        elif key == "rg_track_gain":
            audio.tags.add(id3.TXXX(encoding=3, desc="REPLAYGAIN_TRACK_GAIN", text=[value]))
    audio.save()


def _tag_vorbis(path: str, fmt: str, tags: dict[str, str]) -> None:
    if fmt == "flac":
        from mutagen.flac import FLAC
        audio = FLAC(path)
    elif fmt == "opus":
        from mutagen.oggopus import OggOpus
        audio = OggOpus(path)
    else:
        from mutagen.oggvorbis import OggVorbis
        audio = OggVorbis(path)
    names = {"track": "tracknumber", "disc": "discnumber", "rg_track_gain": "replaygain_track_gain"}
    for key, value in tags.items():
        audio[names.get(key, key)] = [value]
    audio.save()


def _tag_mp4(path: str, tags: dict[str, str]) -> None:
    from mutagen.mp4 import MP4, MP4FreeForm

    audio = MP4(path)
    atoms = {"title": "\xa9nam", "artist": "\xa9ART", "album": "\xa9alb", "albumartist": "aART",
             "genre": "\xa9gen", "date": "\xa9day", "lyrics": "\xa9lyr"}
    for key, value in tags.items():
        if key in atoms:
            audio[atoms[key]] = [value]
        elif key in ("track", "disc"):
            number, _, total = value.partition("/")
            audio["trkn" if key == "track" else "disk"] = [(int(number), int(total or 0))]
        elif key == "rg_track_gain":
            audio["----:com.apple.iTunes:replaygain_track_gain"] = [MP4FreeForm(value.encode())]
    audio.save()


def make_track(folder: Path, name: str, fmt: str, seconds: float = 0.5, freq: float = 440.0,
               **tags: str) -> Path:
    path = write_audio(Path(folder) / name, fmt, seconds, freq)
    if tags:
        tag_file(path, fmt, **tags)
    return path
