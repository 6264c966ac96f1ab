"""Notices music files added, changed, moved or removed under the library's folders.

`FolderWatch` follows the folders with inotify (through watchdog) and, where inotify cannot be
had (no support, the per-user watch limit reached), with watchdog's periodic polling. It never
scans by itself: it coalesces what it saw per library folder and, once a folder has been quiet
for `settle_seconds` and no changed file is still being written, hands that folder to
`on_settled`, which runs the normal scan → analysis → tagger path (in the player, the
background job: the catalog's one writer).

"Still being written" is judged two ways: a file that inotify saw opened for writing and not
yet closed is waited for (up to `open_write_limit` seconds, for writers that never close), and
a file whose size or modification time moved since the last look is waited for too (the only
test the polling fallback has).
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from musitui.library.formats import audio_kind

SETTLE_SECONDS = 2.0  # a folder quiet this long is scanned
POLL_SECONDS = 30.0  # the fallback's period: one stat of every file under the folders
OPEN_WRITE_LIMIT = 600.0  # a file held open for writing longer than this is judged by size alone
TICK_SECONDS = 0.5  # how often the watch thread looks at what is pending


def _stat(path: str) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_size, st.st_mtime_ns


@dataclass
class _Pending:
    """What changed under one library folder since it was last handed on."""

    last_event: float
    paths: dict[str, tuple[int, int] | None] = field(default_factory=dict)  # path -> last stat seen
    writing: dict[str, float] = field(default_factory=dict)  # opened for writing, not closed: since


class FolderWatch:
    """Watch `folders`; call `on_settled(folder)` (from the watch thread) once per settled change."""

    def __init__(self, folders: list[str], on_settled: Callable[[str], None], *,
                 settle_seconds: float = SETTLE_SECONDS, poll_seconds: float = POLL_SECONDS,
                 open_write_limit: float = OPEN_WRITE_LIMIT, inotify: bool = True,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.folders = [str(Path(f).expanduser().resolve()) for f in folders]
        self.on_settled = on_settled
        self.settle_seconds = settle_seconds
        self.poll_seconds = poll_seconds
        self.open_write_limit = open_write_limit
        self.want_inotify = inotify
        self.clock = clock
        self.mode = "off"  # "inotify", "polling" or "off"
        self.problem: str | None = None  # one line: why the watch is degraded or off
        self._lock = threading.Lock()
        self._pending: dict[str, _Pending] = {}
        self._stop = threading.Event()
        self._observer: object | None = None
        self._thread: threading.Thread | None = None

    # -- life ----------------------------------------------------------------------------
    def start(self, *, thread: bool = True) -> None:
        """Start observing (and, with `thread`, the thread that hands settled folders on).
        Never raises: what failed is in `problem`, and `mode` says what runs."""
        folders = [f for f in self.folders if os.path.isdir(f)]
        if not folders:
            self.problem = "no library folder to watch"
            return
        observer = self._observe(folders)
        if observer is None:
            return
        self._observer = observer
        if thread:
            self._thread = threading.Thread(target=self._run, name="folder-watch", daemon=True)
            self._thread.start()

    def _observe(self, folders: list[str]) -> object | None:
        from watchdog.observers.polling import PollingObserver

        handler = _Handler(self)
        attempts: list[tuple[str, Callable[[], object]]] = []
        if self.want_inotify:
            from watchdog.observers import Observer

            attempts.append(("inotify", Observer))
        attempts.append(("polling", lambda: PollingObserver(timeout=self.poll_seconds)))
        reasons: list[str] = []
        for mode, make in attempts:
            observer = make()
            try:
                for folder in folders:
                    observer.schedule(handler, folder, recursive=True)  # type: ignore[attr-defined]
                observer.start()  # type: ignore[attr-defined]
            except (OSError, RuntimeError) as exc:
                reasons.append(f"{mode}: {exc.strerror if isinstance(exc, OSError) and exc.strerror else exc}")
                continue
            self.mode = mode
            if reasons:
                self.problem = (f"watching the library by a check every {self.poll_seconds:.0f} s "
                                f"({reasons[0]})")
            return observer
        self.problem = "cannot watch the library folders (" + "; ".join(reasons) + ")"
        return None

    def add(self, folder: str) -> None:
        """Watch one more folder (a folder the user scanned while the player runs)."""
        path = str(Path(folder).expanduser().resolve())
        if path in self.folders or self._root_of(path) is not None:
            return
        self.folders.append(path)
        observer = self._observer
        if observer is not None and os.path.isdir(path):
            try:
                observer.schedule(_Handler(self), path, recursive=True)  # type: ignore[attr-defined]
            except (OSError, RuntimeError) as exc:
                self.problem = f"cannot watch {path}: {exc}"

    def stop(self) -> None:
        self._stop.set()
        observer = self._observer
        if observer is not None:
            observer.stop()  # type: ignore[attr-defined]
            observer.join(timeout=2)  # type: ignore[attr-defined]
        if self._thread is not None:
            self._thread.join(timeout=2)

    def _run(self) -> None:
        while not self._stop.wait(TICK_SECONDS):
            for folder in self.settled():
                if self._stop.is_set():
                    return
                self.on_settled(folder)

    # -- what the observer saw -------------------------------------------------------------
    def _root_of(self, path: str) -> str | None:
        for folder in self.folders:
            if path == folder or path.startswith(folder + os.sep):
                return folder
        return None

    def noticed(self, path: str, *, is_dir: bool = False, opened_for_write: bool = False,
                closed_after_write: bool = False) -> None:
        """Record one change (the observer's thread calls this; tests may too)."""
        if not is_dir and audio_kind(os.path.basename(path)) is None:
            return  # not music: a cover or a .part file changes nothing in the catalog
        root = self._root_of(path)
        if root is None:
            return
        now = self.clock()
        with self._lock:
            pending = self._pending.get(root)
            if pending is None:
                pending = self._pending[root] = _Pending(last_event=now)
            pending.last_event = now
            if is_dir:
                return  # a folder moved or removed: the scan finds what it held
            pending.paths[path] = _stat(path)
            if opened_for_write:
                pending.writing.setdefault(path, now)
            elif closed_after_write:
                pending.writing.pop(path, None)

    def pending_folders(self) -> list[str]:
        with self._lock:
            return list(self._pending)

    def settled(self) -> list[str]:
        """The folders whose changes are complete: quiet for `settle_seconds`, nothing held
        open for writing, every changed file's size and mtime as at the last look. They are
        forgotten here (a later change makes them pending again)."""
        now = self.clock()
        ready: list[str] = []
        with self._lock:
            for root, pending in list(self._pending.items()):
                if now - pending.last_event < self.settle_seconds:
                    continue
                if any(now - since < self.open_write_limit for since in pending.writing.values()):
                    continue
                moving = False
                for path, seen in pending.paths.items():
                    current = _stat(path)
                    if current != seen:
                        pending.paths[path] = current
                        moving = True
                if moving:
                    pending.last_event = now
                    continue
                del self._pending[root]
                ready.append(root)
        return ready


class _Handler:
    """watchdog's handler interface, duck-typed (dispatch is all the observer calls)."""

    def __init__(self, watch: FolderWatch) -> None:
        self.watch = watch

    def dispatch(self, event: object) -> None:
        kind = getattr(event, "event_type", "")  # watchdog's own objects: not the project's types
        if kind in ("opened", "closed_no_write"):
            return
        is_dir = bool(getattr(event, "is_directory", False))
        paths = [os.fsdecode(getattr(event, "src_path", ""))]
        dest = getattr(event, "dest_path", "")
        if dest:
            paths.append(os.fsdecode(dest))
        # Only inotify reports a close: under polling, a steady size is the whole test.
        tracks_writers = self.watch.mode == "inotify"
        for path in paths:
            if path:
                self.watch.noticed(path, is_dir=is_dir,
                                   opened_for_write=tracks_writers and kind in ("modified", "created"),
                                   closed_after_write=kind == "closed")
