"""Cover art never stalls a frame: frame lateness while the track changes every 0.25 s.

Each run is a fresh child process with the app (120x40, half-block covers) over a library of
20 albums x 2 tracks. A probe on the UI's event loop asks to wake every 1/60 s and records how
late it wakes (bench_tui.LagProbe). Runs, in one go on this machine:

- baseline: the same library without any cover (the cover widget finds nothing);
- cold: every album has a 1600x1600 JPEG beside it, nothing cached (each change decodes one
  and writes its thumbnail);
- warm: the same, the thumbnails cached by the cold run.

    .venv/bin/python bench/bench_cover.py [--runs 3] [--changes 40]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_tui import LagProbe, lag_figures  # noqa: E402

ALBUMS = 20
PER_ALBUM = 2
COVER_PIXELS = 1600


def build_library(root: Path, covers: bool) -> Path:
    import soundfile as sf
    from PIL import Image

    from musitui.paths import Home
    from musitui.store.catalog import Catalog

    home = Home(root / "home", root / "home").ensure()
    catalog = Catalog.open(home)
    rng = np.random.default_rng(1)
    tone = (0.1 * np.sin(np.arange(8000 * 30) * 0.07)).astype(np.float32)
    for a in range(ALBUMS):
        folder = root / "music" / f"Artist {a}" / f"Album {a}"
        folder.mkdir(parents=True, exist_ok=True)
        if covers:
            noise = rng.integers(0, 255, (COVER_PIXELS // 8, COVER_PIXELS // 8, 3), dtype=np.uint8)
            Image.fromarray(noise).resize((COVER_PIXELS, COVER_PIXELS)).save(folder / "cover.jpg",
                                                                             quality=92)
        for n in range(PER_ALBUM):
            path = folder / f"{n + 1:02d} Song {a}-{n}.wav"
            sf.write(path, tone, 8000, subtype="PCM_16")
            stat = path.stat()
            catalog.new_track(str(path), size=stat.st_size, mtime_ns=stat.st_mtime_ns,
                              title=f"Song {a}-{n}", artist=f"Artist {a}", album=f"Album {a}",
                              track_no=n + 1, duration=30.0, codec="wav", sample_rate=8000,
                              channels=1)
    catalog.save()
    return root / "home"


async def child(home_dir: Path, changes: int) -> dict:
    from musitui.config import load_config
    from musitui.core.session import Session
    from musitui.paths import Home
    from musitui.playback import Player
    from musitui.store.catalog import Catalog
    from musitui.store.features import FeatureStore
    from musitui.store.history import History
    from musitui.tui.app import MusituiApp
    from musitui.tui.cover_art import CoverArt

    home = Home(home_dir, home_dir)
    config = load_config(home)
    config.ui = replace(config.ui, cover_art="halfblocks", mpris=False)
    catalog = Catalog.open(home)
    session = Session(home, config, catalog, player=Player(device="null"),
                      history=History.open(home), features=FeatureStore.open(home))
    import gc

    gc.freeze()  # as commands/ui.LibraryOpener does once the library is open
    app = MusituiApp(session, catalog, config=config, home=home, animate_highlight=False)
    ids = sorted(catalog.tracks)
    probe = LagProbe()
    shown = 0
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        probe.start()
        await asyncio.sleep(1.0)
        idle = lag_figures(probe.take())
        cover = app.query_one(CoverArt)
        for i in range(changes):
            session.play_track(ids[i % len(ids)])
            await asyncio.sleep(0.25)
            shown += cover.image is not None
        busy = lag_figures(probe.take())
        probe.stop()
    session.close()
    return {"idle": idle, "changes": busy, "covers_shown": shown}


def run_child(home: Path, changes: int) -> dict:
    out = subprocess.run([sys.executable, __file__, "--child", str(home), str(changes)],
                         capture_output=True, text=True, check=False)
    if out.returncode != 0:
        raise SystemExit(f"child failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> int:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        print(json.dumps(asyncio.run(child(Path(sys.argv[2]), int(sys.argv[3])))))
        return 0
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--changes", type=int, default=40)
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="musitui-bench-cover-"))
    try:
        bare = build_library(root / "bare", covers=False)
        covered = build_library(root / "covered", covers=True)
        results: dict[str, list[dict]] = {"baseline (no covers)": [], "cold cache": [],
                                          "warm cache": []}
        for _ in range(args.runs):  # interleaved: the machine is shared
            results["baseline (no covers)"].append(run_child(bare, args.changes))
            shutil.rmtree(covered / "covers", ignore_errors=True)
            results["cold cache"].append(run_child(covered, args.changes))
            results["warm cache"].append(run_child(covered, args.changes))
        print(f"frame lateness (ms) over {args.changes} track changes, 4 per second; "
              f"median of {args.runs} runs [worst run]")
        print(f"{'':22} {'max':>14} {'p99':>14} {'median':>8} {'idle max':>9} {'covers shown':>13}")
        for label, runs in results.items():
            def med(key: str, part: str = "changes", runs=runs) -> float:
                return statistics.median(r[part][key] for r in runs)

            def worst(key: str, runs=runs) -> float:
                return max(r["changes"][key] for r in runs)

            shown = statistics.median(r["covers_shown"] for r in runs)
            print(f"{label:22} {med('max'):7.1f} [{worst('max'):4.1f}] {med('p99'):7.1f} "
                  f"[{worst('p99'):4.1f}] {med('median'):8.2f} {med('max', 'idle'):9.1f} "
                  f"{shown:>9.0f}/{args.changes}")
    finally:
        shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
