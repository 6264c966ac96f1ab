"""MPRIS (media keys, playerctl, desktop widgets): a D-Bus adapter over the Session.

Only this package imports the D-Bus library; ``state`` reads the session without it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any


async def start_mpris(session: Any, data_dir: Path | None, *, on_quit: Any = None) -> Any:
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
        self.problem = problem

    def close(self) -> None:
        pass
