"""What the library pane shows, as plain rows: a flat track list or an artist → album → track tree.

No Textual here: the widget asks for ``rows`` and ``row_text``; only the visible rows are ever
formatted. The tracks live in a ``Shelf`` (columns in display order, built off the UI thread);
a Track object is fetched only for a row that is played or queued.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from musitui.core.model import Track
from musitui.core.moods import MOOD_ORDER
from musitui.tui.search import SearchIndex, normalise, parse_filters, row_key, searched
from musitui.tui.shelf import Shelf, empty_shelf, shelf_from_columns, shelf_from_tracks
from musitui.words.lexicon import audio_in_english

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

    from musitui.store.catalog import Catalog
    from musitui.store.catalog_columns import CatalogColumns

    # What a shelf is built from: catalog columns or tracks (or a shelf, as it is).
    Source = CatalogColumns | Iterable[Track] | Shelf
    # Shelf positions: a list, a range or an integer array.
    Positions = Sequence[int] | NDArray[np.signedinteger[Any]]

FLAT = "tracks"
BROWSE = "browse"
# The sort columns, in the order the sort key cycles them; "artist" is the shelf's own
# order (artist, album, disc, track number, title).
SORT_COLUMNS = ("artist", "album", "title", "year", "genre", "duration", "plays",
                "last played", "mood")
# Columns the flat list does not show anyway: sorted on one, it gets a column of its own.
EXTRA_COLUMNS = {"year", "genre", "plays", "last played", "mood"}
# Filter field -> the shelf's coded columns it tests (a track matches when any does).
FILTER_COLUMNS = {"artist": ("artist", "track_artist"), "album": ("album",),
                  "genre": ("genre", "genre_tag"), "mood": ("mood",)}


@dataclass(frozen=True)
class Row:
    kind: str  # "artist", "album" or "track"
    label: str
    track_id: int | None = None
    artist: str = ""
    album: str = ""
    depth: int = 0
    track_no: int | None = None
    duration: float = 0.0
    extra: str = ""  # the sorted-on column's value when the list does not show it otherwise


def format_duration(seconds: float | None) -> str:
    if not seconds or seconds < 0:
        return "--:--"
    seconds = int(seconds)
    minutes, secs = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def display_title(track: Track) -> str:
    if track.title:
        return track.title
    name = track.path.replace("\\", "/").rsplit("/", 1)[-1]
    return name.rsplit(".", 1)[0] if "." in name else name


def library_source(catalog: Catalog) -> Source:
    """What the library is built from: the catalog's columns (no Track objects). A scan in
    another thread may be adding tracks."""
    for _ in range(5):
        try:
            return catalog.columns()
        except RuntimeError:  # changed size during iteration: read it again
            continue
    return []


def build_shelf(source: Source, lookup: Callable[[int], Track | None] | None = None) -> Shelf:
    """A Shelf from catalog columns or Track objects."""
    from musitui.store.catalog_columns import CatalogColumns

    if isinstance(source, Shelf):
        return source
    if isinstance(source, (tuple, list)) and not source:
        return empty_shelf()
    if isinstance(source, CatalogColumns):
        return shelf_from_columns(source, lookup)
    return shelf_from_tracks(source, lookup)


def search_index(shelf: Shelf, previous: tuple[Shelf, SearchIndex] | None = None,
                 notes: dict[int, str] | None = None) -> SearchIndex:
    """The search index of ``shelf``. With ``previous`` (the shelf and index it replaces), the
    keys of tracks whose fields did not change are reused (a scan of a few files into 50k
    tracks recomputes a few keys, not 50k), and so is the typo index. ``notes``: track id ->
    the listener's notes on it, searched too ("running" finds a track noted "for running")."""
    old_shelf, old_index = previous if previous is not None else (None, None)

    def make_keys() -> list[str]:
        keys = _make_keys()
        if notes:
            ids = shelf.ids.tolist() if hasattr(shelf.ids, "tolist") else list(shelf.ids)
            for at, track_id in enumerate(ids):
                text = notes.get(int(track_id))
                if text:
                    keys[at] = keys[at] + searched(text) + " "
        return keys

    def _make_keys() -> list[str]:
        rows = zip(shelf.title, shelf.track_artist, shelf.album, shelf.artist, shelf.genre, strict=True)
        old_keys = old_index.built_keys if old_index is not None else None
        if old_shelf is None or old_keys is None or len(old_keys) != len(old_shelf):
            return [row_key(*fields) for fields in rows]
        keys = []
        ids = shelf.ids.tolist() if hasattr(shelf.ids, "tolist") else list(shelf.ids)
        old_positions = old_shelf.positions()
        for track_id, fields in zip(ids, rows, strict=True):
            at = old_positions.get(track_id)
            if at is not None and fields == (old_shelf.title[at], old_shelf.track_artist[at],
                                             old_shelf.album[at], old_shelf.artist[at],
                                             old_shelf.genre[at]):
                keys.append(old_keys[at])
            else:
                keys.append(row_key(*fields))
        return keys

    return SearchIndex(make_keys, len(shelf), previous=old_index)


