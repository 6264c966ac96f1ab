"""Which of the user's files a listen was: normalised artist + title, album and duration as
tie-breakers, never another artist's song of the same title.

Names are folded (case, accents, punctuation, whitespace, "&" = "and"); an artist credit is
the set of its main names ("The" dropped; "feat. ..." set aside), split on & , ; / x vs and.
A title is compared whole first, then without its decorations ("feat. ...", "- Remastered
2011", "(Live)", "(From "Film")", "[Single Version]"...). A listen's artist must be the file's
(or its album artist's): the same set of names, or (only when nothing matches so) the same
first name with one credit inside the other ("Hans Zimmer & Lisa Gerrard" for a file by
"Hans Zimmer"). Among several files the best is the one whose title is exactly the listen's,
then whose album is the listen's, then whose length is closest, then the oldest.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from musitui.core.model import UNKNOWN_ARTIST

_DECORATION_WORDS = (r"remaster(?:ed)?|live|mono|stereo|version|edit|deluxe|bonus|explicit|"
                     r"clean|single|from|soundtrack|ost|anniversary|original|digital")
_FEAT = r"(?:feat\.?|ft\.?|featuring|with)"
_BRACKETED_FEAT = re.compile(rf"\s*[\(\[]\s*{_FEAT}\s[^\)\]]*[\)\]]", re.IGNORECASE)
_TRAILING_FEAT = re.compile(r"\s+(?:feat\.?|ft\.?|featuring)\s.*$", re.IGNORECASE)
_BRACKETED = re.compile(rf"\s*[\(\[][^\)\]]*\b(?:{_DECORATION_WORDS})\b[^\)\]]*[\)\]]",
                        re.IGNORECASE)
_DASHED = re.compile(rf"\s+[-–—]\s+[^-–—]*\b(?:{_DECORATION_WORDS})\b.*$", re.IGNORECASE)
_ARTIST_FEAT = re.compile(r"\s*[\(\[]?\s*\b(?:feat\.?|ft\.?|featuring)\s.*$", re.IGNORECASE)
_SEPARATORS = re.compile(r"\s*(?:&|,|;|/|\+|\bx\b|\bvs\.?|\band\b)\s*")
_APOSTROPHES = re.compile(r"['’`´]")
_NOT_WORD = re.compile(r"[\W_]+")
_NO_ARTIST = {"", "unknown artist", "unknown", "various artists", "various", "va"}


@lru_cache(maxsize=200_000)
def fold(text: str) -> str:
    """Lower case, no accents, no punctuation, single spaces; "&" reads as "and"."""
    if text.isascii():
        plain = text.lower()
    else:
        decomposed = unicodedata.normalize("NFKD", text)
        plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()
    plain = _APOSTROPHES.sub("", plain.replace("&", " and "))
    return " ".join(_NOT_WORD.sub(" ", plain).split())


@lru_cache(maxsize=200_000)
def base_title(title: str) -> str:
    """The title without featured artists, remaster/live/version notes; folded."""
    bare = _BRACKETED_FEAT.sub("", title)
    bare = _TRAILING_FEAT.sub("", bare)
    previous = None
    while previous != bare:  # "Song (Live) [Remastered]": peel every decoration
        previous = bare
        bare = _BRACKETED.sub("", bare)
        bare = _DASHED.sub("", bare)
    folded = fold(bare)
    return folded or fold(title)


@lru_cache(maxsize=200_000)
def credit(artist: str) -> tuple[str, ...]:
    """The artist's main names, folded, without "The", in their order; () for no artist."""
    main = _ARTIST_FEAT.sub("", artist.replace("&", " & ")) or artist
    names: list[str] = []
    for part in _SEPARATORS.split(main.casefold()):
        name = fold(part)
        if name.startswith("the "):
            name = name[4:]
        if name and name not in names:
            names.append(name)
    if not names or fold(artist) in _NO_ARTIST:
        return ()
    return tuple(names)


def artist_tier(listen: tuple[str, ...], track: tuple[str, ...]) -> int:
    """0: the same artist; 1: the same first name, one credit inside the other; 2: not."""
    if not listen or not track:
        return 2
    if set(listen) == set(track):
        return 0
    if listen[0] == track[0] and (set(listen) <= set(track) or set(track) <= set(listen)):
        return 1
    return 2


@dataclass(frozen=True)
class Library:
    """The fields of the present tracks the matcher reads, one list entry per track."""

    ids: Sequence[int]
    artists: Sequence[str]
    albumartists: Sequence[str]
    titles: Sequence[str]
    albums: Sequence[str]
    durations: Sequence[float]
    paths: Sequence[str]


class Matcher:
    """Listens to track ids over one library; every answer is cached by the listen's names."""

    def __init__(self, library: Library) -> None:
        self.library = library
        self._credits: list[tuple[tuple[str, ...], ...]] = []
        self._exact: list[str] = []
        self._albums: list[str] = []
        self._index: dict[tuple[str, str], list[int]] = {}
        self._cache: dict[tuple[str, str, str, int], int | None] = {}
        for row, title in enumerate(library.titles):
            credits = tuple(c for c in (credit(library.artists[row] or ""),
                                        credit(library.albumartists[row] or "")) if c)
            if library.artists[row] == UNKNOWN_ARTIST:
                credits = ()  # untagged: whose song it is is not known
            self._credits.append(credits)
            self._exact.append(fold(title or ""))
            self._albums.append(fold(library.albums[row] or ""))
            if not title or not credits:
                continue
            key_title = base_title(title)
            for name in {name for names in credits for name in names}:
                self._index.setdefault((name, key_title), []).append(row)

    def __len__(self) -> int:
        return len(self._credits)

    def match(self, artist: str, title: str, album: str = "",
              duration: float | None = None) -> int | None:
        """The row of the listen's track, or None when no file is that artist's song."""
        key = (artist, title, album, round(duration or 0))
        if key not in self._cache:
            self._cache[key] = self._match(artist, title, album, duration)
        return self._cache[key]

    def _match(self, artist: str, title: str, album: str, duration: float | None) -> int | None:
        names = credit(artist)
        if not names:
            return None
        wanted = base_title(title)
        if len(names) == 1:
            rows: Iterable[int] = self._index.get((names[0], wanted), ())
        else:
            rows = {row for name in names for row in self._index.get((name, wanted), ())}
        if not rows:
            return None
        exact, folded_album = fold(title), fold(album)
        best: tuple[float, ...] | None = None
        chosen = None
        for row in rows:
            tier = min(artist_tier(names, c) for c in self._credits[row])
            if tier == 2:
                continue
            length = self.library.durations[row]
            gap = abs(length - duration) if duration and length else 0.0
            rank = (tier, self._exact[row] != exact,
                    not folded_album or self._albums[row] != folded_album,
                    gap, self.library.ids[row])
            if best is None or rank < best:
                best, chosen = rank, row
        return chosen


@lru_cache(maxsize=200_000)
def listen_key(artist: str, title: str) -> tuple[str, str]:
    """What an unmatched listen is known by (to recognise it again): its names, folded."""
    return " ".join(sorted(credit(artist))), base_title(title)
