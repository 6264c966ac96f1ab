"""Content similarity: raw feature vectors -> an embedding for cosine similarity (numpy only).

Each dimension is standardised over the library (median / inter-quartile spread, so one odd
track does not squash the rest), then rows are L2-normalised so that a dot product is a
cosine. Every dimension weighs the same (except ``key_index``, not a quantity): group weights
tuned on the development corpus did not beat this plain default out of sample
(bench/evaluate_offline.py, docs/RECOMMENDER.md). ``GROUPS`` names the feature groups (the
benches weigh them to measure what each carries); its weights are all 1.
"""

from __future__ import annotations

import numpy as np

# group -> (weight, member name prefixes or names)
GROUPS: dict[str, tuple[float, tuple[str, ...]]] = {
    "rhythm": (1.0, ("tempo", "beat_strength", "onset_rate", "onset_mean", "onset_cv")),
    "dynamics": (1.0, ("rms_db", "rms_cv", "dynamic_range_db", "crest_db")),
    "spectrum": (1.0, ("centroid", "centroid_std", "bandwidth", "rolloff", "flatness_db",
                       "zcr", "zcr_std", "percussive_share", "flux", "flux_cv",
                       "low_ratio", "high_ratio")),
    "contrast": (1.0, ("contrast_",)),
    "timbre": (1.0, ("mfcc_mean_",)),
    "timbre_motion": (1.0, ("mfcc_std_",)),
    "harmony": (1.0, ("key_clarity", "mode_strength", "chroma_entropy", "mode_major")),
    "chroma": (1.0, ("chroma_",)),
}
# Not a quantity: pitch class 11 is not "more" than 0.
IGNORED = {"key_index"}


def group_of(name: str) -> str | None:
    if name in IGNORED:
        return None
    for group, (_, members) in GROUPS.items():
        for member in members:
            if name == member or (member.endswith("_") and name.startswith(member)):
                return group
    return None


def dimension_weights(names: list[str], groups: dict[str, tuple[float, tuple[str, ...]]] | None = None) -> np.ndarray:
    """Per-dimension weight: group weight / sqrt(group size); 0 for ignored/unknown names."""
    groups = groups or GROUPS
    membership = [group_of(n) for n in names]
    sizes: dict[str, int] = {}
    for g in membership:
        if g is not None:
            sizes[g] = sizes.get(g, 0) + 1
    return np.array([groups[g][0] / np.sqrt(sizes[g]) if g is not None else 0.0 for g in membership])


STANDARDISE_SAMPLE = 4096


def standardise(matrix: np.ndarray) -> np.ndarray:
    x = np.asarray(matrix, dtype=np.float64)
    if len(x) == 0:
        return x
    # Quantiles of an evenly spread sample: as good a reference, and sorting 50k rows per
    # column would cost more than the whole rerank.
    sample = x[:: max(1, len(x) // STANDARDISE_SAMPLE)]
    q25, centre, q75 = _quantiles(sample, (0.25, 0.5, 0.75))
    scale = (q75 - q25) / 1.349  # IQR of a normal = 1.349 sigma
    fallback = sample.std(axis=0)
    scale = np.where(scale > 1e-9, scale, np.where(fallback > 1e-9, fallback, 1.0))
    # Clip extreme values: one broken file must not dominate every cosine.
    return np.clip((x - centre) / scale, -5.0, 5.0)


def _quantiles(x: np.ndarray, qs: tuple[float, ...]) -> list[np.ndarray]:
    """Per-column quantiles, linear interpolation (np.percentile's default), without
    np.percentile: its first call imports numpy.ma, 30 ms of every CLI start."""
    ordered = np.sort(x, axis=0)
    out = []
    for q in qs:
        position = q * (len(ordered) - 1)
        low = int(np.floor(position))
        high = min(low + 1, len(ordered) - 1)
        out.append(ordered[low] + (position - low) * (ordered[high] - ordered[low]))
    return out


def plain_weights(names: list[str]) -> np.ndarray:
    """1 for every dimension, 0 for the ignored ones."""
    return np.array([0.0 if n in IGNORED else 1.0 for n in names])


def embed(matrix: np.ndarray, names: list[str], weights: np.ndarray | None = None) -> np.ndarray:
    """(n, d) float32 unit rows; cosine similarity of tracks = row dot products."""
    z = standardise(matrix) * (plain_weights(names) if weights is None else weights)
    norms = np.linalg.norm(z, axis=1, keepdims=True)
    return (z / np.where(norms > 1e-12, norms, 1.0)).astype(np.float32)


def similarity(embedding: np.ndarray, i: int) -> np.ndarray:
    """Cosine similarity of row ``i`` to every row (1.0 for itself)."""
    return embedding @ embedding[i]
