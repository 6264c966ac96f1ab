"""The playlists view (key `P`): the playlists folder in the data folder plus the M3U/M3U8
files opened from elsewhere, each with its track count and length; the highlighted one's
tracks below. Enter plays (a playlist from its first track, a track and what follows it),
`a` queues, `e` renames, `delete` deletes a playlist or removes a track, tab moves between
the two lists, escape closes. A smart playlist (a saved search, `F` in the library) lists what
its search matches now; `E` exports it as M3U8. Every key is the action registry's (``musitui/tui/actions.py``):
the handlers below act on this screen when it is the one shown.

The reading and writing is ``musitui.playlist_folder``'s; every name and title shown goes
through ``printable``.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Label

from musitui import playlist_folder
from musitui.playlist_folder import Entry, PlaylistInfo
from musitui.text_safety import printable
from musitui.tui.library_model import format_duration
from musitui.tui.screens import PromptScreen
from musitui.tui.text import shown_path

if TYPE_CHECKING:
    from musitui.tui.app import MusituiApp

HINT = ("enter plays · a queues · e renames · delete deletes / removes a track · E exports · "
        "tab · esc closes")


class PlaylistsScreen(Screen[None]):
    def __init__(self) -> None:
        super().__init__()
        self.infos: list[PlaylistInfo] = []
        self.shown: list[Entry] = []  # the highlighted playlist's tracks

    @property
    def musitui(self) -> MusituiApp:
        from musitui.tui.app import MusituiApp

        app = self.app
        assert isinstance(app, MusituiApp)
        return app

    def compose(self) -> ComposeResult:
        with Vertical(id="playlists-box"):
            yield Label("Playlists", id="playlists-title")
            yield DataTable(id="playlists-table", cursor_type="row", zebra_stripes=True)
            yield Label("", id="playlist-tracks-title")
            yield DataTable(id="playlist-tracks", cursor_type="row")
            yield Label(HINT, id="playlists-hint")

    def on_mount(self) -> None:
        self.lists().add_columns("Playlist", "Tracks", "Length", "Where")
        self.tracks().add_columns("#", "Title", "Length")
        self.reload()
        self.lists().focus()

    # -- the two tables -------------------------------------------------------------------
    def lists(self) -> DataTable[str]:
        return self.query_one("#playlists-table", DataTable)

    def tracks(self) -> DataTable[str]:
        return self.query_one("#playlist-tracks", DataTable)

    def lookup(self, path: str) -> tuple[str, float | None] | None:
        catalog = self.musitui.catalog
        track = catalog.by_path(path) if catalog is not None else None
        if track is None:
            return None
        name = track.title or Path(track.path).stem
        return (f"{track.artist} - {name}" if track.artist else name), track.duration or None

    def resolve(self, query: str) -> list[str] | None:
        """A smart playlist's tracks: the library's matches for its query now."""
        from musitui.tui.search import parse_filters

        app = self.musitui
        free, _filters = parse_filters(query)
        if app.catalog is None or (free and not app.model.index.ready):
            return None  # the search keys are still being built (in the background)
        ids = app.model.matching_ids(query)
        found = (app.catalog.get(track_id) for track_id in ids)
        return [t.path for t in found if t is not None]

    def folder(self) -> Path | None:
        home = self.musitui.home
        return playlist_folder.playlists_dir(home) if home is not None else None

    def reload(self, keep: Path | None = None) -> None:
        home = self.musitui.home
        self.infos = (playlist_folder.list_playlists(home, self.lookup, self.resolve)
                      if home is not None else [])
        table = self.lists()
        table.clear()
        folder = self.folder()
        for info in self.infos:
            where = ("playlists folder" if info.path.parent == folder
                     else shown_path(info.path.parent))
            if info.query is not None:
                where = f"smart · {info.query}"
            count = f"{info.tracks}" + (f" ({info.missing} missing)" if info.missing else "")
            table.add_row(printable(info.name), count, format_duration(info.seconds),
                          printable(where))
        title = self.query_one("#playlists-title", Label)
        if not self.infos:
            title.update(f"Playlists · none yet: ctrl+s saves the queue into {shown_path(folder)}")
        else:
            title.update(f"Playlists · {len(self.infos)} · saved into {shown_path(folder)}")
        if keep is not None:
            at = next((i for i, info in enumerate(self.infos) if info.path == keep), 0)
            table.move_cursor(row=at)
        self.show_tracks()

    def selected(self) -> PlaylistInfo | None:
        row = self.lists().cursor_row
        return self.infos[row] if 0 <= row < len(self.infos) else None

    def show_tracks(self) -> None:
        info = self.selected()
        table = self.tracks()
        table.clear()
        self.shown = (playlist_folder.entries(info.path, self.lookup, self.resolve)[0]
                      if info else [])
        for number, entry in enumerate(self.shown, 1):
            table.add_row(str(number), printable(entry.title), format_duration(entry.seconds))
        label = self.query_one("#playlist-tracks-title", Label)
        if info is None:
            label.update("")
        elif info.problem:
            label.update(printable(f"{info.name}: {info.problem}"))
        else:
            label.update(printable(f"{info.name} · {info.tracks} tracks · "
                                   f"{format_duration(info.seconds)}"))

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.data_table is self.lists():
            self.show_tracks()

    async def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        if event.data_table is self.lists():
            await self.queue(self.shown, play=True)
        else:
            await self.queue(self.shown[event.cursor_row:], play=True)

    # -- what the registry's handlers do here ----------------------------------------------
    def track_ids(self, chosen: list[Entry]) -> tuple[list[int], int]:
        catalog = self.musitui.catalog
        ids: list[int] = []
        for entry in chosen:
            track = catalog.by_path(entry.path) if catalog is not None else None
            if track is not None:
                ids.append(track.id)
        return ids, len(chosen) - len(ids)

    async def queue(self, chosen: list[Entry], *, play: bool = False) -> None:
        from musitui.tui.playing import can_play
        from musitui.tui.playlist_io import queued_message

        app = self.musitui
        session = app.session
        if session is None:
            return
        ids, unknown = self.track_ids(chosen)
        if not ids:
            app.notify("Nothing to play: none of these tracks is in the library", severity="warning")
            return
        note = f"; {unknown} not in the library" if unknown else ""
        if play and can_play(app):
            await app.in_session(session.play_track, ids[0])
            await app.in_session(session.enqueue_many, ids[1:])
            app.notify(f"Playing {len(ids)} tracks{note}", timeout=3)
            self.dismiss(None)
            return
        result = await app.in_session(session.enqueue_many, ids)
        if result is not None:
            app.notify(queued_message(result) + note, timeout=3)

    async def enqueue_selected(self) -> None:
        if self.focused is self.tracks():
            row = self.tracks().cursor_row
            await self.queue(self.shown[row:row + 1])
        else:
            await self.queue(self.shown)

    def rename_selected(self) -> None:
        info = self.selected()
        if info is None:
            return

        def answered(answer: str | None) -> None:
            if not answer or info is None:
                return
            try:
                renamed = playlist_folder.rename(info.path, answer)
            except (ValueError, OSError) as error:
                message = str(error) if isinstance(error, ValueError) else error.strerror
                self.musitui.notify(f"Could not rename {info.name}: {message}", severity="warning")
                return
            home = self.musitui.home
            if home is not None and info.path.parent != self.folder():
                playlist_folder.forget_opened(home, info.path)
                playlist_folder.remember_opened(home, renamed)
            self.reload(keep=renamed)

        self.musitui.push_screen(PromptScreen(f"Rename {info.name} to", value=info.name), answered)

    def delete_selected(self) -> None:
        if self.focused is self.tracks():
            self.remove_track()
            return
        info = self.selected()
        if info is None:
            return

        def answered(answer: str | None) -> None:
            if info is None or (answer or "").lower() not in ("y", "yes"):
                return
            try:
                info.path.unlink()
            except OSError as error:
                self.musitui.notify(f"Could not delete {info.name}: {error.strerror}",
                                    severity="warning")
                return
            if self.musitui.home is not None:
                playlist_folder.forget_opened(self.musitui.home, info.path)
            self.musitui.notify(f"Deleted {info.name}", timeout=3)
            self.reload()

        self.musitui.push_screen(PromptScreen(f"Delete {info.name} ({info.tracks} tracks)? y / n",
                                              value=""), answered)

    def remove_track(self) -> None:
        info = self.selected()
        row = self.tracks().cursor_row
        if info is None or not 0 <= row < len(self.shown):
            return
        if info.smart:
            self.musitui.notify(f"{info.name} is a saved search ({info.query}): it lists what "
                                "the search matches; change the search instead", timeout=4)
            return
        try:
            removed, dropped = playlist_folder.remove_entry(info.path, row, self.lookup)
        except (OSError, IndexError) as error:
            self.musitui.notify(f"Could not change {info.name}: {error}", severity="warning")
            return
        extra = f" ({dropped} missing entries dropped)" if dropped else ""
        self.musitui.notify(f"Removed {removed.title} from {info.name}{extra}", timeout=3)
        self.reload(keep=info.path)
        self.tracks().focus()
        self.tracks().move_cursor(row=min(row, max(0, len(self.shown) - 1)))

    def export_selected(self) -> None:
        """A smart playlist's tracks now, as NAME.m3u8 beside it."""
        info = self.selected()
        if info is None:
            return
        if not info.smart:
            self.musitui.notify(f"{info.name} is an M3U8 already: {info.path}", timeout=4)
            return
        target = info.path.with_suffix(".m3u8")
        try:
            playlist_folder.save(target, self.shown)
        except OSError as error:
            self.musitui.notify(f"Could not export {info.name}: {error.strerror or error}",
                                severity="warning")
            return
        self.musitui.notify(f"Exported {len(self.shown)} tracks to {target}", timeout=4)
        self.reload(keep=info.path)

    def switch_table(self) -> None:
        (self.lists() if self.focused is self.tracks() else self.tracks()).focus()


