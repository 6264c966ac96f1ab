"""TUI speed with a 50,000-track catalog already cached (catalog.json + features.npz).

Measures, in one run, beside a baseline (an empty Textual App started the same way):
- first paint: opening catalog + features + session and the first full screen (target <= 1 s)
- filter keystroke → updated list on screen (target <= 50 ms, median and worst)
- rerank → Up next on screen after a mood change (target <= 100 ms)
- peak RSS (target <= 300 MB)

    .venv/bin/python bench/bench_tui.py [--tracks 50000] [--keep DIR]
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ARTISTS = ["Aurora", "Björk Ensemble", "Cold Harbour", "Delta Nine", "Échos", "Fjord", "Gray Piano",
           "Hollow Moon", "Iron Tide", "Jade Road"]
WORDS = ["night", "river", "light", "dance", "ghost", "fire", "blue", "summer", "echo", "heart",
         "storm", "city", "dream", "stone", "glass", "wild", "silver", "ocean", "road", "song"]
GENRES = ["Rock", "Pop", "Electronic", "Jazz", "Classical", "Ambient", "Metal", "Folk"]


def build_home(root: Path, n: int) -> Path:
    from musitui.model import Analysis
    from musitui.moods import nearest_mood
    from musitui.paths import Home
    from musitui.store.catalog import Catalog
    from musitui.store.features import FILE_NAME, FeatureStore

    home = Home(root, root).ensure()
    if home.catalog_file.exists():
        return root
    rng = np.random.default_rng(1)
    catalog = Catalog(home.catalog_file, home.backups_dir)
    for i in range(n):
        artist = f"{ARTISTS[i % len(ARTISTS)]} {i // 500}"
        album = f"{WORDS[(i // 12) % 20].title()} {WORDS[(i // 240) % 20]} {i // 12}"
        title = " ".join(WORDS[j % 20] for j in rng.integers(0, 20, 3)).title()
        v, a = (float(x) for x in rng.uniform(-1, 1, 2))
        catalog.new_track(f"/music/{artist}/{album}/{i:05d}.flac", title=title, artist=artist,
                          album=album, genre=GENRES[i % len(GENRES)], track_no=i % 12 + 1,
                          duration=float(120 + i % 300), codec="flac",
                          analysis=Analysis(1, 120.0, "C", "major", v, a, nearest_mood(v, a)))
    catalog.save()
    store = FeatureStore(home.features_dir / FILE_NAME, version=1, names=[f"f{i}" for i in range(32)])
    store.put_many(list(catalog.tracks), rng.normal(size=(n, 32)).astype(np.float32))
    store.save()
    return root


async def baseline_paint() -> float:
    from textual.app import App
    from textual.widgets import Label

    class Empty(App[None]):
        def compose(self):
            yield Label("hello")

    started = time.perf_counter()
    app = Empty()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        return time.perf_counter() - started


async def measure(root: Path) -> dict[str, float | list[float]]:
    from musitui.commands.ui import build_session
    from musitui.config import load_config
    from musitui.paths import Home
    from musitui.store.catalog import Catalog
    from musitui.tui.app import MusituiApp
    from musitui.tui.library_view import LibraryView
    from musitui.tui.up_next import UpNextView

    started = time.perf_counter()
    home = Home(root, root)
    config = load_config(home)
    catalog = Catalog.open(home)
    session, player, _ = build_session(home, config, catalog, device="null")
    app = MusituiApp(session, catalog, config=config, home=home)
    results: dict[str, float | list[float]] = {}
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        results["first_paint"] = time.perf_counter() - started
        results["tracks"] = float(len(app.model.tracks))
        view = app.query_one(LibraryView)
        await pilot.press("slash")
        keystrokes = []
        for key in "rivr":  # the last key makes a typo: the fuzzy path is measured too
            t0 = time.perf_counter()
            await pilot.press(key)
            # The Changed handler has run and the view is refreshed once the pause returns.
            await pilot.pause()
            keystrokes.append(time.perf_counter() - t0)
            _ = view.render_line(0)
        results["filter_ms"] = [k * 1000 for k in keystrokes]
        results["matches"] = float(app.model.match_count)
        await pilot.press("escape")
        upnext = app.query_one(UpNextView)
        reranks = []
        for mood in ["calm", "energetic", "sad", "happy", "auto"]:
            before = [item.track.id for item in upnext.items]
            t0 = time.perf_counter()
            session.set_mood(mood)
            while [item.track.id for item in upnext.items] == before and time.perf_counter() - t0 < 2:
                await asyncio.sleep(0.001)
            await pilot.pause()
            reranks.append((time.perf_counter() - t0) * 1000)
        results["rerank_ms"] = reranks
    session.close()
    if player is not None:
        player.close()
    results["rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return results


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tracks", type=int, default=50_000)
    parser.add_argument("--keep", help="reuse/keep the synthetic home in this folder")
    args = parser.parse_args()
    root = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="musitui-bench-"))
    t0 = time.perf_counter()
    build_home(root, args.tracks)
    print(f"catalog of {args.tracks} tracks ready in {time.perf_counter() - t0:.1f} s ({root})")
    base = asyncio.run(baseline_paint())
    r = asyncio.run(measure(root))
    filt, rer = r["filter_ms"], r["rerank_ms"]
    assert isinstance(filt, list) and isinstance(rer, list)
    print(f"baseline: empty Textual App first paint   {base * 1000:8.0f} ms")
    print(f"first paint, {int(r['tracks'])} tracks          {r['first_paint'] * 1000:8.0f} ms"
          f"   target <= 1000 ms  ({r['first_paint'] / base:.1f}x baseline)")
    print(f"filter keystroke → list (median/worst) {statistics.median(filt):6.1f} / {max(filt):.1f} ms"
          f"   target <= 50 ms   per key: {', '.join(f'{x:.1f}' for x in filt)}; {int(r['matches'])} matches")
    print(f"rerank → Up next on screen (median/worst) {statistics.median(rer):4.1f} / {max(rer):.1f} ms"
          f"   target <= 100 ms")
    print(f"peak RSS                                {r['rss_mb']:8.0f} MB   target <= 300 MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
