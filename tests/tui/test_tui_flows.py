"""Pilot tests of the TUI over a real Session and the real Player on the "null" output."""

from __future__ import annotations

from pathlib import Path

import pytest
from tui_helpers import (
    Opener,
    World,
    build_world,
    make_app,
    open_session,
    run_async,
    screen_lines,
    scroll_wheel,
    up_next_ids,
    wait_for,
)

from musitui.tui.bars import MoodBar, NowPlaying
from musitui.tui.library_view import LibraryView
from musitui.tui.lyrics_screen import LyricsScreen
from musitui.tui.screens import HelpScreen
from musitui.tui.up_next import UpNextView

SIZE = (120, 40)


def artist_of(world: World, track_id: int) -> str:
    return world.catalog.tracks[track_id].artist


@run_async
async def test_search_is_accent_case_and_typo_tolerant(world: World, tui: Opener) -> None:
    session, app = tui(world, device=None)
    async with app.run_test(size=SIZE) as pilot:
        view = app.query_one(LibraryView)
        assert len(view.model) == 12
        await pilot.press("slash", *"ECHAPPEE")
        await pilot.pause()
        lines = [line for line in screen_lines(view) if line.strip()]
        assert len(lines) == 4 and all("Échappée" in line for line in lines)
        await pilot.press("escape")
        await pilot.press("slash", *"harbuor still")  # a swapped pair of letters
        await pilot.pause()
        assert [view.model.track_at(i).title for i in range(len(view.model))] == ["Harbour Still"]
        # Letters typed into the box are text, not commands (a = queue, s = scan, ...).
        assert not any(item.user_queued for item in session.up_next)
        assert app.screen is app.screen_stack[0]
        await pilot.press("escape")
        await pilot.pause()
        assert len(view.model) == 12 and not app.query_one("#search").display
        # No match at all: the list says so (not "No music yet").
        await pilot.press("slash", *"qqqzzzxxj")
        await pilot.pause()
        text = " ".join(screen_lines(view))
        assert "No tracks match “qqqzzzxxj”" in text and "No music yet" not in text
        await pilot.press("escape")


@run_async
async def test_play_pause_and_skip_reranks_up_next(world: World, tui: Opener) -> None:
    session, app = tui(world)
    async with app.run_test(size=SIZE) as pilot:
        view = app.query_one(LibraryView)
        first = view.selected_track()
        assert first is not None and first.artist == "Aurora Lights"
        await pilot.press("enter")
        await wait_for(pilot, lambda: session.player.state == "playing" and session.position > 0.2)
        bar = app.query_one(NowPlaying)
        assert bar.state.track.id == first.id and bar.state.state == "playing"
        assert "▶" in "".join(screen_lines(view)[:1])  # the playing marker in the library
        await pilot.press("space")
        await wait_for(pilot, lambda: app.query_one(NowPlaying).state.state == "paused")
        assert session.player.state == "paused"
        await pilot.press("space")
        await wait_for(pilot, lambda: app.query_one(NowPlaying).state.state == "playing")

        before = up_next_ids(app)
        head = before[0]
        await pilot.press("n")  # early: a skip of an Aurora Lights track
        await wait_for(pilot, lambda: bar.state.track is not None and bar.state.track.id == head)
        after = up_next_ids(app)
        assert after != before and head not in after
        # The skipped track's artist is pushed down: no Aurora track right after the skip.
        aurora_before = [i for i, t in enumerate(before) if artist_of(world, t) == "Aurora Lights"]
        aurora_after = [i for i, t in enumerate(after) if artist_of(world, t) == "Aurora Lights"]
        assert not aurora_after or min(aurora_after) > min(aurora_before or [0])
        # The history has the skip.
        kinds = [e["kind"] for e in session.history.events()]
        assert "skip" in kinds


