"""Adaptive tagger patch counts, offline: same-soundtrack P@5 of the track embedding when a
track stops at 4 patches once they agree, against the fixed 8, from per-patch outputs.

    PYTHONPATH=. .venv/bin/python bench/bench_adaptive_patches.py --tune PATCHES_A.npz
        [--report PATCHES_B.npz] [--thresholds 0.90,0.95,...]

The inputs are bench/patch_embeddings.py's .npz files (16 patches per track, centred at
(i + 0.5)/16: every other one is an 8-patch plan, every fourth a 4-patch one, as the tagger
pass's first stage takes the even half of its 8 windows). A track's *agreement* is the cosine
of the mean of its 1st and 3rd first-stage patches with the mean of its 2nd and 4th (raw
embedding, no library statistics, so a worker can decide alone): at or above the threshold
the track keeps the 4-patch mean, below it takes all 8. P@5 as bench/bench_tagger_patches.py
(z-scored cosine, the same recording in another format hidden from itself), with bootstrap
95 % intervals over the queries. The threshold is chosen on --tune (the lowest mean patch
count whose P@5 is within 0.01 of the fixed 8's) and reported on --report.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from bench_tagger_patches import groups_of, hits_at_5, interval  # noqa: E402


def agreement(first: np.ndarray) -> float:
    """Cosine of the means of two interleaved halves of a track's first-stage patches."""
    if len(first) < 2:
        return 1.0
    a, b = first[0::2].mean(axis=0), first[1::2].mean(axis=0)
    return float(a @ b / max(np.linalg.norm(a) * np.linalg.norm(b), 1e-12))


def eight_of(own: np.ndarray) -> np.ndarray:
    """The 8-patch plan's patches among a track's (up to) 16: every other one; a track with
    8 or fewer back-to-back patches keeps them all (as the plan does), one with 9-15 the 8
    nearest to the plan's centres."""
    if len(own) >= 16:
        return own[::2]
    if len(own) <= 8:
        return own
    return own[np.floor((np.arange(8) + 0.5) * len(own) / 8).astype(int)]


def pooled(npz: Path, threshold: float | None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(paths, embeddings, patches used) with the 8-patch plan, or adaptive at ``threshold``."""
    data = np.load(npz)
    patches, offsets = data["msd_embedding"].astype(np.float64), data["offsets"]
    means, used = [], []
    for start, end in zip(offsets[:-1].tolist(), offsets[1:].tolist(), strict=True):
        own = patches[start:end]
        eight = eight_of(own)
        first = eight[::2]
        if threshold is not None and len(eight) > len(first) and agreement(first) >= threshold:
            means.append(first.mean(axis=0))
            used.append(len(first))
        else:
            means.append(eight.mean(axis=0))
            used.append(len(eight))
    return data["paths"], np.array(means), np.array(used)


def score(npz: Path, threshold: float | None) -> tuple[np.ndarray, float]:
    paths, embedding, used = pooled(npz, threshold)
    return hits_at_5(embedding, groups_of(paths), paths), float(used.mean())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tune", type=Path, required=True)
    parser.add_argument("--report", type=Path, default=None)
    parser.add_argument("--thresholds", default="0.80,0.85,0.90,0.92,0.94,0.96,0.97,0.98,0.99,1.01")
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    thresholds = [float(t) for t in args.thresholds.split(",")]
    fixed, _ = score(args.tune, None)
    print(f"{args.tune.name}: fixed 8 patches P@5 {fixed.mean():.3f}")
    print(f"{'threshold':>9} {'P@5':>6} {'mean patches':>13}")
    rows = []
    for threshold in thresholds:
        hits, patches = score(args.tune, threshold)
        rows.append((threshold, float(hits.mean()), patches))
        print(f"{threshold:9.2f} {hits.mean():6.3f} {patches:13.2f}")
    good = [r for r in rows if r[1] >= fixed.mean() - 0.01]
    chosen = min(good, key=lambda r: (r[2], -r[0]))[0] if good else max(thresholds)
    print(f"chosen on {args.tune.name}: threshold {chosen:.2f}")
    for label, npz in (("tune", args.tune), ("report", args.report)):
        if npz is None:
            continue
        base, _ = score(npz, None)
        hits, patches = score(npz, chosen)
        four, _ = score(npz, -2.0)
        print(f"{label} {npz.name}: {len(hits)} queries; fixed 8 P@5 {base.mean():.3f} "
              f"[{interval(base, rng)[0]:.3f}, {interval(base, rng)[1]:.3f}]; adaptive {hits.mean():.3f} "
              f"[{interval(hits, rng)[0]:.3f}, {interval(hits, rng)[1]:.3f}] at {patches:.2f} patches/track; "
              f"fixed 4 {four.mean():.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
