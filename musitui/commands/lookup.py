"""A track named on the command line: a path (as typed, absolute or resolved) or a track id."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from musitui.core.model import Track
    from musitui.store.catalog import Catalog


def find_catalogued(catalog: Catalog, text: str) -> Track | None:
    """The catalog track for a path (as typed, absolute, resolved) or a track id."""
    candidates = [os.path.abspath(os.path.expanduser(text))]
    candidates.append(os.path.realpath(candidates[0]))
    for candidate in candidates:
        track = catalog.by_path(candidate)
        if track is not None:
            return track
    if text.isdigit() and not os.path.exists(text):
        return catalog.get(int(text))
    return None
