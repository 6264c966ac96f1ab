"""What the library pane shows, as plain rows: a flat track list or an artist → album → track tree.

No Textual here: the widget asks for ``rows`` and ``row_text``; only the visible rows are ever
formatted. The tracks live in a ``Shelf`` (columns in display order, built off the UI thread);
a Track object is fetched only for a row that is played or queued.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from musitui.model import Track
from musitui.tui.search import SearchIndex, row_key
from musitui.tui.shelf import Shelf, empty_shelf, shelf_from_columns, shelf_from_tracks

FLAT = "tracks"
BROWSE = "browse"


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


def library_source(catalog: Any) -> Any:
    """What the library is built from: the catalog's columns (no Track objects), or its
    tracks for a catalog without them. A scan in another thread may be adding tracks."""
    for _ in range(5):
        try:
            columns = getattr(catalog, "columns", None)
            return columns() if callable(columns) else list(catalog.tracks.values())
        except RuntimeError:  # changed size during iteration: read it again
            continue
    return []


def build_shelf(source: Any, lookup: Callable[[int], Track | None] | None = None) -> Shelf:
    """A Shelf from catalog columns (anything with ``ids`` and ``missing``) or Track objects."""
    if isinstance(source, Shelf):
        return source
    if isinstance(source, (tuple, list)) and not source:
        return empty_shelf()
    if hasattr(source, "ids") and hasattr(source, "missing"):
        return shelf_from_columns(source, lookup)
    return shelf_from_tracks(source, lookup)


def search_index(shelf: Shelf, previous: tuple[Shelf, SearchIndex] | None = None) -> SearchIndex:
    """The search index of ``shelf``. With ``previous`` (the shelf and index it replaces), the
    keys of tracks whose fields did not change are reused (a scan of a few files into 50k
    tracks recomputes a few keys, not 50k), and so is the typo index."""
    old_shelf, old_index = previous if previous is not None else (None, None)

    def make_keys() -> list[str]:
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
    def __init__(self, source: Any = (), *, lookup: Callable[[int], Track | None] | None = None) -> None:
        self.mode = FLAT
        self.query = ""
        self.expanded: set[tuple[str, ...]] = set()
        self.shelf = empty_shelf()
        self.index = search_index(self.shelf)
        self._matches: list[int] | None = None
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
        self.index = index if index is not None else search_index(shelf)
        self._matches = None
        if self.query and self.index.ready:  # else applied once the index is prepared
            self._matches = self.index.search(self.query)
        self._rebuild()

    def set_query(self, query: str) -> None:
        self.query = query
        self._matches = self.index.search(query)
        self._rebuild()

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
            self.track_rows: Sequence[int] | None = (
                range(len(self.shelf)) if self._matches is None else self._matches)
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
                   float(shelf.duration[position]))

    def position_of(self, track_id: int) -> int | None:
        return self.shelf.position_of(track_id)

    def track_for_position(self, position: int) -> Track | None:
        return self.shelf.track(position)

    def __len__(self) -> int:
        return len(self.track_rows) if self.track_rows is not None else len(self.tree_rows or [])

    def row(self, index: int) -> Row:
        if self.track_rows is not None:
            return self._track_row(self.track_rows[index])
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
            try:
                return self.track_rows.index(position)
            except ValueError:
                return None
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
