"""Figures for `musitui mix` on a scanned and analysed library (the development corpus):
a calm 30-minute mix (its length, repeats) and a path from the calmest track to the most
energetic one (its energy step by step). Usage: python bench/bench_mix.py HOME"""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np

from musitui.paths import resolve_home
from musitui.store.catalog import Catalog


def mix(home: str, *args: str) -> list[dict[str, object]]:
    done = subprocess.run([sys.executable, "-m", "musitui", "--home", home, "mix", *args, "--json"],
                          capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


def main(home: str) -> None:
    calm = mix(home, "--minutes", "30", "--mood", "calm")
    total = sum(float(str(i["duration"])) for i in calm)
    paths = [i["path"] for i in calm]
    print(f"calm 30 min: {len(calm)} tracks, {total / 60:.2f} min ({(total / 1800 - 1) * 100:+.1f} %),"
          f" repeats {len(paths) - len(set(paths))}")
    tracks = sorted((t for t in Catalog.open(resolve_home(home)).present() if t.analysis is not None),
                    key=lambda t: t.analysis.arousal if t.analysis is not None else 0.0)
    start, end = tracks[0].path, tracks[-1].path
    for a, b in ((start, end), (end, start)):
        walk = mix(home, "--after", a, "--to", b, "-n", "8")
        energy = np.asarray([float(str(i["energy"])) for i in walk])
        steps = np.diff(energy)
        steady = bool((np.sign(steps) == np.sign(energy[-1] - energy[0])).all())
        print(f"path {walk[0]['title']} -> {walk[-1]['title']}: ends right "
              f"{walk[0]['path'] == a and walk[-1]['path'] == b}, energy {np.round(energy, 2).tolist()},"
              f" monotone {steady}, largest step {np.abs(steps).max():.2f}"
              f" (even step {abs(energy[-1] - energy[0]) / 7:.2f})")


if __name__ == "__main__":
    main(sys.argv[1])
