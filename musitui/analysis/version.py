"""The feature-extractor version: bump it whenever the vector changes, and every track is re-analysed."""

FEATURE_VERSION = 2  # 2: numpy extractor (no librosa), pair-pooled HPSS, PyAV for Opus
SAMPLE_RATE = 22050
