"""The one-line prompts behind the file actions (handlers of the registry in
``musitui/tui/actions.py``): save the queue as a playlist, open one into the queue, scan a
folder, make the demo library. The reading and writing is ``playlist_io``'s and the
background job's; here only the question and what the answer starts."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import TYPE_CHECKING

from musitui.tui.screens import PathPromptScreen

if TYPE_CHECKING:
    from musitui.tui.app import MusituiApp


def playlist_dir(app: MusituiApp) -> Path:
    """Where playlists are saved and opened from by default: the playlists folder in the data
    folder (created when asked for; the playlists view lists it), else the home folder."""
    if app.home is None:
        return Path.home()
    from musitui.playlist_folder import playlists_dir

    folder = playlists_dir(app.home)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return Path.home()
    return folder


def save_playlist(app: MusituiApp) -> None:
    def answered(answer: str | None) -> None:
        if answer:
            from musitui.tui.marks import refresh
            from musitui.tui.playlist_io import save_queue

            app.notify(save_queue(app.attached, answer, marked), timeout=5)
            if marked:
                app.marks.clear()
                refresh(app)

    from musitui.tui.marks import marked_tracks

    marked = marked_tracks(app)
    question = (f"Save the {len(marked)} marked tracks as M3U8 — file path" if marked else
                "Save the queue as M3U8 — file path, optionally followed by N to save the next N "
                "of Up next")
    app.push_screen(PathPromptScreen(question, value=str(playlist_dir(app) / "queue.m3u8")),
                    answered)


def open_playlist(app: MusituiApp) -> None:
    async def answered(answer: str | None) -> None:
        if not answer:
            return
        from musitui.tui.playlist_io import open_into_queue

        opened = await app.in_session(open_into_queue, app.attached, app.catalog, answer)
        if opened is None:
            return
        message, ok = opened
        app.notify(message, severity="information" if ok else "warning", timeout=8)
        path = Path(answer.strip()).expanduser()
        if app.home is not None and path.is_file():
            from musitui.playlist_folder import remember_opened

            with contextlib.suppress(OSError):  # listed in the playlists view from now on
                remember_opened(app.home, path)

    app.push_screen(PathPromptScreen("Open an M3U/M3U8 playlist into the queue — file path",
                                     value=str(playlist_dir(app)) + "/"), answered)


def scan(app: MusituiApp) -> None:
    jobs = app.jobs
    if jobs is None:
        app.notify("Scanning is not available here", severity="warning")
        return

    def answered(answer: str | None) -> None:
        if answer:
            jobs.scan_folder(app, answer)

    app.push_screen(PathPromptScreen("Scan a folder (it will be remembered)",
                                     value=scan_start(app)), answered)


def scan_start(app: MusituiApp) -> str:
    """Where the scan prompt starts: the folder scanned last (remembered in the catalog),
    else ~/Music; with a ``/`` so that tab lists what is inside."""
    catalog = app.catalog
    folders = catalog.folders if catalog is not None else []
    start = next((Path(f) for f in reversed(folders) if Path(f).is_dir()), Path.home() / "Music")
    return str(start).rstrip("/") + "/"


def demo(app: MusituiApp) -> None:
    if app.jobs is None:
        app.notify("The demo library is not available here", severity="warning")
        return
    app.jobs.make_demo(app)
