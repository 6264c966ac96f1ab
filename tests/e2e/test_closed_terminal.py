"""The terminal goes away (the tmux server is killed, closing the pty) while the help screen,
the prompt box or the lyrics view is open: the player saves its state and exits, whatever
screen is up. Nobody would hear it play on, and its finishes would teach the taste model."""

from __future__ import annotations

import json
import os
import shutil
import signal
import sys
import time
import uuid
from pathlib import Path

import pytest
from test_e2e_tmux import Tmux, prepare, up_next_rows

pytestmark = [pytest.mark.e2e,
              pytest.mark.skipif(shutil.which("tmux") is None, reason="needs tmux")]


def alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().split(")")[-1].split()[0] != "Z"
    except FileNotFoundError:
        return False


@pytest.mark.parametrize("screen", ["library", "help", "prompt", "lyrics", "lyrics-pane",
                                    "help+sigterm"])
def test_the_player_exits_when_its_terminal_goes_away(tmp_path: Path, screen: str) -> None:
    demo, home, _ = prepare(tmp_path)
    name = f"musitui-hup-{uuid.uuid4().hex[:8]}"
    command = " ".join([sys.executable, "-m", "musitui", "--home", str(home), "--device", "null",
                        "--no-analyze", str(demo)])
    tmux = Tmux(name)
    tmux.start(f"cd {os.getcwd()} && exec {command}")
    try:
        tmux.wait(lambda ls: any("Library · 24 tracks" in line for line in ls)
                  and len(up_next_rows(ls)) >= 5, 60)
        pid = int(tmux.run("list-panes", "-t", name, "-F", "#{pane_pid}").split()[0])
        tmux.keys("3")  # calm: what the saved state must show
        tmux.wait(lambda ls: "● calm" in ls[0])
        tmux.keys("Enter")
        tmux.wait(lambda ls: any(line.startswith(" ▶ ") for line in ls))
        if screen.startswith("help"):
            tmux.keys("?")
            tmux.wait(lambda ls: any("musitui keys" in line for line in ls))
        elif screen == "prompt":
            tmux.keys("p")
            tmux.wait(lambda ls: any("Describe what you want" in line for line in ls))
            tmux.keys("c", "a", "l", "m")
        elif screen == "lyrics":
            tmux.keys("l")
            tmux.wait(lambda ls: any("esc / l to close" in line for line in ls))
        elif screen == "lyrics-pane":
            before = tmux.capture()
            tmux.keys("L")
            tmux.wait(lambda ls: ls[2] != before[2])  # the lists make room for the pane
        if screen.endswith("+sigterm"):  # a signal with the terminal still there
            os.kill(pid, signal.SIGTERM)
            deadline = time.monotonic() + 60
            while alive(pid) and time.monotonic() < deadline:
                time.sleep(0.2)
    finally:
        tmux.kill()  # the terminal goes away: the pty closes under the player
    deadline = time.monotonic() + 60
    while alive(pid) and time.monotonic() < deadline:
        time.sleep(0.2)
    if alive(pid):
        os.kill(pid, 9)
        raise AssertionError(f"the player was still running 60 s after its terminal closed ({screen})")
    state = json.loads((home / "state.json").read_text())
    assert state["mood"] == "calm"
