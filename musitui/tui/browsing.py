"""Browsing the library (handlers of the registry in ``musitui/tui/actions.py``, and the
command palette's jumps): the search box, the tracks / artists view, sorting, field filters,
the pane switch. None of it needs the session: browsing works as soon as the list shows.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from musitui.tui.bars import PaneTitle
from musitui.tui.library_view import LibraryView
from musitui.tui.search_box import SearchBox
from musitui.tui.up_next import UpNextView

if TYPE_CHECKING:
    from musitui.tui.app import MusituiApp


def update_title(app: MusituiApp) -> None:
    """The library pane's title: how many tracks, the view, or what a search matches."""
    model = app.model
    if not app.library_shown:
        text = "Library · loading…"
    elif model.query and not model.index.ready and not model.filtered:
        text = f"Library · {model.track_count} tracks · preparing search…"
    elif model.filtered:
        text = f"Library · {model.match_count} of {model.track_count} match “{model.query}”"
    else:
        view = "artists" if model.mode == "browse" else "all tracks"
        text = f"Library · {model.track_count} tracks · {view}"
    app.query_one("#library-title", PaneTitle).update(text)


def search_box(app: MusituiApp) -> SearchBox:
    return app.query_one("#search", SearchBox)


def apply_query(app: MusituiApp, query: str) -> None:
    app.model.set_query(query)
    view = app.query_one(LibraryView)
    view.cursor = 0
    view.refresh_rows()
    update_title(app)


def query_typed(app: MusituiApp, value: str) -> None:
    """The search box changed: filter now, or once the search keys are built."""
    if value == app.model.query:
        return  # already applied (clearing applies at once, see clear_search)
    if value and not app.model.index.ready:
        # The keys are still being built in the background: remember the query, which
        # is applied when they are ready (never build them here, on the UI thread).
        app.model.query = value
        update_title(app)
        return
    apply_query(app, value)


def search(app: MusituiApp) -> None:
    box = search_box(app)
    box.display = True
    box.focus()


def clear_search(app: MusituiApp) -> None:
    from musitui.tui.playlists_view import shown

    playlists = shown(app)
    if playlists is not None:  # escape closes the playlists view
        playlists.dismiss(None)
        return
    from musitui.tui.marks import clear

    if clear(app):  # marks first, the search with the next escape
        return
    box = search_box(app)
    if box.value or app.model.query:
        view = app.query_one(LibraryView)
        selected = view.selected_track()
        app.model.set_query("")
        box.value = ""
        # Back to the whole list, still on the track that was selected in the results.
        view.refresh_rows(keep_track=selected.id if selected else None)
        update_title(app)
    box.display = False
    app.query_one(LibraryView).focus()


def toggle_view(app: MusituiApp) -> None:
    view = app.query_one(LibraryView)
    selected = view.selected_track()
    if app.model.filtered:
        clear_search(app)
    app.model.toggle_mode()
    view.cursor = 0
    view.refresh_rows(keep_track=selected.id if selected and app.model.mode != "browse" else None)
    update_title(app)


def sort_library(app: MusituiApp, column: str, reverse: bool) -> None:
    """Sort the track list (numpy over the shelf's columns), keeping the selected track."""
    view = app.query_one(LibraryView)
    selected = view.selected_track()
    if column in ("plays", "last played") and app.session is not None:
        app.model.set_play_stats(*app.session.history.aggregates.track_table())
    app.model.set_sort(column, reverse)
    view.refresh_rows(keep_track=selected.id if selected else None)
    update_title(app)


def sort_next(app: MusituiApp) -> None:
    sort_library(app, app.model.sort_next_column(), False)


def sort_reverse(app: MusituiApp) -> None:
    sort_library(app, app.model.sort, not app.model.reverse)


def filter_library(app: MusituiApp, query: str) -> None:
    """Show the search box holding ``query`` (e.g. "mood:calm"), applied at once."""
    box = search_box(app)
    box.display = True
    box.value = query
    apply_query(app, query)
    app.query_one(LibraryView).focus()


def switch_pane(app: MusituiApp) -> None:
    from musitui.tui.playlists_view import shown

    playlists = shown(app)
    if playlists is not None:  # the playlists and the highlighted one's tracks
        playlists.switch_table()
        return
    if isinstance(app.focused, UpNextView):
        app.query_one(LibraryView).focus()
    else:
        app.query_one(UpNextView).focus()


# -- the command palette's jumps -----------------------------------------------------------
def jump_to_track(app: MusituiApp, track_id: int) -> None:
    view = app.query_one(LibraryView)
    if app.model.filtered:
        clear_search(app)
    view.refresh_rows(keep_track=track_id)
    update_title(app)
    view.focus()


def jump_to_group(app: MusituiApp, artist: str, album: str | None = None) -> None:
    box = search_box(app)
    box.value = ""
    box.display = False
    index = app.model.index_of_group(artist, album)
    view = app.query_one(LibraryView)
    view.refresh_rows()
    if index is not None:
        view.cursor = index
    update_title(app)
    view.focus()
