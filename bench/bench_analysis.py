"""Analysis speed and memory on the real corpus, beside a decode-only baseline from the same run.

    .venv/bin/python bench/bench_analysis.py [--corpus /root/musitui-corpus] [--jobs 2]

1. Serially, in this process: for every file, CPU time to decode the excerpt (the baseline)
   and CPU time to extract features from that same excerpt. Target: extract <= 3x decode.
2. `analyze_catalog(jobs=2)` on a fresh home: wall-clock tracks/s (with and without the
   workers' one-off librosa import), and the peak RSS of any worker. Targets: >= 10
   tracks/s, < 300 MB per worker.
3. A synthesised 20-minute Opus file analysed in a fresh worker: its peak RSS.
"""

from __future__ import annotations

import argparse
import os
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


def serial_pass(paths: list[str]) -> tuple[list[float], list[float], int]:
    from musitui.analysis.excerpt import decode_excerpt
    from musitui.analysis.features import extract
    from musitui.decode import DecodeError

    extract(np.zeros(22050, dtype=np.float32))  # warm numba before timing
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
    return decode_times, extract_times, failed


def parallel_pass(corpus: Path, jobs: int) -> None:
    from musitui.analysis.runner import analyze_catalog

    with tempfile.TemporaryDirectory() as tmp:
        home, catalog, _ = build_catalog(Path(tmp), corpus)
        stamps: list[float] = []
        started = time.monotonic()
        report = analyze_catalog(home, catalog, jobs=jobs, show_progress=False,
                                 on_progress=lambda done, total: stamps.append(time.monotonic()))
        wall = time.monotonic() - started
    steady = (len(stamps) - 1) / (stamps[-1] - stamps[0]) if len(stamps) > 1 else 0.0
    print(f"\n[2] analyze_catalog, {jobs} jobs: {report.analyzed} analysed, {len(report.errors)} errors")
    for error in report.errors:
        print(f"      error: {Path(error['path']).name}: {error['error']}")
    print(f"    wall {wall:.1f} s incl. worker start-up (librosa import) -> {report.analyzed / wall:.2f} tracks/s")
    print(f"    steady state (first to last result): {steady:.2f} tracks/s   target >= 10 tracks/s")
    print(f"    worker CPU: decode {report.decode_cpu / max(report.analyzed, 1):.3f} s/track, "
          f"extract {report.extract_cpu / max(report.analyzed, 1):.3f} s/track")
    per_track = (report.decode_cpu + report.extract_cpu) / max(report.analyzed, 1)
    print(f"    CPU-bound ceiling with {jobs} idle cores: {jobs / per_track:.1f} tracks/s "
          f"(machine load now: {os.getloadavg()[0]:.1f})")
    print(f"    peak worker RSS {report.peak_worker_rss_mb:.0f} MB   target < 300 MB")


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
    print(f"\n[3] {minutes:.0f}-minute Opus ({size:.1f} MB): analysed={report.analyzed}, "
          f"peak worker RSS {report.peak_worker_rss_mb:.0f} MB   target < 300 MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    if not (args.corpus / "corpus.csv").exists():
        sys.exit(f"no corpus at {args.corpus} (see ../shared/corpus/README.md)")

    paths = [str(args.corpus / row["path"]) for row in corpus_rows(args.corpus)]
    parallel_pass(args.corpus, args.jobs)  # first, while this process has not imported librosa
    decode_times, extract_times, failed = serial_pass(paths)
    d, e = np.array(decode_times), np.array(extract_times)
    print(f"\n[1] serial, one process, {len(d)} decodable files ({failed} undecodable):")
    print(f"    decode-only (baseline): {d.mean():.3f} s CPU/track (median {np.median(d):.3f})")
    print(f"    feature extraction:     {e.mean():.3f} s CPU/track (median {np.median(e):.3f})")
    print(f"    ratio extract/decode:   {e.sum() / d.sum():.2f}x   target <= 3x")
    print(f"    decode+extract:         {(d + e).mean():.3f} s CPU/track -> one core "
          f"{1 / (d + e).mean():.1f} tracks/s")
    long_file_pass()


if __name__ == "__main__":
    main()
