"""The corpus sorted by arousal and by valence, and pairwise accuracy against corpus.csv.

    .venv/bin/python bench/mood_table.py [--corpus /root/musitui-corpus] [--home DIR]

corpus.csv's ``mood_guess`` comes from file-name keywords only (e.g. "battle", "calm"), so
it is a weak reference; pairs are only compared where the two guesses are on different
levels of an axis. Printed twice: audio only, and with the genre-tag adjustment.
"""

from __future__ import annotations

import argparse
import itertools
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from bench_similarity import CORPUS, analysed_corpus, corpus_rows  # noqa: E402

from musitui.analysis.mood import library_moods  # noqa: E402

# mood_guess -> level on each axis (None: says nothing about that axis).
AROUSAL_LEVEL = {"tense/aggressive": 2, "upbeat/happy": 1, "heroic": 1, "marching/heroic": 1,
                 "dark/suspenseful": 0, "sad/melancholic": -1, "calm/peaceful": -1}
VALENCE_LEVEL = {"upbeat/happy": 1, "heroic": 1, "marching/heroic": 1, "calm/peaceful": 1,
                 "dark/suspenseful": -1, "sad/melancholic": -1, "tense/aggressive": -1}


def pairwise(levels: list[int | None], values: np.ndarray) -> tuple[float, int]:
    right = total = 0
    for i, j in itertools.combinations(range(len(levels)), 2):
        if levels[i] is None or levels[j] is None or levels[i] == levels[j]:
            continue
        total += 1
        right += (values[i] > values[j]) == (levels[i] > levels[j])
    return (right / total if total else float("nan")), total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--home", type=Path, default=None)
    args = parser.parse_args()
    matrix, names, _, paths = analysed_corpus(args.corpus, args.home)
    info = {row["path"]: row for row in corpus_rows(args.corpus)}
    genres = [info[p]["genre"] for p in paths]
    guesses = [info[p]["mood_guess"] for p in paths]
    for title, tags in (("audio only", [""] * len(paths)), ("audio + genre tags", genres)):
        valence, arousal, labels = library_moods(matrix, names, tags)
        for axis, values, other in (("AROUSAL", arousal, valence), ("VALENCE", valence, arousal)):
            print(f"\n=== {title}: sorted by {axis} (high first) ===")
            print(f"{'aro':>5} {'val':>5}  {'mood':9} {'corpus mood_guess':18} {'style (corpus)':34} path")
            for i in np.argsort(-values):
                a, v = (values[i], other[i]) if axis == "AROUSAL" else (other[i], values[i])
                style = info[paths[i]]["style"][:34]
                print(f"{a:+5.2f} {v:+5.2f}  {labels[i]:9} {guesses[i][:18]:18} {style:34} {paths[i][8:]}")
        acc_a, n_a = pairwise([AROUSAL_LEVEL.get(g) for g in guesses], arousal)
        acc_v, n_v = pairwise([VALENCE_LEVEL.get(g) for g in guesses], valence)
        print(f"\n{title}: pairwise accuracy vs mood_guess: arousal {acc_a:.2f} ({n_a} pairs), "
              f"valence {acc_v:.2f} ({n_v} pairs); chance = 0.50")


if __name__ == "__main__":
    main()
