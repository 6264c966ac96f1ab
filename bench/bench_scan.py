"""Tag-scan throughput: cold scan (1 and 2 jobs), unchanged rescan, beside raw os.stat.

    .venv/bin/python bench/bench_scan.py FOLDER
    .venv/bin/python bench/bench_scan.py --synthetic 10000 [--keep DIR]

Targets (2-core machine): cold scan >= 1,000 files/s with 2 jobs; unchanged rescan of
10,000 files <= 2 s. The os.stat figure is measured in the same run, on the same files, as
the floor any scan has to pay; timings on a shared machine are noisy, so compare ratios.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from musitui.library.formats import audio_kind  # noqa: E402
from musitui.library.scan import scan_folder  # noqa: E402
from musitui.store.catalog import Catalog  # noqa: E402

TEMPLATE_FORMATS = ("mp3", "flac", "ogg", "aac")
PER_FOLDER = 100


def make_templates(folder: Path) -> dict[str, Path]:
    from library_helpers import FORMATS, make_track

    return {fmt: make_track(folder, f"template{FORMATS[fmt][0]}", fmt, seconds=0.25,
                            title="Template", artist="Bench", album="Bench", genre="Rock")
            for fmt in TEMPLATE_FORMATS}


def _tag_batch(batch: list[tuple[str, str, int]]) -> None:
    from library_helpers import tag_file

    for path, fmt, index in batch:
        tag_file(Path(path), fmt, title=f"Track {index}", artist=f"Artist {index // PER_FOLDER}",
                 album=f"Album {index // PER_FOLDER}", track=str(index % PER_FOLDER + 1))


def make_synthetic(root: Path, count: int) -> None:
    from library_helpers import FORMATS

    templates = make_templates(root / ".templates")
    jobs: list[tuple[str, str, int]] = []
    for index in range(count):
        fmt = TEMPLATE_FORMATS[index % len(TEMPLATE_FORMATS)]
        folder = root / f"artist{index // (PER_FOLDER * 10):03d}" / f"album{index // PER_FOLDER:04d}"
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / f"{index % PER_FOLDER:03d} track{FORMATS[fmt][0]}"
        shutil.copyfile(templates[fmt], target)
        jobs.append((str(target), fmt, index))
    batches = [jobs[i:i + 200] for i in range(0, len(jobs), 200)]
    with ProcessPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        list(pool.map(_tag_batch, batches))
    shutil.rmtree(root / ".templates")


def stat_all(root: Path) -> tuple[int, float]:
    """The raw floor: list every folder and os.stat every audio file."""
    started = time.perf_counter()
    count = 0
    for folder, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for name in files:
            if audio_kind(name):
                os.stat(os.path.join(folder, name))
                count += 1
    return count, time.perf_counter() - started


def cpu_seconds() -> float:
    """CPU time of this process and its finished children (the worker processes)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def timed_scan(home: Path, root: Path, jobs: int) -> tuple[float, float, object]:
    """Wall seconds, CPU seconds and the report of one scan (catalog load and save included)."""
    started, cpu = time.perf_counter(), cpu_seconds()
    catalog = Catalog(home / "catalog.json")
    catalog.load()
    report = scan_folder(catalog, str(root), jobs=jobs)
    return time.perf_counter() - started, cpu_seconds() - cpu, report


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folder", nargs="?", help="an existing music folder")
    parser.add_argument("--synthetic", type=int, metavar="N",
                        help="generate N small tagged files in a temporary folder")
    parser.add_argument("--keep", metavar="DIR", help="generate into / reuse DIR for --synthetic")
    args = parser.parse_args()
    if not args.folder and not args.synthetic:
        args.synthetic = 10000
    work = Path(tempfile.mkdtemp(prefix="musitui-bench-"))
    try:
        if args.folder:
            root = Path(args.folder).resolve()
        else:
            root = Path(args.keep).resolve() if args.keep else work / "library"
            if not root.exists() or not any(root.iterdir()):
                started = time.perf_counter()
                make_synthetic(root, args.synthetic)
                print(f"generated {args.synthetic} tagged files in {time.perf_counter() - started:.1f} s "
                      f"under {root}")
        count, stat_seconds = stat_all(root)  # also warms the metadata cache for every run below
        count, stat_seconds = stat_all(root)
        print(f"files: {count}  (cpu cores: {os.cpu_count()})")
        print(f"baseline  os.walk + os.stat of every file: {stat_seconds:7.3f} s "
              f"= {count / stat_seconds:9.0f} files/s")
        results = {}
        for jobs in (1, 2):
            home = work / f"home{jobs}"
            seconds, cpu, report = timed_scan(home, root, jobs)
            results[jobs] = (seconds, report)
            print(f"cold scan, {jobs} job{'s' if jobs > 1 else ' '}:                  {seconds:7.3f} s "
                  f"= {count / seconds:9.0f} files/s   ({report.added} added, "
                  f"{len(report.errors)} errors; x{seconds / stat_seconds:.0f} the stat floor; "
                  f"CPU {cpu * 1e6 / count:.0f} us/file)")
        seconds, cpu, report = timed_scan(work / "home2", root, 2)
        print(f"unchanged rescan (load+walk+save):        {seconds:7.3f} s "
              f"= {count / seconds:9.0f} files/s   ({report.unchanged} unchanged; "
              f"x{seconds / stat_seconds:.1f} the stat floor; CPU {cpu * 1e6 / count:.0f} us/file)")
        load = os.getloadavg()[0]
        print(f"load average during the run: {load:.1f} on {os.cpu_count()} cores "
              "(other processes share the CPU; compare against the stat baseline)")
        cold2 = count / results[2][0]
        rescan_10k = seconds * 10000 / max(1, count)
        print()
        print(f"target: cold scan with 2 jobs >= 1000 files/s: {cold2:.0f} files/s "
              f"-> {'MET' if cold2 >= 1000 else 'NOT MET'}")
        print(f"target: unchanged rescan of 10,000 files <= 2 s: {rescan_10k:.2f} s per 10k "
              f"-> {'MET' if rescan_10k <= 2 else 'NOT MET'}")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
