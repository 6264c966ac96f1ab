"""Mood on real music: the corpus sorted by arousal and by valence, and accuracy figures.

    .venv/bin/python bench/mood_table.py [--corpus /root/musitui-corpus] [--home DIR]
                                         [--demo DIR] [--quiet]

Reference: corpus.csv's ``mood_guess`` (from file-name keywords only, 23 of 57 files), read
as levels on each axis (AROUSAL_LEVEL, VALENCE_LEVEL below). Figure: pairwise accuracy = the
share of pairs of tracks on different levels that the method orders the same way (0.50 is
chance), audio only and with the genre-tag nudges, for:

- the method as shipped (musitui.analysis.mood weights: priors, not fitted to anything);
- the same cues with weights FITTED to the reference (pairwise logistic regression on the
  cue-rank differences), in-sample, and held out: leave-one-album-out (the weights used to
  order a pair never saw a pair containing either track's album) -- what tuning on such a
  small reference would really buy;
- the old method (before this rework, copied below) as a same-run baseline.

``--demo DIR`` also scores the demo library (``musitui demo``; truth in demo.csv): pairwise
accuracy of valence and arousal against the intended values, and how many mood labels match
the intended style.
"""

from __future__ import annotations

import argparse
import itertools
import sys
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from bench_similarity import CORPUS, analysed_corpus, corpus_rows  # noqa: E402

from musitui.analysis import mood  # noqa: E402
from musitui.analysis.mood import cue_ranks, library_moods  # noqa: E402

# mood_guess -> level on each axis (None: says nothing about that axis). Arousal: calm and
# sad pieces lowest, dark/suspenseful in the middle, happy and heroic/marching above it,
# tense/aggressive highest. Valence: happy, heroic and calm pieces positive; dark, sad and
# tense/aggressive ones negative.
AROUSAL_LEVEL = {"tense/aggressive": 2, "upbeat/happy": 1, "heroic": 1, "marching/heroic": 1,
                 "dark/suspenseful": 0, "sad/melancholic": -1, "calm/peaceful": -1}
VALENCE_LEVEL = {"upbeat/happy": 1, "heroic": 1, "marching/heroic": 1, "calm/peaceful": 1,
                 "dark/suspenseful": -1, "sad/melancholic": -1, "tense/aggressive": -1}

# The method before this rework (same-run baseline). Its "tempo x beat strength" cue is read
# here as pulse_tempo (the same product, plus the octave check).
OLD_AROUSAL = {"percussive_share": 1.0, "onset_mean": 1.0, "flux": 0.8, "onset_rate": 0.8,
               "pulse_tempo": 0.7, "flatness_db": 0.7, "high_ratio": 0.5, "centroid": 0.5,
               "zcr": 0.3, "rms_db": 0.3, "dynamic_range_db": -0.6, "onset_cv": -0.3}
OLD_VALENCE = {"mode_strength": 1.0, "mode_major": 0.6, "key_clarity": 0.4, "centroid": 0.4,
               "tempo": 0.3, "chroma_entropy": -0.4, "flatness_db": -0.4, "low_ratio": -0.3}

# The weight sets tried while building the shipped one (see docs/MOOD.md), for the
# selection check below: which would a half of the corpus have picked, and how does that
# pick do on the other half?
FIRST_DRAFT_A = {"rms_db": 1.0, "percussive_share": 1.0, "spectral_density": 1.0, "pulse_tempo": 0.7,
                 "onset_rate": 0.5, "low_ratio": 0.5}
FIRST_DRAFT_V = {"mode_strength": 1.0, "mode_major": 0.5, "key_clarity": 0.4, "spectral_density": -0.7,
                 "chroma_entropy": -0.4, "centroid": 0.3, "low_ratio": -0.3}


