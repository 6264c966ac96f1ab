"""Audio analysis: excerpt decoding, the feature vector, mood, style and the parallel runner.

Only ``features`` and ``worker`` import librosa, and only inside worker processes;
``style`` imports scikit-learn lazily. Importing this package itself is cheap.
"""

from musitui.analysis.version import FEATURE_VERSION, SAMPLE_RATE

__all__ = ["FEATURE_VERSION", "SAMPLE_RATE"]
