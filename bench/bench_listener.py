"""A simulated listener with a hidden taste, against shuffle, on the demo library and the corpus.

    .venv/bin/python bench/bench_listener.py [--work DIR] [--steps 40] [--corpus DIR]

The listener starts a session cold (empty history) and always plays the head of Up next: a
track of a style it likes is finished, anything else is skipped after 10 s (through
``Session.handle_player_event``, the path the player's events take; a simulated clock moves on
by the track's duration or the 10 s). Undecodable files produce the player's ``error`` event
and do not count. Over ``--steps`` tracks its skip rate is printed beside shuffle's (random
tracks of the same library, averaged over 500 runs) for several hidden tastes. Target: the
mean skip rate is at most half of shuffle's.

Libraries: the demo library (``musitui demo``; ground truth ``demo.csv``, column ``style``) and
the real corpus (``corpus.csv``, column ``style``), each scanned and analysed once into
``--work`` (``musitui scan``; later runs reuse it).
"""

from __future__ import annotations

import argparse
import csv
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
from dataclasses import dataclass, replace
from itertools import combinations
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from musitui.config import Config  # noqa: E402
from musitui.core.session import Session  # noqa: E402
from musitui.paths import Home  # noqa: E402
from musitui.store.catalog import Catalog  # noqa: E402
from musitui.store.features import FeatureStore  # noqa: E402
from musitui.store.history import History  # noqa: E402

SKIP_AT = 10.0
START = 1_790_000_000.0


class Ev:
    def __init__(self, kind: str, path: str, position: float = 0.0, duration: float = 0.0,
                 message: str = "") -> None:
        self.kind, self.path, self.position, self.duration, self.message = kind, path, position, duration, message


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> float:
        return self.now


def musitui(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "musitui", *args], check=True,
                   stdout=subprocess.DEVNULL)


def prepare(work: Path, name: str, library: Path, make_demo: bool) -> Path:
    home = work / f"{name}-home"
    if (home / "catalog.json").exists():
        return home
    if make_demo and not library.exists():
        musitui("demo", str(library), "--quiet")
    print(f"scanning and analysing {library} into {home} (once) ...", flush=True)
    musitui("--home", str(home), "scan", str(library))
    return home


