"""TUI speed with a 50,000-track catalog already cached, and frame lag while analysis runs.

Every measurement runs in a fresh child process (so peak RSS is the app's own), beside a
baseline measured in the same run:

- start-up at 50k: first paint, the library's rows on screen, a key moving the cursor,
  the session attached (enter plays), the search index ready. Targets: first paint <= 1 s
  and the list visible and keys working <= 1 s. Baseline: an empty Textual app's first paint.
- filter keystroke -> updated list (target <= 50 ms), rerank -> Up next on screen (<= 100 ms).
- peak RSS of the 50k app (target <= 300 MB).
- frame lag: an asyncio task on the UI's event loop asks to wake every 1/60 s and records how
  late it wakes (max, p99). Idle (the same library, nothing running) vs during a scan +
  analysis of the demo library (analysis in worker processes); and the same at 50k, where
  each batch of results re-sorts the 50k library and rebuilds the recommender's arrays.

    .venv/bin/python bench/bench_tui.py [--tracks 50000] [--keep DIR] [--skip-analysis]
        [--lag-only] [--retire-only] [--trace FILE] [--before PACKAGE_DIR]

--trace FILE: sample every thread's stack (musitui/tui/stall_trace.py) and write, per late
frame (> 12 ms) and per gap in the samples (a C call holding the GIL), what each thread ran.
--before DIR: measure the frame lag of another copy of the package too, alternating with
this one (e.g. DIR/musitui = the working tree with the files under test taken from HEAD).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

ARTISTS = ["Aurora", "Björk Ensemble", "Cold Harbour", "Delta Nine", "Échos", "Fjord", "Gray Piano",
           "Hollow Moon", "Iron Tide", "Jade Road"]
WORDS = ["night", "river", "light", "dance", "ghost", "fire", "blue", "summer", "echo", "heart",
         "storm", "city", "dream", "stone", "glass", "wild", "silver", "ocean", "road", "song"]
GENRES = ["Rock", "Pop", "Electronic", "Jazz", "Classical", "Ambient", "Metal", "Folk"]
FRAME = 1 / 60
TRACE_LATE_MS = 12.0  # --trace: frames later than this are written down
TRACER = None  # a musitui.tui.stall_trace.StallTracer with --trace
TRACE_TO: str | None = None  # where the children's stall traces go (--trace FILE)


def build_home(root: Path, n: int) -> Path:
    """A home with ``n`` tracks analysed by the current extractor (so a background analysis
    only picks up new files), with random feature vectors."""
    from musitui.analysis.features import FEATURE_NAMES
    from musitui.analysis.version import FEATURE_VERSION
    from musitui.core.model import Analysis
    from musitui.core.moods import nearest_mood
    from musitui.paths import Home
    from musitui.store.catalog import Catalog
    from musitui.store.features import FILE_NAME, FeatureStore

    home = Home(root, root).ensure()
    stamp = root / "bench-version"
    if home.catalog_file.exists() and stamp.exists() and stamp.read_text() == str(FEATURE_VERSION):
        return root
    for old in (home.catalog_file, root / "catalog.columns.npz", root / "state.json"):
        old.unlink(missing_ok=True)
    shutil.rmtree(home.features_dir, ignore_errors=True)
    shutil.rmtree(root / "history", ignore_errors=True)
    home.ensure()
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
                          analysis=Analysis(FEATURE_VERSION, 120.0, "C", "major", v, a,
                                            nearest_mood(v, a)))
    catalog.save()
    store = FeatureStore(home.features_dir / FILE_NAME, version=FEATURE_VERSION, names=list(FEATURE_NAMES))
    store.put_many(list(catalog.tracks),
                   rng.normal(size=(n, len(FEATURE_NAMES))).astype(np.float32))
    store.save()
    stamp.write_text(str(FEATURE_VERSION))
    return root


def build_demo(folder: Path) -> Path:
    if not (folder / "demo.csv").exists():
        subprocess.run([sys.executable, "-m", "musitui", "--home", str(folder.parent / "demo-home"),
                        "demo", "--quiet", str(folder)], check=True)
    return folder


class LagProbe:
    """Wakes every 1/60 s on the running event loop and records how late each wake-up is."""

    def __init__(self) -> None:
        self.lags: list[float] = []
        self._task: asyncio.Task | None = None

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._run())

    async def _run(self) -> None:
        while True:
            t0 = time.perf_counter()
            await asyncio.sleep(FRAME)
            now = time.perf_counter()
            self.lags.append(max(0.0, now - t0 - FRAME) * 1000)
            if self.lags[-1] > TRACE_LATE_MS and TRACER is not None:  # --trace: what held the UI thread
                TRACER.mark_late(t0 + FRAME, now)

    def take(self) -> list[float]:
        lags, self.lags = self.lags, []
        return lags

    def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()


def lag_figures(lags: list[float]) -> dict[str, float]:
    if not lags:
        return {"max": float("nan"), "p99": float("nan"), "n": 0}
    return {"max": max(lags), "p99": float(np.percentile(lags, 99)),
            "median": statistics.median(lags), "n": len(lags)}


def rss_mb() -> float:
    """Peak RSS of this process image (VmHWM: ru_maxrss would count the parent's peak from
    before the exec of this child)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def paint_visible(widget) -> None:
    for y in range(widget.scrollable_content_region.height):
        widget.render_line(y)


