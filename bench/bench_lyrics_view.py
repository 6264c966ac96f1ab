"""Frame lateness with the lyrics view open on a 512 KB sidecar of 52,000 stamps, against the
same run with a 20-line LRC (the baseline, measured in the same run): a 20 ms timer on the
UI loop records how late each tick comes while the song plays and the highlight moves.

    PYTHONPATH=$PWD .venv/bin/python bench/bench_lyrics_view.py
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO / "tests")]

from tui_helpers import build_world, make_app, open_session  # noqa: E402

from musitui.tui.library_view import LibraryView  # noqa: E402
from musitui.tui.lyrics_screen import LyricsScreen  # noqa: E402


def big_sidecar() -> str:
    stamps = "".join(f"[{i // 6000:02d}:{i // 100 % 60:02d}.{i % 100:02d}]" for i in range(52000))
    return stamps + "la la la\n"


def small_sidecar() -> str:
    return "".join(f"[00:{i:02d}.00]line {i}\n" for i in range(20))


async def lateness(root: Path, lyrics: str) -> tuple[float, float]:
    world = build_world(root, seconds=40.0)
    session, config = open_session(world)
    app = make_app(world, session, config)
    late: list[float] = []
    async with app.run_test(size=(120, 40)) as pilot:
        first = app.query_one(LibraryView).selected_track()
        Path(first.path).with_suffix(".lrc").write_text(lyrics, encoding="utf-8")
        await pilot.press("enter")
        while session.player.state != "playing":
            await pilot.pause(0.05)
        await pilot.press("l")
        while not isinstance(app.screen, LyricsScreen) or app.screen.lyrics is None:
            await pilot.pause(0.05)
        step = 0.02
        last = time.perf_counter()

        def tick() -> None:
            nonlocal last
            now = time.perf_counter()
            late.append(max(0.0, now - last - step))
            last = now

        app.set_interval(step, tick)
        await pilot.pause(6.0)
    session.close()
    late.sort()
    return late[int(0.99 * (len(late) - 1))] * 1000, late[-1] * 1000


def main() -> None:
    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as small, tempfile.TemporaryDirectory() as big:
        base = asyncio.run(lateness(Path(small), small_sidecar()))
        heavy = asyncio.run(lateness(Path(big), big_sidecar()))
    print(f"load {load:.1f}")
    print(f"20-line LRC (baseline): tick lateness p99 {base[0]:.1f} ms, max {base[1]:.1f} ms")
    print(f"52,000 stamps, 512 KB: tick lateness p99 {heavy[0]:.1f} ms, max {heavy[1]:.1f} ms")


if __name__ == "__main__":
    main()
