"""One writer at a time for a store, across processes: an ``fcntl`` lock on a file beside it.

POSIX record locks (``lockf``) belong to the process, not to a descriptor a child could
inherit: the tag readers a scan forks, or the analysis workers, never keep the lock alive
after the writer is gone, and the kernel drops it when the writer dies (even by ``kill -9``).
Readers take no lock: every store is written atomically (write aside, then rename).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Callable, Iterator
from pathlib import Path


class StoreLock:
    # Paths this process holds. A POSIX lock is the process's: a second descriptor on the
    # same file would get it at once, and closing that descriptor would drop it for all.
    _held_here: set[str] = set()

    @classmethod
    def held_in_process(cls, path: Path) -> bool:
        return str(Path(path)) in cls._held_here

    def __init__(self, path: Path, what: str) -> None:
        self.path = Path(path)
        self.what = what  # for messages: "the catalog"
        self._fd: int | None = None

    @property
    def held(self) -> bool:
        return self._fd is not None

    def acquire(self, on_wait: Callable[[str], None] | None = None, *, wait: bool = True) -> bool:
        """Take the lock, waiting for another writer to finish; ``on_wait(message)`` is told
        once if it has to wait. With ``wait=False``, False instead of waiting. Raises OSError
        if the lock file cannot be made (a read-only data folder)."""
        if self._fd is not None:
            return True
        if StoreLock.held_in_process(self.path):
            raise RuntimeError(f"{self.path} is already locked by this process")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            try:
                fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except (BlockingIOError, PermissionError):
                if not wait:
                    os.close(fd)
                    return False
                if on_wait is not None:
                    on_wait(f"waiting for another musitui{self._holder(fd)} to finish writing "
                            f"{self.what}…")
                fcntl.lockf(fd, fcntl.LOCK_EX)
            with contextlib.suppress(OSError):  # who holds it, for the next one's message
                os.ftruncate(fd, 0)
                os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        except BaseException:
            os.close(fd)
            raise
        self._fd = fd
        StoreLock._held_here.add(str(self.path))
        return True

    def release(self) -> None:
        fd, self._fd = self._fd, None
        if fd is not None:
            StoreLock._held_here.discard(str(self.path))
            os.close(fd)  # closing drops the lock

    @staticmethod
    def _holder(fd: int) -> str:
        try:
            pid = int(os.pread(fd, 32, 0).split()[0])
        except (OSError, ValueError, IndexError):
            return ""
        return f" (pid {pid})"


@contextlib.contextmanager
def flocked(path: Path) -> Iterator[None]:
    """An ``flock`` on ``path`` (made if missing) around the block: one process at a time."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # releases the lock