# -- child: an empty app (baseline) --------------------------------------------------------
async def child_baseline() -> dict:
    from textual.app import App
    from textual.widgets import Label

    class Empty(App[None]):
        def compose(self):
            yield Label("hello")

    started = time.perf_counter()
    app = Empty()
    painted: list[float] = []
    async with app.run_test(size=(120, 40)):
        app.call_after_refresh(lambda: painted.append(time.perf_counter()))
        while not painted:
            await asyncio.sleep(0.001)
    return {"first_paint": painted[0] - started, "rss_mb": rss_mb()}


def make_app(root: Path, *, folder: str | None, scan: bool, analyze: bool):
    """As `musitui` starts: the catalog prefetch begins before Textual is imported."""
    from musitui.commands.ui import LibraryOpener
    from musitui.config import load_config
    from musitui.paths import Home

    home = Home(root, root)
    config = load_config(home)
    args = argparse.Namespace(folder=folder, device="null", no_scan=not scan, no_analyze=not analyze)
    opener = LibraryOpener(home, config, args)
    opener.prefetch()
    from musitui.tui.app import MusituiApp

    return MusituiApp(config=config, home=home, loader=opener), opener


# -- child: start-up and interaction at 50k ---------------------------------------------------
async def child_startup(root: Path) -> dict:
    """The real start-up path of `musitui --no-scan --no-analyze --device null`."""
    from musitui.tui.library_view import LibraryView
    from musitui.tui.search_box import SearchBox
    from musitui.tui.up_next import UpNextView

    started, cpu0 = time.perf_counter(), time.process_time()
    app, opener = make_app(root, folder=None, scan=False, analyze=False)
    r: dict = {}
    probe = LagProbe()
    async with app.run_test(size=(120, 40)) as pilot:
        probe.start()
        # CPU time of the whole process (all threads) when each step is seen: unlike wall
        # time it does not grow when other programs take the cores.
        while app.painted_at is None:
            await asyncio.sleep(0.001)
        r["first_paint"], r["cpu_first_paint"] = app.painted_at - started, time.process_time() - cpu0
        while app.rows_shown_at is None:
            await asyncio.sleep(0.001)
        r["rows_shown"], r["cpu_rows_shown"] = app.rows_shown_at - started, time.process_time() - cpu0
        view = app.query_one(LibraryView)
        # A key works as soon as the rows are there. (Pilot.press itself returns only once
        # the app is idle, i.e. after loading: watch the cursor instead.)
        press = asyncio.get_running_loop().create_task(pilot.press("j"))
        while view.cursor != 1:
            await asyncio.sleep(0.001)
        r["key_works"], r["cpu_key_works"] = time.perf_counter() - started, time.process_time() - cpu0
        await press
        while app.session_at is None:
            await asyncio.sleep(0.001)
        r["cpu_session_ready"] = time.process_time() - cpu0
        while app.search_ready_at is None:
            await asyncio.sleep(0.001)
        r["cpu_index_ready"] = time.process_time() - cpu0
        r["session_ready"] = app.session_at - started
        r["index_ready"] = app.search_ready_at - started
        r["startup_lag"] = lag_figures(probe.take())
        r["tracks"] = app.model.track_count
        await pilot.pause()
        session = app.session
        search = app.query_one("#search", SearchBox)
        await pilot.press("slash")
        # In-app cost of one keystroke: the Changed handler (filter + list update) and the
        # rendering of every visible row of the new list.
        keystrokes, typed = [], ""
        for key in "rivr":  # the last key makes a typo: the fuzzy path is measured too
            typed += key
            t0 = time.perf_counter()
            app.on_search_box_changed(SearchBox.Changed(search, typed))
            paint_visible(view)
            keystrokes.append((time.perf_counter() - t0) * 1000)
        r["filter_ms"] = keystrokes
        r["matches"] = app.model.match_count
        await pilot.press("escape")
        await pilot.pause()
        # Field filters typed key by key, then every sort column (S) and a reverse (R), each
        # with the visible rows rendered: what a key press costs the UI thread.
        field_keys, typed = [], ""
        for key in "genre:jazz mood:calm":
            typed += key
            t0 = time.perf_counter()
            app.on_search_box_changed(SearchBox.Changed(search, typed))
            paint_visible(view)
            field_keys.append((time.perf_counter() - t0) * 1000)
        r["field_filter_ms"], r["field_matches"] = field_keys, app.model.match_count
        await pilot.press("escape")
        await pilot.pause()
        sort_keys = []
        for action in [app.action_sort_next] * 9 + [app.action_sort_reverse]:
            t0 = time.perf_counter()
            action()
            paint_visible(view)
            sort_keys.append((time.perf_counter() - t0) * 1000)
        r["sort_ms"] = sort_keys
        column = np.asarray(app.model.shelf.duration)
        t0 = time.perf_counter()
        np.argsort(column, kind="stable")
        r["argsort_ms"] = (time.perf_counter() - t0) * 1000
        # Rerank to screen: from the event (a mood change) until Up next holds the new
        # order and its visible rows are rendered. Textual then blits on its next frame.
        upnext = app.query_one(UpNextView)
        original = upnext.set_items
        shown: list[float] = []

        def set_items(items, **kwargs):
            original(items, **kwargs)
            paint_visible(upnext)
            shown.append(time.perf_counter())

        upnext.set_items = set_items  # type: ignore[method-assign]
        reranks, ranks = [], []
        for mood in ["calm", "energetic", "sad", "happy", "auto"]:
            shown.clear()
            t0 = time.perf_counter()
            session.set_mood(mood)  # the session reranks (the recommender's share) ...
            ranks.append((time.perf_counter() - t0) * 1000)
            while not shown:  # ... and the app applies it on the next loop turn
                await asyncio.sleep(0)
            reranks.append((shown[0] - t0) * 1000)
            await pilot.pause()
        r["rerank_ms"], r["rank_only_ms"] = reranks, ranks
        probe.take()
        await asyncio.sleep(2.0)
        r["idle_lag"] = lag_figures(probe.take())
        probe.stop()
    for loaded in opener.opened:
        loaded.session.close()
    r["rss_mb"] = rss_mb()
    return r


