"""Analysis speed and memory on the real corpus, beside a decode-only baseline from the same run.

    .venv/bin/python bench/bench_analysis.py [--corpus /root/musitui-corpus] [--jobs 2] [--skip-long]

1. `analyze_catalog(jobs=N)` in this process on a fresh home: steady-state tracks/s (first
   to last result), wall tracks/s including worker start-up, CPU per track of each stage
   (worker decode, worker extraction, the rest of the workers' CPU = start-up + IPC, and
   the parent's own CPU), peak RSS of any worker. Targets: >= 10 tracks/s, < 300 MB.
2. End to end, as a user runs it, fresh home each run, 3 runs (best and median): `musitui
   --home H analyze --jobs N` after `scan --no-analyze`, and `musitui --home H scan LIBRARY
   --jobs N`; wall clock from process start to exit -> tracks/s, and the CPU of the whole
   process tree (parent, worker server, workers). Target >= 10 tracks/s.
3. Serially, in this process: per file, CPU to decode the excerpt (the baseline) and CPU
   to extract features from it, per codec. Target: extract <= 3x decode.
4. A synthesised 20-minute Opus file analysed in a fresh worker: its peak RSS.

The machine is shared: wall-clock figures depend on its load (printed beside each pass;
the workers run at nice 10, so other processes win the CPU). CPU seconds per track do not.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# One BLAS/OpenMP/numba thread, like the workers: the serial pass measures one core's cost.
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).parent))
from bench_similarity import CORPUS, build_catalog, corpus_rows  # noqa: E402

MUSITUI = [sys.executable, "-m", "musitui"]


def load() -> str:
    return f"load average {os.getloadavg()[0]:.1f}"


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def parallel_pass(corpus: Path, jobs: int) -> float:
    from musitui.analysis.runner import analyze_catalog

    print(f"\n[1] analyze_catalog, {jobs} jobs ({load()} before)")
    with tempfile.TemporaryDirectory() as tmp:
        home, catalog, _ = build_catalog(Path(tmp), corpus)
        stamps: list[float] = []
        children_before, parent_before = children_cpu(), time.process_time()
        started = time.monotonic()
        report = analyze_catalog(home, catalog, jobs=jobs, show_progress=False,
                                 on_progress=lambda done, total: stamps.append(time.monotonic()))
        wall = time.monotonic() - started
        parent = time.process_time() - parent_before
        workers = children_cpu() - children_before
    n = max(report.analyzed, 1)
    steady = (len(stamps) - 1) / (stamps[-1] - stamps[0]) if len(stamps) > 1 else 0.0
    print(f"    {report.analyzed} analysed, {len(report.errors)} errors ({load()} after)")
    for error in report.errors:
        print(f"      error: {Path(error['path']).name}: {error['error']}")
    print(f"    steady state (first to last result): {steady:.2f} tracks/s   target >= 10 tracks/s")
    print(f"    wall {wall:.1f} s incl. worker start-up and the final save -> {report.analyzed / wall:.2f} tracks/s")
    if stamps:
        print(f"      first result after {stamps[0] - started:.1f} s; last result to return "
              f"(final mood/style fit and save) {started + wall - stamps[-1]:.1f} s")
    decode, extract = report.decode_cpu / n, report.extract_cpu / n
    other = max(0.0, workers - report.decode_cpu - report.extract_cpu) / n
    print(f"    CPU s/track: worker decode {decode:.3f} + extract {extract:.3f} + worker start-up/IPC "
          f"{other:.3f} + parent {parent / n:.3f} = {decode + extract + other + parent / n:.3f}")
    print(f"      (10 tracks/s on 2 idle cores needs <= 0.200; worker total {workers:.1f} s, parent {parent:.1f} s)")
    print(f"    peak worker RSS {report.peak_worker_rss_mb:.0f} MB   target < 300 MB")
    return steady


# Runs one CLI command and reports its wall clock (start to the command's own exit) and the
# CPU of its whole process tree: as a child subreaper it also reaps the worker forkserver,
# which outlives the command by a moment and whose workers' CPU is accounted to it.
TREE_RUNNER = """
import ctypes, json, os, resource, subprocess, sys, time
ctypes.CDLL(None).prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER
started = time.monotonic()
proc = subprocess.run(sys.argv[1:], capture_output=True, text=True)
wall = time.monotonic() - started
while True:
    try:
        os.wait()
    except ChildProcessError:
        break
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"wall": wall, "cpu": usage.ru_utime + usage.ru_stime, "rc": proc.returncode,
                  "stdout": proc.stdout, "stderr": proc.stderr[-300:]}))
