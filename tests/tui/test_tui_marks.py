"""Pilot tests of multi-select: `t` marks a row, `V` a range; `a` queues the marked, `ctrl+s`
saves them, `A` adds them to a playlist; `esc` clears; `i` jumps to the playing track."""

from __future__ import annotations

from textual.widgets import Input
from tui_helpers import Opener, World, run_async, screen_lines, wait_for

from musitui import playlist_folder
from musitui.playlists import load_m3u
from musitui.tui.library_view import LibraryView
from musitui.tui.screens import PromptScreen
from musitui.tui.up_next import UpNextView

SIZE = (120, 40)


def shown_ids(app, rows: range) -> list[int]:
    return [app.model.track_at(i).id for i in rows]


@run_async
async def test_a_range_and_single_rows_are_marked_then_queued_in_one_go(
        world: World, tui: Opener) -> None:
    session, app = tui(world, device=None)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("V", "down", "down", "V")  # rows 0-2
        await pilot.press("down", "down", "t")  # row 4 alone
        await pilot.pause()
        expected = shown_ids(app, range(3)) + shown_ids(app, range(4, 5))
        assert list(app.marks.ids) == expected
        lines = screen_lines(app.query_one(LibraryView))
        assert sum(line.lstrip().startswith("●") for line in lines) == 4
        await pilot.press("t")  # row 5 toggled on, then off again
        await pilot.press("up", "t")
        await pilot.pause()
        assert list(app.marks.ids) == expected
        await pilot.press("a")
        await pilot.pause()
        assert [i.track.id for i in session.up_next if i.user_queued] == expected
        assert not app.marks.ids  # queued: the marks are done with
        assert any("Queued 4 tracks (the marked)" in n.message for n in app._notifications)


@run_async
async def test_marked_rows_save_and_add_to_a_playlist_and_escape_clears(
        world: World, tui: Opener) -> None:
    session, app = tui(world, device=None)
    folder = playlist_folder.playlists_dir(world.home)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("t", "t")
        await pilot.pause()
        first_two = list(app.marks.ids)
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, PromptScreen))
        app.screen.query_one(Input).value = str(folder / "two.m3u8")
        await pilot.press("enter")
        await pilot.pause()
        paths = [world.catalog.tracks[t].path for t in first_two]
        assert load_m3u(folder / "two.m3u8").paths == paths
        # A adds the marked to a playlist by name: "two" grows by one.
        await pilot.press("t")
        await pilot.pause()
        third = list(app.marks.ids)
        await pilot.press("A")
        await wait_for(pilot, lambda: isinstance(app.screen, PromptScreen))
        app.screen.query_one(Input).value = "two"
        await pilot.press("enter")
        await pilot.pause()
        assert load_m3u(folder / "two.m3u8").paths == paths + [
            world.catalog.tracks[third[0]].path]
        # In Up next too; esc clears the marks and nothing is queued.
        await pilot.press("tab", "t", "t")
        await pilot.pause()
        view = app.query_one(UpNextView)
        assert list(app.marks.ids) == [view.items[0].track.id, view.items[1].track.id]
        assert "●" in screen_lines(view)[0]
        await pilot.press("escape")
        await pilot.pause()
        assert not app.marks.ids
        assert not any(i.user_queued for i in session.up_next)


@run_async
async def test_i_jumps_to_the_playing_track(world: World, tui: Opener) -> None:
    session, app = tui(world)
    async with app.run_test(size=SIZE) as pilot:
        view = app.query_one(LibraryView)
        await pilot.press("down", "down", "down", "down", "down", "enter")
        await wait_for(pilot, lambda: session.now_playing is not None)
        playing = session.now_playing.id
        await pilot.press("home")
        await pilot.pause()
        assert view.selected_track().id != playing
        await pilot.press("i")
        await pilot.pause()
        assert view.selected_track().id == playing


@run_async
async def test_add_all_results_queues_every_track_the_search_shows(
        world: World, tui: Opener) -> None:
    session, app = tui(world, device=None)
    async with app.run_test(size=SIZE) as pilot:
        view = app.query_one(LibraryView)
        await pilot.press("ctrl+a")  # no search: nothing is queued, a hint says why
        await pilot.pause()
        assert not any(i.user_queued for i in session.up_next)
        assert any("Search first" in n.message for n in app._notifications)
        await pilot.press("slash", *"harbour")
        await wait_for(pilot, lambda: len(view.model) == 4)
        await pilot.press("enter", "ctrl+a")
        await pilot.pause()
        shown = shown_ids(app, range(4))
        assert all("Harbour" in app.model.row(i).label for i in range(4))
        assert [i.track.id for i in session.up_next if i.user_queued] == shown
        assert any("Queued 4 tracks (all that match “harbour”)" in n.message
                   for n in app._notifications)
        await pilot.press("ctrl+a")  # again: all are queued already, nothing doubles
        await pilot.pause()
        assert [i.track.id for i in session.up_next if i.user_queued] == shown