# -- child: frame lag while a scan + analysis runs -----------------------------------------
async def child_analysis(root: Path, demo: Path, idle_seconds: float = 3.0) -> dict:
    """Idle for a few seconds with the library open, then scan + analyse the demo folder
    (the app's own background jobs; analysis runs in worker processes)."""
    from multiprocessing import resource_tracker

    resource_tracker.ensure_running()  # as `musitui` does before Textual takes stderr
    from musitui.tui.library_view import LibraryView

    r: dict = {}
    app, opener = make_app(root, folder=None, scan=False, analyze=False)
    probe = LagProbe()
    async with app.run_test(size=(120, 40)) as pilot:
        while app.session is None or not app.model.index.ready:
            await asyncio.sleep(0.01)
        await pilot.pause()
        probe.start()
        await asyncio.sleep(idle_seconds)
        r["idle"] = lag_figures(probe.take())
        started = time.perf_counter()
        app.jobs.analyze = True
        app.jobs.scan_folder(app, str(demo))
        while not app.jobs.busy.locked():
            await asyncio.sleep(0.01)
        deadline = time.perf_counter() + 600
        while app.jobs.busy.locked() and time.perf_counter() < deadline:
            await asyncio.sleep(0.05)
        r["busy"] = lag_figures(probe.take())
        r["seconds"] = time.perf_counter() - started
        if TRACER is not None:
            print(f"[window] busy from {started:.3f} to {time.perf_counter():.3f}", file=sys.stderr)
        await asyncio.sleep(1.0)  # the last library reload lands
        probe.stop()
        r["tracks"] = app.model.track_count
        columns = app.catalog.columns()
        r["analyzed"] = sum(1 for path, done in zip(columns.path, columns.analyzed.tolist(), strict=True)
                            if done and path.startswith(str(demo)))
        r["shown"] = len(app.query_one(LibraryView).model)
    for loaded in opener.opened:
        loaded.jobs.shutdown()
        loaded.session.close()
    return r


