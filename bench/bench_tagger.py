"""The tagger pass's speed and memory on the real corpus, beside baselines from the same run.

    PYTHONPATH=. .venv/bin/python bench/bench_tagger.py [--corpus /work/corpus/a] [--jobs 2]
        [--patches 16] [--skip-long]

1. The first (fast) pass, ``analyze_catalog(jobs=N)`` on a fresh home: tracks/s (wall,
   including worker start-up), as it runs before the tagger.
2. The baseline: decoding the tagger's windows only (seek + decode + resample + log-mel of
   the same patches, no network), N worker processes: tracks/s.
3. The second pass, ``tag_catalog(jobs=N)`` on that home: tracks/s (wall, including start-up),
   worker CPU per track split into decoding and the network, peak RSS of any worker.
   Target: >= 2 tracks/s with 2 jobs, whole-track coverage.
4. A synthesised 20-minute file tagged in a fresh worker process: its peak RSS (target
   <= 300 MB), beside the first pass's worker on the same file.
5. With ``--compare-with CHECKOUT`` (e.g. /work/main): the first pass alone, this checkout's
   code and that one's, alternately, 3 runs each in fresh processes on fresh homes: the
   first pass keeps its speed.

The machine is shared: wall-clock figures depend on its load (printed beside each pass; the
workers run at nice 10). CPU seconds per track do not.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).parent))
from bench_similarity import build_catalog  # noqa: E402


def load() -> str:
    return f"load average {os.getloadavg()[0]:.1f}"


def _decode_only(path: str, patches: int) -> float:
    from musitui.analysis.patches import decode_patches
    from musitui.decode import DecodeError

    try:
        return float(len(decode_patches(path, patches)[0]))
    except DecodeError:
        return 0.0


def _quiet() -> None:
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    os.close(devnull)


def _peak_of(function_name: str, path: str, patches: int) -> float:
    """Run in a fresh process: tag (or analyse) one file, return the process's peak RSS."""
    from musitui.analysis.tagging import tag_file
    from musitui.analysis.worker import analyze_file, peak_rss_mb

    if function_name == "tag":
        result = tag_file(0, path, patches)
        assert result.error is None, result.error
    else:
        result = analyze_file(0, path, 30.0)
        assert result.error is None, result.error
    return peak_rss_mb()


def long_file(folder: Path, minutes: float = 20.0) -> Path:
    """A 20-minute stereo Ogg Vorbis file, written in blocks (never all in memory)."""
    import soundfile as sf

    path = folder / "twenty-minutes.ogg"
    rate, block = 44100, 44100 * 10
    rng = np.random.default_rng(1)
    with sf.SoundFile(path, "w", samplerate=rate, channels=2, format="OGG", subtype="VORBIS") as out:
        for start in range(0, int(minutes * 60 * rate), block):
            t = (start + np.arange(block)) / rate
            tone = 0.3 * np.sin(2 * np.pi * (110 + 20 * np.sin(t / 30)) * t)
            beat = 0.2 * rng.standard_normal(block) * np.exp(-(t % 0.5) * 20)
            y = (tone + beat).astype(np.float32)
            out.write(np.stack([y, y], axis=1))
    return path


FIRST_PASS = """
import sys, tempfile, time
from pathlib import Path
sys.path.insert(0, sys.argv[1] + "/bench")
from bench_similarity import build_catalog
from musitui.analysis.runner import analyze_catalog
with tempfile.TemporaryDirectory() as tmp:
    home, catalog, rows = build_catalog(Path(tmp), Path(sys.argv[2]))
    began = time.monotonic()
    report = analyze_catalog(home, catalog, jobs=int(sys.argv[3]), show_progress=False)
    print(report.analyzed / (time.monotonic() - began))
"""


