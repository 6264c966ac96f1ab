"""The feature-extractor version: bump it whenever the vector changes, and every track is re-analysed."""

FEATURE_VERSION = 1
SAMPLE_RATE = 22050