# -- child: freeing a replaced library at once vs in steps (quiet_gc.retire) ------------------
def child_retire(root: Path, rounds: int = 3) -> dict:
    """The structures a rebuild replaces at 50k tracks (the shelf, its search index, the
    catalog's table), freed either at once (the last reference dropped) or by
    ``quiet_gc.retire``. Measured: how late a thread that wants the GIL every 0.5 ms (the
    UI thread's place) runs while they are freed. The app's switch interval in both."""
    import gc
    import threading

    from musitui.paths import Home
    from musitui.store.catalog import Catalog
    from musitui.tui import quiet_gc
    from musitui.tui.library_model import build_shelf, library_source, search_index

    sys.setswitchinterval(0.0005)
    catalog = Catalog.open(Home(root, root))

    def replaced() -> list[object]:
        fresh = Catalog.open(Home(root, root))
        shelf = build_shelf(library_source(fresh), fresh.get)
        index = search_index(shelf)
        index.prepare()
        return [shelf, index, fresh.tracks]

    def probe_while(free: Callable[[list[object]], None], seconds: float) -> float:
        things = replaced()
        gc.freeze()  # as the app does: the long-lived objects are out of collections
        late: list[float] = []
        stop = threading.Event()

        def probe() -> None:
            while not stop.is_set():
                t0 = time.perf_counter()
                time.sleep(0.0005)
                late.append((time.perf_counter() - t0 - 0.0005) * 1000)

        thread = threading.Thread(target=probe)
        thread.start()
        time.sleep(0.05)
        free(things)
        del things
        time.sleep(seconds)
        stop.set()
        thread.join()
        gc.unfreeze()
        return max(late)

    def at_once(things: list[object]) -> None:
        things.clear()  # the last references: one decref cascade, in this thread
        # (the baseline keeps a copy of the list: nothing is freed while it is probed)

    def retired(things: list[object]) -> None:
        quiet_gc.retire(*things)
        things.clear()

    kept: list[list[object]] = []
    r: dict = {"kept_ms": [], "at_once_ms": [], "retired_ms": [], "tracks": len(catalog)}
    for _ in range(rounds):  # alternating, so all three see the same load
        r["kept_ms"].append(probe_while(kept.append, quiet_gc.RETIRE_DELAY + 2.0))  # baseline
        r["at_once_ms"].append(probe_while(at_once, 0.5))
        r["retired_ms"].append(probe_while(retired, quiet_gc.RETIRE_DELAY + 2.0))
    return r


def print_retire(r: dict) -> None:
    print(f"freeing a replaced {r['tracks']}-track shelf + search index + catalog table: the "
          f"longest wait of a thread wanting the GIL every 0.5 ms, median of {len(r['kept_ms'])} (all):")
    for key, label in [("kept_ms", "baseline, nothing freed"), ("at_once_ms", "dropped at once"),
                       ("retired_ms", "quiet_gc.retire")]:
        values = r[key]
        print(f"  {label:24s} {statistics.median(values):5.1f} ms  ({', '.join(f'{x:.1f}' for x in values)})")


