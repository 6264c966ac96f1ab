"""Reading one file's tags and stream facts with mutagen: the fields of a ``Track``.

``read_tags(path, kind)`` returns a dict of Track fields or raises ``TagError`` with a
one-line reason. A file mutagen cannot parse, or whose duration is 0, is an error. A file
that parses but is damaged (cut short, garbage inside, no end page: see integrity.py) is a
track with a ``warning`` field, and its ``duration`` is the length that decodes.
"""

from __future__ import annotations

import contextlib
import os
from typing import Any

from musitui.core.model import UNKNOWN_ARTIST
from musitui.decode_reasons import MIN_AUDIO_SECONDS
from musitui.library import integrity
from musitui.library.riff import read_riff_info
from musitui.library.tags_error import TagError
from musitui.library.text import (
    MAX_LYRICS_CHARS,
    MAX_TAG_CHARS,
    cap,
    clean,
    parse_gain,
    parse_number,
    parse_year,
    resolve_genre,
    title_from_filename,
)

MAX_LYRICS_FILE = 512 * 1024

_LABELS = {"mp3": "MP3", "flac": "FLAC", "ogg": "Ogg", "opus": "Opus", "mp4": "MP4/M4A",
           "wav": "WAV", "aiff": "AIFF"}

# Vorbis comment / MP4 freeform / ID3 TXXX names of the ReplayGain values.
_RG_KEYS = {
    "replaygain_track_gain": "track_gain",
    "replaygain_track_peak": "track_peak",
    "replaygain_album_gain": "album_gain",
    "replaygain_album_peak": "album_peak",
}


def _mutagen_class(kind: str) -> Any:
    if kind == "mp3":
        from mutagen.mp3 import MP3
        return MP3
    if kind == "flac":
        from mutagen.flac import FLAC
        return FLAC
    if kind == "ogg":
        from mutagen.oggvorbis import OggVorbis
        return OggVorbis
    if kind == "opus":
        from mutagen.oggopus import OggOpus
        return OggOpus
    if kind == "mp4":
        from mutagen.mp4 import MP4
        return MP4
    if kind == "wav":
        from mutagen.wave import WAVE
        return WAVE
    from mutagen.aiff import AIFF
    return AIFF


def read_tags(path: str, kind: str, lyrics_file: str | None = None) -> dict[str, Any]:
    """The file's tags and stream facts; TagError when it is not a track. A file whose tags
    cannot be read (a damaged header, a length of 0) but whose audio the player decodes is a
    track all the same: its length is what decodes, and its warning says so."""
    try:
        return _read_tags(path, kind, lyrics_file)
    except TagError as refused:
        decoded = decodable_seconds(path)
        if decoded < MIN_AUDIO_SECONDS:
            raise
        fields: dict[str, Any] = {"duration": decoded, "codec": "", "sample_rate": None,
                                  "channels": None, "replaygain": {},
                                  "warning": f"damaged: {refused}; it plays {decoded:.1f} s"}
        _apply_fallbacks(fields, path)
        if lyrics_file:
            fields["lyrics"] = _read_lyrics_file(lyrics_file)
        return _capped(fields)


MAX_DECODE_CHECK_SECONDS = 3600.0


def decodable_seconds(path: str) -> float:
    """How many seconds of audio the player's decoder (decode.open_audio, with its fallback
    between libsndfile and FFmpeg) gets from ``path``; 0 when none."""
    from musitui.decode import DecodeError, open_audio

    try:
        source = open_audio(path)
    except (DecodeError, OSError):
        return 0.0
    frames = 0
    try:
        limit = int(MAX_DECODE_CHECK_SECONDS * source.samplerate)
        while frames < limit:
            block = source.read(65536)
            if len(block) == 0:
                break
            frames += len(block)
    except Exception:  # noqa: BLE001 - a decoder failing midway: what came before counts
        pass
    finally:
        with contextlib.suppress(Exception):
            source.close()
    return frames / source.samplerate if source.samplerate else 0.0