@run_async
async def test_mood_change_reorders_up_next(world: World, tui: Opener) -> None:
    session, app = tui(world, device=None)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("3")  # calm
        await pilot.pause()
        calm = up_next_ids(app)
        # Diversity keeps one other artist between two by the same artist.
        assert [artist_of(world, t) for t in calm[:5:2]] == ["Still Water"] * 3
        assert app.query_one(MoodBar).mood == "calm"
        await pilot.press("2")  # energetic
        await pilot.pause()
        energetic = up_next_ids(app)
        assert energetic != calm
        assert artist_of(world, energetic[0]) == "Delta Nine"
        lines = screen_lines(app.query_one(UpNextView))
        assert "Delta" in lines[0]
        await pilot.press("m")  # cycles on from energetic
        await pilot.pause()
        assert session.mood == "calm" and app.query_one(MoodBar).mood == "calm"
        await pilot.press("0")
        await pilot.pause()
        assert session.mood == "auto"


@run_async
async def test_queue_add_remove_and_move(world: World, tui: Opener) -> None:
    session, app = tui(world, device=None)
    async with app.run_test(size=SIZE) as pilot:
        view = app.query_one(LibraryView)
        ids = [view.model.track_at(i).id for i in range(3)]
        await pilot.press("a", "a", "a")  # queues three tracks, the cursor moves down each time
        await pilot.pause()
        queued = [item.track.id for item in session.up_next if item.user_queued]
        assert queued == ids
        lines = screen_lines(app.query_one(UpNextView))
        assert lines[0].endswith("you") and "queued by you" in lines[1]

        await pilot.press("tab")  # focus Up next; cursor on the first queued track
        assert app.focused is app.query_one(UpNextView)
        await pilot.press("J")  # move it down one
        await pilot.pause()
        assert [i.track.id for i in session.up_next if i.user_queued] == [ids[1], ids[0], ids[2]]
        assert app.query_one(UpNextView).cursor == 1
        await pilot.press("K", "K")  # back up (the second press stops at the top)
        await pilot.pause()
        assert [i.track.id for i in session.up_next if i.user_queued] == ids
        await pilot.press("d")  # remove the selected (first) one
        await pilot.pause()
        assert [i.track.id for i in session.up_next if i.user_queued] == ids[1:]
        assert up_next_ids(app)[:2] == ids[1:]


@run_async
async def test_help_screen_lists_every_binding(world: World, tui: Opener) -> None:
    session, app = tui(world, device=None)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        table = app.screen.binding_table()  # what the help screen displays
        from rich.console import Console

        console = Console(width=100, record=True)
        console.print(table)
        text = console.export_text()
        for spec in app.keys:
            assert spec.description in text, spec.description
        for key in ("space", "shift+←", "?", "/"):
            assert key in text
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, HelpScreen)


@run_async
async def test_no_device_mode_says_why_once(world: World, tui: Opener) -> None:
    session, config = tui.session(world, device="no such device 42")
    assert session.player.available is False
    app = make_app(world, session, config)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        startup = [n.message for n in app._notifications]
        assert sum("No audio output" in m for m in startup) == 1
        assert any("No audio output" in m and "--device null" in m for m in startup)
        await pilot.press("enter")
        await pilot.press("space")
        await pilot.pause()
        messages = [n.message for n in app._notifications]
        assert sum(m.startswith("Cannot play") for m in messages) == 2
        assert session.now_playing is None
        assert "No audio output" in str(app.query_one(NowPlaying).render())
        # Browsing and queueing still work.
        await pilot.press("a")
        await pilot.pause()
        assert any(item.user_queued for item in session.up_next)


@run_async
async def test_resume_after_restart(world: World, tui: Opener) -> None:
    session, app = tui(world)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("down", "enter")
        await wait_for(pilot, lambda: session.player.state == "playing" and session.position > 0.1)
        playing = session.now_playing.id
        await pilot.press("right", "right")  # +10 s
        await wait_for(pilot, lambda: session.position >= 10)
        await pilot.press("4", "minus", "minus", "down", "down", "a")
        await pilot.pause()
        queued = [i.track.id for i in session.up_next if i.user_queued]
        await pilot.press("q")
    assert app.return_value == 0
    session.close()  # app unmount saved the state

    session2, app2 = tui(world, restore=True)
    async with app2.run_test(size=SIZE) as pilot:
        await pilot.pause()
        state = app2.query_one(NowPlaying).state
        assert state.track is not None and state.track.id == playing
        assert state.state == "paused" and state.position >= 10
        assert state.volume == 70 and state.mood == "sad"
        assert app2.query_one(MoodBar).mood == "sad"
        assert [i.track.id for i in session2.up_next if i.user_queued] == queued
        await pilot.press("space")
        await wait_for(pilot, lambda: session2.player.state == "playing")


