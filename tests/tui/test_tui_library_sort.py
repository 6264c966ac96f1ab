"""Pilot tests of the library view's sortable columns and field filters, and the status line."""

from __future__ import annotations

from pathlib import Path

import pytest
from tui_helpers import Opener, World, build_world, make_app, run_async, screen_lines

from musitui.tui.bars import KeyHints, NowPlaying
from musitui.tui.library_view import LibraryHeader, LibraryView

SIZE = (120, 40)


@pytest.fixture
def world(tmp_path: Path) -> World:
    world = build_world(tmp_path)
    years = {"Aurora Lights": 2011, "Delta Nine": 1999, "Still Water": 2020, "Grey Piano": 1987}
    for track in world.catalog.tracks.values():
        track.year = years[track.artist]
    world.catalog.save()
    return world


def titles(view: LibraryView) -> list[str]:
    return [view.model.row(i).label for i in range(len(view.model))]


def header(app) -> str:
    return str(app.query_one(LibraryHeader).render())


@run_async
async def test_sort_key_cycles_columns_and_reverse_keeps_the_selected_track(world: World,
                                                                            tui: Opener) -> None:
    session, app = tui(world, device=None)
    async with app.run_test(size=SIZE) as pilot:
        view = app.query_one(LibraryView)
        assert "Artist ▲" in header(app)
        assert [view.model.row(i).artist for i in range(0, 12, 3)] == [
            "Aurora Lights", "Delta Nine", "Grey Piano", "Still Water"]
        await pilot.press("down", "down", "down", "down")  # Harbour Delta
        selected = view.selected_track()
        await pilot.press("S")  # album
        await pilot.pause()
        assert "Album ▲" in header(app) and "Artist ▲" not in header(app)
        assert [view.model.row(i).album for i in range(0, 12, 3)] == [
            "Overdrive", "Quiet Hours", "Rain Letters", "Sunny Side"]
        assert view.selected_track().id == selected.id  # the cursor followed its track
        await pilot.press("S", "S")  # title, then year
        await pilot.pause()
        assert "Year ▲" in header(app)
        years = [view.model.row(i).extra for i in range(12)]
        assert years == ["1987"] * 3 + ["1999"] * 3 + ["2011"] * 3 + ["2020"] * 3
        # The year column is drawn on screen beside the title.
        assert "1987" in screen_lines(view)[0]
        await pilot.press("R")
        await pilot.pause()
        assert "Year ▼" in header(app)
        assert [view.model.row(i).extra for i in range(0, 12, 3)] == ["2020", "2011", "1999", "1987"]
        # Ties keep the shelf's order (album, track number) in either direction.
        assert titles(view)[:3] == ["Morning Still", "Harbour Still", "Échappée Still"]
        assert view.selected_track().id == selected.id


@run_async
async def test_plays_sort_uses_the_history(world: World, tui: Opener) -> None:
    session, config = tui.session(world, device=None)
    tracks = sorted(world.catalog.tracks.values(), key=lambda t: t.id)
    most, second = tracks[7], tracks[2]
    for _ in range(3):
        session.history.log("play", most, ts=1_700_000_000.0)
    session.history.log("play", second, ts=1_700_000_100.0)
    app = make_app(world, session, config)
    async with app.run_test(size=SIZE) as pilot:
        view = app.query_one(LibraryView)
        app.sort_library("plays", True)
        await pilot.pause()
        assert "Plays ▼" in header(app)
        assert [view.model.track_at(i).id for i in range(2)] == [most.id, second.id]
        assert [view.model.row(i).extra for i in range(3)] == ["3", "1", ""]
        app.sort_library("last played", True)
        await pilot.pause()
        assert [view.model.track_at(i).id for i in range(2)] == [second.id, most.id]
        assert view.model.row(2).extra == "never"


@run_async
async def test_field_filters_combine_with_free_text(world: World, tui: Opener) -> None:
    session, app = tui(world, device=None)
    async with app.run_test(size=SIZE) as pilot:
        view = app.query_one(LibraryView)
        await pilot.press("slash", *"genre:ambient")
        await pilot.pause()
        assert {view.model.row(i).artist for i in range(len(view.model))} == {"Still Water"}
        assert len(view.model) == 3
        await pilot.press(*" mood:calm")
        await pilot.pause()
        assert len(view.model) == 3
        await pilot.press("escape")
        await pilot.press("slash", *'artist:"GREY piano" harbour')  # case-insensitive, quoted
        await pilot.pause()
        assert titles(view) == ["Harbour Grey"]
        await pilot.press("escape")
        await pilot.press("slash", *"mood:sad mood:happy")  # every filter must hold
        await pilot.pause()
        assert len(view.model) == 0
        await pilot.press("escape")
        # Accents are ignored in filters too; the filtered list can be sorted.
        await pilot.press("slash", *"album:sunny")
        await pilot.press("enter")
        await pilot.press("S", "S")  # album, title
        await pilot.pause()
        assert titles(view) == ["Échappée Aurora", "Harbour Aurora", "Morning Aurora"]
        assert "3 of 12" in app.query_one("#library-title").text
        # An unknown field is plain text: it matches nothing here, and no traceback.
        await pilot.press("slash", "ctrl+u", *"colour:red")
        await pilot.pause()


