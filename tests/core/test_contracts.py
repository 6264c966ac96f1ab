"""The typed contracts between TUI, session and player hold for the real classes, and the
mood bar shows what "auto" follows (it read a session attribute that did not exist)."""

from __future__ import annotations

from pathlib import Path

from tui_helpers import Opener, build_world, run_async, wait_for

from musitui.config import Config
from musitui.core.contracts import PlayerControl, SessionControl
from musitui.core.moods import AUTO, nearest_mood
from musitui.core.session import Session
from musitui.paths import Home
from musitui.store.catalog import Catalog


def test_the_session_and_the_player_fulfil_their_contracts(tmp_path: Path) -> None:
    from musitui.playback import Player

    home = Home(tmp_path, tmp_path).ensure()
    player = Player(device="null")
    session = Session(home, Config(), Catalog.open(home), player=player)
    try:
        assert isinstance(player, PlayerControl)
        assert isinstance(session, SessionControl)
    finally:
        session.close()


def test_a_missing_member_breaks_the_contract(tmp_path: Path) -> None:
    home = Home(tmp_path, tmp_path).ensure()
    session = Session(home, Config(), Catalog.open(home), player=None)

    class Partial:  # the session as the TUI once assumed it: no effective_mood
        def __getattr__(self, name: str):
            if name == "effective_mood":
                raise AttributeError(name)
            return getattr(session, name)

    try:
        assert not isinstance(Partial(), SessionControl)
    finally:
        session.close()


@run_async
async def test_the_mood_bar_shows_what_auto_follows(tmp_path: Path, tui: Opener) -> None:
    from musitui.tui.bars import MoodBar

    world = build_world(tmp_path, per_artist=2, seconds=20.0)
    session, app = tui(world, device="null")
    track = world.catalog.present()[0]
    analysis = track.analysis
    expected = nearest_mood(analysis.valence, analysis.arousal)
    async with app.run_test(size=(120, 30)) as pilot:
        bar = app.query_one(MoodBar)
        assert session.mood == AUTO and session.effective_mood == AUTO
        assert "auto→" not in str(bar.render())
        session.play_track(track.id)
        await wait_for(pilot, lambda: session.now_playing is not None)
        await wait_for(pilot, lambda: f"auto→{expected}" in str(bar.render()))
        assert session.effective_mood == expected
        await pilot.press("3")  # calm: a picked mood is shown as itself
        await wait_for(pilot, lambda: "auto→" not in str(bar.render()))