@run_async
async def test_keys_come_from_the_config(world: World, tui: Opener) -> None:
    session, app = tui(world, device=None, keys={"cycle_mood": "l", "nonsense": "z"})
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert any("unknown action 'nonsense'" in n.message for n in app._notifications)
        conflicts = [n.message for n in app._notifications if "bound to both" in n.message]
        assert conflicts == ["config [keys]: 'l' is bound to both cycle_mood and lyrics; "
                             "kept for cycle_mood"]
        await pilot.press("l")
        await pilot.pause()
        assert session.mood == "happy"
        assert not isinstance(app.screen, LyricsScreen)  # l is the mood key now, only
        await pilot.press("m")  # no longer bound
        await pilot.pause()
        assert session.mood == "happy"


@run_async
async def test_browse_view_and_palette_jump(world: World, tui: Opener) -> None:
    session, app = tui(world, device=None)
    async with app.run_test(size=SIZE) as pilot:
        view = app.query_one(LibraryView)
        await pilot.press("v")
        await pilot.pause()
        assert [view.model.row(i).label for i in range(len(view.model))] == [
            "Aurora Lights", "Delta Nine", "Grey Piano", "Still Water"]
        await pilot.press("enter", "down", "enter")  # open artist, then album
        assert len(view.model) == 4 + 1 + 3
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"Mood: sad")
        await wait_for(pilot, lambda: app.screen.query("CommandList Option").results() and True)
        await pilot.pause(0.3)
        await pilot.press("enter")
        await wait_for(pilot, lambda: session.mood == "sad")


@run_async
async def test_playlist_save_and_open_round_trip(world: World, tui: Opener) -> None:
    from textual.widgets import Input

    from musitui.tui.screens import PromptScreen

    session, app = tui(world, device=None)
    playlist = world.music / "mix.m3u8"
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("down", "a", "down", "down", "a")
        await pilot.pause()
        queued = [i.track.id for i in session.up_next if i.user_queued]
        assert len(queued) == 2
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, PromptScreen)
        app.screen.query_one(Input).value = str(playlist)
        await pilot.press("enter")
        await pilot.pause()
        lines = playlist.read_text(encoding="utf-8").splitlines()
        entries = [line for line in lines if line and not line.startswith("#")]
        assert entries == [Path(world.catalog.tracks[t].path).relative_to(world.music).as_posix()
                           for t in queued]
        assert any(f"Saved 2 tracks to {playlist}" in n.message for n in app._notifications)

        # Empty the queue, add a missing entry to the file, then open it back.
        await pilot.press("tab", "d", "d")
        await pilot.pause()
        assert not any(i.user_queued for i in session.up_next)
        playlist.write_text("\n".join([*lines, "Nobody/gone.flac"]) + "\n", encoding="utf-8")
        await pilot.press("o")
        await pilot.pause()
        app.screen.query_one(Input).value = str(playlist)
        await pilot.press("enter")
        await pilot.pause()
        assert [i.track.id for i in session.up_next if i.user_queued] == queued
        assert any("Queued 2 tracks from mix.m3u8; 1 not found: gone.flac" in n.message
                   for n in app._notifications)
        # Opened again: nothing new, and it says so.
        await pilot.press("o")
        await pilot.pause()
        app.screen.query_one(Input).value = str(playlist)
        await pilot.press("enter")
        await pilot.pause()
        assert [i.track.id for i in session.up_next if i.user_queued] == queued
        assert any("Queued 0 tracks from mix.m3u8 (2 already queued); 1 not found" in n.message
                   for n in app._notifications)
        # `a` on a track already queued says so and changes nothing.
        await pilot.press("tab")
        view = app.query_one(LibraryView)
        view.refresh_rows(keep_track=queued[0])
        await pilot.press("a")
        await pilot.pause()
        assert [i.track.id for i in session.up_next if i.user_queued] == queued
        assert app._notifications and "Already queued" in list(app._notifications)[-1].message

        # Saving the next N of Up next (the recommended tail included).
        await pilot.press("ctrl+s")
        await pilot.pause()
        app.screen.query_one(Input).value = f"{world.music / 'next5'} 5"
        await pilot.press("enter")
        await pilot.pause()
        saved = (world.music / "next5.m3u8").read_text(encoding="utf-8").splitlines()
        assert len([line for line in saved if line and not line.startswith("#")]) == 5


