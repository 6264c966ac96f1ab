"""End to end over D-Bus: musitui in tmux on the demo library, driven by playerctl.

A private session bus comes from ``dbus-run-session`` (its child prints the bus address and
waits); musitui (``--device null``) and every ``playerctl -p musitui`` call use that bus.
Each remote command is checked twice: what playerctl reports and what the TUI shows.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from test_e2e_tmux import Tmux, musitui_command, now_playing, prepare, title_of, up_next_rows

pytestmark = [pytest.mark.e2e,
              pytest.mark.skipif(any(shutil.which(tool) is None for tool in
                                     ("tmux", "playerctl", "dbus-run-session")),
                                 reason="needs tmux, playerctl and dbus-run-session")]

WAIT_FOR_STDIN = "import os, sys; print(os.environ['DBUS_SESSION_BUS_ADDRESS'], flush=True); sys.stdin.read()"


class SessionBus:
    """A bus that lives as long as the child of dbus-run-session does."""

    def __init__(self) -> None:
        self.process = subprocess.Popen(["dbus-run-session", "--", sys.executable, "-c", WAIT_FOR_STDIN],
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        stderr=subprocess.DEVNULL, text=True)
        self.address = self.process.stdout.readline().strip()
        assert self.address, "dbus-run-session gave no bus address"

    def close(self) -> None:
        self.process.stdin.close()
        self.process.wait(timeout=10)


def playerctl(bus: SessionBus, *args: str) -> str:
    out = subprocess.run(["playerctl", "-p", "musitui", *args], capture_output=True, text=True,
                         env={**os.environ, "DBUS_SESSION_BUS_ADDRESS": bus.address}, timeout=10)
    return out.stdout.strip() if out.returncode == 0 else f"(failed: {out.stderr.strip()})"


def wait_for(read, condition, timeout: float = 15.0):
    deadline = time.monotonic() + timeout
    while True:
        value = read()
        if condition(value):
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"never matched; last value:\n{value if isinstance(value, str) else value!r}")
        time.sleep(0.1)


def metadata(bus: SessionBus) -> dict[str, str]:
    text = playerctl(bus, "metadata", "--format",
                     "{{mpris:trackid}}\t{{xesam:title}}\t{{xesam:artist}}\t{{xesam:album}}"
                     "\t{{mpris:length}}\t{{mpris:artUrl}}")
    keys = ["trackid", "title", "artist", "album", "length", "art"]
    values = text.split("\t")  # an empty last field (no artUrl) was stripped with the newline
    return {key: values[i] if i < len(values) else "" for i, key in enumerate(keys)}


def test_playerctl_drives_the_player(tmp_path: Path) -> None:
    from musitui.library.cover import cover_kind

    demo, home, _ = prepare(tmp_path)
    (home / "config.toml").write_text('[ui]\ncover_art = "halfblocks"\n', encoding="utf-8")
    bus = SessionBus()
    tmux = Tmux(f"musitui-mpris-{uuid.uuid4().hex[:8]}")
    command = " ".join([f"DBUS_SESSION_BUS_ADDRESS='{bus.address}'", *musitui_command(),
                        "--home", str(home), "--device", "null", "--no-analyze", str(demo)])
    tmux.start(f"cd {os.getcwd()} && {command}; sleep 30")
    try:
        lines = tmux.wait(lambda ls: len(up_next_rows(ls)) >= 3, 30)
        assert wait_for(lambda: playerctl(bus, "status"), lambda s: s == "Stopped") == "Stopped"
        head = title_of(up_next_rows(lines)[0])

        # play-pause while stopped plays the head of Up next
        playerctl(bus, "play-pause")
        assert wait_for(lambda: playerctl(bus, "status"), lambda s: s == "Playing") == "Playing"
        meta = wait_for(lambda: metadata(bus), lambda m: m.get("title") == head)
        lines = tmux.wait(lambda ls: now_playing(ls).startswith(" ▶") and head in now_playing(ls))
        assert meta["artist"] in now_playing(lines)
        assert meta["trackid"].strip("'").startswith("/org/musitui/track/")
        assert int(meta["length"]) > 1_000_000  # microseconds

        # play-pause again pauses, on the bus and on screen
        playerctl(bus, "play-pause")
        assert wait_for(lambda: playerctl(bus, "status"), lambda s: s == "Paused") == "Paused"
        lines = tmux.wait(lambda ls: now_playing(ls).startswith(" ‖"))

        # next: the head of Up next plays, exactly as the n key does
        before = up_next_rows(lines)
        playerctl(bus, "next")
        following = title_of(before[0])
        meta = wait_for(lambda: metadata(bus), lambda m: m.get("title") == following)
        lines = tmux.wait(lambda ls: now_playing(ls).startswith(" ▶") and following in now_playing(ls))
        assert wait_for(lambda: playerctl(bus, "status"), lambda s: s == "Playing") == "Playing"

        # position: paused, then moved to 4 s; playerctl and the progress line agree
        playerctl(bus, "pause")
        tmux.wait(lambda ls: now_playing(ls).startswith(" ‖"))
        playerctl(bus, "position", "4")
        position = wait_for(lambda: playerctl(bus, "position"),
                            lambda p: p[:1].isdigit() and abs(float(p) - 4.0) < 0.2)
        assert abs(float(position) - 4.0) < 0.2
        tmux.wait(lambda ls: any(line.startswith(" 0:04 ") for line in ls))

        # volume
        playerctl(bus, "volume", "0.3")
        tmux.wait(lambda ls: "vol 30%" in now_playing(ls))
        assert float(playerctl(bus, "volume")) == pytest.approx(0.3)

        # the cover: a file:// URL of a cached picture exactly when the track has one
        playing = next(t for t in _catalog_paths(home) if Path(t).stem.endswith(following))
        if cover_kind(playing) is None:
            assert metadata(bus)["art"] == ""
            assert not any("▀" in line for line in cover_lines(tmux.capture()))
        else:
            art = wait_for(lambda: metadata(bus)["art"], lambda a: a.startswith("file://"))
            assert Path(art.removeprefix("file://")).is_file()
            tmux.wait(lambda ls: sum("▀" in line for line in cover_lines(ls)) >= 4)

        # then, from the TUI's keys, a track of the other kind: the library's first row
        # (Blackforge: no cover) or its fifth (Lumen Quiet: a cover.png beside it)
        has_cover = cover_kind(playing) is not None
        tmux.keys("g", *([] if has_cover else ["Down"] * 4), "Enter")
        title = "Iron Storm" if has_cover else "Still Water"
        track = next(t for t in _catalog_paths(home) if Path(t).stem.endswith(title))
        meta = wait_for(lambda: metadata(bus), lambda m: m.get("title") == title)
        if cover_kind(track) is None:
            tmux.wait(lambda ls: not any("▀" in line for line in cover_lines(ls)))
            assert meta["art"] == ""
        else:
            tmux.wait(lambda ls: sum("▀" in line for line in cover_lines(ls)) >= 4)
            # the art URL follows the title: the cover is looked up off the loop
            art = wait_for(lambda: metadata(bus)["art"], lambda a: a.startswith("file://"))
            assert Path(art.removeprefix("file://")).is_file()

        tmux.keys("q")
        assert wait_for(lambda: playerctl(bus, "status"), lambda s: s.startswith("(failed"))
    finally:
        tmux.kill()
        bus.close()


def cover_lines(lines: list[str]) -> list[str]:
    """The Now playing area: from its first line to the line above the footer."""
    start = next(i for i, line in enumerate(lines) if line.startswith((" ▶", " ‖", " ■")))
    return lines[start:-1]


def _catalog_paths(home: Path) -> list[str]:
    from musitui.paths import Home
    from musitui.store.catalog import Catalog

    return [t.path for t in Catalog.open(Home(home, home)).tracks.values()]
