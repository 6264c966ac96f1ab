"""What starting the analysis workers' server early would be worth: `musitui analyze`'s wall
time with the forkserver started before the catalog loads and with it started by the pool's
first worker (what the package does), in the same run, rounds alternating.

    .venv/bin/python bench/bench_worker_server.py [--library /path/to/music] [--tracks 12] [--rounds 3]

Starting it early needs multiprocessing's undocumented `forkserver.ensure_running` (the
package once did that); the public route, the package's now, starts the server with the
pool's first worker, which then waits for its warm-up (~0.8 s of CPU). Each round copies one
scanned, unanalysed home and analyses it in a fresh process (no server left from a previous
round); wall clock from process start to exit.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

AUDIO = {".flac", ".mp3", ".ogg", ".opus", ".m4a", ".wav"}
ANALYSE = """
import sys
from musitui.paths import resolve_home
if sys.argv[2] == "early":
    from multiprocessing import forkserver
    from musitui.analysis.worker import worker_context
    worker_context()  # the preload
    forkserver.ensure_running()
from musitui.analysis.pipeline import scan_analyse_tag
from musitui.store.catalog import Catalog
home = resolve_home(sys.argv[1])
catalog = Catalog.open(home, write=True)
done = scan_analyse_tag(home, catalog, tag=False, jobs=2)
print(done.analysis.analyzed)
"""


def load() -> str:
    return f"load average {os.getloadavg()[0]:.1f}"


def prepared_home(library: Path, tracks: int, root: Path) -> Path:
    music = root / "music"
    music.mkdir()
    files = sorted(p for p in library.rglob("*") if p.suffix.lower() in AUDIO)[:tracks]
    for n, path in enumerate(files):
        os.symlink(path, music / f"{n:03d}{path.suffix.lower()}")
    home = root / "home"
    subprocess.run([sys.executable, "-m", "musitui", "--home", str(home), "scan", "--no-analyze",
                    "--json", str(music)], check=True, capture_output=True)
    return home


def one_round(home: Path, mode: str, root: Path) -> tuple[float, int]:
    copy = root / f"round-{mode}"
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(home, copy, symlinks=True)
    started = time.monotonic()
    out = subprocess.run([sys.executable, "-c", ANALYSE, str(copy), mode], check=True,
                         capture_output=True, text=True)
    return time.monotonic() - started, int(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--library", type=Path, default=Path("/work/corpus/A/library"))
    parser.add_argument("--tracks", type=int, default=12)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="musitui-bench-server-") as folder:
        root = Path(folder)
        home = prepared_home(args.library, args.tracks, root)
        times: dict[str, list[float]] = {"early": [], "late": []}
        print(f"{args.tracks} tracks, {args.rounds} rounds each, alternating ({load()} before)")
        for _ in range(args.rounds):
            for mode in ("late", "early"):
                seconds, analysed = one_round(home, mode, root)
                times[mode].append(seconds)
                print(f"  {mode:5}  {seconds:6.2f} s  ({analysed} analysed, {load()})")
        for mode, values in times.items():
            print(f"{mode:5}: median {statistics.median(values):.2f} s, best {min(values):.2f} s")
        gain = statistics.median(times["late"]) - statistics.median(times["early"])
        print(f"starting it early saves {gain:+.2f} s (median) on this run ({load()} after)")


if __name__ == "__main__":
    main()
