"""The cover beside Now playing follows the track, and hides when there is no room."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from tui_helpers import Opener, build_world, make_app, run_async, wait_for

from musitui.library.demo_art import cover_image
from musitui.tui.cover_art import renderer_choice


@run_async
async def test_cover_follows_the_track_and_the_room(tmp_path: Path, tui: Opener) -> None:
    from musitui.tui.cover_art import CoverArt

    world = build_world(tmp_path, seconds=30.0)
    tracks = list(world.catalog.tracks.values())
    with_art = next(t for t in tracks if t.album == "Quiet Hours")
    without = next(t for t in tracks if t.album == "Sunny Side")
    (Path(with_art.path).parent / "folder.jpg").write_bytes(cover_image("calm", "JPEG"))
    session, config = tui.session(world, device="null")
    config.ui = replace(config.ui, cover_art="halfblocks", mpris=False)
    app = make_app(world, session, config)
    async with app.run_test(size=(120, 40)) as pilot:
        cover = app.query_one(CoverArt)
        assert not cover.display  # nothing playing
        session.play_track(with_art.id)
        await wait_for(pilot, lambda: cover.image is not None)
        assert cover.display and cover.region.height == 6 and cover.region.width == 12
        assert cover.image.size == (12, 12)  # two pixels a cell, half blocks
        assert (world.home.data_dir / "covers").is_dir()

        await pilot.resize_terminal(100, 26)
        await wait_for(pilot, lambda: cover.rows == 4 and cover.image is not None
                       and cover.image.size == (8, 8))
        assert cover.display and cover.region.height == 4

        await pilot.resize_terminal(60, 20)  # no room: hidden, the lists keep the rows
        await wait_for(pilot, lambda: not cover.display)
        await pilot.resize_terminal(120, 40)
        await wait_for(pilot, lambda: cover.display and cover.image is not None)

        session.play_track(without.id)  # no cover: hidden
        await wait_for(pilot, lambda: cover.settled_for == without.path)
        assert not cover.display and cover.image is None


def test_an_unknown_cover_art_value_is_said_in_one_line(tmp_path: Path, tui: Opener) -> None:
    world = build_world(tmp_path, seconds=5.0)
    world.home.config_file.write_text('[ui]\ncover_art = "ascii-art"\n')
    session, config = tui.session(world, device="null")
    assert config.problems == [
        'config.toml: [ui] cover_art must be one of "auto", "kitty", "sixel", "halfblocks", '
        '"off", got \'ascii-art\'; using \'auto\'']
    app = make_app(world, session, config)
    assert renderer_choice(app.config) == "auto"
