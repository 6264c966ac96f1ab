"""End to end in a real terminal: musitui in tmux on the demo library, driven by keys.

The demo library is written (shortened) and scanned with the real CLI; instead of the slow
librosa analysis, its ground truth (demo.csv: style, valence, arousal) becomes the analysis
summary and feature vectors, so the run takes seconds. Then:
`musitui --home H --device null --no-analyze DEMO`, keys sent with send-keys, the screen
read with capture-pane.
"""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import numpy as np
import pytest

pytestmark = [pytest.mark.e2e,
              pytest.mark.skipif(shutil.which("tmux") is None, reason="needs tmux")]

STYLES = ["happy", "energetic", "calm", "sad", "intense"]


def musitui_command() -> list[str]:
    return [sys.executable, "-m", "musitui"]


def prepare(tmp_path: Path) -> tuple[Path, Path, dict[str, str]]:
    from musitui.core.model import Analysis
    from musitui.library.demo import write_demo_library
    from musitui.paths import Home
    from musitui.store.catalog import Catalog
    from musitui.store.features import FILE_NAME, FeatureStore

    demo, home_dir = tmp_path / "demo", tmp_path / "home"
    write_demo_library(demo, seconds_scale=0.5)
    subprocess.run([*musitui_command(), "--home", str(home_dir), "scan", "--no-analyze", str(demo)],
                   check=True, capture_output=True, timeout=120)
    home = Home(home_dir, home_dir)
    catalog = Catalog.open(home)
    with open(demo / "demo.csv", encoding="utf-8") as handle:
        truth = {row["path"]: row for row in csv.DictReader(handle)}
    ids, rows = [], []
    for track in catalog.tracks.values():
        row = truth[os.path.relpath(track.path, demo)]
        valence, arousal = float(row["valence"]), float(row["arousal"])
        track.analysis = Analysis(1, float(row["tempo"]), row["key"], row["mode"], valence,
                                  arousal, row["style"])
        vector = np.zeros(len(STYLES) + 2, dtype=np.float32)
        vector[STYLES.index(row["style"])] = 1.0
        vector[-2:] = (valence, arousal)
        ids.append(track.id)
        rows.append(vector)
    catalog.save()
    store = FeatureStore(home.features_dir / FILE_NAME, version=1,
                         names=[*STYLES, "valence", "arousal"])
    store.put_many(ids, np.stack(rows))
    store.save()
    return demo, home_dir, {row["title"]: row["style"] for row in truth.values()}


class Tmux:
    """A private tmux server (its own socket), so other tmux users cannot resize it."""

    def __init__(self, name: str) -> None:
        self.name = name

    def run(self, *args: str) -> str:
        out = subprocess.run(["tmux", "-L", self.name, *args], capture_output=True, text=True,
                             check=True)
        return out.stdout

    def start(self, command: str, width: int = 120, height: int = 40) -> None:
        self.run("new-session", "-d", "-s", self.name, "-x", str(width), "-y", str(height), command)
        self.run("resize-window", "-t", self.name, "-x", str(width), "-y", str(height))

    def capture(self) -> list[str]:
        return self.run("capture-pane", "-p", "-t", self.name).splitlines()

    def keys(self, *keys: str) -> None:
        self.run("send-keys", "-t", self.name, *keys)

    def kill(self) -> None:
        subprocess.run(["tmux", "-L", self.name, "kill-server"], capture_output=True)

    def wait(self, condition, timeout: float = 15.0) -> list[str]:
        deadline = time.monotonic() + timeout
        while True:
            lines = self.capture()
            if condition(lines):
                return lines
            if time.monotonic() > deadline:
                raise AssertionError("screen never matched:\n" + "\n".join(lines))
            time.sleep(0.1)


def up_next_rows(lines: list[str]) -> list[str]:
    """The numbered rows of the Up next panel (right of the library pane)."""
    rows = []
    for line in lines:
        if "││" in line:
            right = line.split("││", 1)[1].strip(" │")
            if right[:2].strip().isdigit():
                rows.append(right)
    return rows


def title_of(row: str) -> str:
    """``"3 Slow Clouds · Lumen Quiet  1.00"`` → ``"Slow Clouds"``."""
    return row.split(" ", 1)[1].split(" · ", 1)[0].strip()


def now_playing(lines: list[str]) -> str:
    return next((line for line in lines if line.startswith((" ▶", " ‖", " ■"))), "")


def exit_status(status: Path, seconds: float) -> str:
    """The player's exit code, once the shell has written it (waiting up to ``seconds``)."""
    deadline = time.monotonic() + seconds
    while not status.exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    return status.read_text().strip()


def start_in_tmux(tmp_path: Path, demo: Path, home: Path) -> tuple[Tmux, Path]:
    """musitui on ``demo`` in a private tmux server; ``status`` gets its exit code."""
    status = tmp_path / "status"
    command = " ".join([*musitui_command(), "--home", str(home), "--device", "null",
                        "--no-analyze", str(demo)])
    tmux = Tmux(f"musitui-e2e-{uuid.uuid4().hex[:8]}")
    tmux.start(f"cd {os.getcwd()} && {command}; echo $? > {status}.part && mv {status}.part {status}; sleep 30")
    return tmux, status


