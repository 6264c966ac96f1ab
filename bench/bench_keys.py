"""Key and mode accuracy: the old Krumhansl-Kessler finder vs musitui.analysis.musical_key, same run.

    .venv/bin/python bench/bench_keys.py [--demo-home H --demo-folder F] [--corpus-home H]
                                         [--corpus /root/musitui-corpus/library] [--skip-corpus]

1. Synthetic set (bench/key_synth.py, where the method was chosen): 264 piano/pad/bright
   progressions with a bass line, 5 major and 6 minor progressions (incl. i-iv-V-i with
   the raised leading tone, and i-VI-III-VII), 12 tonics, run through the real extractor
   (musitui.analysis.features.extract). Every evaluated variant is listed.
2. The demo library (held out: never used to choose): `musitui demo` + `scan` into a
   temporary home unless given, chroma_0..11 from the FeatureStore vs demo.csv key/mode.
3. The real corpus (no key ground truth): how the major/minor split changes.
4. Cost of one estimate_key call, old vs new (CPU time).
Errors are classed by the interval from the true tonic to the found one: relative
(C major <-> A minor), parallel (same tonic, other mode), fifth (+-5/7 semitones), other.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from key_synth import synthetic_set  # noqa: E402

from musitui.analysis import musical_key as keys  # noqa: E402
from musitui.analysis.features import FEATURE_NAMES, extract  # noqa: E402

Estimator = Callable[[np.ndarray], tuple[int, str]]
SYNTH_VARIANTS = 8  # per progression x timbre: 264 pieces
CHROMA = [FEATURE_NAMES.index(f"chroma_{i}") for i in range(12)]
PROFILES = {
    "KK": (keys.MAJOR, keys.MINOR),
    "Temperley-KP": (np.array([0.748, 0.060, 0.488, 0.082, 0.670, 0.460, 0.096, 0.715, 0.104, 0.366, 0.057, 0.400]),
                     np.array([0.712, 0.084, 0.474, 0.618, 0.049, 0.460, 0.105, 0.747, 0.404, 0.067, 0.133, 0.330])),
    "Sapp": (np.array([2, 0, 1, 0, 1, 1, 0, 2, 0, 1, 0, 1.0]), np.array([2, 0, 1, 1, 0, 1, 0, 2, 1, 0, 0.5, 0.5])),
    "Albrecht-Shanahan": (keys.AS_MAJOR, keys.AS_MINOR),
}


def correlator(major: np.ndarray, minor: np.ndarray, prepare: Callable[[np.ndarray], np.ndarray]) -> Estimator:
    rows_major, rows_minor = keys._profiles(major), keys._profiles(minor)

    def estimate(chroma: np.ndarray) -> tuple[int, str]:
        c = prepare(np.asarray(chroma, dtype=np.float64))
        c = c - c.mean()
        norm = np.linalg.norm(c)
        if norm < 1e-9:
            return 0, "major"
        a, b = rows_major @ (c / norm), rows_minor @ (c / norm)
        return (int(a.argmax()), "major") if a.max() >= b.max() else (int(b.argmax()), "minor")
    return estimate


def raw(c: np.ndarray) -> np.ndarray:
    return c


def log_only(c: np.ndarray) -> np.ndarray:
    return np.log1p(keys.LOG_GAIN * c / (c.max() + 1e-12))


old_estimate = correlator(keys.MAJOR, keys.MINOR, raw)  # the finder before: K-K on the raw chroma


def new_estimate(chroma: np.ndarray) -> tuple[int, str]:
    return keys.estimate_key(chroma)[:2]


def variants() -> dict[str, Estimator]:
    out: dict[str, Estimator] = {}
    for name, (major, minor) in PROFILES.items():
        out[f"{name} raw"] = correlator(major, minor, raw)
        out[f"{name} log"] = correlator(major, minor, log_only)
        out[f"{name} leak-0.25+log"] = correlator(major, minor, keys.key_chroma)
    return out


def error_class(tonic: int, mode: str, found: tuple[int, str]) -> str:
    k, m = found
    if (k, m) == (tonic, mode):
        return "right"
    if m == mode:
        return "fifth" if (k - tonic) % 12 in (5, 7) else "other"
    if k == tonic:
        return "parallel"
    relative = (tonic + 9) % 12 if mode == "major" else (tonic + 3) % 12
    return "relative" if k == relative else "other"


def score(items: list[tuple[str, int, str, np.ndarray]], estimate: Estimator) -> str:
    classes = Counter()
    mode_right, minor_total, minor_right, major_right = 0, 0, 0, 0
    for _, tonic, mode, chroma in items:
        found = estimate(chroma)
        classes[error_class(tonic, mode, found)] += 1
        mode_right += found[1] == mode
        minor_total += mode == "minor"
        minor_right += mode == "minor" and found[1] == "minor"
        major_right += mode == "major" and found[1] == "major"
    n = len(items)
    errors = ", ".join(f"{k} {v}" for k, v in sorted(classes.items()) if k != "right") or "-"
    return (f"exact {classes['right']:3d}/{n}  mode {mode_right:3d}/{n}  minor {minor_right}/{minor_total}"
            f"  major {major_right}/{n - minor_total}  | errors: {errors}")


def synthetic_chroma() -> list[tuple[str, int, str, np.ndarray]]:
    started = time.process_time()
    items = [(name, tonic, mode, extract(y)[CHROMA]) for name, tonic, mode, y in synthetic_set(SYNTH_VARIANTS)]
    print(f"  ({len(items)} pieces rendered + extracted in {time.process_time() - started:.1f} s CPU)")
    return items


def musitui(home: Path, *args: str) -> None:
    cmd = [sys.executable, "-m", "musitui", "--home", str(home), *args]
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def store_chroma(home: Path) -> dict[str, np.ndarray]:
    """path -> chroma_0..11 of every analysed track in the home."""
    from musitui.paths import resolve_home
    from musitui.store.catalog import Catalog
    from musitui.store.features import FeatureStore

    resolved = resolve_home(str(home))
    store, catalog = FeatureStore.open(resolved), Catalog.open(resolved)
    columns = [store.names.index(f"chroma_{i}") for i in range(12)]
    rows = {int(i): store.matrix[k, columns].astype(np.float64) for k, i in enumerate(store.ids)}
    return {t.path: rows[t.id] for t in catalog if t.id in rows}


def demo_chroma(home: Path | None, folder: Path | None, scratch: Path) -> list[tuple[str, int, str, np.ndarray]]:
    from musitui.library.demo import read_demo_csv

    if home is None or folder is None:
        home, folder = scratch / "demo-home", scratch / "demo"
        print(f"  generating and scanning the demo library in {scratch} ...")
        musitui(home, "demo", str(folder))
        musitui(home, "scan", str(folder), "--jobs", "2")
    chroma = store_chroma(home)
    items = []
    for row in read_demo_csv(folder):
        name, mode = row["key"].split()
        path = str(folder / row["path"])
        if path in chroma:
            items.append((f"{row['style']} {row['title']}", keys.PITCHES.index(name), mode, chroma[path]))
    return items


def corpus_split(home: Path | None, library: Path, scratch: Path) -> None:
    if home is None:
        if not library.is_dir():
            print(f"  no corpus at {library}: skipped")
            return
        home = scratch / "corpus-home"
        print(f"  scanning {library} into {home} (a few minutes) ...")
        musitui(home, "scan", str(library), "--jobs", "2")
    chroma = list(store_chroma(home).values())
    for label, estimate in (("old", old_estimate), ("new", new_estimate)):
        modes = Counter(estimate(c)[1] for c in chroma)
        print(f"  {label}: {len(chroma)} tracks: major {modes['major']}, minor {modes['minor']}")
    changed = sum(old_estimate(c) != new_estimate(c) for c in chroma)
    print(f"  key or mode changed on {changed}/{len(chroma)} tracks")


def cost() -> None:
    rng = np.random.default_rng(0)
    vectors = rng.random((2000, 12))
    for label, estimate in (("old", old_estimate), ("new", keys.estimate_key)):
        started = time.process_time()
        for v in vectors:
            estimate(v)
        print(f"  {label}: {1e6 * (time.process_time() - started) / len(vectors):.0f} us CPU per call")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--demo-home", type=Path)
    parser.add_argument("--demo-folder", type=Path)
    parser.add_argument("--corpus-home", type=Path)
    parser.add_argument("--corpus", type=Path, default=Path("/root/musitui-corpus/library"))
    parser.add_argument("--skip-corpus", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-keys-") as tmp:
        scratch = Path(tmp)
        print("1. synthetic progressions (method chosen here)")
        synth = synthetic_chroma()
        print(f"  {'old: K-K raw':34s} {score(synth, old_estimate)}")
        print(f"  {'new: keys.estimate_key':34s} {score(synth, new_estimate)}")
        print("  all variants evaluated:")
        table = variants()
        for name, estimate in table.items():
            print(f"    {name:32s} {score(synth, estimate)}")
        new_errors = [name for name, tonic, mode, c in synth if new_estimate(c) != (tonic, mode)]
        print("  new method's misses by progression:",
              dict(Counter(" ".join(n.split()[:2]) for n in new_errors)))

        print("2. demo library (held out)")
        demo = demo_chroma(args.demo_home, args.demo_folder, scratch)
        print(f"  {'old: K-K raw':34s} {score(demo, old_estimate)}")
        print(f"  {'new: keys.estimate_key':34s} {score(demo, new_estimate)}")
        for name, estimate in table.items():
            print(f"    {name:32s} {score(demo, estimate)}")
        print("  targets: more exact keys and modes than old; minor pieces read as minor")

        print("3. real corpus: major/minor split (no ground truth)")
        if args.skip_corpus:
            print("  skipped")
        else:
            corpus_split(args.corpus_home, args.corpus, scratch)

        print("4. cost (target < 1 ms per call)")
        cost()


if __name__ == "__main__":
    main()
