"""The live filter: a normalised search key per track, built once, and a fast match per keystroke.

Matching is accent- and case-insensitive and per word (every query word must occur somewhere
in title/artist/album/genre). A word that matches nothing exactly is retried with one typo
forgiven, through a deletion-neighbourhood index over the library's vocabulary (built lazily
on the first typo). Typing that extends the previous query only searches the previous hits.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Iterable, Sequence
from functools import lru_cache

from musitui.model import Track

_NON_WORD = re.compile(r"[^0-9a-z]+")


def normalise(text: str) -> str:
    """Lower-case, accents stripped, punctuation folded to single spaces."""
    if text.isascii():
        return _NON_WORD.sub(" ", text.lower()).strip()
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    stripped = stripped.replace("ß", "ss").replace("ø", "o").replace("æ", "ae").replace("œ", "oe")
    return _NON_WORD.sub(" ", stripped).strip()


@lru_cache(maxsize=65536)
def _normalise_cached(text: str) -> str:
    return normalise(text)


def track_key(track: Track) -> str:
    # Artists, albums and genres repeat across tracks: normalise each distinct one once.
    parts = [normalise(track.title), _normalise_cached(track.artist), _normalise_cached(track.album),
             _normalise_cached(track.albumartist), _normalise_cached(track.genre)]
    return " " + " ".join(p for p in parts if p) + " "


def _deletions(word: str) -> set[str]:
    return {word[:i] + word[i + 1:] for i in range(len(word))}


class SearchIndex:
    """Search keys for tracks in a fixed order; ``search`` returns positions into that order."""

    def __init__(self, tracks: Sequence[Track]) -> None:
        self._tracks = tracks
        self._keys: list[str] | None = None
        self._build_lock = threading.Lock()
        self._vocab_index: dict[str, set[str]] | None = None
        self._postings: dict[str, list[int]] = {}  # word -> positions, for typo matches
        self._last_query: list[str] = []
        self._last_hits: list[int] | None = None
        self._last_fuzzy = False

    def __len__(self) -> int:
        return len(self._tracks)

    @property
    def keys(self) -> list[str]:
        """Built on first use (or ahead of time by ``prepare`` in a background thread)."""
        if self._keys is None:
            with self._build_lock:
                if self._keys is None:
                    self._keys = [track_key(t) for t in self._tracks]
        return self._keys

    def prepare(self) -> None:
        """Build the keys and the typo index now (meant for a background thread)."""
        self._vocab()

    def search(self, query: str) -> list[int] | None:
        """Positions matching ``query`` (in order), or None for an empty query (everything)."""
        words = normalise(query).split()
        if not words:
            self._last_query, self._last_hits = [], None
            return None
        if words == self._last_query and self._last_hits is not None:
            return self._last_hits  # e.g. a trailing space
        candidates: Iterable[int] = range(len(self.keys))
        if self._last_hits is not None and not self._last_fuzzy and self._extends(words):
            candidates = self._last_hits
        hits = list(candidates)
        keys = self.keys
        fuzzy = False
        for word in words:
            exact = [i for i in hits if word in keys[i]]
            if not exact and len(word) >= 4:
                fuzzy = True
                near = self.similar_words(word)
                if near:
                    with_near = set().union(*(self._postings[w] for w in near))
                    exact = [i for i in hits if i in with_near]
            hits = exact
            if not hits:
                break
        self._last_query, self._last_hits, self._last_fuzzy = words, hits, fuzzy
        return hits

    def _extends(self, words: list[str]) -> bool:
        """True when every old word is a prefix-substring of the new word at the same place."""
        old = self._last_query
        if not old or len(words) < len(old):
            return False
        return all(o in w for o, w in zip(old, words, strict=False))

    def similar_words(self, word: str) -> set[str]:
        """Library words within one edit (insert, delete, substitute, swap) of ``word``."""
        index = self._vocab()
        found: set[str] = set(index.get(word, ()))
        for variant in _deletions(word):
            found |= index.get(variant, set())
        # A word cut short by typing: also forgive a typo in a word's prefix.
        return {w for w in found if w != word} or found

    def _vocab(self) -> dict[str, set[str]]:
        if self._vocab_index is not None:
            return self._vocab_index
        keys = self.keys
        with self._build_lock:
            if self._vocab_index is not None:
                return self._vocab_index
            index: dict[str, set[str]] = {}
            postings: dict[str, list[int]] = {}
            for position, key in enumerate(keys):
                for w in key.split():
                    if len(w) >= 3:
                        postings.setdefault(w, []).append(position)
            self._postings = postings
            for word in postings:
                index.setdefault(word, set()).add(word)
                for variant in _deletions(word):
                    index.setdefault(variant, set()).add(word)
            self._vocab_index = index
        return self._vocab_index
