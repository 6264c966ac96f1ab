"""The library in display order, as columns: what the library pane needs of every track.

Built from the catalog's columns (``CatalogColumns``: no Track objects) or, for small
libraries and tests, from Track objects. Sorting 50,000 tracks is one ``np.lexsort`` over
integer codes; the strings are only reordered (references, not copies). Building a shelf is
pure computation with no UI: the app runs it in a worker thread and swaps the result in.
numpy is imported only when a shelf is built, so the first frame does not wait for it.
"""

from __future__ import annotations

import heapq
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from musitui.core.model import UNKNOWN_ARTIST, Track
from musitui.core.names import fold_name

if TYPE_CHECKING:
    import numpy as np

    from musitui.store.catalog_columns import CatalogColumns

NO_NUMBER = -1
DAMAGED_MARK = " ⚠"  # after the title of a damaged-but-playable track (Track.warning)


def _display_title(title: str, path: str, warning: str = "") -> str:
    if not title:
        name = path.replace("\\", "/").rsplit("/", 1)[-1]
        title = name.rsplit(".", 1)[0] if "." in name else name
    return title + DAMAGED_MARK if warning else title


@dataclass
class Shelf:
    """Present tracks sorted by artist, album, disc, track number and title."""

    ids: np.ndarray  # int64, one per track, in display order
    title: list[str]  # the display title (the file name when there is no title tag)
    artist: list[str]  # the grouping artist: album artist, else artist, else "Unknown artist"
    track_artist: list[str]  # the artist tag
    album: list[str]
    genre: list[str]  # for search only: the genre tag and the audio tagger's words
    track_no: np.ndarray  # int64, NO_NUMBER when unknown
    duration: np.ndarray  # float64 seconds
    year: Any = ()  # int64, NO_NUMBER when unknown
    mood: list[str] = field(default_factory=list)  # the analysis's mood word, "" before it
    genre_tag: list[str] = field(default_factory=list)  # the genre tag, else the style: sorted on
    # Integer keys per position for sorting and the field filters, built with the shelf (in
    # the worker): column name -> (code per position, the case-folded value of each code in
    # sorted order). Sorting by a code sorts by the value; a filter tests the distinct values.
    coded: dict[str, tuple[Any, list[str]]] = field(default_factory=dict, repr=False)
    # A Track for an id (catalog.get); used only for rows that are played or queued.
    lookup: Callable[[int], Track | None] = field(default=lambda _id: None, repr=False)
    _positions: dict[int, int] | None = field(default=None, repr=False)
    _groups: list[Group] | None = field(default=None, repr=False)
    _filter_values: dict[str, list[str]] = field(default_factory=dict, repr=False)

    def __len__(self) -> int:
        return len(self.ids)

    def position_of(self, track_id: int) -> int | None:
        """One lookup (on the UI thread, e.g. keeping the cursor on its track): a numpy scan,
        ~0.1 ms at 50k, instead of building the whole table, a ~30 ms C call."""
        if self._positions is not None:
            return self._positions.get(track_id)
        import numpy as np

        hits = np.flatnonzero(np.asarray(self.ids) == track_id)
        return int(hits[0]) if len(hits) else None

    def positions(self) -> dict[int, int]:
        """Every track's position, for many lookups (in a worker thread), built in chunks."""
        if self._positions is None:
            ids = self.ids.tolist() if hasattr(self.ids, "tolist") else list(self.ids)
            table: dict[int, int] = {}
            for start in range(0, len(ids), SORT_CHUNK):
                table.update(zip(ids[start:start + SORT_CHUNK], range(start, start + SORT_CHUNK), strict=False))
            self._positions = table
        return self._positions

    def groups(self) -> list[Group]:
        """Artists in order, each with its albums as ranges of positions."""
        if self._groups is None:
            self._groups = _group(self.artist, self.album)
        return self._groups

    def filter_values(self, column: str) -> list[str]:
        """A coded column's distinct values normalised for the field filters (" jazz rock "),
        by code. Built once per shelf (``prepare_filters`` does it in a worker thread)."""
        found = self._filter_values.get(column)
        if found is None:
            from musitui.tui.search import normalise

            found = [f" {normalise(value)} " for value in self.coded[column][1]]
            self._filter_values[column] = found
        return found

    def prepare_filters(self) -> None:
        for column in self.coded:
            if column != "title":
                self.filter_values(column)

    def track(self, position: int) -> Track | None:
        return self.lookup(int(self.ids[position]))