def run_child(*args: str, package_dir: str | None = None) -> dict:
    """Run one measurement in a fresh process; ``package_dir``: import musitui from there (an
    older copy of the package, for a before/after comparison in the same run)."""
    env = None
    if package_dir is not None:
        import os

        env = {**os.environ, "PYTHONPATH": package_dir}
    out = subprocess.run([sys.executable, __file__, "--child", *args], capture_output=True,
                         text=True, check=False, env=env)
    if out.returncode != 0:
        raise SystemExit(f"child {args} failed:\n{out.stderr[-3000:]}")
    if TRACE_TO is not None and out.stderr.strip():
        with open(TRACE_TO, "a", encoding="utf-8") as log:
            log.write(f"===== child {args[0]}\n{out.stderr}\n")
    return json.loads(out.stdout.strip().splitlines()[-1])


def child_main(argv: list[str]) -> int:
    global TRACER
    try:
        from musitui.tui.stall_trace import start_if_enabled
    except ImportError:  # an older package (--before) without it
        start_if_enabled = None
    TRACER = start_if_enabled() if start_if_enabled is not None else None
    lag_figures([0.0])  # np.percentile imports numpy.ma (~25 ms): not inside a measured window
    kind = argv[0]
    if kind == "baseline":
        result = asyncio.run(child_baseline())
    elif kind == "startup":
        result = asyncio.run(child_startup(Path(argv[1])))
    elif kind == "retire":
        result = child_retire(Path(argv[1]))
    else:
        result = asyncio.run(child_analysis(Path(argv[1]), Path(argv[2])))
    if TRACER is not None:
        TRACER.stop()
        TRACER.dump()
    print(json.dumps(result))
    return 0


def fresh_home(source: Path | None, target: Path) -> Path:
    """A copy of a home's catalog and features (or an empty home) to analyse into."""
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    if source is not None:
        for name in ("catalog.json", "catalog.columns.npz"):
            if (source / name).exists():
                shutil.copy2(source / name, target / name)
        shutil.copytree(source / "features", target / "features")
        # The columns cache is trusted only for the very catalog.json it was made from (same
        # inode): opening the copy once rewrites it, as the app's first start after a save would.
        from musitui.paths import Home
        from musitui.store.catalog import Catalog

        Catalog.open(Home(target, target).ensure())
    return target


def print_lag(label: str, r: dict) -> None:
    idle, busy = r["idle"], r["busy"]
    print(f"frame lag, {label}: idle max {idle['max']:.1f} / p99 {idle['p99']:.1f} ms  |  "
          f"during scan+analysis max {busy['max']:.1f} / p99 {busy['p99']:.1f} ms "
          f"(median {busy['median']:.1f}, {busy['n']} frames, {r['seconds']:.0f} s, "
          f"{r['analyzed']} analysed, {r['tracks']} tracks listed)")