"""


def run_tree(args: list[str]) -> dict:
    out = subprocess.run([sys.executable, "-c", TREE_RUNNER, *args], capture_output=True, text=True)
    return json.loads(out.stdout)


def cli_pass(corpus: Path, jobs: int, runs: int = 3) -> dict[str, list[float]]:
    """End to end, as a user runs it, on a fresh home each run: `analyze` after a tag-only
    scan, and `scan` with the analysis. Returns the tracks/s of each run per command."""
    library = str(corpus / "library")
    rates: dict[str, list[float]] = {"analyze": [], "scan": []}
    print(f"\n[2] end to end, process start to exit, fresh home each run ({load()} before)")
    for run in range(runs):
        for command in ("analyze", "scan"):
            with tempfile.TemporaryDirectory() as tmp:
                home = [*MUSITUI, "--home", tmp]
                if command == "analyze":
                    subprocess.run([*home, "scan", library, "--no-analyze", "--json"], capture_output=True)
                    args = [*home, "analyze", "--jobs", str(jobs), "--json"]
                else:
                    args = [*home, "scan", library, "--jobs", str(jobs), "--json"]
                result = run_tree(args)
            if result["rc"] != 0:
                print(f"    {command}: FAILED ({result['rc']}): {result['stderr']}")
                continue
            analysed = json.loads(result["stdout"])["analyzed"]
            rate = analysed / result["wall"]
            rates[command].append(rate)
            print(f"    run {run + 1} {command:7}: {analysed} tracks in {result['wall']:.2f} s -> {rate:5.2f} tracks/s;"
                  f" process tree CPU {result['cpu']:.2f} s ({result['cpu'] / max(analysed, 1):.3f} s/track); {load()}")
    for command, values in rates.items():
        if values:
            print(f"    {command:7}: best {max(values):.2f}, median {float(np.median(values)):.2f} tracks/s"
                  f"   target >= 10 tracks/s")
    return rates


def serial_pass(paths: list[str]) -> tuple[float, float]:
    from musitui.analysis.excerpt import decode_excerpt
    from musitui.analysis.features import extract
    from musitui.decode import DecodeError

    extract(np.zeros(22050, dtype=np.float32))  # filter banks, imports
    per_codec: dict[str, list[float]] = {}
    decode_times, extract_times, failed = [], [], 0
    for path in paths:
        started = time.process_time()
        try:
            y, _ = decode_excerpt(path)
        except DecodeError:
            failed += 1
            continue
        decoded = time.process_time()
        extract(y)
        decode_times.append(decoded - started)
        extract_times.append(time.process_time() - decoded)
        per_codec.setdefault(Path(path).suffix.lower(), []).append(decoded - started)
    d, e = np.array(decode_times), np.array(extract_times)
    print(f"\n[3] serial, one process, {len(d)} decodable files ({failed} undecodable), {load()}:")
    print(f"    decode-only (baseline): {d.mean():.3f} s CPU/track (median {np.median(d):.3f})")
    print("      per format: " + ", ".join(f"{ext} {np.mean(v):.3f} (n={len(v)})"
                                          for ext, v in sorted(per_codec.items())))
    print(f"    feature extraction:     {e.mean():.3f} s CPU/track (median {np.median(e):.3f})")
    print(f"    ratio extract/decode:   {e.sum() / d.sum():.2f}x   target <= 3x")
    print(f"    decode+extract:         {(d + e).mean():.3f} s CPU/track -> one core "
          f"{1 / (d + e).mean():.1f} tracks/s, two idle cores {2 / (d + e).mean():.1f}")
    return float(d.mean()), float(e.mean())


def long_file_pass(minutes: float = 20.0) -> None:
    import soundfile as sf

    from musitui.analysis.runner import analyze_catalog
    from musitui.paths import Home
    from musitui.store.catalog import Catalog

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "long.opus"
        sr = 48000
        rng = np.random.default_rng(0)
        # Written in 10 s blocks: one huge OGG write can crash libsndfile.
        with sf.SoundFile(str(path), "w", sr, 2, format="OGG", subtype="OPUS") as out:
            t = np.arange(sr * 10) / sr
            for block in range(int(minutes * 6)):
                tone = 0.3 * np.sin(2 * np.pi * (220 + 20 * (block % 12)) * t)
                out.write(np.stack([tone, tone], axis=1) + rng.standard_normal((len(t), 2)) * 0.02)
        home = Home(config_dir=Path(tmp) / "h", data_dir=Path(tmp) / "h").ensure()
        catalog = Catalog.open(home)
        catalog.new_track(str(path))
        report = analyze_catalog(home, catalog, jobs=1, show_progress=False)
        size = path.stat().st_size / 1e6
    print(f"\n[4] {minutes:.0f}-minute Opus ({size:.1f} MB): analysed={report.analyzed}, "
          f"peak worker RSS {report.peak_worker_rss_mb:.0f} MB   target < 300 MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--skip-long", action="store_true", help="skip the 20-minute Opus pass")
    parser.add_argument("--runs", type=int, default=3, help="end-to-end runs per command")
    args = parser.parse_args()
    if not (args.corpus / "corpus.csv").exists():
        sys.exit(f"no corpus at {args.corpus} (see ../shared/corpus/README.md)")

    paths = [str(args.corpus / row["path"]) for row in corpus_rows(args.corpus)]
    steady = parallel_pass(args.corpus, args.jobs)
    rates = cli_pass(args.corpus, args.jobs, args.runs)
    decode, extract = serial_pass(paths)
    print(f"\nsummary ({args.jobs} jobs, one run of this script; {load()}):")
    print(f"    decode-only baseline {decode:.3f} s CPU/track (one core: {1 / decode:.1f} tracks/s);"
          f" decode+extract {decode + extract:.3f} s CPU/track")
    print(f"    steady state {steady:.2f} tracks/s")
    for command, values in rates.items():
        if values:
            print(f"    end to end `{command}`: best {max(values):.2f}, median {float(np.median(values)):.2f}"
                  f" tracks/s   target >= 10")
    if not args.skip_long:
        long_file_pass()


if __name__ == "__main__":
    main()
