"""Snapshots (pytest-textual-snapshot) of the main screens at 120x40 and 80x24.

Deterministic: a fixed catalog with known vectors, a fixed recommender seed, nothing playing
(no clock or progress on screen), and the "moved" highlight off.
Update after an intended change: ``pytest tests/tui/test_tui_snapshots.py --snapshot-update``.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from tui_helpers import build_world, make_app, open_session

SIZES = [(120, 40), (80, 24)]


@pytest.fixture
def app_and_session(tmp_path: Path):
    world = build_world(tmp_path, seconds=2.0)
    session, config = open_session(world, device="null")
    app = make_app(world, session, config)
    yield app, session
    session.close()


async def queue_two_and_pick_calm(pilot) -> None:
    app = pilot.app
    first, second = (app.model.track_for_position(i).id for i in (2, 7))
    app.session.enqueue(first)
    app.session.enqueue(second)
    app.session.set_mood("calm")
    await pilot.pause()


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_main_screen(app_and_session, snap_compare, size) -> None:
    app, _ = app_and_session
    assert snap_compare(app, terminal_size=size, run_before=queue_two_and_pick_calm)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_help_screen(app_and_session, snap_compare, size) -> None:
    app, _ = app_and_session
    assert snap_compare(app, terminal_size=size, press=["question_mark"])


def test_artist_browser(app_and_session, snap_compare) -> None:
    app, _ = app_and_session
    assert snap_compare(app, terminal_size=(120, 40), press=["v", "down", "enter", "down", "enter"])


def test_empty_library_says_what_to_do(tmp_path: Path, snap_compare) -> None:
    from musitui.config import load_config
    from musitui.core.session import Session
    from musitui.paths import Home
    from musitui.store.catalog import Catalog
    from musitui.tui.app import MusituiApp

    home = Home(tmp_path, tmp_path).ensure()
    config = load_config(home)
    catalog = Catalog.open(home)
    session = Session(home, config, catalog, player=None)
    app = MusituiApp(session, catalog, config=config, home=home, animate_highlight=False)
    try:
        assert snap_compare(app, terminal_size=(80, 24))
    finally:
        session.close()


def resumed_world(tmp_path: Path, album: str, *, cover: bool):
    """A track of ``album`` resumed paused at 12 s (a fixed clock on screen); with ``cover``,
    a cover.png beside it, drawn with half blocks (deterministic, unlike kitty/sixel)."""
    from musitui.library.demo_art import cover_image
    from musitui.store.state import SessionState, save_state

    world = build_world(tmp_path, seconds=40.0)
    track = next(t for t in world.catalog.tracks.values() if t.album == album)
    if cover:
        (Path(track.path).parent / "cover.png").write_bytes(cover_image("calm"))
    save_state(world.home.state_file, SessionState(track_id=track.id, position=12.0))
    session, config = open_session(world, device="null", restore=True)
    config.ui = replace(config.ui, cover_art="halfblocks", mpris=False)
    return make_app(world, session, config), session


async def cover_settled(pilot) -> None:
    from tui_helpers import wait_for

    from musitui.tui.cover_art import CoverArt

    cover = pilot.app.query_one(CoverArt)
    await wait_for(pilot, lambda: cover.path is not None and cover.settled_for == cover.path)
    await pilot.pause()


async def sort_by_mood_reversed(pilot) -> None:
    pilot.app.sort_library("mood", True)
    await pilot.pause()


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("cover", [True, False], ids=["with-art", "without-art"])
def test_now_playing_with_and_without_cover(tmp_path: Path, snap_compare, size, cover) -> None:
    app, session = resumed_world(tmp_path, "Quiet Hours", cover=cover)
    try:
        assert snap_compare(app, terminal_size=size, run_before=cover_settled)
    finally:
        session.close()


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_library_sorted_by_mood(app_and_session, snap_compare, size) -> None:
    """The header marks the sort (▼) and the mood column appears beside the title."""
    app, _ = app_and_session
    assert snap_compare(app, terminal_size=size, run_before=sort_by_mood_reversed)
