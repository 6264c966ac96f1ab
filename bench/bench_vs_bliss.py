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
each figure is printed with the load average beside it, and with the CPU seconds per track of
the whole process tree (bliss-rs's pool; musitui and its workers, counted through a child
subreaper): on a shared machine the CPU figures are the steadier comparison. The passes apart
also show the workers' own CPU split (decoding / features, decoding / network) and peak RSS
from `analyze --json`. Target: musitui whole >= 2x bliss-rs.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import tempfile
import time
from multiprocessing import get_context
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_analysis import run_tree  # noqa: E402

from musitui.library.formats import audio_kind  # noqa: E402

MUSITUI = [sys.executable, "-m", "musitui"]


def load() -> str:
    return f"load {os.getloadavg()[0]:.1f}"


def music_files(library: Path) -> list[str]:
    return sorted(str(p) for p in library.rglob("*") if p.is_file() and audio_kind(p.name))


def quiet_worker() -> None:
    os.nice(10)  # as musitui's workers run
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)  # bliss-rs prints a Rust panic and backtrace for every undecodable file


def children_cpu() -> float:
    """CPU seconds of every waited-for child process so far (they and their waited children)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def bliss_one(path: str) -> bool:
    from bliss_audio import Song

    try:
        Song(path)
    except BaseException:  # noqa: BLE001 - bliss-rs panics (a BaseException) on undecodable files
        return False
    return True


def bliss_round(files: list[str], jobs: int) -> tuple[int, float, float]:
    """(tracks analysed, wall seconds, CPU seconds of the pool's processes)."""
    started, cpu = time.monotonic(), children_cpu()
    pool = get_context("spawn").Pool(jobs, initializer=quiet_worker)
    done = sum(pool.map(bliss_one, files, chunksize=1))
    wall = time.monotonic() - started
    pool.close()
    pool.join()  # waited for: their CPU time is counted
    return done, wall, children_cpu() - cpu


LAST_CPU = [0.0]  # the CPU seconds of the last timed() process tree

def timed(args: list[str]) -> tuple[dict[str, object], float]:
    """Run ``args`` as bench_analysis.run_tree does (a child subreaper: the analysis workers'
    forkserver, orphaned when musitui exits, is waited for, so every process's CPU counts)."""
    out = run_tree(args)
    wall, LAST_CPU[0] = float(out["wall"]), float(out["cpu"])
    if out["rc"] != 0:
        raise SystemExit(f"{' '.join(args[2:])} failed ({out['rc']}): {out['stderr']}")
    try:
        report = json.loads(out["stdout"])
    except ValueError:
        report = {}
    return report, wall


def musitui_whole(library: Path, jobs: int) -> tuple[int, float, float]:
    with tempfile.TemporaryDirectory() as home:
        report, wall = timed([*MUSITUI, "--home", home, "scan", str(library), "--jobs", str(jobs), "--json"])
    return int(report.get("analyzed", 0)), wall, LAST_CPU[0]  # type: ignore[call-overload]


def number(report: dict[str, object], key: str) -> float:
    value = report.get(key, 0)
    return float(value) if isinstance(value, int | float) else 0.0


def musitui_passes(library: Path, jobs: int) -> dict[str, tuple[int, float, float, str]]:
    """Per step: (tracks, wall s, CPU s of the process tree, the workers' CPU split)."""
    with tempfile.TemporaryDirectory() as home:
        base = [*MUSITUI, "--home", home]
        scan, scan_wall = timed([*base, "scan", str(library), "--no-analyze", "--json"])
        scan_cpu = LAST_CPU[0]
        fast, fast_wall = timed([*base, "analyze", "--no-tagger", "--jobs", str(jobs), "--json"])
        fast_cpu = LAST_CPU[0]
        tagger, tagger_wall = timed([*base, "analyze", "--jobs", str(jobs), "--json"])
        tagger_cpu = LAST_CPU[0]
    tagged = tagger.get("tagger", {})
    tagged = tagged if isinstance(tagged, dict) else {}
    analysed, tagged_n = int(number(fast, "analyzed")), int(number(tagged, "tagged"))

    def split(report: dict[str, object], count: int, keys: tuple[str, str]) -> str:
        if not count:
            return ""
        parts = ", ".join(f"{key} {number(report, key) / count:.3f}" for key in keys)
        extra = f", {number(report, 'patches') / count:.1f} patches" if "patches" in report else ""
        return (f"; workers' CPU s/track: {parts}{extra}; worker peak RSS "
                f"{number(report, 'peak_worker_rss_mb'):.0f} MB")

    return {"tag scan": (int(number(scan, "tracks")), scan_wall, scan_cpu, ""),
            "fast pass": (analysed, fast_wall, fast_cpu, split(fast, analysed, ("decode_cpu", "extract_cpu"))),
            "tagger pass": (tagged_n, tagger_wall, tagger_cpu, split(tagged, tagged_n, ("decode_cpu", "tag_cpu")))}


def rate(count: int, seconds: float, cpu: float) -> str:
    per = f"{cpu / count:5.2f}" if count else "  -  "
    return (f"{count} tracks in {seconds:6.1f} s -> {count / seconds:5.2f} tracks/s; "
            f"{per} CPU s/track (the process tree, start-up included)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("library", type=Path)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    files = music_files(args.library)
    print(f"{len(files)} music files under {args.library}; {args.jobs} jobs each; {load()}")
    bliss_rates, musitui_rates, bliss_cpu, musitui_cpu = [], [], [], []
    for round_ in range(1, args.rounds + 1):
        done, wall, cpu = bliss_round(files, args.jobs)
        bliss_rates.append(done / wall)
        bliss_cpu.append(cpu / max(done, 1))
        print(f"round {round_} bliss-rs       : {rate(done, wall, cpu)}   ({load()})")
        done, wall, cpu = musitui_whole(args.library, args.jobs)
        musitui_rates.append(done / wall)
        musitui_cpu.append(cpu / max(done, 1))
        print(f"round {round_} musitui whole  : {rate(done, wall, cpu)}   ({load()})")
    for name, (count, wall, cpu, split) in musitui_passes(args.library, args.jobs).items():
        print(f"musitui {name:12}: {rate(count, wall, cpu)}{split}   ({load()})")
    bliss_best, musitui_best = max(bliss_rates), max(musitui_rates)
    print(f"best: bliss-rs {bliss_best:.2f}, musitui whole {musitui_best:.2f} tracks/s -> "
          f"{musitui_best / bliss_best:.2f}x bliss-rs   target >= 2x")
    print(f"CPU per track, least of the rounds: bliss-rs {min(bliss_cpu):.2f} s, musitui whole "
          f"{min(musitui_cpu):.2f} s -> {min(bliss_cpu) / min(musitui_cpu):.2f}x bliss-rs's tracks per "
          f"CPU second (what 2 free cores would turn into tracks/s)")


if __name__ == "__main__":
    main()