@run_async
async def test_damaged_history_is_a_notification_naming_the_backup(world: World,
                                                                   tui: Opener) -> None:
    session, _ = tui.session(world, device=None)
    session.set_mood("calm")  # logs an event: the history journal exists now
    session.close()
    journal = world.home.history_dir / "journal.jsonl"
    assert journal.exists()
    with open(journal, "ab") as handle:
        handle.write(b"{this is not json\n\xff\xfe garbage\n")
    session, app = tui(world, device=None)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        notes = [n.message for n in app._notifications if "history" in n.message]
        assert notes, [n.message for n in app._notifications]
        backups = list(world.home.backups_dir.iterdir())
        assert backups and any(str(backups[0]) in note for note in notes)
        assert len(app.query_one(LibraryView).model) == 12  # the app works on


@run_async
async def test_undecodable_file_is_named_in_a_notification(world: World, tui: Opener) -> None:
    broken = world.music / "Aurora Lights" / "Sunny Side" / "00 Broken.wav"
    broken.write_bytes(b"RIFF\x10\x00\x00\x00WAVEjunk" + bytes(200))
    world.catalog.new_track(str(broken), title="Broken Song", artist="Aurora Lights",
                            album="Sunny Side", track_no=0, duration=40.0)
    world.catalog.save()
    session, app = tui(world)
    async with app.run_test(size=SIZE) as pilot:
        view = app.query_one(LibraryView)
        assert view.selected_track().title == "Broken Song"
        await pilot.press("enter")
        await wait_for(pilot, lambda: any("Broken Song" in n.message for n in app._notifications))
        message = next(n.message for n in app._notifications if "Broken Song" in n.message)
        assert message.startswith("cannot play Broken Song")
        assert "Traceback" not in message


# -- mouse --------------------------------------------------------------------------------
SMALL = (100, 16)  # a short screen, so both lists scroll


@pytest.fixture
def long_world(tmp_path: Path) -> World:
    return build_world(tmp_path, per_artist=6, seconds=20.0)


@run_async
async def test_click_selects_a_row_and_double_click_plays_it(long_world: World,
                                                             tui: Opener) -> None:
    session, app = tui(long_world)
    async with app.run_test(size=SMALL) as pilot:
        view = app.query_one(LibraryView)
        await pilot.click(LibraryView, offset=(10, 3))
        assert view.cursor == 3 and app.focused is view
        assert session.now_playing is None  # one click only selects
        await pilot.double_click(LibraryView, offset=(10, 5))
        await wait_for(pilot, lambda: session.now_playing is not None)
        assert view.cursor == 5
        assert session.now_playing.id == view.model.track_at(5).id
        # A click on the selected row plays it too.
        await pilot.click(LibraryView, offset=(10, 1))
        assert session.now_playing.id == view.model.track_at(5).id
        await pilot.click(LibraryView, offset=(10, 1))
        await wait_for(pilot, lambda: session.now_playing.id == view.model.track_at(1).id)
        await wait_for(pilot, lambda: session.player.current_path == view.model.track_at(1).path)


@run_async
async def test_wheel_scrolls_the_library_and_clicks_land_on_the_scrolled_rows(long_world: World,
                                                                              tui: Opener) -> None:
    session, app = tui(long_world, device=None)
    async with app.run_test(size=SMALL) as pilot:
        view = app.query_one(LibraryView)
        height = view.scrollable_content_region.height
        assert len(view.model) == 24 > height
        top = screen_lines(view)[0]
        await scroll_wheel(pilot, view, times=3)
        assert view.scroll_offset.y >= 3
        first = view.scroll_offset.y
        assert screen_lines(view)[0] != top
        assert view.model.row(first).label in screen_lines(view)[0]
        await pilot.click(LibraryView, offset=(10, 0))
        assert view.cursor == first  # the row under the pointer, not row 0
        await scroll_wheel(pilot, view, down=False, times=10)
        assert view.scroll_offset.y == 0
        assert screen_lines(view)[0].split()[0] == top.split()[0]  # the first row again


