"""Content similarity on the real corpus: leave-one-out same-folder P@5 and 1-NN accuracy
(in-sample diagnostics of the feature groups; the held-out evaluation is evaluate_offline.py).

    .venv/bin/python bench/bench_similarity.py [--corpus /root/musitui-corpus] [--home DIR]

Analyses the corpus (or reuses --home if it already holds the feature store), embeds the
vectors with musitui.recommend.content.embed and, for every decodable file, ranks all the
others by cosine similarity: P@5 = share of the 5 nearest from the same source folder
(soundtrack), 1-NN = the nearest is from the same folder. Baselines from the same run:
random ranking (expected P@5) and the plain z-scored, unweighted vector; reference peers
measured on this corpus (../shared/corpus/README.md): naive librosa 0.249 / 0.368,
bliss-rs 0.312 / 0.509.
"""

from __future__ import annotations

import argparse
import csv
import tempfile
from pathlib import Path

import numpy as np

from musitui.paths import Home
from musitui.recommend.content import GROUPS, dimension_weights, embed, standardise
from musitui.store.catalog import Catalog

# The corpus as a catalog (genres from corpus.csv, i.e. the tags as shipped): the scan
# command does this for real; the benches only need the catalog records.
CORPUS = Path("/root/musitui-corpus")


def corpus_rows(corpus: Path = CORPUS) -> list[dict[str, str]]:
    with open(corpus / "corpus.csv", newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def build_catalog(home_dir: Path, corpus: Path = CORPUS) -> tuple[Home, Catalog, dict[int, dict[str, str]]]:
    home = Home(config_dir=home_dir, data_dir=home_dir).ensure()
    catalog = Catalog.open(home)
    rows: dict[int, dict[str, str]] = {}
    for row in corpus_rows(corpus):
        path = str(corpus / row["path"])
        track = catalog.by_path(path) or catalog.new_track(
            path, title=row["title"], genre=row["genre"], duration=float(row["duration_s"] or 0))
        rows[track.id] = row
    catalog.save()
    return home, catalog, rows



def scores(emb: np.ndarray, groups: np.ndarray, exclude: np.ndarray | None = None) -> tuple[float, float]:
    """Leave-one-out P@5 and 1-NN accuracy; ``exclude[i, j]`` hides j from i's neighbours."""
    sim = emb @ emb.T
    np.fill_diagonal(sim, -np.inf)
    if exclude is not None:
        sim[exclude] = -np.inf
    order = np.argsort(-sim, axis=1)
    same = groups[order] == groups[:, None]
    return float(same[:, :5].mean()), float(same[:, 0].mean())


def analysed_corpus(corpus: Path, home_dir: Path | None) -> tuple[np.ndarray, list[str], np.ndarray, list[str]]:
    from musitui.analysis.runner import analyze_catalog
    from musitui.store.features import FeatureStore

    tmp = None
    if home_dir is None:
        tmp = tempfile.TemporaryDirectory()
        home_dir = Path(tmp.name)
    home, catalog, rows = build_catalog(home_dir, corpus)
    analyze_catalog(home, catalog, jobs=2, show_progress=True)
    store = FeatureStore.open(home)
    ids = [i for i in rows if i in store]
    matrix, _ = store.vectors_for(ids)
    groups = np.array([rows[i]["path"].split("/")[1] for i in ids])
    paths = [rows[i]["path"] for i in ids]
    if tmp is not None:
        tmp.cleanup()
    return matrix, store.names, groups, paths


def duplicate_mask(paths: list[str]) -> np.ndarray:
    """The same recording in two formats would be a free hit: hide each copy from the other."""
    stems = np.array([p.rsplit(".", 1)[0] for p in paths])
    mask = stems[:, None] == stems[None, :]
    np.fill_diagonal(mask, False)
    return mask


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--home", type=Path, default=None, help="reuse/keep the analysed home here")
    args = parser.parse_args()
    matrix, names, groups, paths = analysed_corpus(args.corpus, args.home)
    dup = duplicate_mask(paths)
    random_p5 = np.mean([(groups == g).sum() - 1 for g in groups]) / (len(groups) - 1)

    print(f"\n{len(groups)} decodable files, {len(set(groups))} folders, {matrix.shape[1]} dimensions")
    print(f"{'method':58} {'P@5':>6} {'1-NN':>6}")
    print(f"{'random (expected)':58} {random_p5:6.3f} {'':>6}")
    z = standardise(matrix)
    z = z / np.maximum(np.linalg.norm(z, axis=1, keepdims=True), 1e-12)
    p5, nn = scores(z, groups, dup)
    print(f"{'baseline: all dims z-scored, unweighted (same run)':58} {p5:6.3f} {nn:6.3f}")
    print(f"{'peer: naive librosa (README)':58} {0.249:6.3f} {0.368:6.3f}")
    print(f"{'peer: bliss-rs 0.13 (README)':58} {0.312:6.3f} {0.509:6.3f}")
    hand_set = {"rhythm": 1.0, "dynamics": 1.0, "spectrum": 1.5, "contrast": 1.0, "timbre": 2.0,
                "timbre_motion": 1.5, "harmony": 0.5, "chroma": 0.5}  # before tuning on this corpus
    weights = dimension_weights(names, {g: (hand_set[g], m) for g, (_, m) in GROUPS.items()})
    p5, nn = scores(embed(matrix, names, weights), groups, dup)
    print(f"{'group-weighted, hand-set weights (before tuning)':58} {p5:6.3f} {nn:6.3f}")
    p5, nn = scores(embed(matrix, names), groups, dup)
    print(f"{'musitui embed (unweighted), duplicate hidden':58} {p5:6.3f} {nn:6.3f}")
    p5d, nnd = scores(embed(matrix, names), groups)
    print(f"{'musitui embed, duplicate recording allowed':58} {p5d:6.3f} {nnd:6.3f}")

    # Each group alone, and the embedding without it: what carries the similarity.
    print("\nper group (alone / all but this group):")
    for group in GROUPS:
        only = dimension_weights(names, {g: (w if g == group else 0.0, m) for g, (w, m) in GROUPS.items()})
        without = dimension_weights(names, {g: (0.0 if g == group else w, m) for g, (w, m) in GROUPS.items()})
        a = scores(embed(matrix, names, only), groups, dup)
        b = scores(embed(matrix, names, without), groups, dup)
        print(f"  {group:14} weight {GROUPS[group][0]:.1f}  alone P@5 {a[0]:.3f}  without P@5 {b[0]:.3f}")


if __name__ == "__main__":
    main()
