"""The whole analysis, musitui beside bliss-rs, on the same folder in the same run, N jobs each.

    .venv/bin/python bench/bench_vs_bliss.py LIBRARY [--jobs 2] [--rounds 2]

bliss-rs is the `bliss-audio` package on PyPI (a benchmark-only peer: `pip install bliss-audio`;
musitui never imports it). Its `Song(path)` reads the tags, decodes the whole file and computes
its 23 features: that is bliss-rs's whole analysis, run here in a pool of N processes.
musitui's whole analysis is `musitui scan LIBRARY --jobs N` on a fresh home, process start to
exit: the tag scan, the fast pass (features, mood, style) and the tagger pass (embedding and
words). The two passes are also timed apart on another fresh home (`scan --no-analyze`, then
`analyze --no-tagger`, then `analyze`, which then runs only the tagger).

Rounds alternate bliss-rs and musitui so that a change in the machine's load falls on both;
each figure is printed with the load average beside it. Target: musitui whole >= 2x bliss-rs.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from multiprocessing import get_context
from pathlib import Path

from musitui.library.formats import audio_kind

MUSITUI = [sys.executable, "-m", "musitui"]


def load() -> str:
    return f"load {os.getloadavg()[0]:.1f}"


def music_files(library: Path) -> list[str]:
    return sorted(str(p) for p in library.rglob("*") if p.is_file() and audio_kind(p.name))


def quiet_worker() -> None:
    os.nice(10)  # as musitui's workers run
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)  # bliss-rs prints a Rust panic and backtrace for every undecodable file


def bliss_one(path: str) -> bool:
    from bliss_audio import Song

    try:
        Song(path)
    except BaseException:  # noqa: BLE001 - bliss-rs panics (a BaseException) on undecodable files
        return False
    return True


def bliss_round(files: list[str], jobs: int) -> tuple[int, float]:
    started = time.monotonic()
    with get_context("spawn").Pool(jobs, initializer=quiet_worker) as pool:
        done = sum(pool.map(bliss_one, files, chunksize=1))
    return done, time.monotonic() - started


def timed(args: list[str]) -> tuple[dict[str, object], float]:
    started = time.monotonic()
    out = subprocess.run(args, capture_output=True, text=True)
    wall = time.monotonic() - started
    if out.returncode != 0:
        raise SystemExit(f"{' '.join(args[2:])} failed ({out.returncode}): {out.stderr[-400:]}")
    try:
        report = json.loads(out.stdout)
    except ValueError:
        report = {}
    return report, wall


def musitui_whole(library: Path, jobs: int) -> tuple[int, float]:
    with tempfile.TemporaryDirectory() as home:
        report, wall = timed([*MUSITUI, "--home", home, "scan", str(library), "--jobs", str(jobs), "--json"])
    return int(report.get("analyzed", 0)), wall  # type: ignore[call-overload]


def musitui_passes(library: Path, jobs: int) -> dict[str, tuple[int, float]]:
    with tempfile.TemporaryDirectory() as home:
        base = [*MUSITUI, "--home", home]
        scan, scan_wall = timed([*base, "scan", str(library), "--no-analyze", "--json"])
        fast, fast_wall = timed([*base, "analyze", "--no-tagger", "--jobs", str(jobs), "--json"])
        tagger, tagger_wall = timed([*base, "analyze", "--jobs", str(jobs), "--json"])
    tagged = tagger.get("tagger", {})
    return {"tag scan": (int(scan.get("tracks", 0)), scan_wall),  # type: ignore[call-overload]
            "fast pass": (int(fast.get("analyzed", 0)), fast_wall),  # type: ignore[call-overload]
            "tagger pass": (int(tagged.get("tagged", 0)) if isinstance(tagged, dict) else 0, tagger_wall)}


def rate(count: int, seconds: float) -> str:
    return f"{count} tracks in {seconds:6.1f} s -> {count / seconds:5.2f} tracks/s"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("library", type=Path)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    files = music_files(args.library)
    print(f"{len(files)} music files under {args.library}; {args.jobs} jobs each; {load()}")
    bliss_rates, musitui_rates = [], []
    for round_ in range(1, args.rounds + 1):
        done, wall = bliss_round(files, args.jobs)
        bliss_rates.append(done / wall)
        print(f"round {round_} bliss-rs       : {rate(done, wall)}   ({load()})")
        done, wall = musitui_whole(args.library, args.jobs)
        musitui_rates.append(done / wall)
        print(f"round {round_} musitui whole  : {rate(done, wall)}   ({load()})")
    for name, (count, wall) in musitui_passes(args.library, args.jobs).items():
        print(f"musitui {name:12}: {rate(count, wall)}   ({load()})")
    bliss_best, musitui_best = max(bliss_rates), max(musitui_rates)
    print(f"best: bliss-rs {bliss_best:.2f}, musitui whole {musitui_best:.2f} tracks/s -> "
          f"{musitui_best / bliss_best:.2f}x bliss-rs   target >= 2x")


if __name__ == "__main__":
    main()
