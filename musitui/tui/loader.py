"""The staged loader: the app paints first, then a worker thread opens the catalog and shows
the library (browsing works from then on), then opens the session, then builds the search
index. Everything heavy stays off the UI thread.

A loader is either a callable returning a ``Loaded``, or (staged, so the library shows
before the session is ready) a ``StagedLoader``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from musitui.core.contracts import SessionControl
from musitui.tui.browsing import update_title
from musitui.tui.library_model import library_source
from musitui.tui.library_view import LibraryView
from musitui.tui.quiet_gc import freeze, gc_paused, one_builder
from musitui.tui.session_thread import first_line
from musitui.tui.shelf import Shelf

if TYPE_CHECKING:
    from musitui.store.catalog import Catalog
    from musitui.tui.app import MusituiApp
    from musitui.tui.jobs import BackgroundJobs
    from musitui.tui.rebuild import ShelfBuilder

EMPTY_LIBRARY = "No music yet: press s to scan a folder or D for the demo library."


@dataclass
class Loaded:
    """What a loader hands the app once the catalog and session are open."""

    session: SessionControl
    catalog: Catalog
    jobs: BackgroundJobs | None = None
    notices: list[str] = field(default_factory=list)


@dataclass
class OpenedCatalog:
    """A catalog with the library already sorted for display (a loader that did it ahead)."""

    catalog: Catalog
    shelf: Shelf


@runtime_checkable
class StagedLoader(Protocol):
    def open_catalog(self) -> Catalog | OpenedCatalog: ...
    def open_session(self, catalog: Catalog) -> Loaded: ...


Loader = StagedLoader | Callable[[], Loaded]


class LibraryLoader:
    def __init__(self, app: MusituiApp, loader: Loader, build_shelf: ShelfBuilder) -> None:
        self.app = app
        self.loader = loader
        self.build_shelf = build_shelf

    def start(self) -> None:
        """Once the first frame is on screen (the loader holds the GIL a lot)."""
        app = self.app
        app.query_one(LibraryView).empty_text = "Loading your library…"
        app.call_after_refresh(self._start)

    def _start(self) -> None:
        self.app.painted_at = time.perf_counter()
        self.app.run_worker(self._load, thread=True, name="load library")

    def _load(self) -> None:
        """Worker thread: open, show, attach."""
        app = self.app
        try:
            with gc_paused():
                loaded = self._open()
            freeze()  # the catalog and the library live as long as the app
        except Exception as exc:  # noqa: BLE001 - one line for the user, never a traceback
            app.call_from_thread(app.notify, f"Could not open the library: {first_line(exc)}",
                                 severity="error", timeout=30)
            return
        app.call_from_thread(app.attach_loaded, loaded)

    def _open(self) -> Loaded:
        loader = self.loader
        if isinstance(loader, StagedLoader):
            opened = loader.open_catalog()
            if isinstance(opened, OpenedCatalog):
                catalog, shelf = opened.catalog, opened.shelf
            else:
                catalog = opened
                shelf = self.build_shelf(library_source(catalog), catalog.get)
            self.app.call_from_thread(self._show_library, catalog, shelf)
            # The rows paint first; then the session and the search keys are built one after
            # the other (each beside the UI thread alone, not three threads sharing the GIL).
            self.app.rebuilder.wait_for_repaint()
            with one_builder():
                return loader.open_session(catalog)
        loaded = loader()
        shelf = self.build_shelf(library_source(loaded.catalog), loaded.catalog.get)
        self.app.call_from_thread(self._show_library, loaded.catalog, shelf)
        return loaded

    def _show_library(self, catalog: Catalog, shelf: Shelf) -> None:
        """The sorted library is ready: show it (browsing works before the session does)."""
        app = self.app
        app.catalog = catalog
        app.library_shown = True
        app.model.set_shelf(shelf)
        view = app.query_one(LibraryView)
        view.empty_text = EMPTY_LIBRARY
        view.refresh_rows()
        update_title(app)
        app.call_after_refresh(self._mark_rows_shown)
        # The search keys are built beside the session (a query typed meanwhile waits).
        app.rebuilder.start_search_index()

    def _mark_rows_shown(self) -> None:
        if self.app.rows_shown_at is None:
            self.app.rows_shown_at = time.perf_counter()
