"""How long loading the feature store takes at 50k tracks x 100 features, beside a baseline
measured in the same run: a bare ``np.load`` of the same file (what any loader must pay).

    python bench/bench_features.py [--tracks N] [--repeats R]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402

from musitui.paths import Home  # noqa: E402
from musitui.store.features import FILE_NAME, FeatureStore  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tracks", type=int, default=50_000)
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        home = Home(Path(folder), Path(folder)).ensure()
        store = FeatureStore.open(home)
        store.reset(1, [f"f{i}" for i in range(100)])
        store.ids = np.arange(1, args.tracks + 1, dtype=np.int64)
        store.matrix = np.random.default_rng(0).standard_normal((args.tracks, 100)).astype(np.float32)
        store.save()
        path = home.features_dir / FILE_NAME
        bare, full = [], []
        for _ in range(args.repeats):
            started = time.perf_counter()
            with np.load(path, allow_pickle=False) as data:
                _ = data["ids"], data["matrix"], data["names"], data["version"]
            bare.append(time.perf_counter() - started)
            started = time.perf_counter()
            loaded = FeatureStore.open(home)
            loaded.vectors_for(range(1, args.tracks + 1))
            full.append(time.perf_counter() - started)
    print(f"{args.tracks} tracks x 100 features, median of {args.repeats}:")
    print(f"  baseline np.load          {statistics.median(bare) * 1000:8.1f} ms")
    print(f"  FeatureStore.open + rows  {statistics.median(full) * 1000:8.1f} ms")


if __name__ == "__main__":
    main()
