"""Multi-select, in the spirit of vim's visual mode: `t` marks or unmarks the row (and moves
on), `V` starts a range at the cursor that follows it until `V` again; the marked tracks are
then what `a` queues, `ctrl+s` saves and `A` adds to a playlist; `esc` clears the marks.
`ctrl+a` queues every result of the search; `i` jumps to the playing track. Handlers of the
registry in ``musitui/tui/actions.py``.

Marks are track ids (they survive a re-sort, a search or a rerank), kept in the order they
were marked; the library and Up next views show them with ``●``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from musitui.tui.library_view import LibraryView
from musitui.tui.up_next import UpNextView

if TYPE_CHECKING:
    from musitui.core.model import Track
    from musitui.tui.app import MusituiApp

LIBRARY, UP_NEXT = "library", "up next"
MAX_RANGE = 20_000  # rows one range marks at most (a 50k-row library is not marked by accident)


class Marks:
    def __init__(self) -> None:
        self.ids: dict[int, None] = {}  # marked track ids, in marking order
        self.visual: str | None = None  # the pane a range is being marked in
        self._anchor = 0
        self._before: dict[int, None] = {}

    def __contains__(self, track_id: object) -> bool:
        return track_id in self.ids

    def __len__(self) -> int:
        return len(self.ids)

    def toggle(self, track_ids: list[int]) -> None:
        """Unmark ``track_ids`` when all are marked, else mark them all."""
        if track_ids and all(t in self.ids for t in track_ids):
            for track_id in track_ids:
                self.ids.pop(track_id, None)
        else:
            self.ids.update(dict.fromkeys(track_ids))

    def start(self, pane: str, index: int, ids_between: Callable[[int, int], list[int]]) -> None:
        self.visual, self._anchor, self._before = pane, index, dict(self.ids)
        self.extend(index, ids_between)

    def extend(self, index: int, ids_between: Callable[[int, int], list[int]]) -> None:
        """The range now runs from the anchor to ``index``: the marks from before, plus it."""
        low, high = sorted((self._anchor, index))
        high = min(high, low + MAX_RANGE - 1)
        self.ids = dict(self._before)
        self.ids.update(dict.fromkeys(ids_between(low, high)))

    def stop(self) -> None:
        self.visual = None

    def clear(self) -> None:
        self.ids.clear()
        self.visual = None


def library_ids(app: MusituiApp) -> Callable[[int, int], list[int]]:
    model = app.model

    def between(low: int, high: int) -> list[int]:
        found: list[int] = []
        for index in range(low, min(high, len(model) - 1) + 1):
            found.extend(t.id for t in model.tracks_at(index))
        return found
    return between


def up_next_ids(app: MusituiApp) -> Callable[[int, int], list[int]]:
    view = app.query_one(UpNextView)

    def between(low: int, high: int) -> list[int]:
        return [item.track.id for item in view.items[low:high + 1]]
    return between


def _pane(app: MusituiApp) -> str:
    return UP_NEXT if isinstance(app.focused, UpNextView) else LIBRARY


def refresh(app: MusituiApp) -> None:
    app.query_one(LibraryView).refresh()
    app.query_one(UpNextView).refresh()


def cursor_moved(app: MusituiApp, pane: str, index: int) -> None:
    """A view's cursor moved: a range being marked there follows it."""
    marks = app.marks
    if marks.visual == pane:
        marks.extend(index, library_ids(app) if pane == LIBRARY else up_next_ids(app))
        refresh(app)


def marked_tracks(app: MusituiApp) -> list[Track]:
    catalog = app.catalog
    if catalog is None:
        return []
    found = (catalog.get(track_id) for track_id in app.marks.ids)
    return [t for t in found if t is not None]


# -- the registry's handlers ---------------------------------------------------------------
def toggle_mark(app: MusituiApp) -> None:
    marks = app.marks
    marks.stop()
    if _pane(app) == UP_NEXT:
        view = app.query_one(UpNextView)
        index = view.selected_index()
        if index is None:
            return
        marks.toggle([view.items[index].track.id])
        view.action_cursor(1)
    else:
        library = app.query_one(LibraryView)
        marks.toggle([t.id for t in app.model.tracks_at(library.cursor)])
        library.action_cursor(1)
    refresh(app)
    say_count(app)


