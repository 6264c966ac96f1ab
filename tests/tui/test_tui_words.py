"""Pilot tests: the lyrics view follows playback; the prompt box reranks Up next."""

from __future__ import annotations

from pathlib import Path

from tui_helpers import Opener, World, run_async, wait_for

from musitui.tui.library_view import LibraryView
from musitui.tui.lyrics_screen import NO_LYRICS, LyricsScreen
from musitui.words.prompt import parse_prompt

SIZE = (120, 40)
LRC = "[ti:Morning]\n[00:00.00]first line\n[00:01.20][00:30.00]second line\n[00:20.00]far line\n"


@run_async
async def test_lyrics_view_follows_playback_and_says_when_there_are_none(world: World,
                                                                         tui: Opener) -> None:
    session, app = tui(world)
    async with app.run_test(size=SIZE) as pilot:
        first = app.query_one(LibraryView).selected_track()
        Path(first.path).with_suffix(".lrc").write_text(LRC, encoding="utf-8")
        await pilot.press("enter")
        await wait_for(pilot, lambda: session.player.state == "playing")
        await pilot.press("l")
        await wait_for(pilot, lambda: isinstance(app.screen, LyricsScreen))
        screen = app.screen
        await wait_for(pilot, lambda: screen.lyrics is not None and screen.lyrics.synced)
        await wait_for(pilot, lambda: screen.current_line == "second line" and session.position >= 1.2)
        session.seek_to(21.0)
        await wait_for(pilot, lambda: screen.current_line == "far line")
        session.seek_to(31.0)
        await wait_for(pilot, lambda: screen.current_line == "second line" and screen.current == 3)
        assert "far line" in screen.shown
        session.next()  # the next track has no lyrics
        await wait_for(pilot, lambda: session.now_playing is not None and session.now_playing.id != first.id)
        await wait_for(pilot, lambda: screen.shown == NO_LYRICS)
        coming = session.up_next[0].track
        coming.lyrics = "plain words\nwith no stamps"  # embedded, unsynced
        session.next()
        await wait_for(pilot, lambda: session.now_playing is not None and session.now_playing.id == coming.id)
        await wait_for(pilot, lambda: screen.lyrics is not None and not screen.lyrics.synced)
        assert screen.shown.splitlines() == ["plain words", "with no stamps"] and screen.current is None
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, LyricsScreen))


@run_async
async def test_the_lyrics_pane_follows_playback_beside_the_lists(world: World, tui: Opener) -> None:
    from musitui.tui.bars import NowPlaying
    from musitui.tui.lyrics_screen import LyricsPanel

    session, app = tui(world)
    async with app.run_test(size=SIZE) as pilot:
        first = app.query_one(LibraryView).selected_track()
        Path(first.path).with_suffix(".lrc").write_text(LRC, encoding="utf-8")
        pane = app.query_one("#lyrics-pane", LyricsPanel)
        assert not pane.display
        await pilot.press("enter")
        await wait_for(pilot, lambda: session.player.state == "playing")
        await pilot.press("L")
        await wait_for(pilot, lambda: pane.current_line == "second line" and session.position >= 1.2)
        assert pane.display and app.screen is app.screen_stack[0]  # no screen on top
        assert pane.region.width > 10 and app.query_one(NowPlaying).region.height > 0
        assert app.query_one(LibraryView).region.width > 10
        session.seek_to(21.0)
        await wait_for(pilot, lambda: pane.current_line == "far line")
        await pilot.press("L")
        await pilot.pause()
        assert not pane.display


@run_async
async def test_prompt_box_reranks_up_next_and_quotes_the_prompt(world: World, tui: Opener) -> None:
    session, app = tui(world, device=None)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("p")
        await pilot.pause()
        for key in "very calm":
            await pilot.press("space" if key == " " else key)
        await pilot.press("enter")
        await wait_for(pilot, lambda: session.vibe is not None)
        await wait_for(pilot, lambda: "as you asked" in session.up_next[0].reason)
        artists = [item.track.artist for item in session.up_next]
        assert artists[0] == "Still Water"
        assert artists.index("Still Water") < artists.index("Delta Nine")  # calm before energetic
        assert "very calm, as you asked" in session.up_next[0].reason
        await pilot.press("p")
        await pilot.pause()
        from textual.widgets import Input

        box = app.screen.query_one(Input)
        assert box.value == "very calm"  # the prompt in force is shown again
        box.value = ""  # an empty line: back to the mood
        await pilot.press("enter")
        await wait_for(pilot, lambda: session.vibe is None)
        assert all("as you asked" not in item.reason for item in session.up_next)
        session.set_vibe(parse_prompt("sad"))
        assert session.vibe is not None
        await pilot.press("2")  # picking a mood replaces the prompt
        await wait_for(pilot, lambda: session.vibe is None and session.mood == "energetic")


@run_async
async def test_c_writes_a_note_shown_in_now_playing_and_kept_beside_the_history(world: World,
                                                                                  tui: Opener) -> None:
    from musitui.store.notes import Notes
    from musitui.tui.bars import NowPlaying

    session, app = tui(world)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter")
        await wait_for(pilot, lambda: session.player.state == "playing")
        playing = session.now_playing
        app.query_one(NowPlaying).focus()  # no list row selected: the note is on the playing track
        await pilot.press("c")
        await wait_for(pilot, lambda: app.screen.query("Input"))
        for key in "love it":
            await pilot.press("space" if key == " " else key)
        await pilot.press("enter")
        await wait_for(pilot, lambda: session.notes_on(playing.id) == ["love it"])
        await wait_for(pilot, lambda: app.query_one(NowPlaying).state.notes == "love it")
        assert "✎ love it" in str(app.query_one(NowPlaying).render())
        written = Notes.open(session.home).for_track(playing.id)
        assert [n.text for n in written] == ["love it"] and written[0].feel is not None and written[0].feel > 0
        assert session.lib.note_feel is not None and session.lib.note_feel[session.lib.row(playing.id)] > 0
