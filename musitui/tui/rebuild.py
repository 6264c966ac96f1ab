"""The library's rebuild workers: re-sorting the catalog into a new shelf after a scan step,
and building search indexes. Everything heavy runs in worker threads, one heavy builder at a
time (``quiet_gc.one_builder``), and is handed to the UI thread to swap in.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from musitui.core.model import Track
from musitui.tui.browsing import apply_query, update_title
from musitui.tui.library_model import library_source, search_index
from musitui.tui.library_view import LibraryView
from musitui.tui.quiet_gc import gc_paused, one_builder, retire
from musitui.tui.search import SearchIndex
from musitui.tui.shelf import Shelf

if TYPE_CHECKING:
    from musitui.store.catalog import Catalog
    from musitui.tui.app import MusituiApp
    from musitui.tui.library_model import Source

    ShelfBuilder = Callable[[Source, Callable[[int], Track | None]], Shelf]


class LibraryRebuilder:
    def __init__(self, app: MusituiApp, build_shelf: ShelfBuilder) -> None:
        self.app = app
        self.build_shelf = build_shelf
        self._lock = threading.Lock()
        self.running = False
        self._again = False

    # -- the library after a scan step -----------------------------------------------------
    def reload(self) -> None:
        """Re-read the catalog in a worker thread and swap the result in, keeping the cursor
        on the same track. Calls while one runs fold into one more."""
        catalog = self.app.catalog
        if catalog is None:
            return
        with self._lock:
            if self.running:
                self._again = True
                return
            self.running = True
            self._again = False
        self.app.run_worker(lambda: self._rebuild(catalog), thread=True, group="library",
                            name="reload library")

    def _rebuild(self, catalog: Catalog) -> None:
        """Worker thread: sort the catalog into a new shelf (and its search index when a
        filter is on), then hand it to the UI thread."""
        app = self.app
        while True:
            try:
                with one_builder():
                    with gc_paused():
                        shelf = self.build_shelf(library_source(catalog), catalog.get)
                        index = search_index(shelf, (app.model.shelf, app.model.index), notes=app.model.notes)
                        if app.model.query:
                            index.prepare()
                    app.call_from_thread(self._swap, shelf, index)
                    self.wait_for_repaint()
                    self.prepare_search(index)
            except RuntimeError:  # the app closed meanwhile
                with self._lock:
                    self.running = self._again = False
                return
            with self._lock:
                if not self._again:
                    self.running = False
                    return
                self._again = False

    def _swap(self, shelf: Shelf, index: SearchIndex) -> None:
        app = self.app
        view = app.query_one(LibraryView)
        row = view.model.row(view.cursor) if 0 <= view.cursor < len(view.model) else None
        replaced = (app.model.shelf, app.model.index)
        app.model.set_shelf(shelf, index)
        retire(*replaced)
        view.refresh_rows(keep_track=row.track_id if row is not None else None)
        update_title(app)

    def wait_for_repaint(self, timeout: float = 0.5) -> None:
        """Worker thread: wait until the screen has been refreshed. A repaint of the whole
        library takes the UI thread ~10 ms of CPU; with a builder sharing the GIL it took
        twice that, a missed frame. Builders go on once it is on screen."""
        painted = threading.Event()
        self.app.call_from_thread(self.app.call_after_refresh, painted.set)
        painted.wait(timeout)

    # -- search indexes ----------------------------------------------------------------------
    def start_search_index(self) -> None:
        """Build the shown shelf's search keys in a worker thread (a query typed meanwhile
        waits, and is applied when they are ready)."""
        index = self.app.model.index
        self.app.run_worker(lambda: self.prepare_search(index), thread=True, name="search index")

    def prepare_search(self, index: SearchIndex) -> None:
        """Worker thread: build the search keys, then apply a query typed meanwhile."""
        with one_builder(), gc_paused():
            index.prepare()
            self.app.model.shelf.prepare_filters()  # the field filters' values, off the UI thread
        with contextlib.suppress(RuntimeError):  # the app closed meanwhile
            self.app.call_from_thread(self._search_ready, index)

    def _search_ready(self, index: SearchIndex) -> None:
        app = self.app
        if index is not app.model.index:
            return
        if app.search_ready_at is None:
            app.search_ready_at = time.perf_counter()
        if app.model.query and not app.model.filtered:  # typed while the keys were built
            apply_query(app, app.model.query)
        else:
            update_title(app)