@dataclass
class Group:
    artist: str
    start: int
    end: int
    albums: list[tuple[str, int, int]]  # (album, start, end)


def _group(artists: Sequence[str], albums: Sequence[str]) -> list[Group]:
    groups: list[Group] = []
    last_artist: str | None = None
    last_album: str | None = None
    current: Group | None = None
    for position, (artist, album) in enumerate(zip(artists, albums, strict=True)):
        if artist != last_artist:
            if current is not None:
                _close(current, position)
            current = Group(artist, position, position, [])
            groups.append(current)
            last_artist, last_album = artist, None
        if album != last_album:
            assert current is not None
            if current.albums:
                name, start, _ = current.albums[-1]
                current.albums[-1] = (name, start, position)
            current.albums.append((album, position, position))
            last_album = album
    if current is not None:
        _close(current, len(artists))
    return groups


def _close(group: Group, end: int) -> None:
    group.end = end
    name, start, _ = group.albums[-1]
    group.albums[-1] = (name, start, end)


SORT_CHUNK = 2048  # strings sorted per call of the builtin sort (well under 1 ms each)


def sorted_unique(values: Iterable[str]) -> list[str]:
    """The distinct values in order, without one long C call: the builtin ``sorted`` of 50k
    strings holds the GIL ~25 ms (the UI thread misses frames); chunks are sorted apart and
    merged in Python, where the interpreter hands the GIL over between items."""
    distinct = list(dict.fromkeys(values))
    if len(distinct) <= SORT_CHUNK:
        return sorted(distinct)
    runs = [sorted(distinct[i:i + SORT_CHUNK]) for i in range(0, len(distinct), SORT_CHUNK)]
    return list(heapq.merge(*runs))


def _coded(values: Sequence[str]) -> tuple[np.ndarray, list[str]]:
    """Each value's rank among the distinct folded values (case and accents ignored: "Échappée"
    sorts among the e's), and those values in order."""
    import numpy as np

    folded: dict[str, str] = {}
    for value in values:
        if value not in folded:
            folded[value] = fold_name(value)
    distinct = sorted_unique(folded.values())
    order = {key: rank for rank, key in enumerate(distinct)}
    rank_of = {value: order[key] for value, key in folded.items()}
    return np.fromiter((rank_of[v] for v in values), dtype=np.int64, count=len(values)), distinct


def _canonical_artists(names: list[str]) -> list[str]:
    """Names that differ only by case or accents become one spelling: the most frequent one
    (ties: the first in sorted order), so the browser shows one artist, not three."""
    counts = Counter(names)
    best: dict[str, tuple[int, str]] = {}
    for name, count in counts.items():
        key = fold_name(name)
        held = best.get(key)
        if held is None or count > held[0] or count == held[0] and name < held[1]:
            best[key] = (count, name)
    if len(best) == len(counts):
        return names
    spelling = {name: best[fold_name(name)][1] for name in counts}
    return [spelling[name] for name in names]


def _title_codes(titles: Sequence[str]) -> np.ndarray:
    import numpy as np

    keys = [fold_name(t) for t in titles]  # titles rarely repeat: fold each one
    order = {key: rank for rank, key in enumerate(sorted_unique(keys))}
    return np.fromiter((order[k] for k in keys), dtype=np.int64, count=len(keys))


def _numbers(values: Any) -> np.ndarray:
    import numpy as np

    array = np.asarray(values, dtype=np.int64)
    return np.where(array < 0, NO_NUMBER, array)


def shelf_from_columns(columns: CatalogColumns, lookup: Callable[[int], Track | None] | None = None) -> Shelf:
    """A Shelf from ``CatalogColumns`` (rows marked missing are left out)."""
    import numpy as np

    missing = np.asarray(columns.missing, dtype=bool)
    keep = np.flatnonzero(~missing)
    pick = keep.tolist()
    if len(pick) == len(missing):
        def take(column: Sequence[str]) -> list[str]:
            return list(column)
    else:
        def take(column: Sequence[str]) -> list[str]:
            return [column[i] for i in pick]

    path, title = take(columns.path), take(columns.title)
    artist, albumartist = take(columns.artist), take(columns.albumartist)
    warning = take(columns.warning)
    return _build(
        ids=np.asarray(columns.ids, dtype=np.int64)[keep],
        title=[_display_title(t, p, w) for t, p, w in zip(title, path, warning, strict=True)],
        artist=artist, albumartist=albumartist, album=take(columns.album),
        genre=[_searched_genre(g, w) for g, w in zip(take(columns.genre), take(columns.tags), strict=True)],
        disc_no=_numbers(np.asarray(columns.disc_no)[keep]),
        track_no=_numbers(np.asarray(columns.track_no)[keep]),
        duration=np.asarray(columns.duration, dtype=np.float64)[keep],
        year=_numbers(np.asarray(columns.year)[keep]),
        mood=take(columns.mood),
        genre_tag=[g or st for g, st in zip(take(columns.genre), take(columns.style), strict=True)],
        lookup=lookup or (lambda _id: None))


