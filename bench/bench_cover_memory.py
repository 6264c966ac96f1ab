"""Peak memory of the player (the real TUI in tmux, half-block covers on) playing a track
beside a 3 GB sparse cover.jpg and one beside a 560 KB 12000 x 12000 PNG, against the same
run with ordinary covers (the baseline, measured in the same run).

    python bench/bench_cover_memory.py [--player-repo DIR]

``--player-repo`` runs the player of another checkout (e.g. one before the fix) in the
hostile run as well, for comparison.

Prints VmHWM (the process's peak resident memory) for each run; the hostile one must stay
at or below 300 MB (issue 24)."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "tests"), str(REPO / "tests" / "library")]

from library_helpers import make_track  # noqa: E402
from test_cover_hostile import huge_png  # noqa: E402

from musitui.library.demo_art import cover_image  # noqa: E402


def library(root: Path, hostile: bool) -> Path:
    music = root / "music"
    first, second = music / "one", music / "two"
    make_track(first, "a.wav", "wav", seconds=6.0, title="A", artist="X")
    make_track(second, "b.wav", "wav", seconds=6.0, freq=660.0, title="B", artist="Y")
    if hostile:
        with open(first / "cover.jpg", "wb") as handle:
            handle.write(cover_image("calm", "JPEG"))
            handle.truncate(3 * 1024**3)
        huge_png(second / "cover.png")
    else:
        (first / "cover.jpg").write_bytes(cover_image("calm", "JPEG"))
        (second / "cover.png").write_bytes(cover_image("happy", "PNG"))
    return music


def tmux(name: str, *args: str) -> str:
    return subprocess.run(["tmux", "-L", name, *args], capture_output=True, text=True).stdout


def peak_mb(root: Path, hostile: bool, player: Path = REPO) -> tuple[int, bool]:
    music = library(root, hostile)
    home = root / "home"
    home.mkdir()
    (home / "config.toml").write_text('[ui]\ncover_art = "halfblocks"\nmpris = false\n')
    name = f"covermem-{uuid.uuid4().hex[:8]}"
    env = f"PYTHONPATH={player}"
    # cd first: `python -m` puts the working folder first on the path, before PYTHONPATH
    command = (f"cd {root} && {env} exec {sys.executable} -m musitui --home {home} --device null "
               f"--no-analyze {music}")
    tmux(name, "new-session", "-d", "-s", name, "-x", "120", "-y", "40", command)
    pid = int(tmux(name, "list-panes", "-t", name, "-F", "#{pane_pid}").split()[0])
    try:
        deadline = time.monotonic() + 60
        while "Library · 2 tracks" not in tmux(name, "capture-pane", "-p", "-t", name):
            if time.monotonic() > deadline:
                raise SystemExit("the player did not show the library")
            time.sleep(0.2)
        covers = home / "covers"
        time.sleep(3.0)  # the session is ready a moment after the list shows
        tmux(name, "send-keys", "-t", name, "Enter")  # play the first track
        deadline = time.monotonic() + 30
        while " ▶ " not in tmux(name, "capture-pane", "-p", "-t", name):
            if time.monotonic() > deadline:
                raise SystemExit("nothing played")
            time.sleep(0.2)
        time.sleep(5.0)  # the cover thread decodes (or refuses) the cover meanwhile
        tmux(name, "send-keys", "-t", name, "n")  # the second track, the other cover
        time.sleep(5.0)
        status = Path(f"/proc/{pid}/status").read_text()
        hwm = int(next(line for line in status.splitlines() if line.startswith("VmHWM")).split()[1])
        made = covers.is_dir() and any(covers.iterdir())
        return hwm // 1024, made
    finally:
        tmux(name, "kill-server")
        for _ in range(100):  # the player exits (state saved) once its terminal is gone
            if not Path(f"/proc/{pid}").exists():
                break
            time.sleep(0.1)
        else:  # an older player may not (issue 24): end it before its folder is removed
            os.kill(pid, 9)
            time.sleep(1.0)


def main() -> None:
    load = os.getloadavg()[0]
    other = Path(sys.argv[sys.argv.index("--player-repo") + 1]) if "--player-repo" in sys.argv else None
    with tempfile.TemporaryDirectory() as base, tempfile.TemporaryDirectory() as hostile:
        base_mb, base_made = peak_mb(Path(base), hostile=False)
        hostile_mb, hostile_made = peak_mb(Path(hostile), hostile=True)
    if other is not None:
        with tempfile.TemporaryDirectory() as before:
            other_mb, _ = peak_mb(Path(before), hostile=True, player=other)
        print(f"the player of {other}, same hostile covers: peak {other_mb} MB")
    print(f"load {load:.1f}")
    print(f"ordinary covers (baseline): peak {base_mb} MB, thumbnails made: {base_made}")
    print(f"3 GB sparse cover.jpg + 12000x12000 PNG: peak {hostile_mb} MB, thumbnails made: "
          f"{hostile_made} (must be <= 300 MB)")


if __name__ == "__main__":
    main()
