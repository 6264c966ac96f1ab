"""The one error type of tag reading: the message is a readable one-line reason."""

from __future__ import annotations


class TagError(Exception):
    """The file is not usable music; the message is one readable line."""