@run_async
async def test_up_next_wheel_and_clicks_select_then_play(long_world: World, tui: Opener) -> None:
    session, app = tui(long_world)
    async with app.run_test(size=SMALL) as pilot:
        upnext = app.query_one(UpNextView)
        items = up_next_ids(app)
        assert len(items) * 2 > upnext.scrollable_content_region.height  # it has to scroll
        await pilot.click(UpNextView, offset=(10, 2))  # the second item's title line
        assert upnext.cursor == 1 and app.focused is upnext
        assert session.now_playing is None
        await pilot.click(UpNextView, offset=(10, 3))  # its reason line: the same item, again
        await wait_for(pilot, lambda: session.now_playing is not None)
        assert session.now_playing.id == items[1]
        await scroll_wheel(pilot, upnext, times=2)
        assert upnext.scroll_offset.y >= 2
        shown = screen_lines(upnext)
        first_item = upnext.scroll_offset.y // 2
        title = upnext.items[first_item].track.title
        assert any(title in line for line in shown[:2])


@run_async
async def test_click_on_a_mood_selects_it_and_reorders_up_next(long_world: World,
                                                               tui: Opener) -> None:
    session, app = tui(long_world, device=None)
    async with app.run_test(size=SIZE) as pilot:
        bar = app.query_one(MoodBar)
        before = up_next_ids(app)
        text = bar.render().plain
        await pilot.click(MoodBar, offset=(text.index("3 calm") + 2, 0))
        await pilot.pause()
        assert session.mood == "calm" and bar.mood == "calm"
        calm = up_next_ids(app)
        assert calm != before and artist_of(long_world, calm[0]) == "Still Water"
        text = bar.render().plain
        await pilot.click(MoodBar, offset=(text.index("2 energetic") + 3, 0))
        await pilot.pause()
        assert session.mood == "energetic"
        assert artist_of(long_world, up_next_ids(app)[0]) == "Delta Nine"
        await pilot.click(MoodBar, offset=(1, 0))  # the "Mood" label: not a mood
        await pilot.pause()
        assert session.mood == "energetic"


# -- the library from catalog columns, and staged loading ------------------------------------
def test_library_from_columns_matches_the_library_from_tracks(world: World) -> None:
    from musitui.tui.library_model import LibraryModel

    catalog = world.catalog
    gone = catalog.tracks[next(iter(catalog.tracks))]
    gone.missing = True
    extra = catalog.new_track("/elsewhere/zz untitled take.flac", artist="aurora lights",
                              album="", duration=61.0)
    from_tracks = LibraryModel(list(catalog.tracks.values()))
    from_columns = LibraryModel(catalog.columns(), lookup=catalog.get)
    rows = [from_tracks.row(i) for i in range(len(from_tracks))]
    assert rows == [from_columns.row(i) for i in range(len(from_columns))]
    assert len(rows) == 12 and gone.id not in {r.track_id for r in rows}
    # Sorted by artist (case-insensitively; names differing only by case are one artist,
    # spelled as most of its tracks are), album ("" first), track number; no title tag:
    # the file name.
    assert [r.artist for r in rows][:3] == ["Aurora Lights"] * 3
    assert rows[0].label == "zz untitled take" and rows[0].duration == 61.0
    assert [r.track_no for r in rows[1:3]] == [2, 3]
    numbers = [r.track_no for r in rows if r.artist == "Delta Nine"]
    assert numbers == [1, 2, 3]
    # Track objects come from the catalog, for the rows acted on.
    assert from_columns.track_at(0) is catalog.get(extra.id)
    from_columns.set_query("untitled")
    assert [from_columns.track_at(i).id for i in range(len(from_columns))] == [extra.id]
    from_columns.toggle_mode()
    from_columns.set_query("")
    assert from_columns.artists() == ["Aurora Lights", "Delta Nine", "Grey Piano", "Still Water"]


