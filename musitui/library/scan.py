"""Keeping the catalog in step with a music folder: the incremental, parallel tag scan.

A file whose size and mtime are unchanged is not read again; changed files are re-read;
files that are gone are marked missing (never deleted: their history must survive an
unmounted folder); a new file whose tags and duration match a missing one takes over its
identity (a move or rename). Tags are read in worker processes; results are applied in the
calling process as they arrive, and the catalog is saved every few seconds, so Ctrl-C (or
``should_stop``) keeps what is done and a rerun continues.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from musitui.core.model import Track
from musitui.decode_reasons import UNPLAYABLE, UNREADABLE_TAGS
from musitui.library.walk import FileEntry, printable, walk
from musitui.store.catalog import Catalog

SAVE_EVERY_SECONDS = 5.0
SERIAL_BELOW = 48  # fewer files than this are read in-process: a pool costs more than it saves
TAG_FIELDS = ("title", "artist", "album", "albumartist", "genre", "track_no", "disc_no", "year",
              "duration", "codec", "sample_rate", "channels", "lyrics", "replaygain", "warning")
_DEFAULTS = {name: Track.__dataclass_fields__[name].default for name in TAG_FIELDS
             if name != "replaygain"}

ReadResult = tuple[FileEntry, dict[str, Any] | None, str | None]


@dataclass
class ScanReport:
    folder: str
    tracks: int = 0
    added: int = 0
    updated: int = 0
    missing: int = 0
    unchanged: int = 0
    analyzed: int = 0
    errors: list[dict[str, str]] = field(default_factory=list)
    warnings: list[dict[str, str]] = field(default_factory=list)  # damaged but playable tracks
    seconds: float = 0.0
    interrupted: bool = False
    changed_ids: list[int] = field(default_factory=list)
    newly_missing: int = 0

    def summary(self) -> dict[str, Any]:
        """The JSON object of ``musitui scan --json``."""
        return {"tracks": self.tracks, "added": self.added, "updated": self.updated,
                "missing": self.missing, "unchanged": self.unchanged, "analyzed": self.analyzed,
                "errors": self.errors, "warnings": self.warnings, "seconds": round(self.seconds, 3)}


def default_jobs() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:
        return max(1, os.cpu_count() or 1)


def normalize_folder(folder: str) -> str:
    return os.path.realpath(os.path.expanduser(folder))


def is_under(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def scan_folder(catalog: Catalog, folder: str, *, jobs: int = 0, show_progress: bool = False,
                should_stop: Callable[[], bool] | None = None, follow_symlinks: bool = True,
                save_every: float = SAVE_EVERY_SECONDS,
                on_progress: Callable[[int, int], None] | None = None) -> ScanReport:
    """Bring the catalog in step with ``folder``; ``on_progress(done, total)`` after each
    file whose tags were read (new or changed files only)."""
    started = time.monotonic()
    root = normalize_folder(folder)
    report = ScanReport(folder=root)
    with _StopFlag(should_stop) as stop:
        listing = walk(root, follow_symlinks=follow_symlinks, should_stop=stop)
        report.errors.extend(listing.errors)
        if listing.interrupted:
            report.interrupted = True
        else:
            _Scan(catalog, root, report, stop, save_every).run(listing, jobs, show_progress,
                                                                on_progress)
    if not report.interrupted:
        report.newly_missing += _mark_vanished(catalog, root, listing)
    if report.added or report.updated or report.newly_missing or root not in catalog.folders:
        catalog.remember_folder(root)
        catalog.save()  # an unchanged rescan writes nothing: that keeps it fast
    columns = catalog.columns()
    under = [is_under(path, root) for path in columns.path]
    missing = columns.missing.tolist()
    report.tracks = sum(1 for inside, gone in zip(under, missing, strict=True) if inside and not gone)
    report.missing = sum(1 for inside, gone in zip(under, missing, strict=True) if inside and gone)
    # Every present damaged track under the folder, read now or before (a state, like missing).
    report.warnings = [{"path": printable(path), "warning": text}
                       for path, text, inside, gone in zip(columns.path, columns.warning, under, missing,
                                                           strict=True)
                       if inside and not gone and text]
    report.warnings.sort(key=lambda w: w["path"])
    report.errors.sort(key=lambda e: e["path"])
    report.seconds = time.monotonic() - started
    return report


class _StopFlag:
    """``should_stop`` or-ed with Ctrl-C: the first SIGINT asks for a clean stop, a second one
    interrupts at once. Only installed in the main thread."""

    def __init__(self, should_stop: Callable[[], bool] | None) -> None:
        self.should_stop = should_stop
        self.interrupted = False
        self._previous: Any = None

    def __enter__(self) -> _StopFlag:
        if threading.current_thread() is threading.main_thread():
            self._previous = signal.signal(signal.SIGINT, self._on_sigint)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._previous is not None:
            signal.signal(signal.SIGINT, self._previous)

    def _on_sigint(self, signum: int, frame: object) -> None:
        if self.interrupted:
            raise KeyboardInterrupt
        self.interrupted = True

    def __call__(self) -> bool:
        return self.interrupted or bool(self.should_stop and self.should_stop())


class _Scan:
    def __init__(self, catalog: Catalog, root: str, report: ScanReport, stop: _StopFlag,
                 save_every: float) -> None:
        self.catalog = catalog
        self.root = root
        self.report = report
        self.stop = stop
        self.save_every = save_every
        self.last_save = time.monotonic()
        self.move_candidates: dict[int, list[int]] = {}  # duration in 0.1 s -> track ids

    def run(self, listing: Any, jobs: int, show_progress: bool,
            on_progress: Callable[[int, int], None] | None = None) -> None:
        to_read: list[FileEntry] = []
        seen = {entry.path for entry in listing.files}
        # Read the catalog's columns, not its Track objects: an unchanged rescan of a 50k
        # library then builds no Track at all.
        columns = self.catalog.columns()
        row_of = {path: row for row, path in enumerate(columns.path)}
        ids, sizes, mtimes = columns.ids.tolist(), columns.size.tolist(), columns.mtime_ns.tolist()
        missing = columns.missing.tolist()
        warnings = columns.warning
        for entry in listing.files:
            row = row_of.get(entry.path)
            if row is not None and sizes[row] == entry.size and mtimes[row] == entry.mtime_ns:
                if missing[row] and warnings[row].startswith(UNPLAYABLE):
                    # The analysis found no audio in it, and it has not changed since.
                    self.report.errors.append({"path": printable(entry.path),
                                               "error": warnings[row][len(UNPLAYABLE):]})
                elif missing[row]:  # it came back as it was
                    track = self.catalog.tracks[ids[row]]
                    track.missing = False
                    self.report.updated += 1
                    self.report.changed_ids.append(track.id)
                else:
                    self.report.unchanged += 1
            else:
                to_read.append(entry)
        # Identities a new file may take over: known tracks not seen in this walk, indexed by
        # duration in tenths of a second.
        if not to_read:
            return
        durations = columns.duration.tolist()
        for row, path in enumerate(columns.path):
            if path not in seen and not _in_any(path, listing.unreadable_dirs):
                self.move_candidates.setdefault(round(durations[row] * 10), []).append(ids[row])
        from musitui.progress import Progress

        progress = Progress("Reading tags", len(to_read), enabled=show_progress)
        applied = 0
        try:
            for result in _read_all(to_read, jobs, self.stop):
                self.apply(*result)
                applied += 1
                progress.advance()
                if on_progress is not None:
                    on_progress(applied, len(to_read))
                if time.monotonic() - self.last_save > self.save_every:
                    self._save()
        finally:
            progress.close()
        if applied < len(to_read):
            self.report.interrupted = True

    def _save(self) -> None:
        # Saving rewrites the whole catalog: keep it under ~1/5 of the scan's time.
        started = time.monotonic()
        self.catalog.save()
        self.last_save = time.monotonic()
        self.save_every = max(self.save_every, 4 * (self.last_save - started))

    def apply(self, entry: FileEntry, fields: dict[str, Any] | None, error: str | None) -> None:
        track = self.catalog.by_path(entry.path)
        if fields is None:
            self.report.errors.append({"path": printable(entry.path), "error": error or "unreadable"})
            if track is not None and not track.missing:
                track.missing = True  # it is there but no longer playable
                self.report.newly_missing += 1
            return
        if track is None:
            track = self._find_moved(fields, entry)
            if track is not None:
                self.catalog.move(track, entry.path)
        if track is None:
            track = self.catalog.new_track(entry.path, added_at=time.time())
            self.report.added += 1
        else:
            self.report.updated += 1
        _update(track, entry, fields)
        self.report.changed_ids.append(track.id)

    def _find_moved(self, fields: dict[str, Any], entry: FileEntry) -> Track | None:
        """A known track this new file is, moved or renamed: same codec, duration within
        0.1 s, and the same title/artist/album or the same size; its old file must be gone."""
        duration = float(fields.get("duration") or 0.0)
        key = round(duration * 10)
        for bucket in (key, key - 1, key + 1):
            candidates = self.move_candidates.get(bucket, [])
            for candidate_id in list(candidates):
                candidate = self.catalog.tracks[candidate_id]
                if (abs(candidate.duration - duration) > 0.1
                        or candidate.codec != fields.get("codec")):
                    continue
                same_tags = all((getattr(candidate, name) or "").casefold()
                                == (fields.get(name) or "").casefold()
                                for name in ("title", "artist", "album"))
                if not (same_tags or candidate.size == entry.size):
                    continue
                if (not candidate.missing and not is_under(candidate.path, self.root)
                        and os.path.lexists(candidate.path)):
                    continue  # a copy elsewhere; the original is still there
                candidates.remove(candidate_id)
                return candidate
        return None


def _in_any(path: str, folders: list[str]) -> bool:
    return any(is_under(path, folder) for folder in folders)


def _update(track: Track, entry: FileEntry, fields: dict[str, Any]) -> None:
    if track.analysis is not None and (abs(track.duration - float(fields["duration"])) > 0.05
                                       or track.codec != fields.get("codec")):
        track.analysis = None  # the audio itself changed: analyse again
    for name, default in _DEFAULTS.items():
        setattr(track, name, fields.get(name, default))
    track.replaygain = dict(fields.get("replaygain") or {})
    track.size = entry.size
    track.mtime_ns = entry.mtime_ns
    track.missing = False


def _mark_vanished(catalog: Catalog, root: str, listing: Any) -> int:
    seen = {entry.path for entry in listing.files}
    columns = catalog.columns()
    count = 0
    for track_id, path, missing in zip(columns.ids.tolist(), columns.path, columns.missing.tolist(),
                                       strict=True):
        if (not missing and is_under(path, root) and path not in seen
                and not _in_any(path, listing.unreadable_dirs)):
            catalog.tracks[track_id].missing = True
            count += 1
    return count


def read_one(entry: FileEntry) -> ReadResult:
    from musitui.library.tags import read_tags
    from musitui.library.tags_error import TagError

    try:
        return entry, read_tags(entry.path, entry.kind, entry.lyrics_file), None
    except TagError as exc:
        return entry, None, str(exc)
    except Exception:  # a reader bug must cost one file, never the scan
        return entry, None, UNREADABLE_TAGS


def read_chunk(entries: list[FileEntry]) -> list[ReadResult]:
    return [read_one(entry) for entry in entries]


def _read_all(entries: list[FileEntry], jobs: int, stop: Callable[[], bool]) -> Iterator[ReadResult]:
    jobs = jobs or default_jobs()
    if jobs <= 1 or len(entries) < SERIAL_BELOW:
        for entry in entries:
            if stop():
                return
            yield read_one(entry)
        return
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait

    import musitui.library.tags  # noqa: F401  (imported once here; forked workers inherit it)
    from musitui.library.child_processes import pool_context, start_worker

    chunk_size = max(8, min(128, len(entries) // (jobs * 8) or 8))
    chunks = [entries[i:i + chunk_size] for i in range(0, len(entries), chunk_size)]
    executor = ProcessPoolExecutor(max_workers=jobs, mp_context=pool_context(),
                                   initializer=start_worker)
    try:
        futures = {executor.submit(read_chunk, chunk): chunk for chunk in chunks}
        pending = set(futures)
        while pending:
            done, pending = wait(pending, timeout=0.2, return_when=FIRST_COMPLETED)
            for future in done:
                try:
                    results = future.result()
                except Exception as exc:  # a worker died (e.g. a crash in a C library)
                    reason = f"the tag reader crashed on this batch ({type(exc).__name__})"
                    results = [(entry, None, reason) for entry in futures[future]]
                yield from results
            if stop():
                return
    finally:
        executor.shutdown(wait=True, cancel_futures=True)
