"""The `musitui [FOLDER]` entry: folder choice and refusing to run without a terminal."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from musitui.commands.ui import choose_folders


def test_folder_argument_wins_and_must_exist(tmp_path: Path) -> None:
    music = tmp_path / "Music"
    music.mkdir()
    given = tmp_path / "given"
    given.mkdir()
    assert choose_folders(str(given), ["/remembered"], [], music) == ([str(given.resolve())], None)
    folders, problem = choose_folders(str(tmp_path / "nope"), [], [], music)
    assert folders == [] and problem is not None and "is not a folder" in problem


def test_remembered_then_music_then_nothing(tmp_path: Path) -> None:
    music = tmp_path / "Music"
    assert choose_folders(None, ["/a", "/b"], ["/b", "/c"], music) == (["/a", "/b", "/c"], None)
    assert choose_folders(None, [], [], music) == ([], None)  # the app offers the demo library
    music.mkdir()
    assert choose_folders(None, [], [], music) == ([str(music)], None)


def test_without_a_terminal_it_says_so_in_one_line(tmp_path: Path) -> None:
    out = subprocess.run([sys.executable, "-m", "musitui", "--home", str(tmp_path)],
                         stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60)
    assert out.returncode == 2
    assert out.stderr.count("\n") == 1 and "needs a terminal" in out.stderr
    assert "Traceback" not in out.stderr
