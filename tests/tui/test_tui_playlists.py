"""Pilot tests of the playlists view (key P): saved playlists default into the data folder's
playlists folder and are listed there with count and length, with the opened ones; play,
queue, rename, delete, remove a track."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import DataTable, Input
from tui_helpers import Opener, World, run_async, wait_for

from musitui import playlist_folder
from musitui.playlists import load_m3u
from musitui.tui.playlists_view import PlaylistsScreen
from musitui.tui.screens import PromptScreen

SIZE = (120, 40)


def cells(table: DataTable) -> list[list[str]]:
    return [[str(c) for c in table.get_row_at(r)] for r in range(table.row_count)]


def save_two(world: World, name: str, ids: list[int]) -> Path:
    folder = playlist_folder.playlists_dir(world.home)
    folder.mkdir(parents=True, exist_ok=True)
    return playlist_folder.save(folder / f"{name}.m3u8", [
        playlist_folder.Entry(world.catalog.tracks[i].path, world.catalog.tracks[i].title, 40.0)
        for i in ids])


@run_async
async def test_the_queue_saves_into_the_playlists_folder_and_the_view_lists_it(
        world: World, tui: Opener) -> None:
    session, app = tui(world, device=None)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("down", "a", "down", "a")
        await pilot.pause()
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, PromptScreen)
        default = app.screen.query_one(Input).value
        assert Path(default).parent == playlist_folder.playlists_dir(world.home)
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("P")
        await wait_for(pilot, lambda: isinstance(app.screen, PlaylistsScreen))
        rows = cells(app.screen.query_one("#playlists-table", DataTable))
        assert rows == [["queue", "2", "1:20", "playlists folder"]]
        tracks = cells(app.screen.query_one("#playlist-tracks", DataTable))
        assert [r[0] for r in tracks] == ["1", "2"] and all(r[2] == "0:40" for r in tracks)
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, PlaylistsScreen)


@run_async
async def test_rename_remove_a_track_and_delete(world: World, tui: Opener) -> None:
    ids = sorted(world.catalog.tracks)[:3]
    path = save_two(world, "road", ids)
    session, app = tui(world, device=None)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("P")
        await wait_for(pilot, lambda: isinstance(app.screen, PlaylistsScreen))
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, PromptScreen))
        app.screen.query_one(Input).value = "night drive"
        await pilot.press("enter")
        await pilot.pause()
        renamed = path.with_name("night drive.m3u8")
        assert renamed.is_file() and not path.exists()
        view = app.screen
        assert isinstance(view, PlaylistsScreen)
        assert cells(view.lists())[0][0] == "night drive"
        # tab to its tracks, remove the second
        await pilot.press("tab", "down", "delete")
        await pilot.pause()
        assert load_m3u(renamed).paths == [world.catalog.tracks[ids[0]].path,
                                           world.catalog.tracks[ids[2]].path]
        assert cells(view.lists())[0][1] == "2"
        # back to the list: delete asks, then deletes
        await pilot.press("tab", "delete")
        await wait_for(pilot, lambda: isinstance(app.screen, PromptScreen))
        app.screen.query_one(Input).value = "y"
        await pilot.press("enter")
        await pilot.pause()
        assert not renamed.exists()
        assert view.lists().row_count == 0


@run_async
async def test_enter_plays_a_playlist_and_a_queues_it_and_opened_ones_are_listed(
        world: World, tui: Opener) -> None:
    ids = sorted(world.catalog.tracks)[3:6]
    outside = world.music / "elsewhere.m3u8"
    playlist_folder.save(outside, [playlist_folder.Entry(world.catalog.tracks[i].path, "", None)
                                   for i in ids])
    save_two(world, "inside", ids[:1])
    session, app = tui(world, device=None)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("o")
        await pilot.pause()
        app.screen.query_one(Input).value = str(outside)
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("tab", "d", "d", "d", "tab")  # empty the queue again
        await pilot.pause()
        assert not any(i.user_queued for i in session.up_next)
        await pilot.press("P")
        await wait_for(pilot, lambda: isinstance(app.screen, PlaylistsScreen))
        view = app.screen
        assert isinstance(view, PlaylistsScreen)
        assert [r[0] for r in cells(view.lists())] == ["inside", "elsewhere"]
        assert cells(view.lists())[1][3] == str(world.music)
        await pilot.press("down", "a")  # queue "elsewhere"
        await pilot.pause()
        assert [i.track.id for i in session.up_next if i.user_queued] == ids
        # Keys of the main screen do nothing here (d would dequeue there).
        await pilot.press("d")
        await pilot.pause()
        assert [i.track.id for i in session.up_next if i.user_queued] == ids


@run_async
async def test_a_saved_search_is_a_smart_playlist_listed_queued_and_exported(
        world: World, tui: Opener) -> None:
    session, app = tui(world, device=None)
    folder = playlist_folder.playlists_dir(world.home)
    ambient = sorted(t.id for t in world.catalog.tracks.values() if t.genre == "Ambient")
    assert len(ambient) == 3
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.model.index.ready)
        await pilot.press("slash", *"genre:ambient", "enter")
        await pilot.pause()
        await pilot.press("F")
        await wait_for(pilot, lambda: isinstance(app.screen, PromptScreen))
        app.screen.query_one(Input).value = "calm ones"
        await pilot.press("enter")
        await pilot.pause()
        assert (folder / "calm ones.query").read_text(encoding="utf-8").strip() == "genre:ambient"
        await pilot.press("escape")  # the search is cleared: the smart playlist keeps its own
        await pilot.press("P")
        await wait_for(pilot, lambda: isinstance(app.screen, PlaylistsScreen))
        view = app.screen
        assert isinstance(view, PlaylistsScreen)
        assert cells(view.lists()) == [["calm ones", "3", "2:00", "smart · genre:ambient"]]
        await pilot.press("a")
        await pilot.pause()
        assert sorted(i.track.id for i in session.up_next if i.user_queued) == ambient
        # Its tracks follow the search: removing one is refused, with a reason.
        await pilot.press("tab", "delete")
        await pilot.pause()
        assert view.tracks().row_count == 3
        assert any("saved search" in n.message for n in app._notifications)
        await pilot.press("tab", "E")
        await pilot.pause()
        exported = load_m3u(folder / "calm ones.m3u8").paths
        assert sorted(exported) == sorted(world.catalog.tracks[i].path for i in ambient)
        assert [r[0] for r in cells(view.lists())] == ["calm ones", "calm ones"]