def _searched_genre(genre: str | None, words: str | None) -> str:
    """The genre tag, then the tagger's words ("electronic, ambient"): `/ambient` finds both."""
    return f"{genre or ''} {words}" if words else (genre or "")


def shelf_from_tracks(tracks: Iterable[Track],
                      lookup: Callable[[int], Track | None] | None = None) -> Shelf:
    """A Shelf from Track objects (small libraries, tests); missing tracks are left out."""
    import numpy as np

    present = [t for t in tracks if not t.missing]
    by_id = {t.id: t for t in present}
    n = len(present)
    return _build(
        ids=np.fromiter((t.id for t in present), dtype=np.int64, count=n),
        title=[_display_title(t.title, t.path, t.warning) for t in present],
        artist=[t.artist or "" for t in present], albumartist=[t.albumartist or "" for t in present],
        album=[t.album or "" for t in present],
        genre=[_searched_genre(t.genre, t.analysis.tags if t.analysis else "") for t in present],
        disc_no=np.fromiter((t.disc_no if t.disc_no is not None else NO_NUMBER for t in present),
                            dtype=np.int64, count=n),
        track_no=np.fromiter((t.track_no if t.track_no is not None else NO_NUMBER for t in present),
                             dtype=np.int64, count=n),
        duration=np.fromiter((float(t.duration or 0.0) for t in present), dtype=np.float64, count=n),
        year=np.fromiter((t.year if t.year is not None else NO_NUMBER for t in present),
                         dtype=np.int64, count=n),
        mood=[t.analysis.mood if t.analysis else "" for t in present],
        genre_tag=[t.genre or (t.analysis.style if t.analysis else "") for t in present],
        lookup=lookup or by_id.get)


def _build(*, ids: np.ndarray, title: list[str], artist: list[str], albumartist: list[str],
           album: list[str], genre: list[str], disc_no: np.ndarray, track_no: np.ndarray,
           duration: np.ndarray, year: np.ndarray, mood: list[str], genre_tag: list[str],
           lookup: Callable[[int], Track | None]) -> Shelf:
    import numpy as np

    group = _canonical_artists([aa or a or UNKNOWN_ARTIST for aa, a in zip(albumartist, artist, strict=True)])
    title_codes = _title_codes(title)
    album_codes, album_values = _coded(album)
    group_codes, group_values = _coded(group)
    # np.lexsort sorts by the last key first: artist, album, disc, track number, title.
    order = np.lexsort((title_codes, np.maximum(track_no, 0), np.maximum(disc_no, 0),
                        album_codes, group_codes), axis=0)
    picked = order.tolist()

    def reorder(column: list[str]) -> list[str]:
        return [column[i] for i in picked]

    shelf = Shelf(ids=ids[order], title=reorder(title), artist=reorder(group),
                  track_artist=reorder(artist), album=reorder(album), genre=reorder(genre),
                  track_no=track_no[order], duration=duration[order], year=year[order],
                  mood=reorder(mood), genre_tag=reorder(genre_tag), lookup=lookup)
    shelf.coded = {
        "title": (title_codes[order], []),
        "artist": (group_codes[order], group_values),
        "album": (album_codes[order], album_values),
        "track_artist": _coded(shelf.track_artist),
        "genre": _coded(shelf.genre),
        "genre_tag": _coded(shelf.genre_tag),
        "mood": _coded(shelf.mood),
    }
    return shelf


def empty_shelf() -> Shelf:
    """No tracks (and no numpy import: the app's first frame shows this one)."""
    return Shelf(ids=(), title=[], artist=[], track_artist=[], album=[], genre=[],  # type: ignore[arg-type]
                 track_no=(), duration=())  # type: ignore[arg-type]
