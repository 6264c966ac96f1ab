"""musitui: a keyboard-driven terminal music player that learns what to play next."""

__version__ = "0.1.0"
