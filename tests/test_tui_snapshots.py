"""Snapshots (pytest-textual-snapshot) of the main screens at 120x40 and 80x24.

Deterministic: a fixed catalog with known vectors, a fixed recommender seed, nothing playing
(no clock or progress on screen), and the "moved" highlight off.
Update after an intended change: ``pytest tests/test_tui_snapshots.py --snapshot-update``.
"""

from __future__ import annotations

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
    from musitui.paths import Home
    from musitui.session import Session
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


async def sort_by_mood_reversed(pilot) -> None:
    pilot.app.sort_library("mood", True)
    await pilot.pause()


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_library_sorted_by_mood(app_and_session, snap_compare, size) -> None:
    """The header marks the sort (▼) and the mood column appears beside the title."""
    app, _ = app_and_session
    assert snap_compare(app, terminal_size=size, run_before=sort_by_mood_reversed)