def _read_tags(path: str, kind: str, lyrics_file: str | None = None) -> dict[str, Any]:
    try:
        # O_NONBLOCK: a FIFO that slipped past the walk must not hang the scan.
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except OSError as exc:
        raise TagError(_os_reason(exc)) from None
    with os.fdopen(fd, "rb") as handle:
        try:
            size = os.fstat(fd).st_size
            if size == 0:
                raise TagError("empty file (0 bytes)")
            audio = _parse(handle, kind)
            info = audio.info
            duration = float(getattr(info, "length", 0.0) or 0.0)
            if not duration >= MIN_AUDIO_SECONDS:
                raise TagError(f"no audio in this {_LABELS[kind]} file (duration is 0)")
            finding = _check_integrity(handle, audio, duration)
        except OSError as exc:
            raise TagError(_os_reason(exc)) from None
        if finding is not None and finding.duration is not None:
            if not finding.duration >= MIN_AUDIO_SECONDS:
                raise TagError(f"no audio in this {_LABELS[kind]} file ({finding.warning})")
            duration = finding.duration
        fields = _stream_fields(audio, kind, duration)
        if finding is not None:
            fields["warning"] = finding.warning
        fields.update(_tag_fields(audio, kind, path, handle))
    _apply_fallbacks(fields, path)
    if not fields.get("lyrics") and lyrics_file:
        fields["lyrics"] = _read_lyrics_file(lyrics_file)
    return _capped(fields)


def _capped(fields: dict[str, Any]) -> dict[str, Any]:
    """Every text value cut to its cap, whichever format and frame it came from."""
    for key, value in fields.items():
        if isinstance(value, str):
            fields[key] = cap(value, MAX_LYRICS_CHARS if key == "lyrics" else MAX_TAG_CHARS)
    return fields


def _check_integrity(handle: Any, audio: Any, duration: float) -> integrity.Finding | None:
    try:
        return integrity.check(handle, audio, duration)
    except OSError:
        raise
    except Exception:
        return None  # a surprise in a best-effort check must not reject a file mutagen accepted


def _os_reason(exc: OSError) -> str:
    if isinstance(exc, PermissionError):
        return "cannot read: permission denied"
    if isinstance(exc, FileNotFoundError):
        return "vanished during the scan"
    return f"cannot read: {(exc.strerror or type(exc).__name__).lower()}"


def _parse(handle: Any, kind: str) -> Any:
    import mutagen

    cls = _mutagen_class(kind)
    try:
        return cls(handle)
    except Exception as first:  # mutagen raises its own errors, struct.error, EOFError, ...
        reason = _mutagen_reason(first)
    # The extension may lie (an Opus stream named .ogg, AAC named .mp3): let mutagen sniff.
    try:
        handle.seek(0)
        audio = mutagen.File(handle)
    except Exception:
        audio = None
    if audio is None or not hasattr(audio, "info"):
        raise TagError(f"not a valid {_LABELS[kind]} file: {reason}")
    return audio


_NO_HEADER_HINTS = ("is not a valid", "not a mp4 file", "unable to read full header",
                    "header size", "not a flac", "no appropriate stream", "expected", "riff")


def _mutagen_reason(exc: Exception) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    lowered = text.lower()
    if "can't sync" in lowered or "no mpeg" in lowered:
        return "no MPEG audio frame found (is it really audio?)"
    if "said" in lowered and "read" in lowered:
        return "file ends too early (truncated?)"
    if any(hint in lowered for hint in _NO_HEADER_HINTS):
        return "no valid header found (is it really audio?)"
    if "chunk" in lowered:
        return "damaged or missing chunks (is it really audio?)"
    return "damaged or unrecognised header"