@run_async
async def test_palette_entries_sort_and_filter(world: World, tui: Opener) -> None:
    session, app = tui(world, device=None)
    async with app.run_test(size=SIZE) as pilot:
        view = app.query_one(LibraryView)
        await pilot.press("ctrl+p", *"filter: mood:energetic")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert {view.model.row(i).artist for i in range(len(view.model))} == {"Delta Nine"}
        await pilot.press("escape")
        await pilot.press("ctrl+p", *'filter: genre:"classical"')
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause()
        assert {view.model.row(i).artist for i in range(len(view.model))} == {"Grey Piano"}
        await pilot.press("ctrl+p", *"sort by: duration, reversed")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert view.model.sort == "duration" and view.model.reverse


def test_artists_differing_by_case_or_accents_are_one_in_the_browser(tmp_path: Path) -> None:
    from musitui.core.model import Track
    from musitui.tui.library_model import LibraryModel

    names = ["Björk", "bjork", "Björk", "BJÖRK", "Sigur Rós", "東京事変", "バンド", "ハンド"]
    tracks = [Track(id=i + 1, path=f"/m/{i}.flac", title=f"t{i}", artist=name, album="A")
              for i, name in enumerate(names)]
    model = LibraryModel(tracks)
    # A kana's voicing mark is not an accent: バンド and ハンド stay two artists.
    assert model.artists() == ["Björk", "Sigur Rós", "ハンド", "バンド", "東京事変"]
    model.toggle_mode()
    assert len(model.tracks_at(0)) == 4  # the one artist row holds all four spellings
    model.set_query('artist:"bjork"')
    assert len(model) == 4


@run_async
async def test_status_line_says_what_plays_and_how(world: World, tui: Opener) -> None:
    session, app = tui(world, device="null")
    async with app.run_test(size=(160, 40)) as pilot:
        track = app.query_one(LibraryView).selected_track()
        track.replaygain = {"track_gain": -6.2}
        await pilot.press("enter")
        await pilot.pause(0.3)
        line = str(app.query_one(NowPlaying).render()).splitlines()[1]
        # 8 kHz mono 16-bit PCM: 128 kb/s, plus the WAV header.
        assert "wav 8 kHz ~128 kb/s" in line and "RG track -6.2 dB" in line
        assert "queue 8 · " in line and "radio" in line and "/0:40" not in line
        assert "0:40" in line


@run_async
async def test_footer_and_status_line_draw_whole_pieces_at_80x24(world: World, tui: Opener) -> None:
    session, app = tui(world, device="null")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("enter")
        await pilot.pause(0.3)
        line = str(app.query_one(NowPlaying).render()).splitlines()[1]
        assert len(line) <= 80
        pieces = line.split("0:40", 1)[1].strip().split(" · ")
        assert pieces[:2] == ["queue 8", "0:40"] or pieces[0] == "queue 8"
        footer = app.query_one(KeyHints)
        shown = footer.shown(80)
        drawn = str(footer.render())
        assert len(drawn) <= 80
        assert all(f" {key} {label} " in drawn for key, label, _ in shown)
        assert any(action == "help" for _, _, action in shown)
        assert len(shown) < len(footer.hints)  # some left out whole, none cut


def test_pieces_that_do_not_fit_are_left_out_whole() -> None:
    from musitui.tui.bars import fit_pieces

    assert fit_pieces(["queue 8", "radio", "flac 44.1 kHz"], 15) == "queue 8 · radio"
    assert fit_pieces(["queue 8", "radio"], 6) == ""


def test_replaygain_text_is_the_gain_the_session_applies() -> None:
    from musitui.core.model import Track
    from musitui.tui.bars import replaygain_text

    track = Track(id=1, path="/m/a.flac", replaygain={"track_gain": -6.2, "album_gain": -4.0})
    assert replaygain_text(track, "track") == "RG track -6.2 dB"
    assert replaygain_text(track, "album", 1.0) == "RG album -3.0 dB"
    assert replaygain_text(track, "off") == "RG off"
    assert replaygain_text(Track(id=2, path="/m/b.flac"), "track", 2.0) == "RG none"
    only_album = Track(id=3, path="/m/c.flac", replaygain={"album_gain": -4.0})
    assert replaygain_text(only_album, "track", 2.0) == "RG preamp +2.0 dB"
