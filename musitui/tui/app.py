"""The musitui Textual app: a thin shell over the Session.

Layout: the mood bar on top; the library (virtual list, live filter) beside Up next; Now
playing at the bottom. The app computes no scores and reads no files: the session plays,
ranks and remembers; background work (scan, analysis) goes through ``BackgroundJobs``.

Session and player callbacks arrive on other threads. They only mark what changed and
schedule one flush on the event loop (``call_soon_threadsafe``), so a burst of position
events costs one repaint and a rerank reaches the screen on the next loop turn.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import functools
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from textual.app import App, ComposeResult
from textual.containers import Horizontal, Vertical

from musitui.config import Config
from musitui.core.contracts import PlayerControl, SessionControl
from musitui.core.moods import ALL_MOODS, AUTO
from musitui.paths import Home
from musitui.text_safety import printable
from musitui.tui.bars import (
    KeyHints,
    MoodBar,
    NowPlaying,
    NowPlayingState,
    PaneTitle,
    replaygain_text,
    short_description,
)
from musitui.tui.cover_art import CoverArt, NowPlayingArea, renderer_choice
from musitui.tui.keys import KeySpec, key_display, resolve_keys
from musitui.tui.library_model import LibraryModel, build_shelf, library_source, search_index
from musitui.tui.library_view import LibraryHeader, LibraryView
from musitui.tui.palette import MusituiCommands
from musitui.tui.playlist_io import queued_message
from musitui.tui.quiet_gc import freeze, gc_paused, one_builder, retire
from musitui.tui.screens import HelpScreen, PromptScreen
from musitui.tui.search_box import SearchBox
from musitui.tui.theme import DEFAULT_THEME, MUSITUI_THEME, save_theme, startup_theme
from musitui.tui.up_next import UpNextView

EMPTY_LIBRARY = "No music yet: press s to scan a folder or D for the demo library."
ALWAYS_AVAILABLE = {"quit", "help", "command_palette", "switch_pane"}
BROWSING = {"search", "clear_search", "toggle_view", "sort_next", "sort_reverse"}
SWITCH_INTERVAL = 0.0005  # seconds: see on_mount


@dataclass
class Loaded:
    """What a loader hands the app once the catalog and session are open."""

    session: SessionControl
    catalog: Any
    jobs: Any = None
    notices: list[str] = field(default_factory=list)


class SessionOnThread:
    """The session as remote controls (MPRIS) see it: its commands are queued on the app's
    session thread, in order, never run on the event loop; everything else is the session's."""

    COMMANDS = frozenset({"next", "previous", "toggle_pause", "stop", "seek_to", "seek_by",
                          "set_volume", "change_volume", "toggle_mute", "play_next_in_queue",
                          "play_track", "enqueue", "set_mood", "cycle_mood", "not_this"})

    def __init__(self, session: Any, submit: Any) -> None:
        self._session = session
        self._submit = submit

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._session, name)
        if name in self.COMMANDS:
            return functools.partial(self._submit, value)
        return value