def _stream_fields(audio: Any, kind: str, duration: float) -> dict[str, Any]:
    info = audio.info
    name = type(audio).__name__
    if name == "MP3" or name == "EasyMP3":
        codec = "mp3"
    elif name in ("FLAC", "OggFLAC"):
        codec = "flac"
    elif name == "OggVorbis":
        codec = "vorbis"
    elif name == "OggOpus":
        codec = "opus"
    elif name == "MP4":
        raw = str(getattr(info, "codec", "") or "")
        codec = "aac" if raw.startswith("mp4a") else raw or "mp4"
    elif name == "WAVE":
        bits = getattr(info, "bits_per_sample", 0)
        codec = f"pcm_s{bits}le" if bits else "pcm"
    elif name == "AIFF":
        bits = getattr(info, "bits_per_sample", 0)
        codec = f"pcm_s{bits}be" if bits else "pcm"
    else:
        codec = name.lower()
    sample_rate = int(getattr(info, "sample_rate", 0) or 0) or None
    if codec == "opus":
        sample_rate = 48000  # Opus always decodes at 48 kHz
    channels = int(getattr(info, "channels", 0) or 0) or None
    return {"duration": round(duration, 3), "codec": codec, "sample_rate": sample_rate,
            "channels": channels}


def _tag_fields(audio: Any, kind: str, path: str, handle: Any) -> dict[str, Any]:
    tags = getattr(audio, "tags", None)
    from mutagen.id3 import ID3
    from mutagen.mp4 import MP4Tags

    if isinstance(tags, ID3):
        fields = _id3_fields(tags)
    elif isinstance(tags, MP4Tags):
        fields = _mp4_fields(tags)
    elif tags is not None and hasattr(tags, "keys"):
        fields = _vorbis_fields(tags)
    else:
        fields = {}
    if type(audio).__name__ == "WAVE":
        for key, value in read_riff_info(handle).items():
            fields.setdefault(key, value)
    return {k: v for k, v in fields.items() if v not in (None, "", {})}


def _id3_fields(tags: Any) -> dict[str, Any]:
    def text(frame_id: str) -> str:
        frame = tags.get(frame_id)
        return clean(frame.text) if frame is not None and hasattr(frame, "text") else ""

    genre = ""
    tcon = tags.get("TCON")
    if tcon is not None:
        genre = clean(tcon.genres) if tcon.genres else ""
    date = text("TDRC") or text("TYER") or text("TDOR")
    lyrics = ""
    for frame in tags.getall("USLT"):
        lyrics = str(frame.text).strip()
        if lyrics:
            break
    if not lyrics:
        lyrics = _sylt_text(tags)
    replaygain: dict[str, float] = {}
    for frame in tags.getall("TXXX"):
        desc = str(frame.desc).lower()
        if desc in _RG_KEYS:
            gain = parse_gain(frame.text)
            if gain is not None:
                replaygain[_RG_KEYS[desc]] = gain
        elif desc in ("lyrics", "unsyncedlyrics") and not lyrics:
            lyrics = "\n".join(str(t) for t in frame.text).strip()
    for frame in tags.getall("RVA2"):
        scope = str(frame.desc).lower()
        if scope in ("track", "album") and f"{scope}_gain" not in replaygain:
            replaygain[f"{scope}_gain"] = round(float(frame.gain), 2)
            replaygain[f"{scope}_peak"] = round(float(frame.peak), 6)
    return {
        "title": text("TIT2"), "artist": text("TPE1"), "album": text("TALB"),
        "albumartist": text("TPE2"), "genre": resolve_genre(genre),
        "track_no": parse_number(text("TRCK")), "disc_no": parse_number(text("TPOS")),
        "year": parse_year(date), "lyrics": lyrics or None, "replaygain": replaygain,
    }


def _sylt_text(tags: Any) -> str:
    """Synchronised ID3 lyrics (SYLT, millisecond stamps) as LRC text, or ""."""
    from musitui.words.lrc import to_lrc

    for frame in tags.getall("SYLT"):
        if getattr(frame, "format", 2) != 2 or not frame.text:  # 2 = milliseconds
            continue
        pairs = [(str(words), float(ms) / 1000.0) for words, ms in frame.text if str(words).strip()]
        if pairs:
            return to_lrc(pairs)
    return ""


