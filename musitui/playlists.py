"""M3U / M3U8 playlists: save a list of tracks, load one back (pure: no UI, no audio).

Saving writes UTF-8 extended M3U with paths relative to the playlist's folder where the two
share more than the file-system root (absolute otherwise), so a music folder with its
playlists can be moved or mounted elsewhere. Paths that a plain line cannot carry (a name
with a line break, a name that is not valid UTF-8) are written as ``file://`` URLs.

Loading accepts what other players write: UTF-8 or Latin-1 (.m3u), a BOM, CRLF, comments and
blank lines, relative and absolute paths, ``file://`` URLs, Windows separators. It never
raises: entries that do not exist go to ``missing``, lines that cannot be a local file go
to ``problems`` ("line 7: ..."), and an unreadable playlist is one problem. What is read is
bounded: a file over MAX_PLAYLIST_BYTES, a line over MAX_LINE_BYTES or entries past
MAX_ENTRIES are refused with one line each, quickly.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple
from urllib.parse import quote, unquote_to_bytes

from musitui.store.atomic import atomic_write_bytes

PLAYLIST_SUFFIXES = (".m3u", ".m3u8")
# A URL scheme of two letters or more ("C:\\..." is a Windows drive, not a scheme).
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]+):")
MAX_PLAYLIST_BYTES = 16 * 1024 * 1024  # ~80k entries of long paths
MAX_LINE_BYTES = 8192  # twice PATH_MAX
MAX_ENTRIES = 100_000
MAX_PROBLEMS = 20  # lines named one by one; the rest are counted


class LoadedPlaylist(NamedTuple):
    paths: list[str]      # existing files, absolute, in playlist order
    missing: list[str]    # entries that point to no file (absolute where resolvable)
    problems: list[str]   # one line each: what could not be read and why


def is_playlist(path: str | os.PathLike[str]) -> bool:
    return Path(path).suffix.lower() in PLAYLIST_SUFFIXES


# ---------------------------------------------------------------------------- saving


def save_m3u8(path: str | os.PathLike[str], track_paths: Sequence[str | os.PathLike[str]],
              titles: Sequence[str | None] | None = None,
              durations: Sequence[float | None] | None = None) -> Path:
    """Write an extended M3U playlist (UTF-8) atomically; return its path.

    ``titles`` (shown by players, e.g. "Artist - Title") and ``durations`` (seconds) are
    optional and matched to ``track_paths`` by position; an #EXTINF line is written for a
    track that has either.
    """
    playlist = Path(path).absolute()
    folder = playlist.parent
    lines = ["#EXTM3U"]
    for index, track in enumerate(track_paths):
        title = titles[index] if titles is not None and index < len(titles) else None
        seconds = durations[index] if durations is not None and index < len(durations) else None
        if title or seconds is not None:
            length = -1 if seconds is None or seconds < 0 else int(round(seconds))
            lines.append(f"#EXTINF:{length},{_one_line(title or '')}")
        lines.append(playlist_entry(os.fspath(track), folder))
    text = "\n".join(lines) + "\n"
    atomic_write_bytes(playlist, text.encode("utf-8"))
    return playlist


def playlist_entry(track: str, folder: Path) -> str:
    """The line that stands for track in a playlist kept in folder."""
    absolute = os.path.abspath(track)
    if not _fits_a_line(absolute):
        return Path(absolute).as_uri() if _is_utf8(absolute) else _bytes_uri(absolute)
    entry = absolute
    if _shares_more_than_root(absolute, str(folder)):
        entry = os.path.relpath(absolute, folder)
        if os.sep != "/":
            entry = entry.replace(os.sep, "/")
        if entry.startswith("#") or entry != entry.strip():
            entry = "./" + entry  # a leading '#' would read as a comment
    return entry


def _shares_more_than_root(path: str, folder: str) -> bool:
    try:
        common = os.path.commonpath([path, folder])
    except ValueError:  # different drives on Windows
        return False
    return Path(common) != Path(common).parent  # the common part is not just "/" or "C:\\"


def _fits_a_line(path: str) -> bool:
    return "\n" not in path and "\r" not in path and _is_utf8(path) and path == path.strip()


def _is_utf8(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # a non-UTF-8 file name, held as surrogate escapes
        return False
    return True


def _bytes_uri(path: str) -> str:
    return "file://" + quote(os.fsencode(path), safe="/")


def _one_line(text: str) -> str:
    return " ".join(text.split())


# ---------------------------------------------------------------------------- loading


def load_m3u(path: str | os.PathLike[str]) -> LoadedPlaylist:
    """Read an M3U or M3U8 playlist; never raises (see the module docstring)."""
    playlist = Path(path).absolute()
    result = LoadedPlaylist([], [], [])
    raw = _read_bounded(playlist, result.problems)
    if raw is None:
        return result
    if b"\0" in raw[:4096] and not raw.startswith(b"#EXTM3U"):
        result.problems.append(f"{playlist.name} is not a playlist (binary data)")
        return result
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        raw.decode("utf-8")
        encoding = "utf-8"
    except UnicodeDecodeError:
        encoding = "latin-1"
        if playlist.suffix.lower() == ".m3u8":
            result.problems.append(f"{playlist.name} is not valid UTF-8; read as Latin-1")
    entries = 0
    for number, raw_line in enumerate(raw.splitlines(), start=1):
        if len(raw_line) > MAX_LINE_BYTES:
            result.problems.append(f"line {number}: longer than {MAX_LINE_BYTES} bytes "
                                   f"({len(raw_line)}), not a path; skipped")
            continue
        line = raw_line.decode(encoding).strip()
        if not line or line.startswith("#"):
            continue
        if entries == MAX_ENTRIES:
            result.problems.append(f"{playlist.name}: more than {MAX_ENTRIES} entries; "
                                   f"the rest (from line {number}) were not read")
            break
        entries += 1
        _add_entry(result, playlist.parent, number, line, raw_line.strip())
    if len(result.problems) > MAX_PROBLEMS:
        more = len(result.problems) - MAX_PROBLEMS
        result.problems[MAX_PROBLEMS:] = [f"... and {more} more problem(s)"]
    return result


def _read_bounded(playlist: Path, problems: list[str]) -> bytes | None:
    """The playlist's bytes, or None (and why) when it is unreadable or too large."""
    try:
        # O_NONBLOCK: a FIFO must not hang the player; only regular files are read.
        fd = os.open(playlist, os.O_RDONLY | os.O_NONBLOCK)
    except OSError as exc:
        problems.append(f"cannot read playlist {playlist}: {exc.strerror or exc}")
        return None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            problems.append(f"cannot read playlist {playlist}: not a regular file")
            return None
        if info.st_size > MAX_PLAYLIST_BYTES:
            problems.append(f"{playlist.name} is too large for a playlist "
                            f"({_megabytes(info.st_size)}; at most "
                            f"{_megabytes(MAX_PLAYLIST_BYTES)}); not read")
            return None
        chunks, size = [], 0
        while size <= MAX_PLAYLIST_BYTES and (chunk := os.read(fd, 1 << 20)):
            chunks.append(chunk)
            size += len(chunk)
        raw = b"".join(chunks)
    except OSError as exc:
        problems.append(f"cannot read playlist {playlist}: {exc.strerror or exc}")
        return None
    finally:
        os.close(fd)
    if len(raw) > MAX_PLAYLIST_BYTES:  # it grew while being read
        problems.append(f"{playlist.name} is too large for a playlist (over "
                        f"{_megabytes(MAX_PLAYLIST_BYTES)}); not read")
        return None
    return raw


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.0f} MB"