def test_play_skip_mood_quit_in_tmux(tmp_path: Path) -> None:
    demo, home, style_of = prepare(tmp_path)
    tmux, status = start_in_tmux(tmp_path, demo, home)
    try:
        # The library shows first; Up next fills in once the session is open.
        lines = tmux.wait(lambda ls: any("Library · 24 tracks" in line for line in ls)
                          and len(up_next_rows(ls)) >= 5, 30)
        assert len(up_next_rows(lines)) >= 5

        tmux.keys("Enter")  # play the selected (first) track
        lines = tmux.wait(lambda ls: now_playing(ls).startswith(" ▶")
                          and any(line.lstrip().startswith("0:01") for line in ls))
        playing = now_playing(lines)

        before = up_next_rows(lines)
        tmux.keys("n")  # an early skip
        lines = tmux.wait(lambda ls: now_playing(ls) != playing and up_next_rows(ls) != before)
        assert now_playing(lines).startswith(" ▶")
        assert title_of(before[0]) in now_playing(lines)  # the head of Up next played next

        tmux.keys("3")  # calm
        lines = tmux.wait(lambda ls: "● calm" in ls[0]
                          and style_of.get(title_of(up_next_rows(ls)[0])) == "calm")
        calm = up_next_rows(lines)
        tmux.keys("5")  # intense: the order changes, Blackforge leads
        lines = tmux.wait(lambda ls: "● intense" in ls[0]
                          and style_of.get(title_of(up_next_rows(ls)[0])) == "intense")
        assert up_next_rows(lines) != calm

        tmux.keys("q")
        assert exit_status(status, 15) == "0"
    finally:
        tmux.kill()


@pytest.mark.parametrize("signum", [1, 15])  # SIGHUP (the terminal closed), SIGTERM
def test_a_signal_saves_the_resume_state_in_a_real_terminal(tmp_path: Path, signum: int) -> None:
    import json

    demo, home, _ = prepare(tmp_path)
    tmux, status = start_in_tmux(tmp_path, demo, home)
    try:
        tmux.wait(lambda ls: any("Library · 24 tracks" in line for line in ls)
                  and len(up_next_rows(ls)) >= 5, 30)
        tmux.keys("3")  # calm
        tmux.wait(lambda ls: "● calm" in ls[0])
        shell = int(tmux.run("list-panes", "-t", tmux.name, "-F", "#{pane_pid}").split()[0])
        children = subprocess.run(["ps", "-o", "pid=", "--ppid", str(shell)], capture_output=True,
                                  text=True).stdout.split()
        assert len(children) == 1
        os.kill(int(children[0]), signum)
        assert exit_status(status, 20) == str(128 + signum)
        state = json.loads((home / "state.json").read_text())
        assert state["mood"] == "calm"
    finally:
        tmux.kill()


def marked(lines: list[str]) -> list[str]:
    """The library pane's rows (left of ``││``) marked with ``●``, as shown."""
    return [row for row in (line.split("││", 1)[0] for line in lines if "││" in line)
            if "●" in row]


def test_marks_saved_as_a_playlist_play_after_a_restart(tmp_path: Path) -> None:
    demo, home, _ = prepare(tmp_path)
    tmux, status = start_in_tmux(tmp_path, demo, home)
    try:
        tmux.wait(lambda ls: any("Library · 24 tracks" in line for line in ls)
                  and len(up_next_rows(ls)) >= 5, 60)
        tmux.keys("j")  # from the second row: the playlist's first track is not the first row
        tmux.keys("t")  # mark one row (the cursor moves on)
        tmux.wait(lambda ls: len(marked(ls)) == 1, 60)
        tmux.keys("V")  # and a range of three from there
        tmux.keys("j")
        tmux.keys("j")
        tmux.keys("V")
        marked_rows = marked(tmux.wait(lambda ls: len(marked(ls)) == 4, 60))
        first = marked_rows[0].split("●", 1)[1].strip(" │").split("  ")[0].strip()
        assert first, marked_rows

        tmux.keys("C-s")
        tmux.wait(lambda ls: any("Save the 4 marked tracks" in line for line in ls), 60)
        default = home / "playlists" / "queue.m3u8"
        tmux.wait(lambda ls: any("playlists/queue.m3u8" in line for line in ls), 60)
        tmux.keys("C-u")  # the prompt's default path, replaced by a name of ours
        saved = home / "playlists" / "e2e picks.m3u8"
        tmux.keys("-l", str(saved))
        tmux.wait(lambda ls: any("playlists/e2e picks.m3u8" in line for line in ls), 60)
        tmux.keys("Enter")
        tmux.wait(lambda ls: saved.exists(), 60)
        assert not default.exists()
        entries = [line for line in saved.read_text(encoding="utf-8").splitlines()
                   if line and not line.startswith("#")]
        assert len(entries) == 4

        tmux.keys("q")
        assert exit_status(status, 60) == "0"
    finally:
        tmux.kill()

    status.unlink()
    tmux, status = start_in_tmux(tmp_path, demo, home)
    try:
        tmux.wait(lambda ls: any("Library · 24 tracks" in line for line in ls)
                  and len(up_next_rows(ls)) >= 5, 60)
        tmux.keys("P")
        tmux.wait(lambda ls: any("e2e picks" in line for line in ls)
                  and any("Playlists ·" in line for line in ls), 60)
        tmux.keys("Enter")  # the highlighted (only) playlist plays from its first track
        lines = tmux.wait(lambda ls: now_playing(ls).startswith(" ▶") and first in now_playing(ls),
                          60)
        assert first in now_playing(lines)
        tmux.keys("q")
        assert exit_status(status, 60) == "0"
    finally:
        tmux.kill()
