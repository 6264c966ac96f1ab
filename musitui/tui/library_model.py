"""What the library pane shows, as plain rows: a flat track list or an artist → album → track tree.

No Textual here: the widget asks for ``rows`` and ``row_text``; only the visible rows are ever
formatted, so 50,000 tracks cost one sort and one list of ints.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from musitui.model import UNKNOWN_ARTIST, Track
from musitui.tui.search import SearchIndex

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


def _artist_of(track: Track) -> str:
    return track.albumartist or track.artist or UNKNOWN_ARTIST


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


class LibraryModel:
    def __init__(self, tracks: Iterable[Track] = ()) -> None:
        self.mode = FLAT
        self.query = ""
        self.expanded: set[tuple[str, ...]] = set()
        self.set_tracks(tracks)

    # -- data -------------------------------------------------------------------------
    def set_tracks(self, tracks: Iterable[Track]) -> None:
        folded: dict[str, str] = {}  # artists and albums repeat: casefold each one once

        def fold(text: str) -> str:
            value = folded.get(text)
            if value is None:
                value = folded[text] = text.casefold()
            return value

        def sort_key(t: Track) -> tuple:
            return (fold(t.albumartist or t.artist or UNKNOWN_ARTIST), fold(t.album),
                    t.disc_no or 0, t.track_no or 0, (t.title or t.path).casefold())

        self.tracks: list[Track] = sorted((t for t in tracks if not t.missing), key=sort_key)
        self._by_id: dict[int, Track] | None = None
        self._positions: dict[int, int] | None = None
        self._artists: list[str] | None = None
        self._albums: list[tuple[str, str]] | None = None
        self.index = SearchIndex(self.tracks)
        self._matches: list[int] | None = None
        if self.query:
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
    def filtered(self) -> bool:
        return self._matches is not None

    @property
    def match_count(self) -> int:
        return len(self.tracks) if self._matches is None else len(self._matches)

    # -- rows -------------------------------------------------------------------------
    def _rebuild(self) -> None:
        if self.mode == FLAT or self._matches is not None:
            # A filter always shows the matching tracks flat: the fastest thing to read.
            # Positions into self.tracks; unfiltered it is a range: nothing to build.
            self.track_rows: Sequence[int] | None = (
                range(len(self.tracks)) if self._matches is None else self._matches)
            self.tree_rows: list[Row] | None = None
        else:
            self.track_rows = None
            self.tree_rows = self._tree()

    def _tree(self) -> list[Row]:
        rows: list[Row] = []
        last_artist = last_album = None
        artist_open = album_open = False
        for track in self.tracks:
            artist = _artist_of(track)
            if artist != last_artist:
                last_artist, last_album = artist, None
                artist_open = (artist,) in self.expanded
                rows.append(Row("artist", artist, artist=artist))
            if not artist_open:
                continue
            if track.album != last_album:
                last_album = track.album
                album_open = (artist, track.album) in self.expanded
                rows.append(Row("album", track.album or "(no album)", artist=artist,
                                album=track.album, depth=1))
            if album_open:
                rows.append(Row("track", display_title(track), track.id, artist, track.album, 2))
        return rows

    @property
    def by_id(self) -> dict[int, Track]:
        if self._by_id is None:
            self._by_id = {t.id: t for t in self.tracks}
        return self._by_id

    def position_of(self, track_id: int) -> int | None:
        if self._positions is None:
            self._positions = {t.id: i for i, t in enumerate(self.tracks)}
        return self._positions.get(track_id)

    def __len__(self) -> int:
        return len(self.track_rows) if self.track_rows is not None else len(self.tree_rows or [])

    def row(self, index: int) -> Row:
        if self.track_rows is not None:
            track = self.tracks[self.track_rows[index]]
            return Row("track", display_title(track), track.id, _artist_of(track), track.album)
        assert self.tree_rows is not None
        return self.tree_rows[index]

    def track_at(self, index: int) -> Track | None:
        if not 0 <= index < len(self):
            return None
        row = self.row(index)
        return self.by_id.get(row.track_id) if row.track_id is not None else None

    def tracks_at(self, index: int) -> list[Track]:
        """The track at a row, or every track under an artist/album row."""
        if not 0 <= index < len(self):
            return []
        row = self.row(index)
        if row.kind == "track":
            track = self.by_id.get(row.track_id or -1)
            return [track] if track else []
        return [t for t in self.tracks if _artist_of(t) == row.artist
                and (row.kind == "artist" or t.album == row.album)]

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
        track = self.by_id.get(track_id)
        if track is None:
            return None
        if self.track_rows is not None:
            position = self.position_of(track_id)
            try:
                return self.track_rows.index(position) if position is not None else None
            except ValueError:
                return None
        artist = _artist_of(track)
        self.expanded |= {(artist,), (artist, track.album)}
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
        if self._artists is None:  # self.tracks is sorted by artist already
            self._artists = list(dict.fromkeys(_artist_of(t) for t in self.tracks))
        return self._artists

    def albums(self) -> list[tuple[str, str]]:
        if self._albums is None:
            self._albums = list(dict.fromkeys((_artist_of(t), t.album) for t in self.tracks
                                              if t.album))
        return self._albums