class GatedOpener:
    """A staged loader whose session step waits until the test lets it go."""

    def __init__(self, world: World) -> None:
        import threading

        self.world = world
        self.go = threading.Event()
        self.opened: list = []

    def open_catalog(self):
        from musitui.store.catalog import Catalog

        return Catalog.open(self.world.home)

    def open_session(self, catalog):
        from musitui.tui.app import Loaded

        assert self.go.wait(10)
        session, _config = open_session(self.world, device=None)
        self.opened.append(session)
        return Loaded(session=session, catalog=catalog)


@run_async
async def test_the_library_shows_and_browses_before_the_session_is_ready(world: World) -> None:
    from musitui.tui.app import MusituiApp

    opener = GatedOpener(world)
    app = MusituiApp(config=open_session(world, device=None)[1], home=world.home, loader=opener)
    async with app.run_test(size=SIZE) as pilot:
        view = app.query_one(LibraryView)
        await wait_for(pilot, lambda: len(view.model) == 12)
        assert app.session is None
        assert "Library · 12 tracks" in app.query_one("#library-title").text
        await pilot.press("j", "j")
        assert view.cursor == 2
        await pilot.press("slash", *"harbour")  # typed before the search index may be ready
        await wait_for(pilot, lambda: len(view.model) == 4)
        assert all("Harbour" in view.model.row(i).label for i in range(4))
        await pilot.press("escape")
        opener.go.set()
        await wait_for(pilot, lambda: app.session is not None and up_next_ids(app))
        assert len(view.model) == 12
    for session in opener.opened:
        session.close()


@run_async
async def test_a_library_reload_sorts_off_the_ui_thread_and_keeps_the_cursor(world: World,
                                                                           monkeypatch, tui: Opener) -> None:
    import threading

    import musitui.tui.app as app_module

    built_on: list[str] = []
    real_build = app_module.build_shelf

    def recording_build(*args, **kwargs):
        built_on.append(threading.current_thread().name)
        return real_build(*args, **kwargs)

    monkeypatch.setattr(app_module, "build_shelf", recording_build)
    session, app = tui(world, device=None)
    async with app.run_test(size=SIZE) as pilot:
        view = app.query_one(LibraryView)
        await pilot.press("j", "j", "j")
        selected = view.selected_track()
        new = world.catalog.new_track("/music/AAA/first.flac", title="Aardvark", artist="AAA",
                                      album="A", duration=30.0)
        app.reload_library()
        app.reload_library()  # folds into the running one (or one more), never a pile-up
        await wait_for(pilot, lambda: len(view.model) == 13)
        assert view.model.track_at(0).id == new.id  # "AAA" sorts first
        assert view.selected_track().id == selected.id and view.cursor == 4  # moved down one
        assert built_on and threading.main_thread().name not in built_on
        await wait_for(pilot, lambda: not app._reload_running)
        assert 1 <= len(built_on) <= 2


def test_skipped_files_make_one_notification_not_one_each() -> None:
    from musitui.background_job import skipped_files
    from musitui.tui.jobs import problems_toast

    class Report:
        errors = [{"path": f"/m/broken{i}.mp3", "error": "no MPEG audio frame found"} for i in range(6)]

    toast = problems_toast("could not be read", skipped_files(Report()))
    lines = toast.splitlines()
    assert lines[0] == "Skipped 6 files that could not be read:"
    assert lines[1] == "· broken0.mp3: no MPEG audio frame found" and len(lines) == 6
    assert lines[-1].startswith("…and 2 more")
    assert problems_toast("could not be read", ["a.ogg: truncated"]) == "Skipped a.ogg: truncated"
    assert problems_toast("could not be read", []) == ""


@run_async
async def test_queueing_the_album_of_the_playing_track_leaves_it_out(world: World,
                                                                     tui: Opener) -> None:
    session, app = tui(world)
    async with app.run_test(size=SIZE) as pilot:
        view = app.query_one(LibraryView)
        first = view.selected_track()
        await pilot.press("enter")
        await wait_for(pilot, lambda: session.now_playing is not None and session.now_playing.id == first.id)
        await pilot.press("v")  # artists; the cursor on the playing track's artist
        await pilot.pause()
        assert view.model.row(view.cursor).artist == first.artist
        await pilot.press("a")
        await pilot.pause()
        queued = [i.track.id for i in session.up_next if i.user_queued]
        same_artist = [t.id for t in world.catalog if t.artist == first.artist]
        assert first.id not in queued and sorted(queued) == sorted(set(same_artist) - {first.id})
        assert any(f"Queued {len(queued)} tracks (1 playing now)" in n.message
                   for n in app._notifications)


