"""Playlist actions of the UI, over ``musitui.playlists`` (which does the reading and writing).

Save: the user-queued tracks, or — when the answer ends with a number N, or nothing is queued —
the next N tracks of Up next. Open: every entry found in the catalog is queued; missing ones
are counted and named, never fatal.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from musitui.core.contracts import SessionControl
    from musitui.core.model import Track
    from musitui.core.queue import Queued, QueueItem
    from musitui.store.catalog import Catalog


def parse_save_answer(answer: str, default_n: int) -> tuple[Path, int | None]:
    """``"path/q.m3u8 10"`` → (path, 10); ``"path/q.m3u8"`` → (path, None)."""
    parts = answer.strip().rsplit(maxsplit=1)
    if len(parts) == 2 and parts[1].isdigit():
        return Path(parts[0]).expanduser(), max(1, int(parts[1]))
    return Path(answer.strip()).expanduser(), None


def tracks_to_save(up_next: list[QueueItem], count: int | None) -> list[Track]:
    if count is not None:
        return [item.track for item in up_next[:count]]
    queued = [item.track for item in up_next if item.user_queued]
    return queued or [item.track for item in up_next]


def save_queue(session: SessionControl, answer: str, marked: list[Track] | None = None) -> str:
    """Save the queue (see ``tracks_to_save``), or the ``marked`` tracks when there are."""
    from musitui import playlists

    path, count = parse_save_answer(answer, 20)
    if path.suffix.lower() not in (".m3u8", ".m3u"):
        path = path.with_suffix(".m3u8")
    tracks = marked if marked else tracks_to_save(list(session.up_next), count)
    if not tracks:
        return "Nothing to save: the queue is empty"
    try:
        written = playlists.save_m3u8(
            path, [t.path for t in tracks],
            titles=[f"{t.artist} - {t.title}" if t.title else None for t in tracks],
            durations=[t.duration or None for t in tracks])
    except OSError as exc:
        return f"Could not save {path}: {exc.strerror or exc}"
    return f"Saved {len(tracks)} tracks to {written}"


def append_tracks(path: Path, tracks: list[Track]) -> str:
    """``tracks`` onto the end of the playlist at ``path`` (made when new); the message."""
    from musitui import playlist_folder

    if path.suffix.lower() not in (".m3u8", ".m3u"):
        path = path.with_name(path.name + ".m3u8")
    kept: list[playlist_folder.Entry] = []
    dropped = 0
    if path.exists():
        kept, dropped, problem = playlist_folder.entries(path, lambda _path: None)
        if problem:
            return f"Could not add to {path.name}: {problem}"
    added = [playlist_folder.Entry(t.path, f"{t.artist} - {t.title}" if t.title else "",
                                   t.duration or None) for t in tracks]
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        playlist_folder.save(path, kept + added)
    except OSError as exc:
        return f"Could not save {path}: {exc.strerror or exc}"
    note = f" ({dropped} missing entries dropped)" if dropped else ""
    return f"Added {len(added)} tracks to {path.name}: {len(kept) + len(added)} now{note}"


def queued_message(result: Queued, source: str = "") -> str:
    """"Queued 2 tracks (4 already queued, 1 playing now)" for an enqueue_many() result."""
    count = f"{result.added} track" + ("" if result.added == 1 else "s")
    notes = [f"{result.already} already queued"] if result.already else []
    if result.playing:
        notes.append("1 playing now")
    return f"Queued {count}{source}" + (f" ({', '.join(notes)})" if notes else "")


def open_into_queue(session: SessionControl, catalog: Catalog, answer: str) -> tuple[str, bool]:
    from musitui import playlists

    path = Path(answer.strip()).expanduser()
    if not path.is_file():
        return f"Could not open {path}: no such file", False
    result = playlists.load_m3u(path)  # never raises: problems are reported in the result
    if result.problems and not result.paths and not result.missing:
        return f"Could not open {path}: {result.problems[0]}", False
    found, missing = [], list(result.missing)
    for entry in result.paths:
        track = catalog.by_path(str(entry))
        if track is None:
            missing.append(str(entry))
        else:
            found.append(track)
    message = queued_message(session.enqueue_many([t.id for t in found]), f" from {path.name}")
    notes = []
    if missing:
        names = ", ".join(Path(m).name for m in missing[:3])
        more = f" and {len(missing) - 3} more" if len(missing) > 3 else ""
        notes.append(f"{len(missing)} not found: {names}{more}")
    if result.problems:
        notes.append(f"{len(result.problems)} unreadable ({result.problems[0]})")
    return (f"{message}; " + "; ".join(notes), False) if notes else (message, True)
