"""The app's MPRIS service (``musitui/mpris``): started once the session is attached, over the
session with its commands queued on the session thread; without a session bus, one line
in the log file."""

from __future__ import annotations

from typing import TYPE_CHECKING

from musitui.tui.app_log import log_line
from musitui.tui.session_thread import SessionOnThread

if TYPE_CHECKING:
    from musitui.mpris import Mpris
    from musitui.tui.app import MusituiApp


class MprisLink:
    def __init__(self, app: MusituiApp) -> None:
        self.app = app
        self.service: Mpris | None = None

    def start(self) -> None:
        config = self.app.config
        if config is not None and config.ui.mpris:
            self.app.run_worker(self._start(), name="mpris")

    async def _start(self) -> None:
        from musitui.mpris import start_mpris

        app = self.app
        data_dir = app.home.data_dir if app.home is not None else None
        self.service = await start_mpris(SessionOnThread(app.attached, app.session_thread),
                                         data_dir, on_quit=app.leave)
        if self.service.problem:
            app.log.info(self.service.problem)
            log_line(data_dir, self.service.problem)

    def close(self) -> None:
        if self.service is not None:
            self.service.close()
