"""Hostile text stays text: tags, file names and playlist lines reach no terminal raw, and
search finds titles in every script."""

from __future__ import annotations

import html
import json
from dataclasses import replace
from pathlib import Path

import pytest
from cli_helpers import musitui
from tui_helpers import Opener, build_world, run_async, screen_lines, wait_for

from musitui.text_safety import printable
from musitui.tui.search import SearchIndex, normalise

RETITLE = "\x1b]0;pwned\x07"  # sets the terminal's title
CLEAR = "\x1b[2J"  # clears the screen
CLIPBOARD = "\x1b]52;c;cHduZWQ=\x1b\\"  # OSC 52: writes the clipboard
HOSTILE = f"Nice{RETITLE}{CLEAR} Song{CLIPBOARD}\x9b31m\x07\x7f\u202eevil"
CONTROLS = {chr(c) for c in [*range(0x20), *range(0x7f, 0xa0)]} | set("\u202a\u202b\u202c\u202d\u202e")


def clean(text: str, allowed: str = "\n") -> bool:
    return not (set(text) - set(allowed)) & CONTROLS


def test_printable_removes_whole_escape_sequences_and_controls() -> None:
    assert printable(HOSTILE) == "Nice Songevil"
    assert printable("a\tb\nc\r\nd") == "a b c d"
    assert printable("a\tb\nc\r\nd\x1b[1m", multiline=True) == "a\tb\nc\nd"
    assert printable("bad \udcff byte") == "bad \ufffd byte"  # an undecodable file name byte
    for kept in ("Кино — Группа крови", "Σύννεφα", "東京事変", "أم كلثوم", "👩‍👩‍👧 café", "a b"):
        assert printable(kept) == kept
    assert printable(5) == "5"


def retag(catalog, track_id: int, **tags: str) -> None:
    catalog.tracks[track_id] = replace(catalog.get(track_id), **tags)


@pytest.fixture
def hostile_world(tmp_path: Path):
    world = build_world(tmp_path, per_artist=2, seconds=3.0)
    track = world.catalog.present()[0]
    retag(world.catalog, track.id, title=HOSTILE, artist=f"Band{CLIPBOARD}", album=CLEAR)
    world.catalog.save()
    return world, track.id


def test_text_commands_print_no_control_characters(hostile_world) -> None:
    world, track_id = hostile_world
    home = world.home.data_dir
    path = world.catalog.get(track_id).path
    outputs = {
        "tracks": musitui("tracks", home=home),
        "info": musitui("info", str(track_id), home=home),
        "event": musitui("event", "skip", path, "--at", "3", home=home),
    }
    outputs["history"] = musitui("history", home=home)
    outputs["recommend"] = musitui("recommend", "--after", path, "-n", "5", home=home)
    for name, done in outputs.items():
        assert done.returncode == 0, (name, done.stderr)
        assert clean(done.stdout) and clean(done.stderr), (name, done.stdout, done.stderr)
    assert "Nice Song" in outputs["tracks"].stdout and "Nice Song" in outputs["info"].stdout
    assert "Nice Song" in outputs["history"].stdout and "Nice Song" in outputs["event"].stdout
    # JSON keeps the data exactly (its encoder escapes control characters).
    shown = json.loads(musitui("info", str(track_id), "--json", home=home).stdout)
    assert shown["title"] == HOSTILE


def test_the_catalog_keeps_the_text_as_read(hostile_world) -> None:
    world, track_id = hostile_world
    assert world.catalog.get(track_id).title == HOSTILE


@run_async
async def test_the_tui_shows_hostile_tags_as_text(hostile_world, tui: Opener) -> None:
    from musitui.tui.library_view import LibraryView

    world, track_id = hostile_world
    session, app = tui(world, device="null")
    async with app.run_test(size=(120, 30)) as pilot:
        view = app.query_one(LibraryView)
        assert any("Nice Song" in line for line in screen_lines(view))
        session.play_track(track_id)
        await wait_for(pilot, lambda: session.now_playing is not None)
        app.notify(f"Playing {HOSTILE}")
        await pilot.press("v")  # the artists view: artist and album rows
        await pilot.pause()
        screen = html.unescape(app.export_screenshot()).replace("\xa0", " ")
        assert "Nice Song" in screen
        assert "\x1b" not in screen and "\x07" not in screen and "\x9b" not in screen
        assert "\u202e" not in screen


CYRILLIC, GREEK, CJK, ARABIC = "Группа крови", "Σύννεφα στον ουρανό", "東京事変 能動的三分間", "أنت عمري"


def test_search_keeps_letters_of_every_script() -> None:
    assert normalise("ГРУППА Крови!") == "группа крови"
    assert normalise("Σύννεφα") == "συννεφα"  # accent folded, letters kept
    assert normalise("東京事変・能動的") == "東京事変 能動的"
    titles = (CYRILLIC, GREEK, CJK, ARABIC, "Plain English")
    index = SearchIndex(lambda: [f" {normalise(t)} " for t in titles])
    assert index.search("группа") == [0]
    assert index.search("ГРУППА КРОВИ") == [0]
    assert index.search("συννέφα") == [1]
    assert index.search("能動") == [2]
    assert index.search("عمري") == [3]
    assert index.search("english") == [4]
    assert index.search("крови english") == []


@run_async
async def test_the_search_box_finds_a_cyrillic_title(tmp_path: Path, tui: Opener) -> None:
    from musitui.tui.library_view import LibraryView

    world = build_world(tmp_path, per_artist=2, seconds=3.0)
    track = world.catalog.present()[0]
    retag(world.catalog, track.id, title=CYRILLIC)
    world.catalog.save()
    session, app = tui(world, device=None)
    async with app.run_test(size=(100, 30)) as pilot:
        view = app.query_one(LibraryView)
        await wait_for(pilot, lambda: app.model.index.ready)
        await pilot.press("slash", *"крови")
        await pilot.pause()
        assert [view.model.track_at(i).title for i in range(len(view.model))] == [CYRILLIC]