class MusituiApp(App[int]):
    CSS_PATH = "musitui.tcss"
    TITLE = "musitui"
    COMMANDS = App.COMMANDS | {MusituiCommands}
    ENABLE_COMMAND_PALETTE = True

    def __init__(self, session: SessionControl | None = None, catalog: Any = None, *,
                 config: Config | None = None,
                 home: Home | None = None, jobs: Any = None, notices: list[str] | None = None,
                 animate_highlight: bool = True, loader: Any = None) -> None:
        """Either ``session`` and ``catalog`` ready, or a ``loader`` that runs in a thread
        after the first paint: a callable returning a ``Loaded``, or (staged, so the library
        shows before the session is ready) an object with ``open_catalog() -> catalog`` and
        ``open_session(catalog) -> Loaded``."""
        super().__init__()
        self._theme_loaded = False  # until the start theme is set below
        self.session = session
        self.catalog = catalog
        self.loader = loader
        self.config = config
        self.home = home
        self.jobs = jobs  # BackgroundJobs or None (tests)
        self.startup_notices = list(notices or [])
        self.animate_highlight = animate_highlight
        overrides = dict(config.keys) if config is not None else {}
        self.keys, key_problems = resolve_keys(overrides)
        self.startup_notices += key_problems
        for spec in self.keys:
            self.bind(spec.keys, spec.action, description=spec.description, show=spec.show)
        self.model = LibraryModel(library_source(catalog) if catalog is not None else (),
                                  lookup=catalog.get if catalog is not None else None)
        self.library_shown = catalog is not None  # the list holds the catalog's tracks
        self._reload_lock = threading.Lock()
        self._reload_running = False
        self._reload_again = False
        self._pending: set[str] = set()
        self._lock = threading.Lock()
        self._flush_scheduled = False
        self._event_loop: asyncio.AbstractEventLoop | None = None
        self._messages_seen = 0  # messages from before the app opened are shown too
        self._no_device_told = False
        self.painted_at: float | None = None  # perf_counter() of the first frame (benchmarks)
        self.rows_shown_at: float | None = None  # ... and of the library's rows (benchmarks)
        self.session_at: float | None = None  # ... session attached; search index ready
        self.search_ready_at: float | None = None
        self._switch_interval: float | None = None
        # The session's commands (history fsyncs, reranks) run here, one at a time and in
        # the order of the keys, never on the event loop; each action awaits its command.
        self._session_thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="musitui-session")
        # One line each, printed by the caller after the terminal is restored.
        self.exit_problems: list[str] = []
        self.register_theme(MUSITUI_THEME)
        configured = config.ui.theme if config is not None else DEFAULT_THEME
        self.theme, theme_problem = startup_theme(set(self.available_themes), configured,
                                                  home.data_dir if home is not None else None)
        if theme_problem:
            self.startup_notices.append(theme_problem)
        self._theme_loaded = True  # from now on a theme change is the user's: kept

    def notify(self, message: str, **options: Any) -> None:
        """Every notification passes here: tag text and file names in it lose their control
        characters and escape sequences, and are not read as markup."""
        options.setdefault("markup", False)
        super().notify(printable(message, multiline=True), **options)

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
                yield LibraryHeader(library, id="library-header")
                yield library
            with Vertical(id="up-next-pane"):
                yield PaneTitle("Up next", id="up-next-title")
                yield UpNextView(id="up-next")
        with NowPlayingArea(id="now-playing-area"):
            yield NowPlaying(id="now-playing")
            yield CoverArt(renderer_choice(self.config),
                           self.home.data_dir if self.home is not None else None, id="cover")
        hints = [(key_display(spec.keys).split(" ")[0], short_description(spec.description), spec.action)
                 for spec in self.keys if spec.show]
        yield KeyHints([*hints, ("^p", "palette", "command_palette")], id="footer")

    def on_mount(self) -> None:
        self._event_loop = asyncio.get_running_loop()
        # A busy worker thread (loading, sorting, scan bookkeeping) keeps the GIL for up to
        # the switch interval each time the UI thread asks for it, at every event loop turn:
        # 0.5 ms instead of the default 5 ms cut the median frame lag under load ~5 -> ~1 ms.
        self._switch_interval = sys.getswitchinterval()
        sys.setswitchinterval(SWITCH_INTERVAL)
        self._app_context = contextvars.copy_context()
        self._start_stall_trace()
        library = self.query_one(LibraryView)
        self.query_one("#search", SearchBox).display = False
        self.query_one(CoverArt).fit(self.size.width, self.size.height)
        library.focus()
        self._update_library_title()
        if self.session is None and self.loader is not None:
            library.empty_text = "Loading your library…"
            self.query_one(UpNextView).empty_text = ""
            self.query_one(NowPlaying).update_state(NowPlayingState(note="Loading…"))
            # Start loading once the first frame is on screen: the loader holds the GIL a lot.
            self.call_after_refresh(self._start_loading)
            return
        self._attach()

    def _start_loading(self) -> None:
        self.painted_at = time.perf_counter()
        self.run_worker(self._load, thread=True, name="load library")

    def _load(self) -> None:
        """Worker thread: open the catalog, sort it and show it; then open the session; then
        build the search index. Everything heavy stays off the UI thread."""
        loader = self.loader
        try:
            with gc_paused():
                loaded = self._open(loader)
            freeze()  # the catalog and the library live as long as the app
        except Exception as exc:  # noqa: BLE001 - one line for the user, never a traceback
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            self.call_from_thread(self.notify, f"Could not open the library: {first}",
                                  severity="error", timeout=30)
            return
        self.call_from_thread(self._attach_loaded, loaded)

    def _open(self, loader: Any) -> Loaded:
        if hasattr(loader, "open_catalog"):
            catalog = loader.open_catalog()
            shelf = getattr(loader, "shelf", None)  # sorted ahead by the loader, if it did
            if shelf is None:
                shelf = build_shelf(library_source(catalog), catalog.get)
            self.call_from_thread(self._show_library, catalog, shelf)
            # The rows paint first; then the session and the search keys are built one after
            # the other (each beside the UI thread alone, not three threads sharing the GIL).
            self.wait_for_repaint()
            with one_builder():
                return loader.open_session(catalog)
        loaded = loader()
        shelf = build_shelf(library_source(loaded.catalog), loaded.catalog.get)
        self.call_from_thread(self._show_library, loaded.catalog, shelf)
        return loaded

    def _show_library(self, catalog: Any, shelf: Any) -> None:
        """The sorted library is ready: show it (browsing works before the session does)."""
        self.catalog = catalog
        self.library_shown = True
        self.model.set_shelf(shelf)
        view = self.query_one(LibraryView)
        view.empty_text = EMPTY_LIBRARY
        view.refresh_rows()
        self._update_library_title()
        self.call_after_refresh(self._mark_rows_shown)
        # The search keys are built beside the session (a query typed meanwhile waits).
        index = self.model.index
        self.run_worker(lambda: self._prepare_search(index), thread=True, name="search index")

    def _mark_rows_shown(self) -> None:
        if self.rows_shown_at is None:
            self.rows_shown_at = time.perf_counter()

    def _attach_loaded(self, loaded: Any) -> None:
        self.session, self.catalog, self.jobs = loaded.session, loaded.catalog, loaded.jobs
        self.startup_notices += list(loaded.notices)
        self._messages_seen = 0
        self._attach()

    def _prepare_search(self, index: Any) -> None:
        """Worker thread: build the search keys, then apply a query typed meanwhile."""
        with one_builder(), gc_paused():
            index.prepare()
            self.model.shelf.prepare_filters()  # the field filters' values, off the UI thread
        with contextlib.suppress(RuntimeError):  # the app closed meanwhile
            self.call_from_thread(self._search_ready, index)

    def _search_ready(self, index: Any) -> None:
        if index is not self.model.index:
            return
        if self.search_ready_at is None:
            self.search_ready_at = time.perf_counter()
        if self.model.query and not self.model.filtered:  # typed while the keys were built
            self._apply_query(self.model.query)
        else:
            self._update_library_title()

    def _attach(self) -> None:
        self.session_at = time.perf_counter()
        library = self.query_one(LibraryView)
        library.empty_text = EMPTY_LIBRARY
        library.refresh_rows()
        self._update_library_title()
        if self.loader is None:
            index = self.model.index
            self.run_worker(lambda: self._prepare_search(index), thread=True, name="search index")
        self.session.subscribe(self._on_session_change)
        self._refresh_all()
        for notice in self.startup_notices:
            self.notify(notice, severity="warning", timeout=8)
        problem = self._playback_problem()
        if problem:
            self._no_device_told = True
            self.notify(f"No audio output: {problem} Browsing and queueing still work.",
                        severity="warning", timeout=10)
        if self.jobs is not None:
            self.jobs.start(self)
        self._watch_signals()
        if self.config is not None and self.config.ui.mpris:
            self.run_worker(self._start_mpris(), name="mpris")

    def _watch_signals(self) -> None:
        """SIGTERM / SIGHUP (the terminal closed): save the resume state, then quit."""
        if threading.current_thread() is not threading.main_thread():
            return
        if self.session is None:
            return
        save_on_signals = self.session.save_state_on_signals

        def leave(signum: int) -> None:
            self._stop_background_job()
            self.exit(128 + signum, return_code=128 + signum)

        self._replaced_handlers = save_on_signals(then=leave)

    async def _start_mpris(self) -> None:
        """MPRIS over the session (musitui/mpris); without a session bus, one log line."""
        from musitui.mpris import start_mpris

        self.mpris = await start_mpris(SessionOnThread(self.session, self.run_in_session),
                                       self.home.data_dir if self.home else None,
                                       on_quit=self.action_quit)
        if self.mpris.problem:
            self.log.info(self.mpris.problem)
            self._log_line(self.mpris.problem)

    def _log_line(self, text: str) -> None:
        """One quiet line in the data folder's musitui.log (never on screen)."""
        if self.home is None:
            return
        with contextlib.suppress(OSError), open(self.home.data_dir / "musitui.log", "a",
                                                 encoding="utf-8") as log:
            log.write(f"{time.strftime('%Y-%m-%d %H:%M:%S')} {text}\n")

    # -- session → screen -----------------------------------------------------------
    def _on_session_change(self, change: str) -> None:
        """Called from any thread: remember what changed, schedule one flush."""
        with self._lock:
            self._pending.add(change)
            if self._flush_scheduled or self._event_loop is None:
                return
            self._flush_scheduled = True
        # Run in the app's context (a player thread has none: timers started there would
        # lack Textual's active_app).
        self._event_loop.call_soon_threadsafe(self._apply_changes, context=self._app_context)

    def _apply_changes(self) -> None:
        with self._lock:
            changes, self._pending = self._pending, set()
            self._flush_scheduled = False
        if not self.is_running or self.session is None:
            return
        if "queue" in changes:
            self._refresh_queue()
        if changes & {"now_playing", "position", "state", "mood", "queue", "play_mode"}:
            self._refresh_now_playing()
        if changes & {"mood", "now_playing"}:  # auto follows what plays and was finished
            self._refresh_mood()
        if "message" in changes:
            self._show_messages()

    def _refresh_all(self) -> None:
        self._refresh_queue(highlight=False)
        self._refresh_now_playing()
        self._refresh_mood()
        self._show_messages()

    def _refresh_queue(self, highlight: bool = True) -> None:
        items = list(self.session.up_next)
        view = self.query_one(UpNextView)
        view.empty_text = ("Up next fills in once tracks are catalogued." if not self.model.track_count
                           else "Nothing to play next.")
        view.set_items(items, highlight=highlight and self.animate_highlight)
        queued = sum(1 for item in items if item.user_queued)
        title = f"Up next · {queued} queued" if queued else "Up next"
        self.query_one("#up-next-title", PaneTitle).update(title)

    def _refresh_now_playing(self) -> None:
        s = self.session
        track = s.now_playing
        state = "stopped" if track is None else ("paused" if s.paused else "playing")
        player = self._player()
        # The player knows best (a resumed track starts paused).
        if (track is not None and self._playback_problem() is None
                and player is not None and player.state in ("playing", "paused")):
            state = player.state
        note = ""
        problem = self._playback_problem()
        if problem:
            note = "No audio output · browsing and queueing still work"
        items = list(s.up_next)
        self.query_one(NowPlaying).update_state(NowPlayingState(
            track=track, position=float(s.position or 0.0), duration=float(s.duration or 0.0),
            state=state, volume=int(s.volume), muted=s.muted,
            mood=s.mood, note=note, replaygain=self._replaygain_text(track),
            queue_length=len(items), queue_seconds=sum(float(i.track.duration or 0.0) for i in items),
            mode=s.play_mode))  # musitui/core/play_modes.py
        self.query_one(LibraryView).set_playing(track.id if track is not None else None)
        self.query_one(CoverArt).show(track.path if track is not None else None)

    def _replaygain_text(self, track: Any) -> str:
        if track is None:
            return ""
        config = self.config
        playback = config.playback if config is not None else Config().playback
        return replaygain_text(track, playback.replaygain, playback.replaygain_preamp_db)

    def _refresh_mood(self) -> None:
        effective = self.session.effective_mood
        vibe = self.session.vibe
        self.query_one(MoodBar).set_mood(self.session.mood, effective if effective != AUTO else "",
                                         vibe.label if vibe is not None else "")

    def _show_messages(self) -> None:
        messages = list(self.session.messages)
        for message in messages[self._messages_seen:]:
            self.notify(message, severity="warning", timeout=8)
        self._messages_seen = len(messages)

    # -- library --------------------------------------------------------------------
    def reload_library(self) -> None:
        """Re-read the catalog (after a scan step) in a worker thread and swap the result in,
        keeping the cursor on the same track. Calls while one runs fold into one more."""
        with self._reload_lock:
            if self._reload_running:
                self._reload_again = True
                return
            self._reload_running = True
            self._reload_again = False
        self.run_worker(self._rebuild_library, thread=True, group="library", name="reload library")

    def _rebuild_library(self) -> None:
        """Worker thread: sort the catalog into a new shelf (and its search index when a
        filter is on), then hand it to the UI thread."""
        while True:
            try:
                with one_builder():
                    with gc_paused():
                        catalog = self.catalog
                        shelf = build_shelf(library_source(catalog), catalog.get)
                        index = search_index(shelf, (self.model.shelf, self.model.index))
                        if self.model.query:
                            index.prepare()
                    self.call_from_thread(self._swap_shelf, shelf, index)
                    self.wait_for_repaint()
                    self._prepare_search(index)
            except RuntimeError:  # the app closed meanwhile
                with self._reload_lock:
                    self._reload_running = self._reload_again = False
                return
            with self._reload_lock:
                if not self._reload_again:
                    self._reload_running = False
                    return
                self._reload_again = False

    def wait_for_repaint(self, timeout: float = 0.5) -> None:
        """Worker thread: wait until the screen has been refreshed. A repaint of the whole
        library takes the UI thread ~10 ms of CPU; with a builder sharing the GIL it took
        twice that, a missed frame. Builders go on once it is on screen."""
        painted = threading.Event()
        self.call_from_thread(self.call_after_refresh, painted.set)
        painted.wait(timeout)

    def _swap_shelf(self, shelf: Any, index: Any) -> None:
        view = self.query_one(LibraryView)
        row = view.model.row(view.cursor) if 0 <= view.cursor < len(view.model) else None
        replaced = (self.model.shelf, self.model.index)
        self.model.set_shelf(shelf, index)
        retire(*replaced)
        view.refresh_rows(keep_track=row.track_id if row is not None else None)
        self._update_library_title()

    def _update_library_title(self) -> None:
        if not self.library_shown:
            self.query_one("#library-title", PaneTitle).update("Library · loading…")
            return
        total = self.model.track_count
        if self.model.query and not self.model.index.ready and not self.model.filtered:
            text = f"Library · {total} tracks · preparing search…"
        elif self.model.filtered:
            text = f"Library · {self.model.match_count} of {total} match “{self.model.query}”"
        else:
            text = f"Library · {total} tracks · {'artists' if self.model.mode == 'browse' else 'all tracks'}"
        self.query_one("#library-title", PaneTitle).update(text)

    def set_status(self, text: str) -> None:
        self.query_one(MoodBar).set_status(text)

    def on_search_box_changed(self, event: SearchBox.Changed) -> None:
        if event.value == self.model.query:
            return  # already applied (clearing applies at once, see action_clear_search)
        if event.value and not self.model.index.ready:
            # The keys are still being built in the background: remember the query, which
            # is applied when they are ready (never build them here, on the UI thread).
            self.model.query = event.value
            self._update_library_title()
            return
        self._apply_query(event.value)

    def _apply_query(self, query: str) -> None:
        self.model.set_query(query)
        view = self.query_one(LibraryView)
        view.cursor = 0
        view.refresh_rows()
        self._update_library_title()

    def on_search_box_done(self, event: SearchBox.Done) -> None:
        if event.keep:
            self.query_one(LibraryView).focus()
        else:
            self.action_clear_search()

    async def on_library_view_activated(self, event: LibraryView.Activated) -> None:
        await self._activate_library_row(event.index)

    async def on_up_next_view_activated(self, event: UpNextView.Activated) -> None:
        await self._play_up_next(event.index)

    async def on_mood_bar_picked(self, event: MoodBar.Picked) -> None:
        await self.action_mood(event.mood)

    # -- helpers --------------------------------------------------------------------
    def _player(self) -> PlayerControl | None:
        return self.session.player if self.session is not None else None

    def _playback_problem(self) -> str | None:
        player = self._player()
        if player is None:
            return "no player could be started."
        if player.available:
            return None
        return player.problem or "no audio device."

    def _can_play(self) -> bool:
        problem = self._playback_problem()
        if problem:
            self.notify(f"Cannot play: {problem}", severity="warning", timeout=4)
            return False
        return True

    def run_in_session(self, command: Any, *args: Any) -> Any:
        """Queue a session command on the session thread without waiting (a Future)."""
        return self._session_thread.submit(command, *args)

    async def _in_session(self, command: Any, *args: Any) -> Any:
        """Run one session command on the session thread; the loop goes on meanwhile."""
        loop = asyncio.get_running_loop()
        try:
            return await loop.run_in_executor(self._session_thread, functools.partial(command, *args))
        except Exception as exc:  # noqa: BLE001 - one line for the user, never a traceback
            text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            self.notify(f"That did not work: {text}", severity="error", timeout=8)
            return None

    def _focused_up_next(self) -> bool:
        return isinstance(self.focused, UpNextView)

    async def _activate_library_row(self, index: int) -> None:
        if self.model.toggle(index):
            self.query_one(LibraryView).refresh_rows()
            return
        track = self.model.track_at(index)
        if track is not None and self._can_play():
            source = self._play_source()
            if source is not None:
                await self._in_session(self.session.set_play_source, source)
            await self._in_session(self.session.play_track, track.id)

    def _play_source(self) -> list[int] | None:
        """Outside radio, the list the mode follows: a search's matches as shown, else []
        (the session then follows the playing track's album). None in radio."""
        if self.session.play_mode == "radio":
            return None
        rows = self.model.track_rows if self.model.filtered else None
        ids = self.model.shelf.ids
        return [int(ids[p]) for p in rows] if rows is not None else []

    async def _play_up_next(self, index: int) -> None:
        items = self.session.up_next
        if 0 <= index < len(items) and self._can_play():
            item = items[index]
            if item.user_queued:
                await self._in_session(self.session.remove_from_queue, index)
            await self._in_session(self.session.play_track, item.track.id)

    # -- actions --------------------------------------------------------------------
    async def action_play_pause(self) -> None:
        if not self._can_play():
            return
        if self.session.now_playing is None:
            track = self.query_one(LibraryView).selected_track()
            if self._focused_up_next() or track is None:
                if self.session.up_next:
                    await self._in_session(self.session.play_next_in_queue)
                return
            await self._in_session(self.session.play_track, track.id)
            return
        await self._in_session(self.session.toggle_pause)

    async def action_next(self) -> None:
        if self._can_play():
            await self._in_session(self.session.next)

    async def action_previous(self) -> None:
        if self._can_play():
            await self._in_session(self.session.previous)

    async def action_seek(self, seconds: float) -> None:
        if self._can_play() and self.session.now_playing is not None:
            await self._in_session(self.session.seek_by, float(seconds))

    async def action_volume(self, delta: int) -> None:
        await self._in_session(self.session.change_volume, int(delta))
        self._refresh_now_playing()

    async def action_play_selected(self) -> None:
        if self._focused_up_next():
            index = self.query_one(UpNextView).selected_index()
            if index is not None:
                await self._play_up_next(index)
            return
        await self._activate_library_row(self.query_one(LibraryView).cursor)

    async def action_enqueue(self) -> None:
        if self._focused_up_next():
            index = self.query_one(UpNextView).selected_index()
            if index is not None:
                item = self.session.up_next[index]
                if not item.user_queued:
                    await self._in_session(self.session.enqueue, item.track.id)
            return
        view = self.query_one(LibraryView)
        tracks = self.model.tracks_at(view.cursor)
        if len(tracks) == 1:
            name = tracks[0].title or Path(tracks[0].path).name
            if await self._in_session(self.session.enqueue, tracks[0].id):
                self.notify(f"Queued: {name}", timeout=2)
            else:
                self.notify(f"Already queued: {name}", timeout=2)
        elif tracks:  # an album or an artist: never the track playing now
            result = await self._in_session(self.session.enqueue_many, [t.id for t in tracks])
            if result is not None:
                self.notify(queued_message(result), timeout=3)
        if view.model.track_rows is not None or tracks and len(tracks) == 1:
            view.action_cursor(1)

    async def action_dequeue(self) -> None:
        items = self.session.up_next
        if self._focused_up_next():
            index = self.query_one(UpNextView).selected_index()
        else:
            track = self.query_one(LibraryView).selected_track()
            index = next((i for i, item in enumerate(items)
                          if track is not None and item.track.id == track.id and item.user_queued), None)
        if index is None or index >= len(items):
            self.notify("Select a queued track in Up next (tab) to remove it", timeout=3)
            return
        # A recommendation removed is a "not now": the session drops it from the tail.
        await self._in_session(self.session.remove_from_queue, index)

    async def action_move_in_queue(self, delta: int) -> None:
        if not self._focused_up_next():
            self.notify("Focus Up next (tab) to move queued tracks", timeout=3)
            return
        view = self.query_one(UpNextView)
        index = view.selected_index()
        items = self.session.up_next
        if index is None or not items[index].user_queued:
            self.notify("Only tracks you queued can be moved", timeout=3)
            return
        queued = sum(1 for item in items if item.user_queued)
        target = index + int(delta)
        if not 0 <= target < queued:
            return
        await self._in_session(self.session.move_in_queue, index, int(delta))
        view.cursor = target

    async def action_not_this(self) -> None:
        if self.session.now_playing is None:
            self.notify("Nothing is playing", timeout=2)
            return
        if self._can_play():
            await self._in_session(self.session.not_this)

    def action_search(self) -> None:
        search = self.query_one("#search", SearchBox)
        search.display = True
        search.focus()

    def action_clear_search(self) -> None:
        search = self.query_one("#search", SearchBox)
        if search.value or self.model.query:
            view = self.query_one(LibraryView)
            selected = view.selected_track()
            self.model.set_query("")
            search.value = ""
            # Back to the whole list, still on the track that was selected in the results.
            view.refresh_rows(keep_track=selected.id if selected else None)
            self._update_library_title()
        search.display = False
        self.query_one(LibraryView).focus()

    def action_toggle_view(self) -> None:
        view = self.query_one(LibraryView)
        selected = view.selected_track()
        if self.model.filtered:
            self.action_clear_search()
        self.model.toggle_mode()
        view.cursor = 0
        view.refresh_rows(keep_track=selected.id if selected and self.model.mode != "browse" else None)
        self._update_library_title()

    def action_sort_next(self) -> None:
        self.sort_library(self.model.sort_next_column(), False)

    def action_sort_reverse(self) -> None:
        self.sort_library(self.model.sort, not self.model.reverse)

    def sort_library(self, column: str, reverse: bool) -> None:
        """Sort the track list (numpy over the shelf's columns), keeping the selected track."""
        view = self.query_one(LibraryView)
        selected = view.selected_track()
        if column in ("plays", "last played") and self.session is not None:
            history = getattr(self.session, "history", None)
            aggregates = getattr(history, "aggregates", None)
            if aggregates is not None:
                self.model.set_play_stats(*aggregates.track_table())
        self.model.set_sort(column, reverse)
        view.refresh_rows(keep_track=selected.id if selected else None)
        self._update_library_title()

    def filter_library(self, query: str) -> None:
        """Show the search box holding ``query`` (e.g. "mood:calm"), applied at once."""
        search = self.query_one("#search", SearchBox)
        search.display = True
        search.value = query
        self._apply_query(query)
        self.query_one(LibraryView).focus()

    def action_switch_pane(self) -> None:
        if self._focused_up_next():
            self.query_one(LibraryView).focus()
        else:
            self.query_one(UpNextView).focus()

    async def action_mood(self, name: str) -> None:
        if name not in ALL_MOODS:
            return
        await self._in_session(self.session.set_mood, name)

    async def action_correct_mood(self) -> None:
        """The playing track's mood is the next one (your correction: kept, similar tracks follow)."""
        track = self.session.now_playing
        if track is None or self.home is None:
            self.notify("Play a track first: this key corrects the playing track's mood")
            return
        from musitui.core.mood_fix import correct_mood

        mood = await self._in_session(correct_mood, self.home, self.session, track)
        if mood is None:
            return
        self.notify(printable(f"{track.title or track.path}: {mood} (your correction, kept; "
                              "similar tracks follow)"))
        if self.jobs is not None:
            self.jobs.refresh_moods(self)
        self.reload_library()

    async def action_cycle_play_mode(self) -> None:
        await self._in_session(self.session.cycle_play_mode)
        self.notify(f"play mode: {self.session.play_mode}", timeout=2)

    async def action_cycle_mood(self) -> None:
        await self._in_session(self.session.cycle_mood)

    def action_help(self) -> None:
        self.push_screen(HelpScreen(self.keys))

    def action_lyrics(self) -> None:
        from musitui.tui.lyrics_screen import LyricsScreen

        self.push_screen(LyricsScreen(self.session))

    def action_prompt(self) -> None:
        from musitui.tui.prompt_box import open_prompt_box

        open_prompt_box(self)

    def action_quit(self) -> None:
        self._stop_background_job()
        self.exit(0)

    def _stop_background_job(self) -> None:
        """The job saves what it finished and exits by itself; the app does not wait for it
        (its reading thread ends when the job closes its output)."""
        if self.jobs is not None:
            self.jobs.shutdown()

    # -- jumps used by the command palette --------------------------------------------
    def jump_to_track(self, track_id: int) -> None:
        view = self.query_one(LibraryView)
        if self.model.filtered:
            self.action_clear_search()
        view.refresh_rows(keep_track=track_id)
        self._update_library_title()
        view.focus()

    def jump_to_group(self, artist: str, album: str | None = None) -> None:
        self.query_one("#search", SearchBox).value = ""
        self.query_one("#search", SearchBox).display = False
        index = self.model.index_of_group(artist, album)
        view = self.query_one(LibraryView)
        view.refresh_rows()
        if index is not None:
            view.cursor = index
        self._update_library_title()
        view.focus()

    # -- files: playlists, scan, demo ----------------------------------------------------
    def action_save_playlist(self) -> None:
        default = str(self._playlist_dir() / "queue.m3u8")
        self.push_screen(PromptScreen(
            "Save the queue as M3U8 — file path, optionally followed by N to save the next N of Up next",
            value=default), self._save_playlist)

    def _playlist_dir(self) -> Path:
        folders = list(getattr(self.catalog, "folders", []) or [])
        return Path(folders[0]) if folders else Path.home()

    def _save_playlist(self, answer: str | None) -> None:
        if not answer:
            return
        from musitui.tui.playlist_io import save_queue

        self.notify(save_queue(self.session, answer), timeout=5)

    def action_open_playlist(self) -> None:
        self.push_screen(PromptScreen("Open an M3U/M3U8 playlist into the queue — file path",
                                      value=str(self._playlist_dir()) + "/"), self._open_playlist)

    async def _open_playlist(self, answer: str | None) -> None:
        if not answer:
            return
        from musitui.tui.playlist_io import open_into_queue

        opened = await self._in_session(open_into_queue, self.session, self.catalog, answer)
        if opened is None:
            return
        message, ok = opened
        self.notify(message, severity="information" if ok else "warning", timeout=8)

    def action_scan(self) -> None:
        if self.jobs is None:
            self.notify("Scanning is not available here", severity="warning")
            return
        self.push_screen(PromptScreen("Scan a folder (it will be remembered)",
                                      value=str(Path.home() / "Music")), self._scan)

    def _scan(self, answer: str | None) -> None:
        if answer and self.jobs is not None:
            self.jobs.scan_folder(self, answer)

    def action_demo(self) -> None:
        if self.jobs is None:
            self.notify("The demo library is not available here", severity="warning")
            return
        self.jobs.make_demo(self)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # While the library is still loading, only a few keys do anything; browsing and
        # searching work as soon as the list is shown, before the session is ready.
        if self.session is not None or action in ALWAYS_AVAILABLE:
            return True
        return self.library_shown and action in BROWSING

    def _start_stall_trace(self) -> None:
        """MUSITUI_STALL_TRACE set: find what delays frames (see tui/stall_trace.py)."""
        from musitui.tui import stall_trace

        tracer = stall_trace.start_if_enabled()
        if tracer is not None:
            self._stall_tracer = tracer
            self._stall_watch = asyncio.get_running_loop().create_task(stall_trace.watch_frames(tracer))

    def _write_stall_trace(self) -> None:
        tracer = getattr(self, "_stall_tracer", None)
        if tracer is None:
            return
        from musitui.tui import stall_trace

        self._stall_watch.cancel()
        try:
            with open(stall_trace.dump_path(), "a", encoding="utf-8") as out:
                tracer.dump(out)
        except OSError as exc:
            self.log.error(f"could not write the stall trace: {exc}")

    def on_resize(self, event: Any) -> None:
        self.query_one(CoverArt).fit(event.size.width, event.size.height)

    def on_unmount(self) -> None:
        self._stop_background_job()
        if getattr(self, "mpris", None) is not None:
            self.mpris.close()
        self._session_thread.shutdown(wait=True)  # what was asked is done before the state is saved
        if self._switch_interval is not None:
            sys.setswitchinterval(self._switch_interval)
        self._write_stall_trace()
        if self.session is None:
            return
        import signal

        for signum, handler in getattr(self, "_replaced_handlers", {}).items():
            with contextlib.suppress(TypeError, ValueError):
                signal.signal(signum, handler)
        try:
            self.session.save_state()
        except OSError as exc:  # e.g. a full disk: said after the screen is given back
            reason = exc.strerror or str(exc) or type(exc).__name__
            self.exit_problems.append(
                f"could not save the resume state to {getattr(exc, 'filename', None) or 'the data folder'} "
                f"({reason}); the next start will not resume this session")

    def key_specs(self) -> list[KeySpec]:
        return self.keys
