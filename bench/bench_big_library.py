"""A 100,000-track library: an unchanged rescan, the player's first paint, a rerank, memory.

    .venv/bin/python bench/bench_big_library.py [--tracks 100000] [--keep DIR] [--runs 3]
        [--real-files CORPUS_LIBRARY] [--skip-tui] [--skip-rerank]

The catalog, the fast pass's feature arrays and the tagger's embeddings are written directly
(no audio is analysed), for a folder of ``--tracks`` EMPTY files that really exist on disk
(artist/album/NN.flac; an empty file costs an inode, no data block): so the rescan is the
real one, walking and stat-ing every file, finding each one unchanged (same size and mtime as
the catalog holds), and then asking both analysis passes what is left (nothing). Each figure
is printed beside a baseline from the same run and the load average:

1. ``musitui scan FOLDER --json`` of the unchanged library as a fresh process (wall, CPU,
   peak RSS), also with ``--no-analyze``; baselines: ``musitui --help`` as a process (the
   start-up floor) and a bare ``os.scandir`` walk + stat of the same folder in Python.
2. An analysis worker's peak RSS: a few real files (``--real-files``: the first 6 music files
   found there) copied into the big folder, then the fast pass and the tagger pass run on the
   100k catalog (they analyse only the new files): the passes' reports' worker peaks.
3. The player at 100k: first paint, rows on screen, a key working, peak RSS, rerank -> Up
   next on screen (bench/bench_tui.py's start-up children, beside an empty Textual app).
4. The Session's rerank at 100k tracks / 100k events with 240-d vectors (bench/bench_rerank.py).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

ARTISTS, ALBUMS = 100, 10  # tracks spread as ARTISTS x ALBUMS folders (100 files each at 100k)
GENRES = ["Rock", "Pop", "Electronic", "Jazz", "Classical", "Ambient", "Metal", "Folk"]
WORDS = ["night", "river", "light", "dance", "ghost", "fire", "blue", "summer", "echo", "heart"]

# Runs the CLI in a fresh process and writes its peak RSS (VmHWM) and CPU to stderr.
MEASURED_CLI = """
import resource, sys
from musitui import cli
try:
    code = cli.main(sys.argv[1:])
except SystemExit as exc:  # --help
    code = exc.code
