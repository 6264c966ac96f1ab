"""Hostile lyrics: a 400-digit offset, a FIFO named track.lrc, 52,000 stamps, escape sequences
in LRC/embedded text. Scans finish, the analysis runs, the lyrics view shows printable text
and repaints only what changed."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from library_helpers import make_track
from tui_helpers import Opener, World, run_async, wait_for

from musitui.tui.library_view import LibraryView
from musitui.tui.lyrics_screen import LyricsLines, LyricsScreen, wrap_rows
from musitui.words import lrc as lrc_module
from musitui.words.lrc import parse_lrc
from musitui.words.lyrics import lyrics_for

REPO = Path(__file__).resolve().parents[2]
HUGE_OFFSET = "[offset:" + "9" * 400 + "]\n[00:01.00]one\n[00:02.00]two\n"
ESCAPES = "[00:00.00]\x1b]0;owned\x07first\x1b[2J\n[00:00.50]\x9b31msecond\u202e line\n"


def many_stamps(count: int) -> str:
    return "".join(f"[{i // 6000:02d}:{i // 100 % 60:02d}.{i % 100:02d}]" for i in range(count)) + "la\n"


def test_a_400_digit_offset_is_ignored_not_fatal() -> None:
    lrc = parse_lrc(HUGE_OFFSET)
    assert lrc.offset_ms == 0 and lrc.times == [1.0, 2.0] and lrc.lines == ["one", "two"]
    assert parse_lrc("[offset:-" + "1" * 5000 + "]\n[00:01.00]x").times == [1.0]
    assert parse_lrc("[offset:+1500]\n[00:02.00]x").times == [0.5]


def test_one_line_of_52000_stamps_is_parsed_in_place_and_capped(monkeypatch: pytest.MonkeyPatch) -> None:
    text = many_stamps(52000)
    assert len(text) > 500_000
    sliced: list[int] = []
    real = lrc_module.STAMP

    class Counting:  # a re-slicing parser would match on ever-shorter copies of the line
        def match(self, line: str, pos: int = 0):
            sliced.append(len(line))
            return real.match(line, pos)

    monkeypatch.setattr(lrc_module, "STAMP", Counting())
    lrc = parse_lrc(text)
    assert len(lrc.times) == lrc_module.MAX_TIMED and lrc.lines[0] == "la"
    assert lrc.times == sorted(lrc.times)
    assert set(sliced) <= {len(text.strip())}  # every match ran on the one, whole line


def test_a_fifo_sidecar_is_skipped(tmp_path: Path) -> None:
    song = make_track(tmp_path, "track.wav", "wav")
    os.mkfifo(tmp_path / "track.lrc")
    found = lyrics_for(str(song), "embedded words")  # would block forever opening the FIFO
    assert found is not None and found.source == "embedded"


def musitui(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run([sys.executable, "-m", "musitui", "--home", str(home), *args],
                          capture_output=True, text=True, env=env, timeout=300)


def test_scan_and_analysis_survive_hostile_sidecars(tmp_path: Path) -> None:
    music = tmp_path / "music"
    make_track(music, "a.wav", "wav", seconds=3.0, title="A", artist="X")
    make_track(music, "b.wav", "wav", seconds=3.0, freq=660.0, title="B", artist="X")
    make_track(music, "c.wav", "wav", seconds=3.0, freq=330.0, title="C", artist="X")
    (music / "a.lrc").write_text(HUGE_OFFSET, encoding="utf-8")
    (music / "b.lrc").write_text(many_stamps(52000), encoding="utf-8")
    os.mkfifo(music / "c.lrc")
    done = musitui(tmp_path / "home", "scan", "--json", "--no-tagger", str(music))
    assert done.returncode == 0, done.stderr[-2000:]
    assert "Traceback" not in done.stderr
    report = json.loads(done.stdout)
    assert report["tracks"] == 3 and report["analyzed"] == 3 and report["errors"] == []
    tracks = json.loads(musitui(tmp_path / "home", "tracks", "--json").stdout)
    assert all(t["analyzed"] for t in tracks) and len(tracks) == 3


def test_rows_wrap_by_cells_and_are_printable() -> None:
    rows, first = wrap_rows(["\x1b]0;t\x07ab\x1b[2Jcd", "漢字漢字漢字"], 4)
    assert [text for _, text in rows] == ["abcd", "漢字", "漢字", "漢字"]
    assert first == [0, 1]


@run_async
async def test_lyrics_view_shows_printable_text_and_repaints_two_lines(world: World, tui: Opener) -> None:
    session, app = tui(world)
    async with app.run_test(size=(120, 40)) as pilot:
        first = app.query_one(LibraryView).selected_track()
        Path(first.path).with_suffix(".lrc").write_text(ESCAPES + HUGE_OFFSET, encoding="utf-8")
        first.title = "\x1b]0;owned\x07Title\x9b2J"
        await pilot.press("enter")
        await wait_for(pilot, lambda: session.player.state == "playing")
        session.player.pause()
        await pilot.press("l")
        await wait_for(pilot, lambda: isinstance(app.screen, LyricsScreen))
        screen = app.screen
        await wait_for(pilot, lambda: screen.lyrics is not None and screen.lyrics.synced)
        assert screen.shown.splitlines()[:2] == ["first", "second line"]
        assert all(ch.isprintable() for ch in screen.shown.replace("\n", ""))
        title = str(screen.query_one(".lyrics-title").render())
        assert "\x1b" not in title and "\x9b" not in title and "owned" not in title
        await wait_for(pilot, lambda: screen.current == screen.lyrics.lrc.index_at(session.position))
        lines = screen.query_one(LyricsLines)
        painted: list[tuple[int, int]] = []
        real = lines.refresh_lines
        lines.refresh_lines = lambda start, count=1: (painted.append((start, count)), real(start, count))[1]
        before = lines.current
        lines.highlight(3)
        lines.highlight(1)
        # the old and the new line, nothing else
        assert painted == [(lines.first[before], 1), (3, 1), (3, 1), (1, 1)]