def first_pass_speed(checkout: Path, corpus: Path, jobs: int) -> float:
    import subprocess

    env = {**os.environ, "PYTHONPATH": str(checkout)}
    out = subprocess.run([sys.executable, "-c", FIRST_PASS, str(checkout), str(corpus), str(jobs)],
                         capture_output=True, text=True, env=env, timeout=600, check=True)
    return float(out.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, default=Path("/work/corpus/a"))
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--patches", type=int, default=None)
    parser.add_argument("--skip-long", action="store_true")
    parser.add_argument("--compare-with", type=Path, default=None, metavar="CHECKOUT",
                        help="also time the first pass with another checkout's code (e.g. /work/main)")
    args = parser.parse_args()

    from musitui.analysis.runner import analyze_catalog
    from musitui.analysis.tagger_pass import tag_catalog
    from musitui.analysis.tagging import DEFAULT_PATCHES

    patches = args.patches or DEFAULT_PATCHES
    with tempfile.TemporaryDirectory(prefix="bench-tagger-") as tmp:
        home, catalog, rows = build_catalog(Path(tmp) / "home", args.corpus)
        print(f"{len(rows)} corpus files, {args.jobs} jobs, {patches} patches per track")

        print(f"\n1. first pass ({load()})")
        first = analyze_catalog(home, catalog, jobs=args.jobs, show_progress=False)
        print(f"   {first.analyzed} analysed in {first.seconds:.1f} s: {first.analyzed / first.seconds:.2f} tracks/s"
              f" (wall incl. start-up); peak worker RSS {first.peak_worker_rss_mb:.0f} MB")

        paths = [t.path for t in catalog.present() if t.analysis is not None]
        print(f"\n2. baseline: decode only, the same windows, {args.jobs} processes ({load()})")
        began = time.monotonic()
        with ProcessPoolExecutor(args.jobs, mp_context=get_context("forkserver"), initializer=_quiet) as pool:
            decoded = list(pool.map(_decode_only, paths, [patches] * len(paths)))
        wall = time.monotonic() - began
        print(f"   {len(paths)} tracks, {sum(decoded):.0f} patches in {wall:.1f} s: {len(paths) / wall:.2f} tracks/s")

        print(f"\n3. second pass: the tagger ({load()})")
        tagged = tag_catalog(home, catalog, jobs=args.jobs, show_progress=False, patches=patches)
        n = max(1, tagged.tagged)
        print(f"   {tagged.tagged} tagged ({tagged.patches} patches, {len(tagged.errors)} errors) in "
              f"{tagged.seconds:.1f} s: {tagged.tagged / tagged.seconds:.2f} tracks/s (wall incl. start-up; target >= 2)")
        print(f"   worker CPU per track: decode {tagged.decode_cpu / n:.3f} s, network {tagged.tag_cpu / n:.3f} s "
              f"({tagged.tag_cpu / max(1, tagged.patches) * 1000:.1f} ms per patch)")
        print(f"   peak worker RSS {tagged.peak_worker_rss_mb:.0f} MB")
        print(f"   tagger / decode-only: {(len(paths) / wall) / max(1e-9, tagged.tagged / tagged.seconds):.2f}x the time")

        if not args.skip_long:
            print(f"\n4. a 20-minute file ({load()})")
            path = long_file(Path(tmp))
            for name in ("analyse", "tag"):
                with ProcessPoolExecutor(1, mp_context=get_context("spawn")) as pool:
                    peak = pool.submit(_peak_of, "tag" if name == "tag" else "analyse", str(path), patches).result()
                print(f"   {'first pass' if name == 'analyse' else 'tagger':10} worker peak RSS {peak:.0f} MB"
                      + ("  (target <= 300)" if name == "tag" else ""))
    if args.compare_with:
        here = Path(__file__).resolve().parent.parent
        print(f"\n5. the first pass alone, tracks/s (wall incl. start-up), alternating ({load()})")
        speeds: dict[str, list[float]] = {"this checkout": [], str(args.compare_with): []}
        for _ in range(3):
            speeds["this checkout"].append(first_pass_speed(here, args.corpus, args.jobs))
            speeds[str(args.compare_with)].append(first_pass_speed(args.compare_with, args.corpus, args.jobs))
        for name, values in speeds.items():
            print(f"   {name:24} median {np.median(values):.2f}  runs {', '.join(f'{v:.2f}' for v in values)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
