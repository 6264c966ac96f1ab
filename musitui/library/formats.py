"""Which files are music: extensions musitui scans, compared case-insensitively."""

from __future__ import annotations

# extension -> the family of reader used for its tags
AUDIO_EXTENSIONS: dict[str, str] = {
    ".mp3": "mp3",
    ".flac": "flac",
    ".ogg": "ogg",
    ".oga": "ogg",
    ".opus": "opus",
    ".m4a": "mp4",
    ".mp4": "mp4",
    ".m4b": "mp4",
    ".wav": "wav",
    ".wave": "wav",
    ".aif": "aiff",
    ".aiff": "aiff",
    ".aifc": "aiff",
}

SIDECAR_LYRICS = ".lrc"


def audio_kind(name: str) -> str | None:
    """The reader family for a file name, or None when it is not a music file."""
    dot = name.rfind(".")
    if dot <= 0:
        return None
    return AUDIO_EXTENSIONS.get(name[dot:].lower())


def is_hidden(name: str) -> bool:
    return name.startswith(".")
