"""The musitui Textual app: a thin shell over the Session that wires its rooms together.

Layout: the mood bar on top; the library (virtual list, live filter) beside Up next; Now
playing at the bottom. The app computes no scores and reads no files: the session plays,
ranks and remembers; background work (scan, analysis) goes through ``BackgroundJobs``.

The rooms: ``actions`` (every action, its keys and handler: bindings, footer, palette and
help read it) with the handlers in ``playing``, ``browsing`` and ``dialogs``; ``loader``
(the staged start), ``rebuild`` (library and search-index workers), ``screen_sync``
(session → screen), ``session_thread`` (the session's commands off the event loop),
``mpris_link``, ``signals``, ``theme`` and ``stall_trace``.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, TypeVar

from textual import events
from textual.app import App, ComposeResult
from textual.containers import Horizontal, Vertical

from musitui.config import Config
from musitui.core.contracts import SessionControl
from musitui.paths import Home
from musitui.text_safety import printable
from musitui.tui import browsing, marks, playing
from musitui.tui.actions import BY_NAME, allowed_on_screen, allowed_while_loading, resolve_keys
from musitui.tui.bars import (
    KeyHints,
    MoodBar,
    NowPlaying,
    NowPlayingState,
    PaneTitle,
    short_description,
)
from musitui.tui.cover_art import CoverArt, NowPlayingArea, renderer_choice
from musitui.tui.keys import key_display
from musitui.tui.library_model import LibraryModel, build_shelf, library_source
from musitui.tui.library_view import LibraryHeader, LibraryView
from musitui.tui.loader import EMPTY_LIBRARY, LibraryLoader, Loaded, Loader
from musitui.tui.lyrics_screen import LyricsPanel
from musitui.tui.mpris_link import MprisLink
from musitui.tui.palette import MusituiCommands
from musitui.tui.playlists_view import PlaylistsScreen
from musitui.tui.rebuild import LibraryRebuilder
from musitui.tui.screen_sync import ScreenSync
from musitui.tui.search_box import SearchBox
from musitui.tui.session_thread import SessionThread
from musitui.tui.signals import SignalWatch
from musitui.tui.stall_trace import AppTrace
from musitui.tui.theme import DEFAULT_THEME, MUSITUI_THEME, save_theme, startup_theme
from musitui.tui.up_next import UpNextView

if TYPE_CHECKING:
    from textual.notifications import SeverityLevel

    from musitui.store.catalog import Catalog
    from musitui.tui.jobs import BackgroundJobs

__all__ = ["Loaded", "MusituiApp"]
T = TypeVar("T")
SWITCH_INTERVAL = 0.0005  # seconds: see on_mount


class MusituiApp(App[int]):
    CSS_PATH = "musitui.tcss"
    TITLE = "musitui"
    COMMANDS = App.COMMANDS | {MusituiCommands}
    ENABLE_COMMAND_PALETTE = True

    def __init__(self, session: SessionControl | None = None, catalog: Catalog | None = None, *,
                 config: Config | None = None, home: Home | None = None,
                 jobs: BackgroundJobs | None = None, notices: list[str] | None = None,
                 animate_highlight: bool = True, loader: Loader | None = None) -> None:
        """Either ``session`` and ``catalog`` ready, or a ``loader`` (``musitui/tui/loader.py``)
        that runs in a thread after the first paint."""
        super().__init__()
        self._theme_loaded = False  # until the start theme is set below
        self.session = session
        self.catalog = catalog
        self.config = config
        self.home = home
        self.jobs = jobs  # BackgroundJobs or None (tests)
        self.startup_notices = list(notices or [])
        self.animate_highlight = animate_highlight
        self.keys, key_problems = resolve_keys(dict(config.keys) if config is not None else {})
        self.startup_notices += key_problems
        for action in self.keys:
            if not action.keys:  # its only key went to another action ([keys] conflict)
                continue
            self.bind(action.keys, action.binding, description=action.description,
                      show=action.footer)
        self.marks = marks.Marks()  # multi-select (musitui.tui.marks)
        self.model = LibraryModel(library_source(catalog) if catalog is not None else (),
                                  lookup=catalog.get if catalog is not None else None)
        self.library_shown = catalog is not None  # the list holds the catalog's tracks
        self.painted_at: float | None = None  # perf_counter() of the first frame (benchmarks)
        self.rows_shown_at: float | None = None  # ... and of the library's rows (benchmarks)
        self.session_at: float | None = None  # ... session attached; search index ready
        self.search_ready_at: float | None = None
        # The rooms. The shelf builder is this module's (tests watch where it runs).
        self.session_thread = SessionThread(
            lambda text: self.notify(text, severity="error", timeout=8))
        self.screen_sync = ScreenSync(self)
        self.rebuilder = LibraryRebuilder(self, build_shelf)
        self.loader = LibraryLoader(self, loader, build_shelf) if loader is not None else None
        self.mpris = MprisLink(self)
        self.signals = SignalWatch()
        self.stall_trace = AppTrace()
        self._switch_interval: float | None = None
        # One line each, printed by the caller after the terminal is restored.
        self.exit_problems: list[str] = []
        self.register_theme(MUSITUI_THEME)
        configured = config.ui.theme if config is not None else DEFAULT_THEME
        self.theme, theme_problem = startup_theme(set(self.available_themes), configured,
                                                  home.data_dir if home is not None else None)
        if theme_problem:
            self.startup_notices.append(theme_problem)
        self._theme_loaded = True  # from now on a theme change is the user's: kept

    @property
    def attached(self) -> SessionControl:
        """The session, for what runs only once it is attached (``check_action`` sees to it)."""
        if self.session is None:
            raise RuntimeError("the library is still loading")
        return self.session

    def notify(self, message: str, *, title: str = "", severity: SeverityLevel = "information",
               timeout: float | None = None, markup: bool = False) -> None:
        """Every notification passes here: tag text and file names in it lose their control
        characters and escape sequences, and are not read as markup."""
        super().notify(printable(message, multiline=True), title=title, severity=severity,
                       timeout=timeout, markup=markup)

    def watch_theme(self, theme: str) -> None:
        if self._theme_loaded:
            problem = save_theme(self.home.data_dir if self.home is not None else None, theme)
            if problem:
                self.notify(problem, severity="warning")

    # -- layout ---------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield MoodBar(id="mood-bar")
        with Horizontal(id="main"):
            with Vertical(id="library-pane"):
                yield PaneTitle("", id="library-title")
                yield SearchBox("title, artist, album, genre…  or genre:jazz mood:calm artist:\"x y\"",
                                id="search")
                library = LibraryView(self.model, id="library")
                library.marks = self.marks
                library.cursor_moved = partial(marks.cursor_moved, self, marks.LIBRARY)
                yield LibraryHeader(library, id="library-header")
                yield library
            with Vertical(id="up-next-pane"):
                yield PaneTitle("Up next", id="up-next-title")
                up_next = UpNextView(id="up-next")
                up_next.marks = self.marks
                up_next.cursor_moved = partial(marks.cursor_moved, self, marks.UP_NEXT)
                yield up_next
            lyrics = LyricsPanel(lambda: self.session, "L hides · l full screen", id="lyrics-pane")
            lyrics.display = False
            yield lyrics
        with NowPlayingArea(id="now-playing-area"):
            yield NowPlaying(id="now-playing")
            yield CoverArt(renderer_choice(self.config),
                           self.home.data_dir if self.home is not None else None, id="cover")
        hints = [(key_display(a.keys).split(" ")[0], short_description(a.description), a.name)
                 for a in self.keys if a.footer and a.keys]
        yield KeyHints([*hints, ("^p", "palette", "command_palette")], id="footer")

    def on_mount(self) -> None:
        # A busy worker thread (loading, sorting, scan bookkeeping) keeps the GIL for up to
        # the switch interval each time the UI thread asks for it, at every event loop turn.
        # Process-wide, restored at unmount; kept for its measurement (docs/ARCHITECTURE.md,
        # "Staying responsive": p99 frame lag during a 50k scan 18.6 ms vs 31.5 ms at 5 ms).
        self._switch_interval = sys.getswitchinterval()
        sys.setswitchinterval(SWITCH_INTERVAL)
        self.screen_sync.start()
        self.stall_trace.start()
        library = self.query_one(LibraryView)
        browsing.search_box(self).display = False
        self.query_one(CoverArt).fit(self.size.width, self.size.height)
        library.focus()
        browsing.update_title(self)
        if self.session is None and self.loader is not None:
            self.query_one(UpNextView).empty_text = ""
            self.query_one(NowPlaying).update_state(NowPlayingState(note="Loading…"))
            self.loader.start()
            return
        self.attach()

    def attach_loaded(self, loaded: Loaded) -> None:
        """The loader opened the session (on the UI thread)."""
        self.session, self.catalog, self.jobs = loaded.session, loaded.catalog, loaded.jobs
        self.startup_notices += list(loaded.notices)
        self.screen_sync.messages_seen = 0
        self.attach()

    def attach(self) -> None:
        """The session is there: show it, and start what follows it."""
        session = self.attached
        self.session_at = time.perf_counter()
        library = self.query_one(LibraryView)
        library.empty_text = EMPTY_LIBRARY
        library.refresh_rows()
        browsing.update_title(self)
        # The listener's notes and the tagger's audio words ("piano") are searched too.
        extra = session.search_words()
        if extra:
            self.model.set_notes(extra)
        if self.loader is None or extra:
            self.rebuilder.start_search_index()
        session.subscribe(self.screen_sync.on_change)
        self.screen_sync.everything()
        for notice in self.startup_notices:
            self.notify(notice, severity="warning", timeout=8)
        problem = playing.playback_problem(self)
        if problem:
            self.notify(f"No audio output: {problem} Browsing and queueing still work "
                        "(start with --device null to play silently).",
                        severity="warning", timeout=10)
        if self.jobs is not None:
            self.jobs.start(self)
        self.signals.start(session, self._leave_on_signal)
        self.mpris.start()

    def _leave_on_signal(self, signum: int) -> None:
        self._stop_background_job()
        self.exit(128 + signum, return_code=128 + signum)

    def leave(self) -> None:
        """Quit (the q key, Textual's ctrl+q, MPRIS's Quit): the background job is told to
        stop; the resume state is saved as the app unmounts."""
        self._stop_background_job()
        self.exit(0)

    # -- actions: the registry's (musitui/tui/actions.py) --------------------------------
    async def action_act(self, name: str) -> None:
        """What a key, a footer click or a palette entry runs: the registry's handler."""
        result = BY_NAME[name].handler(self)
        if result is not None:
            await result

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # While the library is still loading, only a few keys do anything; browsing and
        # searching work as soon as the list is shown, before the session is ready.
        if not allowed_on_screen(action, parameters, isinstance(self.screen, PlaylistsScreen)):
            return False
        if self.session is not None:
            return True
        return allowed_while_loading(action, parameters, self.library_shown)

    async def action_quit(self) -> None:
        self.leave()

    def _stop_background_job(self) -> None:
        """The job saves what it finished and exits by itself; the app does not wait for it
        (its reading thread ends when the job closes its output)."""
        if self.jobs is not None:
            self.jobs.shutdown()

    # -- what other rooms call (background jobs, the palette, the prompt box) -----------
    async def in_session(self, command: Callable[..., T], *args: object) -> T | None:
        """Run one session command on the session thread; the loop goes on meanwhile."""
        return await self.session_thread.run(command, *args)

    def run_in_session(self, command: Callable[..., object], *args: object) -> None:
        """Queue a session command on the session thread without waiting."""
        self.session_thread.submit(command, *args)

    def reload_library(self) -> None:
        self.rebuilder.reload()

    @property
    def _reload_running(self) -> bool:
        return self.rebuilder.running

    def wait_for_repaint(self, timeout: float = 0.5) -> None:
        self.rebuilder.wait_for_repaint(timeout)

    def set_status(self, text: str) -> None:
        self.query_one(MoodBar).set_status(text)

    def sort_library(self, column: str, reverse: bool) -> None:
        browsing.sort_library(self, column, reverse)

    def action_sort_next(self) -> None:
        browsing.sort_next(self)

    def action_sort_reverse(self) -> None:
        browsing.sort_reverse(self)

    def filter_library(self, query: str) -> None:
        browsing.filter_library(self, query)

    def jump_to_track(self, track_id: int) -> None:
        browsing.jump_to_track(self, track_id)

    def jump_to_group(self, artist: str, album: str | None = None) -> None:
        browsing.jump_to_group(self, artist, album)

    # -- events -------------------------------------------------------------------------
    def on_search_box_changed(self, event: SearchBox.Changed) -> None:
        browsing.query_typed(self, event.value)

    def on_search_box_done(self, event: SearchBox.Done) -> None:
        if event.keep:
            self.query_one(LibraryView).focus()
        else:
            browsing.clear_search(self)

    async def on_library_view_activated(self, event: LibraryView.Activated) -> None:
        await playing.activate_library_row(self, event.index)

    async def on_up_next_view_activated(self, event: UpNextView.Activated) -> None:
        await playing.play_up_next(self, event.index)

    async def on_mood_bar_picked(self, event: MoodBar.Picked) -> None:
        await self.run_action(f"act('mood_{event.mood}')")

    async def on_key_hints_chosen(self, event: KeyHints.Chosen) -> None:
        await self.run_action(BY_NAME[event.name].binding)

    def on_resize(self, event: events.Resize) -> None:
        self.query_one(CoverArt).fit(event.size.width, event.size.height)

    def on_unmount(self) -> None:
        self._stop_background_job()
        self.mpris.close()
        self.session_thread.shutdown()  # what was asked is done before the state is saved
        if self._switch_interval is not None:
            sys.setswitchinterval(self._switch_interval)
        problem = self.stall_trace.write()
        if problem:
            self.log.error(problem)
        if self.session is None:
            return
        self.signals.stop()
        try:
            self.session.save_state()
        except OSError as exc:  # e.g. a full disk: said after the screen is given back
            reason = exc.strerror or str(exc) or type(exc).__name__
            self.exit_problems.append(
                f"could not save the resume state to {exc.filename or 'the data folder'} "
                f"({reason}); the next start will not resume this session")
