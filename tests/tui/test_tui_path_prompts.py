"""Pilot tests of the path prompts (save, open, scan): `tab` completes the path typed, like
a shell (one match in full, a folder with its ``/``; several to their common part, listed in
the hint); the scan prompt starts at the folder scanned last."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Input, Label
from tui_helpers import Opener, World, make_app, run_async, wait_for

from musitui.path_complete import complete_path
from musitui.tui.jobs import BackgroundJobs
from musitui.tui.screens import PathPromptScreen

SIZE = (120, 40)


def test_completion_of_one_match_several_and_none(tmp_path: Path) -> None:
    (tmp_path / "road trip").mkdir()
    (tmp_path / "rock.m3u8").write_text("")
    (tmp_path / "rockabilly.m3u8").write_text("")
    (tmp_path / ".hidden").write_text("")
    base = str(tmp_path) + "/"
    assert complete_path(base + "roa") == complete_path(base + "road")
    assert complete_path(base + "roa").text == base + "road trip/"
    several = complete_path(base + "roc")
    assert several.text == base + "rock" and several.matches == ["rock.m3u8", "rockabilly.m3u8"]
    assert complete_path(base + "zz").matches == [] and complete_path(base + "zz").text == base + "zz"
    assert ".hidden" not in complete_path(base).matches
    assert complete_path(base + ".h").text == base + ".hidden"
    assert complete_path(str(tmp_path / "nowhere" / "x")).matches == []


@run_async
async def test_tab_completes_in_the_save_prompt(world: World, tui: Opener) -> None:
    folder = world.music / "lists"
    (folder / "summer evenings").mkdir(parents=True)
    (folder / "summit.m3u8").write_text("")
    session, app = tui(world, device=None)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("down", "a")
        await pilot.pause()
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, PathPromptScreen))
        field = app.screen.query_one(Input)
        field.value = str(folder / "sum")
        field.cursor_position = len(field.value)
        await pilot.press("tab")
        await pilot.pause()
        assert field.value == str(folder / "summ")  # the common part of the two
        hint = str(app.screen.query_one("#prompt-hint", Label).render())
        assert "summer evenings/" in hint and "summit.m3u8" in hint
        assert app.screen.focused is field  # tab did not move the focus away
        await pilot.press("e", "tab")
        await pilot.pause()
        assert field.value == str(folder / "summer evenings") + "/"
        await pilot.press(*"mine.m3u8", "enter")
        await pilot.pause()
        saved = folder / "summer evenings" / "mine.m3u8"
        assert saved.is_file()
        assert [line for line in saved.read_text(encoding="utf-8").splitlines()
                if line and not line.startswith("#")]


@run_async
async def test_the_scan_prompt_starts_at_the_remembered_folder(world: World, tui: Opener) -> None:
    world.catalog.remember_folder(str(world.music))
    session, config = tui.session(world, device=None)
    jobs = BackgroundJobs(world.home, world.catalog, session, folders=[], analyze=False)
    app = make_app(world, session, config, jobs=jobs)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("s")
        await wait_for(pilot, lambda: isinstance(app.screen, PathPromptScreen))
        assert app.screen.query_one(Input).value == str(world.music) + "/"
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, PathPromptScreen)


@run_async
async def test_keys_typed_before_the_prompt_has_the_focus_go_into_it(world: World, tui: Opener) -> None:
    """A fast typist right after ctrl+s (or a loaded machine): keys that reach the prompt
    before its input has the focus are typed into it, never taken as the player's keys."""
    session, app = tui(world, device=None)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("down", "a")
        await pilot.pause()
        queued = len(session.up_next)
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, PathPromptScreen))
        field = app.screen.query_one(Input)
        app.screen.set_focus(None)  # as between the prompt's arrival and its input's focus
        await pilot.press("ctrl+u", "a", "n", "x", "backspace", "d")
        await pilot.pause()
        assert field.value == "and" and app.screen.focused is field
        assert isinstance(app.screen, PathPromptScreen)  # "a", "n", "d" played nothing, queued nothing
        assert len(session.up_next) == queued
        app.screen.set_focus(None)
        target = world.music / "fast.m3u8"
        field.value = str(target)
        await pilot.press("enter")
        await wait_for(pilot, lambda: not isinstance(app.screen, PathPromptScreen))
        assert target.is_file()
