"""History at 100,000 events: log latency, open + aggregate time, beside naive TinyDB.

    .venv/bin/python bench/bench_history.py [--events 100000] [--logs 1500]

Builds a history of N synthetic events (two years of listening sessions over 10,000 tracks)
through ``musitui history import``'s code path, then measures:
- logging one more event (append + fsync, occasional compaction): median / p95 / max;
- opening the history with its aggregate snapshot, and without it (a full rebuild of every
  aggregate from the shards): from the per-shard column files, and cold (no column files
  either: every shard's JSON parsed);
- same-run baselines for the opening: reading the shard files alone with orjson, with the
  stdlib json, and with TinyDB itself (``TinyDB(path).table("events").all()``), and the
  straightforward rebuild (``Aggregates.replay``: apply() per event) on already-parsed events;
- the baseline for logging: one ever-growing TinyDB table (default JSONStorage) with one
  insert per event, measured at smaller sizes and extrapolated linearly to N (each insert
  rewrites the whole table, so its cost grows with the table).
Every opening figure is wall time, with CPU time (time.process_time) beside it: the machine
may be shared, and CPU time is what the work itself costs.
Targets: log p95 <= 10 ms; open + aggregates <= 1 s.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402
import orjson  # noqa: E402

from musitui.core.model import Track  # noqa: E402
from musitui.store.history import History  # noqa: E402
from musitui.store.history_aggregates import Aggregates  # noqa: E402
from musitui.store.history_shards import COLUMNS_SUFFIX, read_shard, shard_files  # noqa: E402

START = 1_720_000_000.0


def synth_tracks(n: int, artists: int | None = None) -> list[Track]:
    artists = artists or max(1, n // 8)
    return [Track(id=i, path=f"/music/a{i % artists}/t{i}.flac", title=f"Track {i}",
                  artist=f"Artist {i % artists}", duration=180.0 + (i % 120)) for i in range(1, n + 1)]


def synth_events(count: int, tracks: list[Track], seed: int = 1) -> list[dict]:
    """Listening sessions of 5-25 tracks, a few per day, each track: play then finish/skip."""
    rng = random.Random(seed)
    events: list[dict] = []
    ts = START
    session = int(ts)
    left = 0
    favourites = rng.sample(tracks, min(len(tracks), 400))
    while len(events) < count:
        if left == 0:
            ts += rng.uniform(2, 20) * 3600
            session = int(ts)
            left = rng.randint(5, 25)
        left -= 1
        track = rng.choice(favourites) if rng.random() < 0.5 else rng.choice(tracks)
        base = {"track_id": track.id, "path": track.path, "artist": track.artist,
                "title": track.title, "session": session, "mood": "auto",
                "duration": track.duration}
        events.append({"kind": "play", "ts": round(ts, 3), "position": 0.0, **base})
        if rng.random() < 0.7:
            ts += track.duration
            events.append({"kind": "finish", "ts": round(ts, 3), "position": track.duration,
                           "listened": track.duration, **base})
        else:
            at = round(rng.uniform(2, 25), 1)
            ts += at
            events.append({"kind": "skip", "ts": round(ts, 3), "position": at, "listened": at, **base})
        ts += 1
    return events[:count]


def build_history(folder: Path, events: list[dict]) -> float:
    source = folder / "events.jsonl"
    source.write_text("".join(json.dumps(e) + "\n" for e in events))
    history = History(folder / "history", folder / "backups")
    history.load()
    started = time.perf_counter()
    history.import_jsonl(source)
    elapsed = time.perf_counter() - started
    history.close()
    source.unlink()
    return elapsed


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def measure_logging(folder: Path, tracks: list[Track], logs: int) -> list[float]:
    history = History(folder / "history", folder / "backups")
    history.load()
    times = []
    ts = history.aggregates.last_ts + 60
    for n in range(logs):
        track = tracks[n % len(tracks)]
        started = time.perf_counter()
        history.log_listen("finish" if n % 3 else "skip", track, position=12.0, mood="auto", ts=ts + n)
        times.append(time.perf_counter() - started)
    history.close()
    return times


def bare_fsync_append(folder: Path, count: int = 300) -> list[float]:
    """The floor: append one ~250-byte line and fsync it, nothing else."""
    import os

    fd = os.open(folder / "bare.log", os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    line = b"x" * 250 + b"\n"
    times = []
    for _ in range(count):
        started = time.perf_counter()
        os.write(fd, line)
        os.fsync(fd)
        times.append(time.perf_counter() - started)
    os.close(fd)
    return times


def measure_open(folder: Path, repeats: int = 3, before: Any = None) -> list[tuple[float, float]]:
    """(wall, cpu) seconds of History(...).load(), ``before()`` run untimed before each."""
    times = []
    for _ in range(repeats):
        if before is not None:
            before()
        started, cpu = time.perf_counter(), time.process_time()
        history = History(folder / "history", folder / "backups")
        history.load()
        times.append((time.perf_counter() - started, time.process_time() - cpu))
        history.close()
    return times


def timed(work: Any, repeats: int = 3) -> tuple[float, float]:
    """Best (wall, cpu) seconds of ``work()``."""
    runs = []
    for _ in range(repeats):
        started, cpu = time.perf_counter(), time.process_time()
        work()
        runs.append((time.perf_counter() - started, time.process_time() - cpu))
    return min(runs)


def fmt(pair: tuple[float, float]) -> str:
    return f"{pair[0]:.3f} s (CPU {pair[1]:.3f} s)"


def median(runs: list[tuple[float, float]]) -> tuple[float, float]:
    return (statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs))


OPEN_IN_FRESH_PROCESS = """
import sys, time
t = time.perf_counter()
from musitui.store.history import History
h = History(sys.argv[1] + "/history", sys.argv[1] + "/backups"); h.load()
print(time.perf_counter() - t, h.aggregates.events, len(h.aggregates.pairs))
"""


def bench_open(folder: Path, events: int) -> None:
    history_dir = folder / "history"
    shards = shard_files(history_dir)
    snapshot = history_dir / "aggregates.npz"

    def read_orjson() -> None:
        for path in shards:
            orjson.loads(path.read_bytes())

    def read_json() -> None:
        for path in shards:
            json.loads(path.read_bytes())

    def read_tinydb() -> None:
        from tinydb import TinyDB

        for path in shards:
            db = TinyDB(str(path), access_mode="r")
            db.table("events").all()
            db.close()

    parsed = [event for path in shards for event in read_shard(path)]
    print("baselines (same run), the shard files alone:"
          f" orjson.loads {fmt(timed(read_orjson))}, json.loads {fmt(timed(read_json))},"
          f" TinyDB's own read {fmt(timed(read_tinydb, repeats=1))}")
    print("baseline (same run), rebuilding every aggregate with apply() per event, events "
          f"already parsed (the rebuild before this change): {fmt(timed(lambda: Aggregates.replay(parsed), 1))}")
    print(f"  column-wise rebuild (Aggregates.from_events) on the same parsed events: "
          f"{fmt(timed(lambda: Aggregates.from_events(parsed)))}")

    with_snapshot = measure_open(folder, repeats=5)
    fresh = subprocess.run([sys.executable, "-c", OPEN_IN_FRESH_PROCESS, str(folder)],
                           capture_output=True, text=True, check=True).stdout.split()
    print(f"open + aggregates WITH the snapshot (+ journal replay) at {events} events: median "
          f"{fmt(median(with_snapshot))} in process, {float(fresh[0]):.3f} s in a fresh process incl. "
          f"imports ({fresh[1]} events, {fresh[2]} co-play rows)   target <= 1 s")
    with np.load(snapshot) as data:
        arrays = {name: data[name] for name in data.files}
    print(f"  of which loading the snapshot arrays into Aggregates (from_arrays): "
          f"{fmt(timed(lambda: Aggregates.from_arrays(arrays), 5))}")

    without = measure_open(folder, repeats=3, before=lambda: snapshot.unlink(missing_ok=True))
    print(f"open + full rebuild WITHOUT the snapshot, from the per-shard column files: median "
          f"{fmt(median(without))}   target <= 1 s")

    def drop_everything_derived() -> None:
        snapshot.unlink(missing_ok=True)
        for path in history_dir.glob(f"*{COLUMNS_SUFFIX}"):
            path.unlink()

    cold = measure_open(folder, repeats=3, before=drop_everything_derived)
    print(f"open + full rebuild WITHOUT the snapshot and WITHOUT column files (every shard's JSON "
          f"parsed, column files written again): median {fmt(median(cold))}   target <= 1 s")


def naive_insert_cost(folder: Path, events: list[dict], sizes: tuple[int, ...]) -> dict[int, float]:
    """Seconds per single insert into one TinyDB table already holding ``size`` events."""
    from tinydb import TinyDB

    costs = {}
    for size in sizes:
        path = folder / f"naive-{size}.json"
        db = TinyDB(str(path))
        db.insert_multiple(events[:size])
        probe = events[size:size + 20]
        started = time.perf_counter()
        for event in probe:
            db.insert(event)
        costs[size] = (time.perf_counter() - started) / len(probe)
        db.close()
        path.unlink()
    return costs


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--logs", type=int, default=1500)
    args = parser.parse_args()
    tracks = synth_tracks(10_000)
    events = synth_events(args.events, tracks)
    with tempfile.TemporaryDirectory(prefix="musitui-bench-history-") as tmp:
        folder = Path(tmp)
        build = build_history(folder, events)
        shards = sorted((folder / "history").glob("events-*.json"))
        size_mb = sum(p.stat().st_size for p in shards) / 1e6
        print(f"history: {args.events} events in {len(shards)} shards ({size_mb:.1f} MB), "
              f"bulk import {build:.2f} s")

        logs = measure_logging(folder, tracks, args.logs)
        print(f"log one event at {args.events} events ({args.logs} logs, incl. compactions every 1000):"
              f" median {statistics.median(logs) * 1e3:.2f} ms, p95 {percentile(logs, 95) * 1e3:.2f} ms,"
              f" max {max(logs) * 1e3:.1f} ms   target p95 <= 10 ms")

        bare = bare_fsync_append(folder)
        print(f"baseline, bare append + fsync of one line on this disk (same run): median "
              f"{statistics.median(bare) * 1e3:.2f} ms, p95 {percentile(bare, 95) * 1e3:.2f} ms")

        bench_open(folder, args.events)

        sizes = (2_000, 8_000)
        costs = naive_insert_cost(folder, events, sizes)
        slope = (costs[sizes[1]] - costs[sizes[0]]) / (sizes[1] - sizes[0])
        at_n = costs[sizes[1]] + slope * (args.events - sizes[1])
        total_hours = sum(costs[sizes[0]] + slope * (k - sizes[0]) for k in range(0, args.events, 100)) * 100 / 3600
        print("baseline, one TinyDB table, one insert per event (same run): "
              + ", ".join(f"{costs[s] * 1e3:.1f} ms/insert at {s}" for s in sizes)
              + f"; extrapolated linearly: {at_n * 1e3:.0f} ms/insert at {args.events}, "
              f"about {max(total_hours, 0):.1f} h to log {args.events} events one by one")
        print(f"ratio: naive insert at {args.events} / musitui log p95 = "
              f"{at_n / percentile(logs, 95):.0f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
