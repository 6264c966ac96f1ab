"""What one skip costs the session: wall time, fsyncs and reranks, and how long the UI waits.

    .venv/bin/python bench/bench_skip.py [--skips 150] [--rounds 2] [--per-style 50]
                                         [--baseline OTHER_CHECKOUT]

A synthetic library (4 styles x ``--per-style`` tracks, known feature vectors, no audio), a
real history on disk (every write fsynced) and a player stand-in that delivers the real
player's events ("stopped" for the track left, "start" for the next) right after the call.
Each skip is ``session.next()`` and the delivery of those events, while a reader thread reads
``session.up_next`` in a loop, as the TUI does, and records how long each read waited (the
session lock is held meanwhile). Printed per checkout: median and 90th-percentile wall time
per skip, fsyncs and reranks per skip, and the reader's longest and 99th-percentile wait.
``--baseline`` runs the same measurement on another checkout of musitui (e.g. a worktree of
an older commit), alternating rounds with this one, so both are measured under the same load.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parents[1]


class Player:
    """The player as the session sees it, posting its events when ``deliver()`` is called."""

    available = True
    problem = None

    def __init__(self) -> None:
        self.state, self.position, self.duration = "stopped", 0.0, 180.0
        self.current_path: str | None = None
        self.subscribers: list = []
        self.pending: list = []

    def subscribe(self, callback) -> None:
        self.subscribers.append(callback)

    def play(self, path, start: float = 0.0, paused: bool = False, gain_db: float = 0.0) -> None:
        from session_helpers import Event

        if self.current_path is not None:
            self.pending.append(Event("stopped", self.current_path, self.position, 180.0))
        self.current_path, self.position, self.state = str(path), start, "playing"
        self.pending.append(Event("start", str(path), start, 180.0))

    def deliver(self) -> None:
        pending, self.pending = self.pending, []
        for event in pending:
            for callback in list(self.subscribers):
                callback(event)

    def set_next(self, path, gain_db: float = 0.0) -> None: ...
    def stop(self) -> None: ...
    def toggle_pause(self) -> None: ...
    def set_volume(self, volume) -> None: ...
    def seek(self, seconds) -> None: ...
    def close(self) -> None: ...


def measure(skips: int, per_style: int) -> dict[str, float]:
    """One round in this process, on the musitui first on sys.path."""
    from session_helpers import Clock, build_world, make_session

    fsyncs = [0]
    real_fsync = os.fsync

    def counting_fsync(fd: int) -> None:
        fsyncs[0] += 1
        real_fsync(fd)

    os.fsync = counting_fsync
    with tempfile.TemporaryDirectory() as folder:
        home, catalog, features = build_world(Path(folder), per_style=per_style)
        clock, player = Clock(), Player()
        session = make_session(home, catalog, features, clock=clock, player=player)
        reranks = [0]
        rerank = session.rerank

        def counted_rerank(*args, **kwargs) -> None:
            reranks[0] += 1
            rerank(*args, **kwargs)

        session.rerank = counted_rerank
        session.play_next_in_queue()
        player.deliver()
        waits: list[float] = []
        done = threading.Event()

        def reader() -> None:
            while not done.is_set():
                start = time.perf_counter()
                session.up_next  # noqa: B018 - the read the TUI does, under the session lock
                waits.append(time.perf_counter() - start)
                time.sleep(0.0005)

        thread = threading.Thread(target=reader, daemon=True)
        thread.start()
        fsyncs[0] = reranks[0] = 0
        times = []
        for _ in range(skips):
            clock.tick(10)
            player.position = 10.0
            start = time.perf_counter()
            session.next()
            player.deliver()
            times.append(time.perf_counter() - start)
        done.set()
        thread.join()
        session.close()
    waits.sort()
    times.sort()
    return {"median_ms": statistics.median(times) * 1000, "p90_ms": times[int(0.9 * skips)] * 1000,
            "fsyncs": fsyncs[0] / skips, "reranks": reranks[0] / skips,
            "wait_max_ms": waits[-1] * 1000, "wait_p99_ms": waits[int(0.99 * len(waits))] * 1000}


def run_round(checkout: Path, skips: int, per_style: int) -> dict[str, float]:
    env = dict(os.environ, PYTHONPATH=str(checkout))
    code = (f"import sys, json; sys.path[:0] = [{str(checkout)!r}, {str(checkout / 'tests')!r}, "
            f"{str(HERE / 'bench')!r}]\nimport bench_skip\n"
            f"print(json.dumps(bench_skip.measure({skips}, {per_style})))")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                         check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skips", type=int, default=150)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--per-style", type=int, default=50)
    parser.add_argument("--baseline", type=Path, help="another checkout, measured alternately")
    args = parser.parse_args()
    checkouts = {"this checkout": HERE}
    if args.baseline is not None:
        checkouts["baseline"] = args.baseline.resolve()
    print(f"load before: {os.getloadavg()[0]:.2f}")
    for round_ in range(1, args.rounds + 1):
        for name, checkout in checkouts.items():
            r = run_round(checkout, args.skips, args.per_style)
            print(f"round {round_} {name:>13}: {r['median_ms']:6.2f} ms median, {r['p90_ms']:6.2f} ms "
                  f"p90 per skip; {r['fsyncs']:.2f} fsyncs, {r['reranks']:.2f} reranks per skip; "
                  f"UI read waited {r['wait_max_ms']:.2f} ms at most, {r['wait_p99_ms']:.2f} ms p99")
    print(f"load after: {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
