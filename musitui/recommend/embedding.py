"""Feature vectors -> unit-length embeddings for cosine similarity.

``content.embed`` weighs the feature groups; a matrix whose feature names it does not know
(every weight zero) falls back to ``standardise_embed``: each column standardised over the
library (so loud/quiet masters and different units weigh alike), rows L2-normalised.
"""

from __future__ import annotations

import numpy as np

from musitui.recommend.content import embed as weighted_embed


def standardise_embed(matrix: np.ndarray) -> np.ndarray:
    """Float32 unit rows of ``matrix`` with each column standardised. One copy of the matrix is
    made and worked on in place (at 100k x 200 each temporary is 80 MB: the player's peak)."""
    data = np.array(matrix, dtype=np.float32)
    if data.ndim != 2 or data.shape[0] == 0:
        return data.reshape(data.shape[0] if data.ndim else 0, -1)
    np.nan_to_num(data, copy=False, nan=0.0, posinf=0.0, neginf=0.0)
    data -= data.mean(axis=0, dtype=np.float64, keepdims=True).astype(np.float32)
    spread = np.sqrt(np.einsum("ij,ij->j", data, data, dtype=np.float64) / data.shape[0])
    spread[spread < 1e-9] = 1.0
    data /= spread.astype(np.float32)
    norms = np.sqrt(np.einsum("ij,ij->i", data, data))
    norms[norms < 1e-9] = 1.0
    data /= norms[:, None]
    return data


def embed(matrix: np.ndarray, names: list[str]) -> np.ndarray:
    """``content.embed`` as unit vectors; ``standardise_embed`` when it knows no feature."""
    result = np.asarray(weighted_embed(matrix, names), dtype=np.float32)
    norms = np.linalg.norm(result, axis=1, keepdims=True)
    if result.size and not (norms > 1e-9).any():
        return standardise_embed(matrix)
    norms[norms < 1e-9] = 1.0
    return result / norms