def arousal_candidates() -> list[tuple[str, dict[str, float]]]:
    shipped = mood.AROUSAL_CUES
    return [("shipped", shipped), ("old", OLD_AROUSAL), ("first draft", FIRST_DRAFT_A),
            ("+centroid 0.5", {**shipped, "centroid": 0.5}), ("+flatness 0.5", {**shipped, "flatness_db": 0.5}),
            ("+onset_mean 0.5", {**shipped, "onset_mean": 0.5}),
            ("-low_ratio", _without(shipped, "low_ratio")), ("-spectral_density", _without(shipped, "spectral_density")),
            ("-rms_db", _without(shipped, "rms_db"))]


def valence_candidates() -> list[tuple[str, dict[str, float]]]:
    shipped = mood.VALENCE_CUES
    return [("shipped", shipped), ("old", OLD_VALENCE), ("first draft", FIRST_DRAFT_V),
            ("+dynamic_range 0.5", {**shipped, "dynamic_range_db": 0.5}),
            ("+centroid_std 0.5", {**shipped, "centroid_std": 0.5}), ("-low_ratio", _without(shipped, "low_ratio"))]


def _without(cue_weights: dict[str, float], name: str) -> dict[str, float]:
    return {k: v for k, v in cue_weights.items() if k != name}


@dataclass
class Library:
    matrix: np.ndarray
    names: list[str]
    paths: list[str]
    albums: list[str]
    genres: list[str]


def pairs_of(levels: list[int | None]) -> list[tuple[int, int]]:
    """Index pairs (i, j) with known, different levels."""
    return [(i, j) for i, j in itertools.combinations(range(len(levels)), 2)
            if levels[i] is not None and levels[j] is not None and levels[i] != levels[j]]


def pairwise(levels: list[int | None], values: np.ndarray,
             pairs: list[tuple[int, int]] | None = None) -> tuple[float, int]:
    pairs = pairs_of(levels) if pairs is None else pairs
    right = sum((values[i] > values[j]) == (levels[i] > levels[j]) for i, j in pairs)
    return (right / len(pairs) if pairs else float("nan")), len(pairs)


@contextmanager
def old_method():
    with cues(OLD_AROUSAL, OLD_VALENCE):
        yield


@contextmanager
def cues(arousal: dict[str, float], valence: dict[str, float]):
    saved = mood.AROUSAL_CUES, mood.VALENCE_CUES
    mood.AROUSAL_CUES, mood.VALENCE_CUES = arousal, valence
    try:
        yield
    finally:
        mood.AROUSAL_CUES, mood.VALENCE_CUES = saved


def fit_weights(ranks: np.ndarray, levels: list[int | None], pairs: list[tuple[int, int]]) -> np.ndarray:
    """Pairwise logistic regression (no intercept, L2) on cue-rank differences."""
    from sklearn.linear_model import LogisticRegression

    diffs = np.array([ranks[i] - ranks[j] for i, j in pairs])
    signs = np.array([1 if levels[i] > levels[j] else 0 for i, j in pairs])
    x = np.concatenate([diffs, -diffs])
    y = np.concatenate([signs, 1 - signs])
    model = LogisticRegression(fit_intercept=False, C=1.0, max_iter=1000).fit(x, y)
    return model.coef_[0]


def held_out(ranks: np.ndarray, levels: list[int | None], albums: list[str]) -> tuple[float, int]:
    """Leave-one-album-out accuracy of fitted weights: every pair is judged by weights fitted
    without any pair that touches either of its two albums."""
    pairs = pairs_of(levels)
    right = 0
    fitted: dict[frozenset[str], np.ndarray | None] = {}
    for i, j in pairs:
        held = frozenset((albums[i], albums[j]))
        if held not in fitted:
            train = [(a, b) for a, b in pairs if albums[a] not in held and albums[b] not in held]
            fitted[held] = fit_weights(ranks, levels, train) if train else None
        w = fitted[held]
        right += w is not None and ((ranks[i] - ranks[j]) @ w > 0) == (levels[i] > levels[j])
    return right / len(pairs), len(pairs)


