"""How many tagger patches per track: same-soundtrack P@5 of the musicnn embedding vs patch count.

    PYTHONPATH=. .venv/bin/python bench/bench_tagger_patches.py [--tune /work/corpus/a]
        [--report /work/corpus/b] [--counts 1,2,4,8,12,16,24,32] [--jobs 2]

For each count, every track of the corpus is embedded (the mean of musicnn's 200-value
penultimate layer over that many 3 s patches spread over the whole track; one patch = about
a single excerpt) and ranked against all the others by cosine of the z-scored embedding.
P@5 = share of the 5 nearest from the same soundtrack (folder); the same recording in another
format is hidden from itself. Out of sample: corpus a's soundtracks are split in two fixed
halves; the count is chosen on the *tune* half (the smallest count within 0.01 of the best,
as fewer patches are faster) and reported, with a bootstrap 95 % interval over the queries,
on the other half and on the second corpus, beside the 1-patch figure (about one excerpt)
and random from the same run. (The handcrafted features' P@5 is bench/bench_similarity.py's.)
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from tagger_embeddings import embed_folder  # noqa: E402


def groups_of(paths: np.ndarray) -> np.ndarray:
    return np.array([p.split("/")[1] if p.startswith("library/") else p.split("/")[0] for p in paths])


def duplicate_mask(paths: np.ndarray) -> np.ndarray:
    stems = np.array([p.rsplit(".", 1)[0] for p in paths])
    mask = stems[:, None] == stems[None, :]
    np.fill_diagonal(mask, False)
    return mask


def hits_at_5(embedding: np.ndarray, groups: np.ndarray, paths: np.ndarray) -> np.ndarray:
    """Per query: share of its 5 nearest (cosine of z-scored vectors) from its soundtrack."""
    z = (embedding - embedding.mean(0)) / np.maximum(embedding.std(0), 1e-6)
    z /= np.maximum(np.linalg.norm(z, axis=1, keepdims=True), 1e-12)
    sim = z @ z.T
    np.fill_diagonal(sim, -np.inf)
    sim[duplicate_mask(paths)] = -np.inf
    order = np.argsort(-sim, axis=1)[:, :5]
    return (groups[order] == groups[:, None]).mean(axis=1)


def interval(values: np.ndarray, rng: np.random.Generator, n: int = 2000) -> tuple[float, float]:
    means = [values[rng.integers(0, len(values), len(values))].mean() for _ in range(n)]
    return float(np.percentile(means, 2.5)), float(np.percentile(means, 97.5))


def split_soundtracks(groups: np.ndarray) -> tuple[set[str], set[str]]:
    """A fixed split: soundtracks sorted by size, alternately to tune / report."""
    names = sorted(set(groups), key=lambda g: (-(groups == g).sum(), g))
    return set(names[0::2]), set(names[1::2])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tune", type=Path, default=Path("/work/corpus/a"))
    parser.add_argument("--report", type=Path, default=Path("/work/corpus/b"))
    parser.add_argument("--counts", default="1,2,4,8,12,16,24,32")
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    counts = [int(c) for c in args.counts.split(",")]
    rng = np.random.default_rng(0)

    per_count: dict[int, dict[str, np.ndarray]] = {}
    speed: dict[int, float] = {}
    for count in counts:
        began = time.monotonic()
        per_count[count] = embed_folder(args.tune, count, args.jobs)
        speed[count] = len(per_count[count]["paths"]) / (time.monotonic() - began)
    # Only tracks every count could decode (a damaged stretch can swallow a lone patch).
    common = set.intersection(*(set(d["paths"].tolist()) for d in per_count.values()))
    for count, data in per_count.items():
        keep = np.array([p in common for p in data["paths"].tolist()])
        per_count[count] = {k: v[keep] if k in ("paths", "embedding", "tags", "patches") else v
                            for k, v in data.items()}
    paths = per_count[counts[0]]["paths"]
    groups = groups_of(paths)
    tune, report = split_soundtracks(groups)
    in_tune = np.array([g in tune for g in groups])
    random_p5 = np.mean([((groups == g).sum() - 1) / (len(groups) - 1) for g in groups])
    print(f"{args.tune}: {len(paths)} tracks, {len(set(groups))} soundtracks; random P@5 {random_p5:.3f}")
    print(f"tune half: {sorted(tune)}\nreport half: {sorted(report)}")
    print(f"{'patches':>7} {'tune P@5':>9} {'report P@5':>11} {'tracks/s (2 jobs, incl. start-up)':>34}")
    tune_scores = {}
    for count in counts:
        data = per_count[count]
        assert (data["paths"] == paths).all()
        hits = hits_at_5(data["embedding"], groups, paths)
        tune_scores[count] = float(hits[in_tune].mean())
        print(f"{count:7d} {tune_scores[count]:9.3f} {hits[~in_tune].mean():11.3f} {speed[count]:34.2f}")
    best = max(tune_scores.values())
    chosen = min(c for c in counts if tune_scores[c] >= best - 0.01)
    hits = hits_at_5(per_count[chosen]["embedding"], groups, paths)
    one = hits_at_5(per_count[min(counts)]["embedding"], groups, paths)
    lo, hi = interval(hits[~in_tune], rng)
    print(f"\nchosen on the tune half: {chosen} patches")
    print(f"report half ({(~in_tune).sum()} queries): P@5 {hits[~in_tune].mean():.3f} [{lo:.3f}, {hi:.3f}]"
          f"   ({min(counts)} patch: {one[~in_tune].mean():.3f})")

    if args.report and (args.report / "library").exists():
        for count in sorted({min(counts), chosen}):
            data = embed_folder(args.report, count, args.jobs)
            g = groups_of(data["paths"])
            h = hits_at_5(data["embedding"], g, data["paths"])
            lo, hi = interval(h, rng)
            rnd = np.mean([((g == x).sum() - 1) / (len(g) - 1) for x in g])
            print(f"{args.report}: {len(g)} tracks, {len(set(g))} soundtracks, {count} patches: "
                  f"P@5 {h.mean():.3f} [{lo:.3f}, {hi:.3f}] (random {rnd:.3f})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