def load_truth(csv_path: Path, root: Path, column: str) -> tuple[dict[str, str], set[str]]:
    styles: dict[str, str] = {}
    broken: set[str] = set()
    with open(csv_path, encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            relative = row["path"].removeprefix("library/")
            path = str((root / relative).resolve())
            styles[path] = row[column]
            if row.get("corrupt"):
                broken.add(path)
    return styles, broken


@dataclass
class Listened:
    """One simulated listener: skip rate, the styles and songs played, and the repeats."""

    rate: float
    styles: list[str]
    songs: list[str]
    back_to_back: int  # a song right after itself
    early_repeats: int  # a song again while a liked song was still unplayed


def repeats(songs: list[str], liked: set[str]) -> tuple[int, int]:
    """(back-to-back repeats, repeats while some liked song had not been played yet)."""
    back = sum(a == b for a, b in zip(songs, songs[1:], strict=False))
    heard: set[str] = set()
    early = 0
    for song in songs:
        if song in heard and liked - heard:
            early += 1
        heard.add(song)
    return back, early


def song_key(track: object) -> str:
    """Artist and title folded, as the recommender's song code (the .ogg and .mp3 of a
    recording are one song)."""
    title = (getattr(track, "title", "") or Path(getattr(track, "path", "")).stem).strip().casefold()
    return f"{(getattr(track, 'artist', '') or '').casefold()}\0{title}"


def listen(source_home: Path, style_of: dict[str, str], broken: set[str], taste: set[str],
           steps: int, seed: int) -> Listened:
    """Skip rate of the recommender for one hidden taste, and what it played."""
    with tempfile.TemporaryDirectory(prefix="musitui-listener-") as tmp:
        home = Home(config_dir=Path(tmp), data_dir=Path(tmp)).ensure()
        shutil.copy(source_home / "catalog.json", home.catalog_file)
        if (source_home / "features").exists():
            shutil.copytree(source_home / "features", home.features_dir)
        catalog = Catalog.open(home)
        features = FeatureStore.open(home)
        config = Config()
        config.recommend = replace(config.recommend, seed=seed)
        clock = Clock()
        session = Session(home, config, catalog, player=None, history=History.open(home, config),
                          features=features, clock=clock)
        skips = played = 0
        styles: list[str] = []
        songs: list[str] = []
        liked = {song_key(t) for t in catalog.present()
                 if style_of.get(str(Path(t.path).resolve())) in taste
                 and str(Path(t.path).resolve()) not in broken}
        guard = 0
        while played < steps and guard < steps * 3:
            guard += 1
            if not session.up_next:
                break
            track = session.up_next[0].track
            duration = track.duration or 180.0
            if track.path in broken:
                session.handle_player_event(Ev("error", track.path, 0.0, 0.0, "cannot decode"))
                continue
            session.handle_player_event(Ev("start", track.path, 0.0, duration))
            style = style_of.get(str(Path(track.path).resolve()), "?")
            styles.append(style)
            songs.append(song_key(track))
            played += 1
            if style in taste:
                clock.now += duration
                session.handle_player_event(Ev("end", track.path, duration, duration))
            else:
                skips += 1
                clock.now += SKIP_AT
                session.handle_player_event(Ev("stopped", track.path, SKIP_AT, duration))
            clock.now += 1.0
        session.close()
        back, early = repeats(songs, liked)
        return Listened(skips / max(1, played), styles, songs, back, early)


def shuffle_rate(paths: list[str], style_of: dict[str, str], taste: set[str], steps: int,
                 runs: int = 500) -> float:
    rng = random.Random(1)
    rates = []
    for _ in range(runs):
        picks = [rng.choice(paths) for _ in range(steps)]
        rates.append(sum(style_of[p] not in taste for p in picks) / steps)
    return statistics.mean(rates)


def bench_library(name: str, home: Path, style_of: dict[str, str], broken: set[str],
                  tastes: list[set[str]], steps: int) -> tuple[float, float]:
    catalog = Catalog.open(Home(home, home))
    paths = [str(Path(t.path).resolve()) for t in catalog.present()]
    paths = [p for p in paths if p in style_of and p not in broken]
    analysed = sum(t.analyzed for t in catalog.present())
    print(f"\n{name}: {len(paths)} playable tracks ({analysed} analysed), {steps} tracks per listener")
    ours, theirs = [], []
    for number, taste in enumerate(tastes):
        heard = listen(home, style_of, broken, taste, steps, seed=number)
        rate, styles = heard.rate, heard.styles
        base = shuffle_rate(paths, style_of, taste, steps)
        liked = sum(style_of[p] in taste for p in paths)
        ours.append(rate)
        theirs.append(base)
        first = sum(s not in taste for s in styles[:10])
        print(f"  likes {' + '.join(sorted(taste))} ({liked} tracks): skip rate {rate:.2f} "
              f"(first 10: {first} skips) vs shuffle {base:.2f}; back-to-back repeats "
              f"{heard.back_to_back}, repeats while a liked track was unplayed {heard.early_repeats}")
    mean_ours, mean_theirs = statistics.mean(ours), statistics.mean(theirs)
    verdict = "meets" if mean_ours <= mean_theirs / 2 else "misses"
    print(f"  mean skip rate {mean_ours:.2f} vs shuffle {mean_theirs:.2f} (ratio "
          f"{mean_ours / mean_theirs:.2f}; target <= 0.50: {verdict})")
    return mean_ours, mean_theirs


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", default=str(Path(tempfile.gettempdir()) / "musitui-bench-listener"))
    parser.add_argument("--steps", type=int, default=40)
    parser.add_argument("--corpus", default="/root/musitui-corpus")
    args = parser.parse_args()
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)

    demo_dir = work / "demo-library"
    demo_home = prepare(work, "demo", demo_dir, make_demo=True)
    style_of, broken = load_truth(demo_dir / "demo.csv", demo_dir, "style")
    styles = sorted(set(style_of.values()))
    tastes = [set(pair) for pair in combinations(styles, 2)]
    bench_library("demo library", demo_home, style_of, broken, tastes, args.steps)

    corpus = Path(args.corpus)
    if not (corpus / "corpus.csv").exists():
        print(f"\nno corpus at {corpus}; skipped")
        return 0
    corpus_home = prepare(work, "corpus", corpus / "library", make_demo=False)
    style_of, broken = load_truth(corpus / "corpus.csv", corpus / "library", "style")
    counts: dict[str, int] = {}
    for path, style in style_of.items():
        if path not in broken:
            counts[style] = counts.get(style, 0) + 1
    big = sorted((s for s, c in counts.items() if c >= 4), key=lambda s: -counts[s])
    tastes = [{s} for s in big[:4]] + [set(pair) for pair in combinations(big[:4], 2)]
    bench_library("real corpus", corpus_home, style_of, broken, tastes, args.steps)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