def shown(app: MusituiApp) -> PlaylistsScreen | None:
    screen = app.screen
    return screen if isinstance(screen, PlaylistsScreen) else None


# -- the registry's handlers ---------------------------------------------------------------
def toggle(app: MusituiApp) -> None:
    view = shown(app)
    if view is not None:
        view.dismiss(None)
    elif app.home is None:
        app.notify("Playlists are not available here", severity="warning")
    else:
        app.push_screen(PlaylistsScreen())


def rename(app: MusituiApp) -> None:
    view = shown(app)
    if view is not None:
        view.rename_selected()


def delete(app: MusituiApp) -> None:
    view = shown(app)
    if view is not None:
        view.delete_selected()


def export(app: MusituiApp) -> None:
    view = shown(app)
    if view is not None:
        view.export_selected()


def save_search(app: MusituiApp) -> None:
    """`F`: the library's search, saved as a smart playlist by name."""
    query = app.model.query.strip()
    if not query or app.home is None:
        app.notify("Search first (/), then F saves that search as a smart playlist", timeout=4)
        return
    home = app.home

    def answered(answer: str | None) -> None:
        if not answer:
            return
        try:
            path = playlist_folder.save_smart(home, answer, query)
        except (ValueError, OSError) as error:
            message = str(error) if isinstance(error, ValueError) else error.strerror
            app.notify(f"Could not save the search: {message}", severity="warning")
            return
        app.notify(f"Saved the search “{query}” as the smart playlist {path.stem} (P lists it)",
                   timeout=4)

    app.push_screen(PromptScreen(f"Save the search “{query}” as a smart playlist named",
                                 value=""), answered)
