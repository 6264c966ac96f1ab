"""The hybrid recommender: pure numpy over arrays it is handed (no disk, no audio).

``library.build_library`` turns catalog tracks, feature vectors and history aggregates into
arrays once; ``engine.rank`` scores every candidate against the current listening context
and returns the Up next picks with their score parts and a one-line reason.
"""
