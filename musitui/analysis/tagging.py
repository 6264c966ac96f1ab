"""One track through the tagger: decode its patches, run musicnn, average over the patches.

What runs in an analysis worker for the second (tagger) pass; never raises for a bad file.
The track's embedding is the mean of the patches' 200-value penultimate layers, its tags the
mean of their 50 probabilities: averaged over the whole track, not one excerpt.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

DEFAULT_PATCHES = 8  # chosen out of sample: docs/FEATURES.md, bench/bench_tagger_patches.py


@dataclass
class TagResult:
    track_id: int
    embedding: np.ndarray | None  # float32 (200,)
    tags: np.ndarray | None       # float32 (50,)
    patches: int = 0
    duration: float = 0.0
    error: str | None = None
    decode_seconds: float = 0.0
    tag_seconds: float = 0.0
    peak_rss_mb: float = 0.0


def tag_file(track_id: int, path: str, patches: int = DEFAULT_PATCHES,
             known_duration: float = 0.0) -> TagResult:
    from musitui.analysis.patches import decode_patches
    from musitui.analysis.tagger import load_model
    from musitui.analysis.worker import peak_rss_mb
    from musitui.decode_reasons import reason_for

    started = time.process_time()
    try:
        mels, duration = decode_patches(path, patches, known_duration)
    except Exception as exc:  # DecodeError, or a decoder library bug: it must not stop the run
        return TagResult(track_id, None, None, error=reason_for(exc, path))
    decoded = time.process_time()
    try:
        out = load_model().forward(mels)
    except Exception as exc:
        return TagResult(track_id, None, None, error=f"tagger failed: {type(exc).__name__}: {exc}"[:200])
    return TagResult(track_id, out.embedding.mean(axis=0), out.tags.mean(axis=0), patches=len(mels),
                     duration=duration, decode_seconds=decoded - started,
                     tag_seconds=time.process_time() - decoded, peak_rss_mb=peak_rss_mb())

