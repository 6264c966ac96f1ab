"""What to read: a file, a folder (every history file in it) or a ZIP (every member), each as
``Source(name, data)``; and which format a source is (``kind_of``).

Reads only regular files of at most ``MAX_IMPORT_BYTES`` (and ZIP members of at most that
uncompressed). A ZIP that is truncated or damaged is not understood as a whole.
"""

from __future__ import annotations

import os
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from musitui.imports.listens import NotAHistory, NotUnderstood, strip_bom
from musitui.store.history_events import HistoryError
from musitui.store.history_transfer import MAX_IMPORT_BYTES, read_bounded

# Files a folder or ZIP is searched for; anything else (a PDF, a picture) is passed over.
SUFFIXES = (".json", ".jsonl", ".csv", ".log", ".zip", ".txt")
ARCHIVE_SUFFIXES = (".json", ".jsonl", ".csv", ".log")  # what is read inside a ZIP
MUSITUI, LISTENBRAINZ, LASTFM, SPOTIFY, SCROBBLER = (
    "musitui", "listenbrainz", "lastfm", "spotify", "scrobbler")
KNOWN = ("ListenBrainz export, Last.fm CSV, Spotify streaming history, .scrobbler.log "
         "or musitui's own JSON lines")


@dataclass(frozen=True)
class Source:
    name: str  # the path, or "archive.zip:member"
    data: bytes
    inside: bool = False  # one of the files of a folder or an archive, not one named alone


@dataclass(frozen=True)
class Unreadable:
    line: str  # one line for the user: the file, and what is wrong with it


def files(path: Path) -> list[Path]:
    """The history files at ``path``: the file itself, or every one in a folder."""
    return sorted(_walk(path)) if path.is_dir() else [path]


def _walk(folder: Path) -> Iterator[Path]:
    for root, dirs, files in os.walk(folder):
        dirs.sort()
        for name in files:
            if name.lower().endswith(SUFFIXES) and not _not_music_file(name):
                yield Path(root) / name


def _not_music_file(name: str) -> bool:
    """Spotify's video history, ListenBrainz's feedback and user files: not listens."""
    lower = PurePosixPath(name).name.lower()
    return (lower.startswith("streaming_history_video") or lower in ("user.json",)
            or lower.startswith(("feedback", "pinned_recording", "readme")))


def read(path: Path, *, inside: bool = False) -> Iterator[Source | Unreadable]:
    """The file as one source, or a ZIP's members; Unreadable when it cannot be read.
    ``inside``: the file was found in a folder."""
    try:
        data = read_bounded(path)
    except HistoryError as exc:
        yield Unreadable(str(exc))
        return
    if data.startswith(b"PK"):
        yield from _archive(path, data)
    else:
        yield Source(str(path), data, inside)


def _archive(path: Path, data: bytes) -> Iterator[Source | Unreadable]:
    """Every history member of a ZIP, all read before any is handed out: a damaged archive
    gives one Unreadable and nothing else, and so does one whose history files would unpack
    to more than ``MAX_IMPORT_BYTES``."""
    import io

    found: list[Source] = []
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = [info for info in archive.infolist() if not info.is_dir()
                       and info.filename.lower().endswith(ARCHIVE_SUFFIXES)
                       and not _not_music_file(info.filename)]
            if sum(info.file_size for info in members) > MAX_IMPORT_BYTES:
                yield Unreadable(f"{path} would unpack to more than "
                                 f"{MAX_IMPORT_BYTES // (1024 * 1024)} MB of history files; "
                                 "nothing was imported from it")
                return
            for info in members:
                found.append(Source(f"{path}:{info.filename}", archive.read(info), inside=True))
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, ValueError) as exc:
        yield Unreadable(f"{path} is a damaged or truncated ZIP archive ({exc}); "
                         "nothing was imported from it")
        return
    if not found:
        yield Unreadable(f"{path} is a ZIP archive with no listening history in it ({KNOWN})")
    yield from found


def about(name: str, problem: str) -> str:
    """One line: the file, what is wrong with it, and that nothing came from it."""
    joined = f"{name} {problem}" if problem.startswith(("is ", "has ", "holds ", "does "))\
        else f"{name}: {problem}"
    return f"{joined}; nothing was imported from it"


def kind_of(source: Source) -> str:
    """Which reader understands ``source``; NotUnderstood when none does."""
    head = strip_bom(source.data[:65536]).lstrip()
    if head.startswith(b"#AUDIOSCROBBLER"):
        return SCROBBLER
    if head.startswith(b"["):
        if b'"ms_played"' in head or b'"msPlayed"' in head:
            return SPOTIFY
        if b'"listened_at"' in head:
            return LISTENBRAINZ
        if head.rstrip() == b"[]":
            raise NotUnderstood("holds no listens (an empty list)")
    elif head.startswith(b"{"):
        first = head.split(b"\n", 1)[0]
        if b'"listened_at"' in first or b'"payload"' in head[:4096]:
            return LISTENBRAINZ
        if b'"kind"' in first and b'"ts"' in first:
            return MUSITUI
    elif source.name.lower().endswith(".csv") or b"," in head.split(b"\n", 1)[0]:
        return LASTFM
    if not head:
        raise NotUnderstood("is empty")
    raise NotAHistory(f"is not a listening history musitui can read ({KNOWN})")