class LibraryModel:
    def __init__(self, source: Source = (), *, lookup: Callable[[int], Track | None] | None = None,
                 notes: dict[int, str] | None = None) -> None:
        self.notes = notes or {}  # track id -> the listener's notes, searched with the fields
        self.mode = FLAT
        self.query = ""
        self.expanded: set[tuple[str, ...]] = set()
        self.shelf = empty_shelf()
        self.index = search_index(self.shelf)
        self._matches: Positions | None = None
        self.sort = SORT_COLUMNS[0]
        self.reverse = False
        # Play counts from the history: (track ids, [plays, finishes, skips, last ts] rows).
        self._play_stats: tuple[np.ndarray, np.ndarray] | None = None
        self._per_position: dict[str, Any] = {}  # plays / last played per shelf position
        self.set_shelf(build_shelf(source, lookup))

    # -- data -------------------------------------------------------------------------
    def set_tracks(self, source: Iterable[Track] | Any,
                   lookup: Callable[[int], Track | None] | None = None) -> None:
        """Replace the tracks (Track objects or catalog columns). Sorting happens here: for a
        big library build the shelf in a worker thread and call ``set_shelf``."""
        self.set_shelf(build_shelf(source, lookup))

    def set_shelf(self, shelf: Shelf, index: SearchIndex | None = None) -> None:
        """Swap in a built shelf (cheap): the filter, if any, is applied to it again."""
        self.shelf = shelf
        self.index = index if index is not None else search_index(shelf, notes=self.notes)
        self._matches = None
        self._per_position = {}
        if self.query and self.index.ready:  # else applied once the index is prepared
            self._matches = self._filter(self.query)
        self._rebuild()

    def set_notes(self, notes: dict[int, str]) -> None:
        """The listener's notes changed: search them from now on (the index is rebuilt)."""
        self.notes = dict(notes)
        self.set_shelf(self.shelf)

    def set_query(self, query: str) -> None:
        self.query = query
        self._matches = self._filter(query)
        self._rebuild()

    def set_sort(self, column: str, reverse: bool = False) -> None:
        """Sort the flat list by ``column`` (one of SORT_COLUMNS); the browser keeps its order."""
        if column not in SORT_COLUMNS:
            raise ValueError(f"unknown sort column {column!r}")
        self.sort, self.reverse = column, reverse
        if self.mode == BROWSE and self._matches is None:
            self.mode = FLAT  # a sorted list is a flat list
        self._rebuild()

    def sort_next_column(self) -> str:
        return SORT_COLUMNS[(SORT_COLUMNS.index(self.sort) + 1) % len(SORT_COLUMNS)]

    def cycle_sort(self) -> str:
        self.set_sort(self.sort_next_column())
        return self.sort

    def toggle_reverse(self) -> bool:
        self.set_sort(self.sort, not self.reverse)
        return self.reverse

    def set_play_stats(self, ids: np.ndarray, stats: np.ndarray) -> None:
        """The history's per-track counts (``Aggregates.track_table()``), for the plays and
        last-played columns. The list is re-sorted only when asked (rows never jump)."""
        self._play_stats = (ids, stats)
        self._per_position.pop("plays", None)
        self._per_position.pop("last played", None)

    # -- filters and sorting --------------------------------------------------------------
    def matching_ids(self, query: str) -> list[int]:
        """The ids of the tracks ``query`` finds (free text and field filters, as `/` does),
        in the shelf's order; every track for an empty query. For `musitui tracks --search`."""
        positions = self._filter(query)
        ids = list(self.shelf.ids)
        return [int(i) for i in ids] if positions is None else [int(ids[p]) for p in positions]

    def _filter(self, query: str) -> Positions | None:
        """Positions matching the free text and every field filter (None: no filter at all)."""
        free, filters = parse_filters(query)
        filters = [(name, value) for name, value in filters if normalise(value)]
        hits = self.index.search(free) if free else None
        english = audio_in_english(free) if free else None
        if english is not None:  # "钢琴", "Klavier": also what the tagger hears as piano
            also = self.index.search(english) or []
            hits = sorted(set(hits or []) | set(also))
        if not filters:
            return hits
        import numpy as np

        mask = np.ones(len(self.shelf), dtype=bool)
        for name, value in filters:
            mask &= self._field_mask(name, normalise(value).split())
        if hits is None:
            return np.flatnonzero(mask)
        chosen = np.asarray(hits, dtype=np.int64)
        return chosen[mask[chosen]] if len(chosen) else chosen

    def _field_mask(self, name: str, words: list[str]) -> Any:
        """Tracks whose field contains every word (accent/case-insensitive): tested on the
        distinct values (a few thousand at 50k tracks), then one table lookup per track."""
        import numpy as np

        mask = np.zeros(len(self.shelf), dtype=bool)
        for column in FILTER_COLUMNS[name]:
            if column not in self.shelf.coded:  # the empty shelf
                continue
            codes, _ = self.shelf.coded[column]
            folded = self.shelf.filter_values(column)
            first, rest = words[0], words[1:]
            wanted = [code for code, text in enumerate(folded)
                      if first in text and all(w in text for w in rest)]
            if wanted:
                hit = np.zeros(len(folded), dtype=bool)
                hit[wanted] = True
                mask |= hit[codes]
        return mask

    def _sort_values(self, column: str) -> Any:
        """One number per shelf position that orders ``column`` (None: the shelf's order)."""
        shelf = self.shelf
        if column == "artist":
            return None
        if column in ("album", "title"):
            return shelf.coded[column][0]
        if column == "mood":  # in the mood bar's order (happy ... intense), unknown last
            import numpy as np

            codes, values = shelf.coded["mood"]
            rank = np.array([MOOD_ORDER.index(v) if v in MOOD_ORDER else len(MOOD_ORDER)
                             for v in values] or [0], dtype=np.int64)
            return rank[codes]
        if column == "genre":
            return shelf.coded["genre_tag"][0]
        if column == "year":
            return shelf.year
        if column == "duration":
            return shelf.duration
        return self._history_column(column)

    def _history_column(self, column: str) -> Any:
        """Plays or last-played time per shelf position (0 when never played)."""
        found = self._per_position.get(column)
        if found is not None:
            return found
        import numpy as np

        plays = np.zeros(len(self.shelf))
        last = np.zeros(len(self.shelf))
        if self._play_stats is not None and len(self.shelf):
            ids, stats = self._play_stats
            ids = np.asarray(ids, dtype=np.int64)
            stats = np.asarray(stats, dtype=np.float64).reshape(-1, 4)
            shelf_ids = np.asarray(self.shelf.ids, dtype=np.int64)
            by_id = np.argsort(shelf_ids, kind="stable")
            at = np.searchsorted(shelf_ids[by_id], ids).clip(0, len(shelf_ids) - 1)
            known = shelf_ids[by_id][at] == ids
            plays[by_id[at[known]]] = stats[known, 0]
            last[by_id[at[known]]] = stats[known, 3]
        self._per_position = {**self._per_position, "plays": plays, "last played": last}
        return self._per_position[column]

    def _ordered(self, positions: Positions | None) -> Positions:
        """``positions`` (None: every track) in the chosen sort; ties keep the shelf's order."""
        values = self._sort_values(self.sort)
        if values is None and not self.reverse:
            return range(len(self.shelf)) if positions is None else positions
        import numpy as np

        chosen = (np.arange(len(self.shelf)) if positions is None
                  else np.asarray(positions, dtype=np.int64))
        if values is None:
            return chosen[::-1]
        keys = np.asarray(values)[chosen]
        order = np.argsort(-keys if self.reverse else keys, kind="stable")
        return chosen[order]

    def extra_text(self, position: int) -> str:
        """The value of the sorted-on column, for the extra column ("" when not shown)."""
        column = self.sort
        if column not in EXTRA_COLUMNS:
            return ""
        shelf = self.shelf
        if column == "year":
            year = int(shelf.year[position])
            return str(year) if year > 0 else ""
        if column == "genre":
            return shelf.genre_tag[position]
        if column == "mood":
            return shelf.mood[position]
        value = float(self._history_column(column)[position])
        if column == "plays":
            return str(int(value)) if value else ""
        return time.strftime("%Y-%m-%d", time.localtime(value)) if value else "never"

    def set_mode(self, mode: str) -> None:
        self.mode = mode
        self._rebuild()

    def toggle_mode(self) -> str:
        self.set_mode(BROWSE if self.mode == FLAT else FLAT)
        return self.mode

    @property
    def track_count(self) -> int:
        return len(self.shelf)

    @property
    def filtered(self) -> bool:
        return self._matches is not None

    @property
    def match_count(self) -> int:
        return len(self.shelf) if self._matches is None else len(self._matches)

    # -- rows -------------------------------------------------------------------------
    def _rebuild(self) -> None:
        if self.mode == FLAT or self._matches is not None:
            # A filter always shows the matching tracks flat: the fastest thing to read.
            # Positions into the shelf; unfiltered it is a range: nothing to build.
            self.track_rows: Positions | None = self._ordered(self._matches)
            self.tree_rows: list[Row] | None = None
        else:
            self.track_rows = None
            self.tree_rows = self._tree()

    def _tree(self) -> list[Row]:
        rows: list[Row] = []
        for group in self.shelf.groups():
            rows.append(Row("artist", group.artist, artist=group.artist))
            if (group.artist,) not in self.expanded:
                continue
            for album, start, end in group.albums:
                rows.append(Row("album", album or "(no album)", artist=group.artist, album=album,
                                depth=1))
                if (group.artist, album) in self.expanded:
                    rows.extend(self._track_row(p, depth=2) for p in range(start, end))
        return rows

    def _track_row(self, position: int, depth: int = 0) -> Row:
        shelf = self.shelf
        number = int(shelf.track_no[position])
        return Row("track", shelf.title[position], int(shelf.ids[position]), shelf.artist[position],
                   shelf.album[position], depth, number if number > 0 else None,
                   float(shelf.duration[position]), "" if depth else self.extra_text(position))

    def position_of(self, track_id: int) -> int | None:
        return self.shelf.position_of(track_id)

    def track_for_position(self, position: int) -> Track | None:
        return self.shelf.track(position)

    def __len__(self) -> int:
        return len(self.track_rows) if self.track_rows is not None else len(self.tree_rows or [])

    def row(self, index: int) -> Row:
        if self.track_rows is not None:
            return self._track_row(int(self.track_rows[index]))
        assert self.tree_rows is not None
        return self.tree_rows[index]

    def track_at(self, index: int) -> Track | None:
        if not 0 <= index < len(self):
            return None
        row = self.row(index)
        return self.shelf.lookup(row.track_id) if row.track_id is not None else None

    def tracks_at(self, index: int) -> list[Track]:
        """The track at a row, or every track under an artist/album row."""
        if not 0 <= index < len(self):
            return []
        row = self.row(index)
        if row.kind == "track":
            track = self.shelf.lookup(row.track_id) if row.track_id is not None else None
            return [track] if track else []
        found = []
        for group in self.shelf.groups():
            if group.artist != row.artist:
                continue
            for album, start, end in group.albums:
                if row.kind == "artist" or album == row.album:
                    found += [self.shelf.track(p) for p in range(start, end)]
        return [t for t in found if t is not None]

    def toggle(self, index: int) -> bool:
        """Open or close the artist/album at ``index``; False when it is a track row."""
        if self.tree_rows is None or not 0 <= index < len(self.tree_rows):
            return False
        row = self.tree_rows[index]
        if row.kind == "track":
            return False
        key = (row.artist,) if row.kind == "artist" else (row.artist, row.album)
        if key in self.expanded:
            self.expanded.discard(key)
        else:
            self.expanded.add(key)
        self._rebuild()
        return True

    def index_of_track(self, track_id: int) -> int | None:
        """The row showing ``track_id``, opening its artist and album in the tree if needed."""
        position = self.position_of(track_id)
        if position is None:
            return None
        if self.track_rows is not None:
            if isinstance(self.track_rows, (range, list)):
                try:
                    return self.track_rows.index(position)
                except ValueError:
                    return None
            import numpy as np

            hits = np.flatnonzero(np.asarray(self.track_rows) == position)
            return int(hits[0]) if len(hits) else None
        artist, album = self.shelf.artist[position], self.shelf.album[position]
        self.expanded |= {(artist,), (artist, album)}
        self._rebuild()
        for i, row in enumerate(self.tree_rows or []):
            if row.track_id == track_id:
                return i
        return None

    def index_of_group(self, artist: str, album: str | None = None) -> int | None:
        """Show an artist (or album) in the tree and return its row."""
        self.query, self._matches = "", None
        self.mode = BROWSE
        self.expanded.add((artist,))
        self._rebuild()
        for i, row in enumerate(self.tree_rows or []):
            if row.artist == artist and (album is None and row.kind == "artist"
                                         or row.kind == "album" and row.album == album):
                return i
        return None

    def artists(self) -> list[str]:
        return [group.artist for group in self.shelf.groups()]

    def albums(self) -> list[tuple[str, str]]:
        return list(dict.fromkeys((group.artist, album) for group in self.shelf.groups()
                                  for album, _, _ in group.albums if album))