hwm = next(line.split()[1] for line in open("/proc/self/status") if line.startswith("VmHWM"))
usage = resource.getrusage(resource.RUSAGE_SELF)
print("MEASURED", int(hwm) / 1024, usage.ru_utime + usage.ru_stime, file=sys.stderr)
raise SystemExit(code)
"""


def load() -> str:
    return f"load {os.getloadavg()[0]:.1f}"


def build(root: Path, n: int) -> tuple[Path, Path]:
    """(home, music folder): ``n`` empty files and a home that knows them all as analysed and
    tagged from their current version."""
    from musitui.analysis.features import FEATURE_NAMES
    from musitui.analysis.version import FEATURE_VERSION
    from musitui.core.model import Analysis
    from musitui.core.moods import nearest_mood
    from musitui.paths import Home
    from musitui.store.catalog import Catalog
    from musitui.store.features import FILE_NAME, FeatureStore
    from musitui.store.tagger_store import TaggerStore

    music, home_dir = root / "music", root / "home"
    stamp = root / "built"
    if stamp.exists() and stamp.read_text() == f"{n} {FEATURE_VERSION}":
        return home_dir, music
    shutil.rmtree(root, ignore_errors=True)
    home = Home(home_dir, home_dir).ensure()
    rng = np.random.default_rng(1)
    catalog = Catalog(home.catalog_file, home.backups_dir)
    per_folder = -(-n // (ARTISTS * ALBUMS))
    for i in range(n):
        artist, album = f"Artist {i % ARTISTS:03d}", f"Album {(i // ARTISTS) % ALBUMS:02d}"
        folder = music / artist / album
        if i < ARTISTS * ALBUMS:
            folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{i // (ARTISTS * ALBUMS):03d} track {i:06d}.flac"
        path.touch()
        info = path.stat()
        v, a = (float(x) for x in rng.uniform(-1, 1, 2))
        catalog.new_track(str(path), title=" ".join(WORDS[j] for j in rng.integers(0, 10, 3)).title(),
                          artist=artist, album=album, genre=GENRES[i % len(GENRES)],
                          track_no=i // (ARTISTS * ALBUMS) % per_folder + 1, duration=float(120 + i % 300),
                          codec="flac", size=info.st_size, mtime_ns=info.st_mtime_ns,
                          analysis=Analysis(FEATURE_VERSION, 120.0, "C", "major", v, a, nearest_mood(v, a)))
    catalog.remember_folder(str(music))
    catalog.save()
    ids = list(catalog.tracks)
    features = FeatureStore(home.features_dir / FILE_NAME, version=FEATURE_VERSION, names=list(FEATURE_NAMES))
    features.put_many(ids, rng.normal(size=(n, len(FEATURE_NAMES))).astype(np.float32))
    features.save()
    tagger = TaggerStore.open(home)
    tracks = [catalog.tracks[i] for i in ids]
    tagger.put_many(ids, rng.normal(size=(n, 200)).astype(np.float32),
                    rng.uniform(0, 1, (n, 50)).astype(np.float32), [8] * n,
                    [int(t.size or 0) for t in tracks], [int(t.mtime_ns or 0) for t in tracks])
    tagger.save()
    stamp.write_text(f"{n} {FEATURE_VERSION}")
    return home_dir, music


def cli_run(args: list[str]) -> tuple[float, float, float, dict[str, object]]:
    """(wall s, CPU s, peak RSS MB, the --json report) of one ``musitui`` process."""
    started = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", MEASURED_CLI, *args], capture_output=True, text=True)
    wall = time.perf_counter() - started
    if out.returncode != 0:
        raise SystemExit(f"musitui {' '.join(args)} failed: {out.stderr[-600:]}")
    line = next(x for x in out.stderr.splitlines() if x.startswith("MEASURED"))
    _, rss, cpu = line.split()
    try:
        report = json.loads(out.stdout) if out.stdout.strip().startswith("{") else {}
    except ValueError:
        report = {}
    return wall, float(cpu), float(rss), report


def bare_walk(folder: Path) -> tuple[int, float]:
    started = time.perf_counter()
    stack, count = [str(folder)], 0
    while stack:
        with os.scandir(stack.pop()) as entries:
            for entry in entries:
                if entry.is_dir():
                    stack.append(entry.path)
                else:
                    entry.stat()
                    count += 1
    return count, time.perf_counter() - started


def median_of(rows: list[tuple[float, float, float, dict[str, object]]]) -> str:
    wall = statistics.median(r[0] for r in rows)
    cpu = statistics.median(r[1] for r in rows)
    rss = max(r[2] for r in rows)
    return f"median {wall:5.2f} s wall, {cpu:5.2f} s CPU, peak RSS {rss:4.0f} MB"


def rescan_figures(home: Path, music: Path, runs: int) -> None:
    helps, scans, quick, walks = [], [], [], []
    for _ in range(runs):  # interleaved, so each sees the same load
        helps.append(cli_run(["--help"]))
        scans.append(cli_run(["--home", str(home), "scan", str(music), "--json"]))
        quick.append(cli_run(["--home", str(home), "scan", str(music), "--no-analyze", "--json"]))
        walks.append(bare_walk(music))
    report = scans[-1][3]
    print(f"unchanged rescan, {runs} runs each, interleaved ({load()}):")
    print(f"  musitui scan FOLDER (both passes check) {median_of(scans)}   "
          f"[unchanged {report.get('unchanged')}, added {report.get('added')}, "
          f"analysed {report.get('analyzed')}]")
    print(f"  musitui scan FOLDER --no-analyze        {median_of(quick)}")
    print(f"  baseline: musitui --help                {median_of(helps)}")
    print(f"  baseline: os.scandir walk + stat of the {walks[0][0]} files in Python: "
          f"median {statistics.median(w[1] for w in walks):.2f} s")


def worker_figures(home_dir: Path, music: Path, real: Path | None) -> None:
    from musitui.analysis.runner import analyze_catalog
    from musitui.analysis.tagger_pass import tag_catalog
    from musitui.library.formats import audio_kind
    from musitui.library.scan import scan_folder
    from musitui.paths import Home
    from musitui.store.catalog import Catalog

    if real is None:
        print("analysis workers: skipped (no --real-files)")
        return
    files = sorted(p for p in real.rglob("*") if p.is_file() and audio_kind(p.name))[:6]
    extra = music / "zz real files"
    shutil.rmtree(extra, ignore_errors=True)
    extra.mkdir()
    for f in files:
        shutil.copy2(f, extra / f.name)
    from bench_tui import fresh_home

    copy = fresh_home(home_dir, home_dir.parent / "worker-home")  # the big home stays as built
    home = Home(copy, copy)
    catalog = Catalog.open(home, write=True)
    try:
        scanned = scan_folder(catalog, str(music))
        print(f"  (scan of the copy: added {scanned.added}, errors {scanned.errors[:2]})")
        fast = analyze_catalog(home, catalog, jobs=2, show_progress=False)
        tagged = tag_catalog(home, catalog, jobs=2, show_progress=False)
    finally:
        catalog.close()
        shutil.rmtree(extra, ignore_errors=True)
        shutil.rmtree(copy, ignore_errors=True)
    print(f"analysis workers on the {len(catalog.tracks)}-track catalog ({len(files)} real files "
          f"added, {load()}): fast pass analysed {fast.analyzed} in {fast.seconds:.1f} s, worker peak "
          f"RSS {fast.peak_worker_rss_mb:.0f} MB; tagger pass tagged {tagged.tagged} in "
          f"{tagged.seconds:.1f} s, worker peak RSS {tagged.peak_worker_rss_mb:.0f} MB"
          + (f"; errors {fast.errors[:2]} {tagged.errors[:2]}" if fast.errors or tagged.errors else ""))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tracks", type=int, default=100_000)
    parser.add_argument("--keep", type=Path, help="build (or reuse) the library here")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--real-files", type=Path, default=None)
    parser.add_argument("--skip-tui", action="store_true")
    parser.add_argument("--skip-rerank", action="store_true")
    args = parser.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="musitui-big-"))
    started = time.perf_counter()
    home, music = build(work / f"big-{args.tracks}", args.tracks)
    print(f"{args.tracks} empty files + catalog, features and tagger embeddings ready in "
          f"{time.perf_counter() - started:.0f} s ({load()})")
    rescan_figures(home, music, args.runs)
    worker_figures(home, music, args.real_files)
    if not args.skip_tui:
        import bench_tui

        print(f"the player ({load()}):")
        bench_tui.startup_figures(home, args.runs)
    if not args.skip_rerank:
        import bench_rerank

        print(f"the session's rerank ({load()}):")
        bench_rerank.bench_rerank(argparse.Namespace(tracks=args.tracks, events=100_000, learned_dims=200,
                                                     reranks=60), work / f"rerank-{args.tracks}")
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
