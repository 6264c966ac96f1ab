"""Pilot tests of the play modes (key ``r``): what Up next shows, what ``n`` plays, the status
line, the history, and resume of the mode."""

from __future__ import annotations

from tui_helpers import Opener, World, run_async, up_next_ids, wait_for

from musitui.tui.bars import NowPlaying
from musitui.tui.library_view import LibraryView

SIZE = (120, 40)


def album_ids(world: World, track) -> list[int]:
    same = [t for t in world.catalog.tracks.values() if t.album == track.album]
    return [t.id for t in sorted(same, key=lambda t: t.track_no)]


async def press_mode(pilot, app, mode: str) -> None:
    for _ in range(5):
        if app.session.play_mode == mode:
            return
        await pilot.press("r")
        await pilot.pause()
    raise AssertionError(f"r never reached {mode}")


async def start_first(pilot, app):
    track = app.query_one(LibraryView).selected_track()
    await pilot.press("enter")
    await wait_for(pilot, lambda: app.session.now_playing is not None
                   and app.session.now_playing.id == track.id)
    return track


def plays_logged(world: World, session) -> list[int]:
    return [e["track_id"] for e in session.history.aggregates.session_events(
        session.clock(), 3600.0) if e["kind"] == "play"]


@run_async
async def test_in_order_plays_the_album_then_continues_by_radio(world: World, tui: Opener) -> None:
    session, app = tui(world)
    async with app.run_test(size=SIZE) as pilot:
        await press_mode(pilot, app, "in order")
        assert "in order" in app.query_one(NowPlaying).render().plain
        first = await start_first(pilot, app)
        album = album_ids(world, first)
        assert album[0] == first.id
        shown = up_next_ids(app)
        assert shown[:2] == album[1:]
        assert len(shown) > 2 and not set(shown[2:]) & set(album)  # then radio
        assert session.up_next[0].reason == "in order: next on the album"
        await pilot.press("n")
        await wait_for(pilot, lambda: session.now_playing.id == album[1])
        await pilot.press("n")
        await wait_for(pilot, lambda: session.now_playing.id == album[2])
        assert plays_logged(world, session)[-3:] == album  # non-radio plays teach the history


@run_async
async def test_in_order_can_stop_at_the_end(world: World, tui: Opener) -> None:
    world.home.config_file.write_text('[playback]\nin_order_then = "stop"\n', encoding="utf-8")
    session, app = tui(world)
    async with app.run_test(size=SIZE) as pilot:
        await press_mode(pilot, app, "in order")
        first = await start_first(pilot, app)
        album = album_ids(world, first)
        assert up_next_ids(app) == album[1:]  # no radio after the album
        await pilot.press("n", "n")
        await wait_for(pilot, lambda: session.now_playing.id == album[2])
        assert up_next_ids(app) == []


@run_async
async def test_repeat_one_replays_and_repeat_all_wraps(world: World, tui: Opener) -> None:
    session, app = tui(world)
    async with app.run_test(size=SIZE) as pilot:
        await press_mode(pilot, app, "repeat one")
        assert "repeat one" in app.query_one(NowPlaying).render().plain
        first = await start_first(pilot, app)
        assert first.id not in up_next_ids(app)  # the playing track is on screen already
        before = len(plays_logged(world, session))
        await pilot.press("n")
        await wait_for(pilot, lambda: len(plays_logged(world, session)) == before + 1)
        assert session.now_playing.id == first.id
        await press_mode(pilot, app, "repeat all")
        album = album_ids(world, first)
        assert up_next_ids(app) == album[1:]  # one cycle, never the playing track
        for expected in album[1:] + album[:1]:
            await pilot.press("n")
            await wait_for(pilot, lambda e=expected: session.now_playing.id == e)


@run_async
async def test_shuffle_plays_all_before_repeating_and_resumes(world: World, tui: Opener) -> None:
    session, app = tui(world)
    async with app.run_test(size=SIZE) as pilot:
        await press_mode(pilot, app, "shuffle")
        assert "shuffle" in app.query_one(NowPlaying).render().plain
        first = await start_first(pilot, app)
        album = album_ids(world, first)
        played = [first.id]
        for _ in range(2):
            nxt = up_next_ids(app)[0]
            await pilot.press("n")
            await wait_for(pilot, lambda n=nxt: session.now_playing.id == n)
            played.append(nxt)
        assert sorted(played) == sorted(album)
        assert session.up_next[0].reason == "shuffle"
        await pilot.press("q")
    session.close()

    session2, app2 = tui(world, restore=True)
    async with app2.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert session2.play_mode == "shuffle"
        assert "shuffle" in app2.query_one(NowPlaying).render().plain
        current = session2.now_playing.id
        assert current == played[-1]
        # The rest of the album first (the resumed track counts as played), in the saved seed's order.
        assert sorted(up_next_ids(app2)[:2]) == sorted(set(album) - {current})
        await pilot.press("r")
        await pilot.pause()
        assert session2.play_mode == "repeat one"