@run_async
async def test_sigterm_saves_the_resume_state_and_quits(world: World, tui: Opener) -> None:
    import json
    import os
    import signal

    session, app = tui(world, device=None, restore=True)
    before = signal.getsignal(signal.SIGTERM)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("a", "a", "3")
        await pilot.pause()
        queued = [i.track.id for i in session.up_next if i.user_queued]
        assert len(queued) == 2
        os.kill(os.getpid(), signal.SIGTERM)
        await wait_for(pilot, lambda: not app.is_running)
    assert app.return_value == app.return_code == 128 + signal.SIGTERM
    state = json.loads(world.home.state_file.read_text())
    assert state["queue"] == queued and state["mood"] == "calm"
    assert signal.getsignal(signal.SIGTERM) is before  # put back when the app closed


@run_async
async def test_quitting_on_a_full_disk_says_the_state_was_not_saved(world: World,
                                                                    tui: Opener) -> None:
    import errno

    session, app = tui(world, device=None, restore=True)

    def disk_full() -> None:
        raise OSError(errno.ENOSPC, "No space left on device", str(world.home.state_file))

    session.save_state = disk_full
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("q")
        await wait_for(pilot, lambda: not app.is_running)
    assert app.exit_problems == [
        f"could not save the resume state to {world.home.state_file} (No space left on device); "
        "the next start will not resume this session"]


@run_async
async def test_history_writes_and_reranks_run_off_the_event_loop_in_key_order(world: World,
                                                                              tui: Opener) -> None:
    import threading

    session, app = tui(world)
    threads: list[tuple[str, str]] = []
    append, rerank = session.history._append_many, session.rerank

    def logged_append(events) -> None:
        threads.extend(("write", threading.current_thread().name) for _ in events)
        append(events)

    def logged_rerank(*args, **kwargs) -> None:
        threads.append(("rerank", threading.current_thread().name))
        rerank(*args, **kwargs)

    session.history._append_many = logged_append
    session.rerank = logged_rerank
    async with app.run_test(size=SIZE) as pilot:
        view = app.query_one(LibraryView)
        first = view.selected_track()
        await pilot.press("a", "a", "3", "enter")  # queue two, calm, play the third
        await wait_for(pilot, lambda: session.now_playing is not None
                       and session.now_playing.id == view.model.track_at(2).id)
        await pilot.press("n", "x")
        await wait_for(pilot, lambda: len(session.history.events(kinds=["play"])) == 3)
    session.close()
    main = threading.main_thread().name
    assert threads and all(name != main for _, name in threads), threads
    kinds = [(e["kind"], e.get("reason")) for e in session.history.events(newest_first=False)]
    assert kinds == [("queue", None), ("queue", None), ("mood", None), ("play", None),
                     ("skip", None), ("play", None), ("skip", "not this"), ("play", None)]
    played = [e["track_id"] for e in session.history.events(kinds=["play"], newest_first=False)]
    assert played == [view.model.track_at(2).id, first.id, view.model.track_at(1).id]


@run_async
async def test_queueing_the_playing_track_then_n_logs_one_skip_and_one_play(world: World,
                                                                            tui: Opener) -> None:
    session, app = tui(world)
    async with app.run_test(size=SIZE) as pilot:
        first = app.query_one(LibraryView).selected_track()
        await pilot.press("enter")
        await wait_for(pilot, lambda: session.player.state == "playing" and session.position > 0.2)
        await pilot.press("a", "n")  # queue the playing track itself, then next: it again
        await wait_for(pilot, lambda: len(session.history.events(kinds=["skip"])) >= 1
                       and session.player.position > 0.3)
        await pilot.pause(0.3)  # room for a stray second event to arrive
    session.close()
    events = [(e["kind"], e["track_id"]) for e in session.history.events(
        kinds=["play", "skip", "finish"], newest_first=False)]
    assert events == [("play", first.id), ("skip", first.id), ("play", first.id)]
