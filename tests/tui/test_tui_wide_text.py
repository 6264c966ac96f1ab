"""Text wider than it is long: a CJK title keeps Now playing on its two lines (the progress
line stays in sight), and a 5,000-character key name neither binds nor breaks the help table."""

from __future__ import annotations

from rich.cells import cell_len
from rich.console import Console
from textual.app import App, ComposeResult
from tui_helpers import run_async

from musitui.core.model import Track
from musitui.tui.actions import resolve_keys
from musitui.tui.bars import NowPlaying, NowPlayingState
from musitui.tui.screens import HelpScreen

CJK = "千と千尋の神隠し　あの夏へ（オリジナル・サウンドトラック）" * 3


class Bar(App[None]):
    def compose(self) -> ComposeResult:
        yield NowPlaying(id="bar")


@run_async
async def test_a_cjk_title_keeps_now_playing_on_two_lines() -> None:
    app = Bar()
    async with app.run_test(size=(80, 6)) as pilot:
        bar = app.query_one(NowPlaying)
        track = Track(id=1, path="/m/a.flac", title=CJK, artist="久石譲", album=CJK, duration=200.0)
        bar.update_state(NowPlayingState(track=track, position=50.0, duration=200.0, state="playing"))
        await pilot.pause()
        lines = bar.render().plain.split("\n")
        assert len(lines) == 2
        assert all(cell_len(line) <= 80 for line in lines), [cell_len(line) for line in lines]
        assert "━" in lines[1] and "0:50" in lines[1]  # the progress line


def test_a_5000_character_key_name_is_refused_and_the_help_table_stays_readable() -> None:
    keys, problems = resolve_keys({"next": "x" * 5000, "x" * 5000: "n"})
    assert len(problems) == 2 and all(len(p) < 200 for p in problems)
    assert next(k for k in keys if k.name == "next").keys == "n"  # the default stays
    console = Console(width=100, record=True)
    console.print(HelpScreen(keys).binding_table())
    shown = console.export_text()
    assert "Next (a skip when early)" in shown and max(map(len, shown.splitlines())) <= 100
