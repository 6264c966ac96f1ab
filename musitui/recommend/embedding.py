"""Feature vectors -> unit-length embeddings for cosine similarity.

The analysis layer may provide ``musitui.recommend.content.embed(matrix, names)`` (with its
own, justified feature weights); until it does, each column is standardised over the
library (so loud/quiet masters and different units weigh alike) and rows are L2-normalised.
"""

from __future__ import annotations

import importlib

import numpy as np


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
    """The analysis layer's embedding when it exists, else ``standardise_embed``."""
    try:
        content = importlib.import_module("musitui.recommend.content")
    except ImportError:
        return standardise_embed(matrix)
    custom = getattr(content, "embed", None)
    if custom is None:
        return standardise_embed(matrix)
    result = np.asarray(custom(matrix, names), dtype=np.float32)
    norms = np.linalg.norm(result, axis=1, keepdims=True)
    if result.size and not (norms > 1e-9).any():
        # Feature names it does not know (weights all zero): fall back rather than lose content.
        return standardise_embed(matrix)
    norms[norms < 1e-9] = 1.0
    return result / norms