def visual(app: MusituiApp) -> None:
    marks = app.marks
    pane = _pane(app)
    if marks.visual is not None:
        marks.stop()
        say_count(app)
        return
    if pane == UP_NEXT:
        view = app.query_one(UpNextView)
        if view.selected_index() is None:
            return
        marks.start(pane, view.cursor, up_next_ids(app))
    else:
        marks.start(pane, app.query_one(LibraryView).cursor, library_ids(app))
    refresh(app)
    app.notify("Marking a range: move, then V to end it (a, ctrl+s, A act on the marked; "
               "esc clears)", timeout=3)


def say_count(app: MusituiApp) -> None:
    count = len(app.marks)
    app.notify(f"{count} marked" if count else "Nothing marked", timeout=2)


def clear(app: MusituiApp) -> bool:
    """Clear the marks; False when there were none."""
    if not app.marks.ids and app.marks.visual is None:
        return False
    app.marks.clear()
    refresh(app)
    app.notify("Marks cleared", timeout=2)
    return True


async def queue_marked(app: MusituiApp) -> bool:
    """`a` with marks: queue them (in marking order), then clear them; False when none."""
    from musitui.tui.playlist_io import queued_message

    if not app.marks.ids:
        return False
    ids = list(app.marks.ids)
    result = await app.in_session(app.attached.enqueue_many, ids)
    if result is not None:
        app.notify(queued_message(result, " (the marked)"), timeout=3)
    app.marks.clear()
    refresh(app)
    return True


def add_to_playlist(app: MusituiApp) -> None:
    """`A`: the marked tracks (else the selected one) onto the end of a named playlist in the
    playlists folder (made when it does not exist)."""
    from musitui.tui.dialogs import playlist_dir
    from musitui.tui.screens import PromptScreen

    tracks = marked_tracks(app)
    if not tracks:
        if _pane(app) == UP_NEXT:
            index = app.query_one(UpNextView).selected_index()
            tracks = [app.attached.up_next[index].track] if index is not None else []
        else:
            tracks = app.model.tracks_at(app.query_one(LibraryView).cursor)
    if not tracks:
        app.notify("Nothing to add: mark tracks (t, V) or select one", timeout=3)
        return
    chosen = list(tracks)

    def answered(answer: str | None) -> None:
        if not answer:
            return
        from musitui.tui.playlist_io import append_tracks

        message = append_tracks(Path(answer).expanduser() if "/" in answer
                                else playlist_dir(app) / answer, chosen)
        app.notify(message, timeout=4)
        if app.marks.ids:
            app.marks.clear()
            refresh(app)

    what = f"{len(chosen)} track" + ("" if len(chosen) == 1 else "s")
    app.push_screen(PromptScreen(f"Add {what} to the playlist (a name in the playlists folder, "
                                 "or a path; made if new)", value=""), answered)


def jump_to_playing(app: MusituiApp) -> None:
    from musitui.tui.browsing import jump_to_track

    track = app.attached.now_playing
    if track is None:
        app.notify("Nothing is playing", timeout=2)
        return
    jump_to_track(app, track.id)


async def queue_results(app: MusituiApp) -> None:
    """`ctrl+a`: queue every track the search shows, in the order shown (a grouped row, all
    its tracks); without a search it says how to make one."""
    from musitui.tui.playlist_io import queued_message

    model = app.model
    if not model.filtered:
        app.notify("Search first (/), then ctrl+a queues every result", timeout=3)
        return
    ids = list(dict.fromkeys(library_ids(app)(0, len(model) - 1)))
    if not ids:
        app.notify(f"No track matches “{model.query}”: nothing to queue", timeout=3)
        return
    result = await app.in_session(app.attached.enqueue_many, ids)
    if result is not None:
        app.notify(queued_message(result, f" (all that match “{model.query}”)"), timeout=3)