def selection_held_out(lib: Library, levels: list[int | None],
                       candidates: list[tuple[str, dict[str, float]]]) -> tuple[float, float, dict[str, int]]:
    """Split the soundtracks into two halves every possible way; on each half pick the best
    candidate weight set, and score that pick on the other half (pairs inside it only).
    Returns (accuracy of the picks, accuracy of the shipped set on the same pairs, picks)."""
    scores = [mood.axis_score(lib.matrix, lib.names, c) for _, c in candidates]
    folders = sorted(set(lib.albums))
    picked = right = right_shipped = total = 0
    picks: dict[str, int] = {}
    for half in itertools.combinations(folders, len(folders) // 2):
        train_set = set(half)
        inside = [lib.albums[i] in train_set for i in range(len(lib.albums))]
        all_pairs = pairs_of(levels)
        train = [(i, j) for i, j in all_pairs if inside[i] and inside[j]]
        test = [(i, j) for i, j in all_pairs if not inside[i] and not inside[j]]
        if not train or not test:
            continue
        best = max(range(len(candidates)), key=lambda k: (pairwise(levels, scores[k], train)[0], -k))
        picks[candidates[best][0]] = picks.get(candidates[best][0], 0) + 1
        picked += 1
        right += pairwise(levels, scores[best], test)[0] * len(test)
        right_shipped += pairwise(levels, scores[0], test)[0] * len(test)
        total += len(test)
    return right / total, right_shipped / total, picks


def corpus_library(corpus: Path, home: Path | None) -> tuple[Library, list[str], list[str]]:
    matrix, names, _, paths = analysed_corpus(corpus, home)
    info = {row["path"]: row for row in corpus_rows(corpus)}
    rows = [info[p] for p in paths]
    albums = [p.split("/")[1] for p in paths]  # the soundtrack folders
    lib = Library(matrix, names, paths, albums, [r["genre"] for r in rows])
    return lib, [r["mood_guess"] for r in rows], [r["style"] for r in rows]


def print_table(lib: Library, valence: np.ndarray, arousal: np.ndarray, labels: list[str],
                guesses: list[str], styles: list[str], title: str) -> None:
    for axis, values in (("AROUSAL", arousal), ("VALENCE", valence)):
        print(f"\n=== {title}: sorted by {axis} (high first) ===")
        print(f"{'#':>2} {'aro':>5} {'val':>5}  {'mood':9} {'mood_guess':16} {'style (corpus.csv)':26} path")
        for rank, i in enumerate(np.argsort(-values, kind="mergesort"), 1):
            print(f"{rank:2} {arousal[i]:+5.2f} {valence[i]:+5.2f}  {labels[i]:9} {guesses[i][:16]:16} "
                  f"{styles[i][:26]:26} {lib.paths[i][8:]}")


def corpus_report(lib: Library, guesses: list[str], styles: list[str], quiet: bool) -> None:
    lv = [VALENCE_LEVEL.get(g) for g in guesses]
    la = [AROUSAL_LEVEL.get(g) for g in guesses]
    results: list[tuple[str, float, float]] = []
    for title, tags in (("audio only", [""] * len(lib.paths)), ("audio + genre tags", lib.genres)):
        valence, arousal, labels = library_moods(lib.matrix, lib.names, tags)
        if not quiet:
            print_table(lib, valence, arousal, labels, guesses, styles, title)
        results.append((f"new method, {title}", pairwise(la, arousal)[0], pairwise(lv, valence)[0]))
        with old_method():
            v_old, a_old, _ = library_moods(lib.matrix, lib.names, tags)
        results.append((f"old method (baseline), {title}", pairwise(la, a_old)[0], pairwise(lv, v_old)[0]))
    fitted = []
    for axis_cues, levels in ((mood.AROUSAL_CUES, la), (mood.VALENCE_CUES, lv)):
        ranks, _ = cue_ranks(lib.matrix, lib.names, axis_cues)
        w = fit_weights(ranks, levels, pairs_of(levels))
        fitted.append((pairwise(levels, ranks @ w)[0], held_out(ranks, levels, lib.albums)[0]))
    results.append(("same cues, weights fitted, in-sample (audio only)", fitted[0][0], fitted[1][0]))
    results.append(("same cues, weights fitted, leave-one-album-out", fitted[0][1], fitted[1][1]))
    sel_a = selection_held_out(lib, la, arousal_candidates())
    sel_v = selection_held_out(lib, lv, valence_candidates())
    results.append(("weight set picked on half the folders, other half", sel_a[0], sel_v[0]))
    results.append(("shipped weights on the same held-out halves", sel_a[1], sel_v[1]))

    print(f"\nPairwise accuracy vs corpus.csv mood_guess ({len(pairs_of(la))} arousal pairs, "
          f"{len(pairs_of(lv))} valence pairs, {sum(x is not None for x in la)} reference tracks; "
          "chance 0.50)")
    print(f"{'method':55} {'arousal':>8} {'valence':>8}")
    for name, a, v in results:
        print(f"{name:55} {a:8.2f} {v:8.2f}")
    print(f"picks over the splits: arousal {sel_a[2]}, valence {sel_v[2]}")
    valence, arousal, _ = library_moods(lib.matrix, lib.names, [""] * len(lib.paths))
    order = np.argsort(-arousal, kind="mergesort")
    print("\nArousal rank (audio only, of", len(order), "):",
          ", ".join(f"{lib.paths[i].split('/')[-1]} {int(np.flatnonzero(order == i)[0]) + 1}"
                    for i in range(len(lib.paths)) if AROUSAL_LEVEL.get(guesses[i]) in (2,)))


def demo_report(folder: Path, home_dir: Path | None) -> None:
    from musitui.analysis.runner import analyze_catalog
    from musitui.library.demo import read_demo_csv, write_demo_library
    from musitui.library.scan import scan_folder
    from musitui.paths import Home
    from musitui.store.catalog import Catalog
    from musitui.store.features import FeatureStore

    if not (folder / "demo.csv").exists():
        write_demo_library(folder, jobs=2)
    tmp = None
    if home_dir is None:
        tmp = tempfile.TemporaryDirectory()
        home_dir = Path(tmp.name)
    home = Home(config_dir=home_dir, data_dir=home_dir).ensure()
    catalog = Catalog.open(home)
    scan_folder(catalog, folder)
    catalog.save()
    analyze_catalog(home, catalog, jobs=2, show_progress=False)
    truth = {str(folder / row["path"]): row for row in read_demo_csv(folder)}
    store = FeatureStore.open(home)
    tracks = [t for t in catalog.tracks.values() if t.id in store and t.path in truth]
    matrix, _ = store.vectors_for([t.id for t in tracks])
    rows = [truth[t.path] for t in tracks]
    print(f"\nDemo library ({len(tracks)} tracks, truth from demo.csv):")
    print(f"{'method':34} {'arousal':>8} {'valence':>8} {'labels':>7}")
    for title, tags in (("audio only", [""] * len(tracks)), ("audio + genre tags", [t.genre for t in tracks])):
        for method in ("new", "old"):
            if method == "new":
                valence, arousal, labels = library_moods(matrix, store.names, tags)
            else:
                with old_method():
                    valence, arousal, labels = library_moods(matrix, store.names, tags)
            acc_a = pairwise([float(r["arousal"]) for r in rows], arousal)[0]
            acc_v = pairwise([float(r["valence"]) for r in rows], valence)[0]
            right = sum(label == r["style"] for label, r in zip(labels, rows, strict=True))
            print(f"{method + ', ' + title:34} {acc_a:8.2f} {acc_v:8.2f} {right:3}/{len(rows)}")
    if tmp is not None:
        tmp.cleanup()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--home", type=Path, default=None, help="reuse/keep the analysed corpus home here")
    parser.add_argument("--demo", type=Path, default=None, help="also score this demo library (made if absent)")
    parser.add_argument("--demo-home", type=Path, default=None)
    parser.add_argument("--quiet", action="store_true", help="figures only, no tables")
    args = parser.parse_args()
    lib, guesses, styles = corpus_library(args.corpus, args.home)
    corpus_report(lib, guesses, styles, args.quiet)
    if args.demo is not None:
        demo_report(args.demo, args.demo_home)


if __name__ == "__main__":
    main()
