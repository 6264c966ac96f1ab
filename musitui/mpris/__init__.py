"""MPRIS (media keys, playerctl, desktop widgets): a D-Bus adapter over the Session.

Only this package imports the D-Bus library; ``state`` reads the session without it.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Protocol

from musitui.core.contracts import RemoteSession


class Mpris(Protocol):
    problem: str | None  # why MPRIS is off, in one line; None when on the bus

    def close(self) -> None: ...


async def start_mpris(session: RemoteSession, data_dir: Path | None, *,
                      on_quit: Callable[[], None] | None = None) -> Mpris:
    """The running service, or one whose ``problem`` says why MPRIS is off (no bus, or no
    D-Bus library installed). Never raises."""
    try:
        from musitui.mpris.service import MprisService
    except ImportError as exc:
        return _Off(f"MPRIS off: {exc}")
    service = MprisService(session, data_dir, on_quit=on_quit)
    await service.start()
    return service


class _Off:
    def __init__(self, problem: str) -> None:
        self.problem: str | None = problem

    def close(self) -> None:
        pass
