"""How long the TUI's event loop is held by the session commands of a few keys.

    .venv/bin/python bench/bench_session_thread.py [--per-style 2500] [--rounds 3]

A synthetic library (4 styles x ``--per-style`` tracks, known feature vectors, no audio) and
a real Session and history (every queue/mood event fsynced, every command reranks). Under
Pilot the keys ``a a 3 a 2 0`` are pressed while a probe task on the event loop sleeps 1 ms
at a time and records how late it wakes up. Printed: the longest and the 95th-percentile
lateness, with the session commands on the session thread (as shipped) and, as the same-run
baseline, run inline on the event loop (as before issue 11).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from session_helpers import build_world, make_session  # noqa: E402

from musitui.tui.app import MusituiApp  # noqa: E402

KEYS = ["a", "a", "3", "a", "2", "0"]


async def probe(lateness: list[float], stop: asyncio.Event) -> None:
    while not stop.is_set():
        start = time.perf_counter()
        await asyncio.sleep(0.001)
        lateness.append(time.perf_counter() - start - 0.001)


async def one_run(home, catalog, features, inline: bool, spent: list[float]) -> list[float]:
    session = make_session(home, catalog, features, clock=time.time, up_next_length=20)
    app = MusituiApp(session, catalog, animate_highlight=False)
    if inline:
        async def run_inline(command, *args):
            start = time.perf_counter()
            try:
                return command(*args)
            finally:
                spent.append(time.perf_counter() - start)
        app.in_session = run_inline  # type: ignore[method-assign]
    lateness: list[float] = []
    stop = asyncio.Event()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        task = asyncio.create_task(probe(lateness, stop))
        for key in KEYS:
            await pilot.press(key)
            await pilot.pause()
        stop.set()
        await task
    session.close()
    return lateness


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--per-style", type=int, default=2500)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        home, catalog, features = build_world(Path(tmp), per_style=args.per_style)
        print(f"{len(catalog.tracks)} tracks; keys {' '.join(KEYS)}; {args.rounds} rounds each")
        for label, inline in (("on the event loop (before)", True), ("session thread (now)", False)):
            worst, p95, spent = [], [], []
            for _ in range(args.rounds):
                late = asyncio.run(one_run(home, catalog, features, inline, spent))
                worst.append(max(late) * 1000)
                p95.append(statistics.quantiles(late, n=20)[-1] * 1000)
            print(f"{label:28s} loop held: max {statistics.median(worst):6.1f} ms, "
                  f"p95 {statistics.median(p95):5.1f} ms (median of rounds)")
            if spent:
                print(f"{'':28s} the commands themselves: median {statistics.median(spent) * 1000:.1f} ms, "
                      f"max {max(spent) * 1000:.1f} ms")


if __name__ == "__main__":
    main()
