"""Feature vectors -> unit-length embeddings for cosine similarity.

``content.embed`` weighs the feature groups; a matrix whose feature names it does not know
(every weight zero) falls back to ``standardise_embed``: each column standardised over the
library (so loud/quiet masters and different units weigh alike), rows L2-normalised.
"""

from __future__ import annotations

import numpy as np

from musitui.recommend.content import embed as weighted_embed


def standardise_embed(matrix: np.ndarray) -> np.ndarray:
    data = np.asarray(matrix, dtype=np.float32)
    if data.ndim != 2 or data.shape[0] == 0:
        return data.reshape(data.shape[0] if data.ndim else 0, -1).astype(np.float32)
    data = np.nan_to_num(data, nan=0.0, posinf=0.0, neginf=0.0)
    centred = data - data.mean(axis=0, keepdims=True)
    spread = centred.std(axis=0, keepdims=True)
    spread[spread < 1e-9] = 1.0
    scaled = centred / spread
    norms = np.linalg.norm(scaled, axis=1, keepdims=True)
    norms[norms < 1e-9] = 1.0
    return (scaled / norms).astype(np.float32)


def embed(matrix: np.ndarray, names: list[str]) -> np.ndarray:
    """``content.embed`` as unit vectors; ``standardise_embed`` when it knows no feature."""
    result = np.asarray(weighted_embed(matrix, names), dtype=np.float32)
    norms = np.linalg.norm(result, axis=1, keepdims=True)
    if result.size and not (norms > 1e-9).any():
        return standardise_embed(matrix)
    norms[norms < 1e-9] = 1.0
    return result / norms
