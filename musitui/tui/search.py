"""The live filter: a normalised search key per track, built once, and a fast match per keystroke.

Matching is accent- and case-insensitive and per word (every query word must occur somewhere
in title/artist/album/genre); Chinese text is also found by its pinyin, full or initials
("qingtian", "zjl": musitui.words.pinyin). A word that matches nothing exactly is retried with one typo
forgiven, through a deletion-neighbourhood index over the library's distinct words (built with
the keys, in a background thread). Typing that extends the previous query only searches the
previous hits. The keys are one str per track; the typo index holds words, not positions.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from functools import lru_cache

from musitui.core.model import Track
from musitui.words.pinyin import has_han, pinyin_words

_NON_WORD = re.compile(r"[^0-9a-z]+")  # ASCII text
_NON_LETTER = re.compile(r"[\W_]+")  # any script: letters and digits of every script are kept


def normalise(text: str) -> str:
    """Case folded, accents stripped, punctuation folded to single spaces; letters of every
    script (Cyrillic, Greek, CJK, Arabic...) are kept."""
    if text.isascii():
        return _NON_WORD.sub(" ", text.lower()).strip()
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    stripped = stripped.replace("ß", "ss").replace("ø", "o").replace("æ", "ae").replace("œ", "oe")
    return _NON_LETTER.sub(" ", stripped).strip()


def searched(text: str) -> str:
    """``normalise(text)``, followed by the pinyin of its Chinese characters ("晴天 qingtian
    qing tian qt"), so a Chinese title is found as it is typed on a Latin keyboard."""
    folded = normalise(text)
    if text.isascii() or not has_han(text):
        return folded
    return f"{folded} {normalise(pinyin_words(text))}"


@lru_cache(maxsize=65536)
def _searched_cached(text: str) -> str:
    return searched(text)


def row_key(title: str, *repeated: str) -> str:
    """One track's search key: its title and the fields that repeat across tracks (artist,
    album, genre: normalised once each), with the pinyin of Chinese text."""
    parts = [searched(title), *(_searched_cached(p) for p in repeated)]
    return " " + " ".join(p for p in parts if p) + " "


def track_key(track: Track) -> str:
    return row_key(track.title, track.artist, track.album, track.albumartist, track.genre)


def _deletions(word: str) -> set[str]:
    return {word[:i] + word[i + 1:] for i in range(len(word))}


class SearchIndex:
    """Search keys for rows in a fixed order; ``search`` returns positions into that order.

    ``make_keys()`` returns the keys (a list of str, one per row). It runs once, in
    ``prepare`` (meant for a background thread) or on the first search. ``ready`` tells
    whether a search would have to build them first.
    """

    def __init__(self, make_keys: Callable[[], list[str]] | Sequence[Track], size: int | None = None,
                 *, previous: SearchIndex | None = None) -> None:
        if not callable(make_keys):
            tracks = make_keys
            size = len(tracks)

            def make_keys() -> list[str]:
                return [track_key(t) for t in tracks]

        self._make_keys = make_keys
        self._size = size or 0
        self._keys: list[str] | None = None
        self._build_lock = threading.Lock()
        # word or one-deletion variant -> library words (tuples: no GC tracking once built)
        self._vocab_index: dict[str, tuple[str, ...]] | None = None
        self._base_words: set[str] | None = None  # the words of _vocab_index
        # A rebuilt library (a scan added a few tracks) starts from the previous typo index
        # and indexes only the words it did not have: rebuilding it all costs ~0.2 s of CPU
        # at 50k tracks, taken from the UI thread's share of the GIL.
        self._previous = previous if previous is not None and previous.ready else None
        self._extra_vocab: dict[str, tuple[str, ...]] = {}
        self._last_query: list[str] = []
        self._last_hits: list[int] | None = None
        self._last_fuzzy = False

    def __len__(self) -> int:
        return self._size

    @property
    def ready(self) -> bool:
        return self._vocab_index is not None

    @property
    def built_keys(self) -> list[str] | None:
        """The keys if they are built already (never builds them)."""
        return self._keys

    @property
    def keys(self) -> list[str]:
        """Built on first use (or ahead of time by ``prepare`` in a background thread)."""
        if self._keys is None:
            with self._build_lock:
                if self._keys is None:
                    self._keys = self._make_keys()
                    # What it read (e.g. the shelf and index this one replaced) can go.
                    self._make_keys = _built
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
                near = [f" {w} " for w in self.similar_words(word)]
                if near:
                    exact = [i for i in hits if any(w in keys[i] for w in near)]
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
        index, extra = self._vocab(), self._extra_vocab
        found: set[str] = set(index.get(word, ())) | set(extra.get(word, ()))
        for variant in _deletions(word):
            found.update(index.get(variant, ()))
            found.update(extra.get(variant, ()))
        # A word cut short by typing: also forgive a typo in a word's prefix.
        return {w for w in found if w != word} or found

    def _vocab(self) -> dict[str, tuple[str, ...]]:
        """Every library word (3+ letters) and its one-deletion variants -> the words."""
        if self._vocab_index is not None:
            return self._vocab_index
        keys = self.keys
        with self._build_lock:
            if self._vocab_index is not None:
                return self._vocab_index
            words: set[str] = set()
            for key in keys:
                words.update(key.split())
            previous = self._previous
            if previous is not None and previous._base_words is not None:
                # Words no longer in the library may stay: they only widen a typo's search.
                self._base_words = previous._base_words
                self._extra_vocab = _vocab_of(words - previous._base_words)
                self._vocab_index = previous._vocab()
            else:
                self._base_words = words
                self._vocab_index = _vocab_of(words)
            self._previous = None
        return self._vocab_index


def _built() -> list[str]:
    raise AssertionError("search keys are built once")


def _vocab_of(words: Iterable[str]) -> dict[str, tuple[str, ...]]:
    """Each word (3+ letters) and each of its one-deletion variants -> the words."""
    index: dict[str, set[str]] = {}
    for word in words:
        if len(word) < 3:
            continue
        index.setdefault(word, set()).add(word)
        for variant in _deletions(word):
            index.setdefault(variant, set()).add(word)
    return {key: tuple(found) for key, found in index.items()}


# -- field filters: `genre:jazz mood:calm artist:"x y"` beside free text ----------------------

FILTER_FIELDS = {"artist": "artist", "album": "album", "genre": "genre", "style": "genre",
                 "mood": "mood"}
_FILTER = re.compile(r'(?<!\S)(\w+):(?:"([^"]*)"?|(\S*))')


def parse_filters(query: str) -> tuple[str, list[tuple[str, str]]]:
    """The free text of ``query`` and its field filters as (field, value) pairs. A word such
    as ``foo:bar`` with an unknown field stays free text; ``style:`` means ``genre:``."""
    filters: list[tuple[str, str]] = []

    def take(match: re.Match[str]) -> str:
        name = FILTER_FIELDS.get(match.group(1).lower())
        if name is None:
            return match.group(0)
        value = match.group(2) if match.group(2) is not None else match.group(3)
        filters.append((name, value or ""))
        return " "

    free = _FILTER.sub(take, query)
    return " ".join(free.split()), filters