def _add_entry(result: LoadedPlaylist, folder: Path, number: int, line: str,
               raw_line: bytes) -> None:
    if "\0" in line:
        result.problems.append(f"line {number}: not a valid path")
        return
    candidates = _candidates(folder, line, raw_line)
    if isinstance(candidates, str):
        result.problems.append(f"line {number}: {candidates}")
        return
    for candidate in candidates:
        try:
            if os.path.isfile(candidate):
                result.paths.append(candidate)
                return
        except (OSError, ValueError):
            continue
    result.missing.append(candidates[0])


def _candidates(folder: Path, line: str, raw_line: bytes) -> list[str] | str:
    """Absolute paths the entry may mean, most likely first; or a reason it is none."""
    scheme = _SCHEME.match(line)
    if scheme:
        if scheme.group(1).lower() != "file":
            return f"not a local file: {line[:80]}"
        return _from_file_url(line)
    texts = [line]
    # A Latin-1 playlist may name files whose names are those same bytes on disk.
    fs_text = os.fsdecode(raw_line)
    if fs_text != line:
        texts.append(fs_text)
    paths = []
    for text in texts:
        if os.sep == "/" and "\\" in text:
            paths.append(_join(folder, text.replace("\\", "/")))
        paths.append(_join(folder, text))
    return list(dict.fromkeys(paths))


def _join(folder: Path, entry: str) -> str:
    if os.sep == "/" and re.match(r"^[A-Za-z]:/", entry):
        return entry  # a Windows drive path on a POSIX system: cannot be resolved here
    return os.path.normpath(os.path.join(folder, os.path.expanduser(entry)))


def _from_file_url(url: str) -> list[str] | str:
    # Split by hand: urlsplit would cut an unescaped '#' or '?' in a file name.
    rest = url[len("file:"):]
    if rest.startswith("//"):
        host, slash, path = rest[2:].partition("/")
        if host.lower() not in ("", "localhost"):
            return f"not a local file (host {host}): {url[:80]}"
        rest = slash + path
    raw_path = unquote_to_bytes(rest)
    if os.name == "nt" and re.match(rb"^/[A-Za-z]:", raw_path):
        raw_path = raw_path[1:]  # file:///C:/Music/x.mp3
    if not raw_path.startswith(b"/") and os.name != "nt":
        return f"not an absolute file URL: {url[:80]}"
    return [os.path.normpath(os.fsdecode(raw_path))]
