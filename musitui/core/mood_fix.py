"""The listener corrects the playing track's mood with one key (issue 18).

``correct_mood`` stores the correction (``musitui.store.mood_corrections``, by track id, so it
survives rescans and re-analysis), shows it at once (the track's analysis in the catalog and
the session's ranking arrays take the mood's valence/arousal point) and reranks; the player's
background job then recomputes the library's moods with it (similar tracks move with it) and
the views read the saved catalog again.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Protocol

from musitui.core.model import Track
from musitui.core.moods import MOOD_ORDER, MOODS
from musitui.paths import Home
from musitui.recommend.arrays import Library
from musitui.store.mood_corrections import MoodCorrections


class Ranked(Protocol):
    """What a correction needs of the session: its ranking arrays and a rerank."""

    @property
    def lib(self) -> Library: ...

    def rerank(self, notify: bool = True) -> None: ...


def next_correction(current: str | None) -> str:
    """The mood one press of the key gives: the one after ``current`` (happy … intense)."""
    if current not in MOOD_ORDER:
        return MOOD_ORDER[0]
    return MOOD_ORDER[(MOOD_ORDER.index(current) + 1) % len(MOOD_ORDER)]


def correct_mood(home: Home, session: Ranked, track: Track, mood: str | None = None) -> str:
    """Correct ``track``'s mood (``mood``, or the next one after its current mood); returns
    the mood it now has. Runs on the session thread."""
    corrections = MoodCorrections.open(home)
    current = corrections.moods.get(track.id) or (track.analysis.mood if track.analysis else None)
    chosen = mood if mood in MOOD_ORDER else next_correction(current)
    corrections.set(track.id, track.path, chosen)
    corrections.save()
    point = MOODS[chosen]
    if track.analysis is not None:
        track.analysis = replace(track.analysis, mood=chosen, valence=point.valence, arousal=point.arousal)
    lib = session.lib
    row = lib.row(track.id)
    if row is not None and track.analysis is not None:
        lib.valence[row], lib.arousal[row], lib.has_va[row] = point.valence, point.arousal, True
        for key in [k for k in lib.cache if isinstance(k, tuple) and k[:1] == ("mood",)]:
            del lib.cache[key]
    session.rerank()
    return chosen
