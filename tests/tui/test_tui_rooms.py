"""The app's rooms: one action registry read by the bindings, the footer, the palette and the
help screen; MPRIS's view of the session queues its commands on the session thread."""

from __future__ import annotations

import threading
from pathlib import Path

from tui_helpers import Opener, build_world, run_async, wait_for

from musitui.core.contracts import RemoteSession
from musitui.tui.actions import ACTIONS, BY_NAME, resolve_keys
from musitui.tui.bars import KeyHints
from musitui.tui.lyrics_screen import LyricsScreen
from musitui.tui.screens import HelpScreen
from musitui.tui.session_thread import SessionOnThread


def test_every_action_is_declared_once_with_keys_nobody_else_has() -> None:
    names = [action.name for action in ACTIONS]
    assert len(names) == len(set(names)) == len(BY_NAME)
    keys = [key for action in ACTIONS for key in action.keys.split(",")]
    assert len(keys) == len(set(keys)), "two actions share a key"
    actions, problems = resolve_keys({"next": "l", "seek(5)": "k", "quit": ""})
    assert [a.keys for a in actions if a.name == "next"] == ["l"]
    assert len(problems) == 3
    assert problems[0] == "config [keys]: unknown action 'seek(5)' ignored"
    assert problems[1].startswith("config [keys]: quit needs a key name")
    # "l" was the lyrics key: the earlier action (next) keeps it, lyrics is left without.
    assert problems[2] == "config [keys]: 'l' is bound to both next and lyrics; kept for next"
    assert [a.keys for a in actions if a.name == "lyrics"] == [""]


@run_async
async def test_bindings_footer_palette_and_help_read_the_registry(tmp_path: Path, tui: Opener) -> None:
    world = build_world(tmp_path, per_artist=2, seconds=20.0)
    session, app = tui(world, device="null", keys={"cycle_mood": "y"})
    async with app.run_test(size=(120, 40)) as pilot:
        footer = app.query_one(KeyHints)
        assert [name for _, _, name in footer.hints[:-1]] == [a.name for a in ACTIONS if a.footer]
        await pilot.press("m")  # the default key is given up ...
        await pilot.pause(0.2)
        assert session.mood == "auto"
        await pilot.press("y")  # ... for the configured one, which runs the registry's handler
        await wait_for(pilot, lambda: session.mood != "auto")
        app.post_message(KeyHints.Chosen("help"))  # a footer click
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen))
        assert [a.name for a in app.screen.keys] == [a.name for a in ACTIONS]
        await pilot.press("escape")
        await pilot.press("ctrl+p", *"Lyrics of the playing track")  # the registry's palette entry
        await wait_for(pilot, lambda: app.screen.query("CommandList Option").results() and True)
        await pilot.pause(0.3)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, LyricsScreen))


@run_async
async def test_remote_commands_run_on_the_session_thread(tmp_path: Path, tui: Opener) -> None:
    world = build_world(tmp_path, per_artist=2, seconds=20.0)
    session, app = tui(world, device="null")
    ran_on: list[str] = []
    real_set_volume = session.set_volume

    def recording_set_volume(volume: float) -> None:
        ran_on.append(threading.current_thread().name)
        real_set_volume(volume)

    session.set_volume = recording_set_volume  # type: ignore[method-assign]
    async with app.run_test(size=(120, 40)) as pilot:
        remote = SessionOnThread(session, app.session_thread)
        assert isinstance(remote, RemoteSession) and isinstance(session, RemoteSession)
        remote.set_volume(30)
        await wait_for(pilot, lambda: session.volume == 30)
        assert ran_on and ran_on[0].startswith("musitui-session")
        assert remote.volume == 30 and remote.now_playing is session.now_playing
