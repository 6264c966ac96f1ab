"""Track vectors from per-patch musicnn outputs (bench/patch_embeddings.py): the candidates of
issue 18's "finer ear", for bench/evaluate_offline.py's leave-one-soundtrack-out choice.

Each candidate is computed from the library alone (no labels): the statistics a player could
keep per track (the mean and the spread of its patches' 200-value embeddings) and one
library-level matrix (the within-track scatter of the patches: how much one track's own
patches differ, dimension by dimension and together). Whitening by it weighs the directions
in which tracks differ from each other more than a track differs from itself.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

SHRINK = 0.1  # within-track scatter shrunk toward its mean variance (d = 200, ~1000 patches)


def unit(x: np.ndarray) -> np.ndarray:
    return x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12)


def zscore(x: np.ndarray) -> np.ndarray:
    sd = x.std(axis=0)
    return (x - x.mean(axis=0)) / np.where(sd > 1e-9, sd, 1.0)


def track_stats(patches: np.ndarray, offsets: np.ndarray, every: int = 1) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(means, spreads, within-track scatter) over each track's patches [::every]."""
    means, spreads = [], []
    scatter = np.zeros((patches.shape[1], patches.shape[1]))
    count = 0
    for start, end in zip(offsets[:-1].tolist(), offsets[1:].tolist(), strict=True):
        own = patches[start:end][::every].astype(np.float64)
        centre = own.mean(axis=0)
        means.append(centre)
        spreads.append(own.std(axis=0))
        if len(own) > 1:
            centred = own - centre
            scatter += centred.T @ centred
            count += len(own) - 1
    return np.array(means), np.array(spreads), scatter / max(count, 1)


def whitener(scatter: np.ndarray) -> np.ndarray:
    """Sw^(-1/2) of the shrunk within-track scatter."""
    d = scatter.shape[0]
    shrunk = (1 - SHRINK) * scatter + SHRINK * np.trace(scatter) / d * np.eye(d)
    values, vectors = np.linalg.eigh(shrunk)
    return vectors @ np.diag(1.0 / np.sqrt(np.maximum(values, 1e-12))) @ vectors.T


def candidates(npz: Path, rel_paths: list[str]) -> dict[str, np.ndarray]:
    """Every candidate as unit rows aligned with ``rel_paths`` (missing tracks: zero rows)."""
    data = np.load(npz)
    where = {str(p): i for i, p in enumerate(data["paths"])}
    rows = np.array([where.get(p, -1) for p in rel_paths])
    offsets = data["offsets"]
    out: dict[str, np.ndarray] = {}
    blocks: dict[str, np.ndarray] = {}
    for model in ("msd", "mtt"):
        patches = data[f"{model}_embedding"]
        for every, label in ((2, "8"), (1, "16")):
            means, spreads, scatter = track_stats(patches, offsets, every)
            plain = unit(zscore(means))
            white = unit((means - means.mean(axis=0)) @ whitener(scatter))
            spread = unit(zscore(spreads))
            blocks[f"{model} mean{label}"] = plain
            blocks[f"{model} whitened mean{label}"] = white
            blocks[f"{model} mean+spread{label}"] = unit(np.hstack([plain, spread]))
            blocks[f"{model} whitened mean+spread{label}"] = unit(np.hstack([white, spread]))
    blocks["msd+mtt whitened mean+spread16"] = unit(np.hstack([blocks["msd whitened mean+spread16"],
                                                               blocks["mtt whitened mean+spread16"]]))
    blocks["msd+mtt mean16"] = unit(np.hstack([blocks["msd mean16"], blocks["mtt mean16"]]))
    for name, matrix in blocks.items():
        aligned = np.zeros((len(rel_paths), matrix.shape[1]))
        aligned[rows >= 0] = matrix[rows[rows >= 0]]
        out[name] = aligned
    return out


# The candidates the LOSO search may choose (the rest are printed as nearest-neighbour rows).
SEARCHED = ("msd mean8", "msd mean16", "msd mean+spread16", "msd whitened mean16",
            "msd whitened mean+spread16", "mtt whitened mean+spread16",
            "msd+mtt whitened mean+spread16")