def _vorbis_fields(tags: Any) -> dict[str, Any]:
    lowered: dict[str, list[str]] = {}
    # A Vorbis comment block is a list of (key, value) pairs; keys repeat for multiple values.
    for key, value in tags:
        lowered.setdefault(str(key).lower(), []).append(str(value))

    def text(*names: str) -> str:
        for name in names:
            value = clean(lowered.get(name, []))
            if value:
                return value
        return ""

    replaygain: dict[str, float] = {}
    for key, name in _RG_KEYS.items():
        gain = parse_gain(lowered.get(key, [""]))
        if gain is not None:
            replaygain[name] = gain
    if "track_gain" not in replaygain and lowered.get("r128_track_gain"):
        # Opus R128 gain is Q7.8 relative to -23 LUFS; ReplayGain's reference is ~5 dB louder.
        q78 = parse_gain(lowered["r128_track_gain"])
        if q78 is not None:
            replaygain["track_gain"] = round(q78 / 256.0 + 5.0, 2)
    lyrics = ""
    for name in ("lyrics", "unsyncedlyrics", "unsynced lyrics"):
        values = lowered.get(name)
        if values and values[0].strip():
            lyrics = values[0].strip()
            break
    return {
        "title": text("title"), "artist": text("artist"), "album": text("album"),
        "albumartist": text("albumartist", "album artist", "album_artist"),
        "genre": resolve_genre(text("genre")),
        "track_no": parse_number(text("tracknumber", "track")),
        "disc_no": parse_number(text("discnumber", "disc")),
        "year": parse_year(text("date", "year", "originaldate")),
        "lyrics": lyrics or None, "replaygain": replaygain,
    }


def _mp4_fields(tags: Any) -> dict[str, Any]:
    def text(key: str) -> str:
        return clean(tags.get(key, []))

    def pair_first(key: str) -> int | None:
        values = tags.get(key) or []
        if values and isinstance(values[0], tuple) and values[0]:
            number = values[0][0]
            return int(number) if number else None
        return parse_number(values)

    genre = text("\xa9gen")
    if not genre and tags.get("gnre"):
        from mutagen._constants import GENRES

        index = int(tags["gnre"][0]) - 1  # MP4 'gnre' is the ID3 genre number plus one
        genre = GENRES[index] if 0 <= index < len(GENRES) else ""
    replaygain: dict[str, float] = {}
    for key, name in _RG_KEYS.items():
        for atom in (f"----:com.apple.iTunes:{key}", f"----:com.apple.iTunes:{key.upper()}"):
            if atom in tags:
                gain = parse_gain(bytes(tags[atom][0]))
                if gain is not None:
                    replaygain[name] = gain
                break
    lyrics = "\n".join(str(v) for v in tags.get("\xa9lyr", [])).strip()
    return {
        "title": text("\xa9nam"), "artist": text("\xa9ART"), "album": text("\xa9alb"),
        "albumartist": text("aART"), "genre": resolve_genre(genre),
        "track_no": pair_first("trkn"), "disc_no": pair_first("disk"),
        "year": parse_year(text("\xa9day")), "lyrics": lyrics or None, "replaygain": replaygain,
    }


def _apply_fallbacks(fields: dict[str, Any], path: str) -> None:
    if not fields.get("title"):
        fields["title"] = title_from_filename(path)
    if not fields.get("artist"):
        fields["artist"] = UNKNOWN_ARTIST
    if not fields.get("album"):
        folder = os.path.basename(os.path.dirname(path))
        fields["album"] = folder or ""
    fields.setdefault("replaygain", {})


def _read_lyrics_file(path: str) -> str | None:
    """A sidecar's text: a regular file only (a FIFO is skipped, not waited on), its first
    MAX_LYRICS_FILE bytes."""
    from musitui.untrusted import UntrustedError, decode_text, read_regular

    try:
        return decode_text(read_regular(path, MAX_LYRICS_FILE, truncate=True)).strip() or None
    except (OSError, UntrustedError):
        return None