def startup_figures(root: Path, runs_wanted: int) -> None:
    bases, runs = [], []
    for _ in range(max(1, runs_wanted)):  # interleaved, so both see the same load
        bases.append(run_child("baseline"))
        runs.append(run_child("startup", str(root)))
    base = min(bases, key=lambda b: b["first_paint"])
    r = min(runs, key=lambda x: x["rows_shown"])
    first = base["first_paint"] * 1000
    all_firsts = ", ".join(f"{b['first_paint'] * 1000:.0f}" for b in bases)
    print(f"baseline: empty Textual App first paint, best of {len(bases)}: {first:.0f} ms "
          f"(all: {all_firsts}), RSS {base['rss_mb']:.0f} MB")
    print(f"{r['tracks']} tracks, from the start of the app (wall: best run / median of {len(runs)}; "
          f"CPU of the process, median):")
    for key, label, target in [("first_paint", "first paint", "<= 1000 ms"),
                               ("rows_shown", "library rows on screen", "<= 1000 ms"),
                               ("key_works", "a key (j) moved the cursor", "<= 1000 ms"),
                               ("session_ready", "session attached (enter plays)", "-"),
                               ("index_ready", "search index ready", "-")]:
        walls = [x[key] * 1000 for x in runs]
        cpu = statistics.median(x["cpu_" + key] * 1000 for x in runs)
        print(f"  {label:32s} {r[key] * 1000:5.0f} / {statistics.median(walls):5.0f} ms wall, "
              f"{cpu:5.0f} ms CPU   target {target}   ({r[key] * 1000 / first:.1f}x baseline)")
    lag = r["startup_lag"]
    print(f"  frame lag during start-up: max {lag['max']:.0f} ms, p99 {lag['p99']:.0f} ms")
    filt, rer, ranks = r["filter_ms"], r["rerank_ms"], r["rank_only_ms"]
    print(f"filter keystroke -> list (median/worst) {statistics.median(filt):5.1f} / {max(filt):.1f} ms"
          f"   target <= 50 ms   per key: {', '.join(f'{x:.1f}' for x in filt)}; {r['matches']} matches")
    field, sorts = r["field_filter_ms"], r["sort_ms"]
    print(f"field filter keystroke (genre:jazz mood:calm) -> list (median/worst) "
          f"{statistics.median(field):5.1f} / {max(field):.1f} ms   target <= 50 ms; "
          f"{r['field_matches']} matches")
    print(f"sort key (S x9, R) -> list (median/worst) {statistics.median(sorts):5.1f} / "
          f"{max(sorts):.1f} ms   target <= 50 ms   (baseline np.argsort of one column: "
          f"{r['argsort_ms']:.1f} ms)")
    print(f"rerank -> Up next on screen (median/worst) {statistics.median(rer):4.1f} / {max(rer):.1f} ms"
          f"   target <= 100 ms   (Session.set_mood alone: median {statistics.median(ranks):.1f} ms)")
    print(f"peak RSS of the app                     {r['rss_mb']:6.0f} MB   target <= 300 MB"
          f"   (baseline empty app {base['rss_mb']:.0f} MB)")
    idle = r["idle_lag"]
    print(f"idle frame lag at {r['tracks']}: max {idle['max']:.1f} ms, p99 {idle['p99']:.1f} ms")


def main() -> int:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        return child_main(sys.argv[2:])
    parser = argparse.ArgumentParser()
    parser.add_argument("--tracks", type=int, default=50_000)
    parser.add_argument("--keep", help="reuse/keep the synthetic home and demo in this folder")
    parser.add_argument("--skip-analysis", action="store_true", help="start-up figures only")
    parser.add_argument("--runs", type=int, default=3, help="start-up runs (the machine is shared)")
    parser.add_argument("--trace", metavar="FILE",
                        help="sample every thread's stack and write what ran during each late "
                             "frame (> 12 ms) and each GIL gap to FILE (see musitui/tui/stall_trace.py)")
    parser.add_argument("--lag-only", action="store_true", help="only the frame-lag runs")
    parser.add_argument("--retire-only", action="store_true",
                        help="only the freeing of a replaced library (quiet_gc.retire vs at once)")
    parser.add_argument("--before", metavar="DIR",
                        help="a folder holding another version of the musitui package (e.g. the "
                             "working tree with some files taken from git HEAD): its frame lag "
                             "is measured too, alternating with this one's, in the same run")
    args = parser.parse_args()
    global TRACE_TO
    if args.trace:
        import os

        from musitui.tui.stall_trace import ENV

        TRACE_TO = args.trace
        Path(TRACE_TO).write_text("")
        os.environ[ENV] = "1"
    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="musitui-bench-"))
    root = work / f"home-{args.tracks}"
    t0 = time.perf_counter()
    build_home(root, args.tracks)
    print(f"catalog of {args.tracks} tracks ready in {time.perf_counter() - t0:.1f} s ({root})")
    if args.retire_only:
        print_retire(run_child("retire", str(root)))
        return 0
    if not args.lag_only:
        startup_figures(root, args.runs)
    if args.skip_analysis:
        return 0
    demo = build_demo(work / "demo")
    versions = [("", None)] + ([("BEFORE: ", args.before)] if args.before else [])
    for label, package in versions:
        small = run_child("analysis", str(fresh_home(None, work / "lag-demo")), str(demo),
                          package_dir=package)
        print_lag(f"{label}demo library into an empty home", small)
    for label, package in versions:
        big = run_child("analysis", str(fresh_home(root, work / "lag-50k")), str(demo),
                        package_dir=package)
        print_lag(f"{label}demo library into the {args.tracks}-track home", big)
    print("target: no frame stalls (a frame is 16.7 ms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
