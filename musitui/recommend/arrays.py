"""The arrays the recommender scores: one row per playable track.

Built once per session from plain objects it is handed (catalog tracks, the feature matrix,
the history aggregates: duck-typed, nothing is imported or read from disk here) and then
kept up to date one track at a time as events arrive.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from musitui.recommend.embedding import embed, standardise_embed

if TYPE_CHECKING:
    from musitui.core.model import Track

UNKNOWN_ARTIST = "Unknown artist"  # musitui.core.model.UNKNOWN_ARTIST (not imported: numpy only here)


@dataclass
class Library:
    ids: np.ndarray  # int64 (n,)
    titles: list[str]
    artists: list[str]
    artist_code: np.ndarray  # int32 (n,)
    genre_code: np.ndarray  # int32 (n,), -1 = no genre tag
    folder_code: np.ndarray  # int32 (n,): the file's folder (in most libraries, the album)
    song_code: np.ndarray  # int32 (n,): one code per song; copies of it (an .mp3 and an .ogg) share it
    emb: np.ndarray  # float32 (n, d), unit rows; zero rows where has_vec is False
    has_vec: np.ndarray  # bool (n,)
    valence: np.ndarray  # float32 (n,)
    arousal: np.ndarray  # float32 (n,)
    has_va: np.ndarray  # bool (n,)
    plays: np.ndarray  # float32 (n,)
    finishes: np.ndarray
    skips: np.ndarray
    last_played: np.ndarray  # float64 (n,), 0 = never
    artist_finishes: np.ndarray  # float32 (n_artists,)
    artist_skips: np.ndarray
    index: dict[int, int] = field(default_factory=dict)
    artist_index: dict[str, int] = field(default_factory=dict)
    n_genres: int = 0
    n_folders: int = 0
    # float32 (n,): the valence shift the lyrics gave each track (0 = none), for reasons.
    lyrics_shift: np.ndarray | None = None
    note_feel: np.ndarray | None = None  # float32 (n,): the listener's notes, warm > 0, cold < 0
    # Bumped by note(); derived arrays (preference, popularity) are cached per version.
    version: int = 0
    cache: dict[Hashable, np.ndarray] = field(default_factory=dict, repr=False)

    def __len__(self) -> int:
        return int(self.ids.shape[0])

    def cached(self, key: Hashable, compute: Callable[[], np.ndarray]) -> np.ndarray:
        """``compute()``, kept under ``key`` (note() drops what the counts change)."""
        found = self.cache.get(key)
        if found is None:
            found = self.cache[key] = compute()
        return found

    def row(self, track_id: int) -> int | None:
        return self.index.get(int(track_id))

    def note(self, track_id: int, artist: str, kind: str, ts: float) -> None:
        """Fold one play/finish/skip into the counts (the history keeps the same numbers)."""
        row = self.index.get(int(track_id))
        if row is None:
            return
        code = self.artist_index.get(artist or "")
        if kind == "play":
            self.plays[row] += 1
        elif kind == "finish":
            self.finishes[row] += 1
            if code is not None:
                self.artist_finishes[code] += 1
        elif kind == "skip":
            self.skips[row] += 1
            if code is not None:
                self.artist_skips[code] += 1
        else:
            return
        self.last_played[row] = max(self.last_played[row], ts)
        self.version += 1
        for key in [k for k in self.cache if k in ("pop", "pref", "song_last")]:
            del self.cache[key]


CODE_CHUNK = 4096  # values coded per C-level step of _codes


def _codes(values: Sequence[str]) -> tuple[np.ndarray, dict[str, int]]:
    """A small integer per distinct value, numbered in order of first appearance.

    A chunk at a time: one ``dict.fromkeys``/``np.fromiter`` over 50k long strings holds the
    GIL for 10-30 ms, and the UI thread of the player (rebuilding runs beside it) misses frames.
    """
    values = values if isinstance(values, list) else list(values)
    table: dict[str, int] = {}
    codes = np.empty(len(values), dtype=np.int32)
    for start in range(0, len(values), CODE_CHUNK):
        part = values[start:start + CODE_CHUNK]
        for value in dict.fromkeys(part):
            if value not in table:
                table[value] = len(table)
        codes[start:start + len(part)] = np.fromiter(map(table.__getitem__, part), dtype=np.int32,
                                                      count=len(part))
    return codes, table


@dataclass
class TrackColumns:
    """The per-track inputs of a Library, one entry per track (e.g. the catalog's columns)."""

    ids: np.ndarray  # int64
    path: Sequence[str]
    title: Sequence[str]
    artist: Sequence[str]
    genre: Sequence[str]
    analyzed: np.ndarray  # bool
    valence: np.ndarray
    arousal: np.ndarray

    @classmethod
    def from_tracks(cls, tracks: Iterable[Track]) -> TrackColumns:
        tracks = list(tracks)
        n = len(tracks)
        analyses = [t.analysis for t in tracks]
        return cls(ids=np.fromiter((t.id for t in tracks), dtype=np.int64, count=n),
                   path=[t.path for t in tracks], title=[t.title or "" for t in tracks],
                   artist=[t.artist or "" for t in tracks],
                   genre=[t.genre or "" for t in tracks],
                   analyzed=np.fromiter((a is not None for a in analyses), dtype=bool, count=n),
                   valence=np.fromiter((a.valence if a is not None else 0.0 for a in analyses),
                                       dtype=np.float32, count=n),
                   arousal=np.fromiter((a.arousal if a is not None else 0.0 for a in analyses),
                                       dtype=np.float32, count=n))


class LibraryColumns(Protocol):
    """What a Library is built from, one entry per track: TrackColumns, or the catalog's
    columns (musitui.store.catalog_columns.CatalogColumns)."""

    @property
    def ids(self) -> np.ndarray: ...  # int64
    @property
    def path(self) -> Sequence[str]: ...
    @property
    def title(self) -> Sequence[str]: ...
    @property
    def artist(self) -> Sequence[str]: ...
    @property
    def genre(self) -> Sequence[str]: ...
    @property
    def analyzed(self) -> np.ndarray: ...  # bool
    @property
    def valence(self) -> np.ndarray: ...
    @property
    def arousal(self) -> np.ndarray: ...


class ListeningCounts(Protocol):
    """The history's counts (musitui.store.history_aggregates.Aggregates)."""

    @property
    def tracks(self) -> Mapping[int, Sequence[float]]: ...  # id: [plays, finishes, skips, last_ts]
    @property
    def artists(self) -> Mapping[str, Sequence[float]]: ...  # artist: [plays, finishes, skips]


def build_library(tracks: Iterable[Track], **kwargs: Any) -> Library:
    """Rows for ``tracks`` (objects with id, title, artist, genre, analysis, path)."""
    return build_library_from_columns(TrackColumns.from_tracks(tracks), **kwargs)


def build_library_from_columns(columns: LibraryColumns, *, feature_ids: np.ndarray | None = None,
                               feature_matrix: np.ndarray | None = None,
                               feature_names: list[str] | None = None,
                               aggregates: ListeningCounts | None = None,
                               tagger_ids: np.ndarray | None = None,
                               tagger_matrix: np.ndarray | None = None) -> Library:
    """Rows for the tracks in ``columns`` (anything shaped like TrackColumns).

    ``feature_ids``/``feature_matrix`` are the feature store's arrays; ``tagger_ids``/
    ``tagger_matrix`` the pretrained tagger's embeddings (optional): each block is standardised
    and unit-normalised, then the two are joined as equal halves (a cosine of the result is the
    mean of the two cosines), the combination that won out of sample; ``aggregates`` has
    ``.tracks`` {id: [plays, finishes, skips, last_ts]} and ``.artists`` {artist: [p, f, s]}.
    """
    ids = np.asarray(columns.ids, dtype=np.int64)
    n = int(ids.shape[0])
    titles = [title or _stem(path) for title, path in zip(columns.title, columns.path, strict=True)]
    artists = list(columns.artist)
    # An unknown artist is nobody in particular: never "the same artist" as another track.
    artist_keys = list(artists)
    for row, artist in enumerate(artists):
        if not artist or artist == UNKNOWN_ARTIST:
            artist_keys[row] = f"\0unknown-{row}"
    artist_code, artist_index = _codes(artist_keys)
    folder_code, folder_table = _codes([p.rpartition("/")[0] for p in columns.path])
    song_code, _ = _codes(_song_keys(columns.title, artist_keys))
    genre_code, genre_table = _codes([g.strip().lower() for g in columns.genre])
    if "" in genre_table:
        genre_code[genre_code == genre_table[""]] = -1

    has_va = np.asarray(columns.analyzed, dtype=bool).copy()
    valence = np.where(has_va, np.asarray(columns.valence, dtype=np.float32), 0).astype(np.float32)
    arousal = np.where(has_va, np.asarray(columns.arousal, dtype=np.float32), 0).astype(np.float32)

    emb, has_vec = _embeddings(ids, feature_ids, feature_matrix, feature_names or [])
    if tagger_ids is not None and tagger_matrix is not None and len(tagger_ids):
        learned, has_learned = _embeddings(ids, tagger_ids, tagger_matrix, None)
        joined = np.hstack([emb * has_vec[:, None], learned]).astype(np.float32, copy=False)
        norms = np.linalg.norm(joined, axis=1, keepdims=True)
        joined /= np.where(norms > 1e-9, norms, 1.0)  # in place: 100k x 240 is ~100 MB a copy
        emb = joined
        has_vec = has_vec | has_learned

    plays = np.zeros(n, dtype=np.float32)
    finishes = np.zeros(n, dtype=np.float32)
    skips = np.zeros(n, dtype=np.float32)
    last_played = np.zeros(n, dtype=np.float64)
    artist_finishes = np.zeros(len(artist_index), dtype=np.float32)
    artist_skips = np.zeros(len(artist_index), dtype=np.float32)
    index = {int(track_id): row for row, track_id in enumerate(ids.tolist())}
    if aggregates is not None:
        for track_id, stats in aggregates.tracks.items():
            at = index.get(int(track_id))
            if at is not None:
                plays[at], finishes[at], skips[at], last_played[at] = stats[:4]
        for artist, stats in aggregates.artists.items():
            code = artist_index.get(artist)
            if code is not None:
                artist_finishes[code], artist_skips[code] = stats[1], stats[2]
    return Library(ids=ids, titles=titles, artists=artists, artist_code=artist_code,
                   genre_code=genre_code, folder_code=folder_code, song_code=song_code,
                   n_folders=len(folder_table), emb=emb, has_vec=has_vec, valence=valence,
                   arousal=arousal, has_va=has_va, plays=plays, finishes=finishes, skips=skips,
                   last_played=last_played, artist_finishes=artist_finishes,
                   artist_skips=artist_skips, index=index, artist_index=artist_index,
                   n_genres=int(genre_code.max(initial=-1)) + 1)


def _embeddings(ids: np.ndarray, feature_ids: np.ndarray | None, matrix: np.ndarray | None,
                names: list[str] | None) -> tuple[np.ndarray, np.ndarray]:
    """Unit rows for ``ids``; ``names`` None = a learned embedding (plain z-score)."""
    n = ids.shape[0]
    if feature_ids is None or matrix is None or len(feature_ids) == 0:
        return np.zeros((n, 1), dtype=np.float32), np.zeros(n, dtype=bool)
    feature_ids = np.asarray(feature_ids, dtype=np.int64)
    order = np.argsort(feature_ids)
    sorted_ids = feature_ids[order]
    where = np.searchsorted(sorted_ids, ids)
    where = np.clip(where, 0, len(sorted_ids) - 1)
    has_vec = sorted_ids[where] == ids
    source_rows = order[where[has_vec]]
    # Standardise over the tracks of this library only (the library is the reference).
    source = np.asarray(matrix)[source_rows]
    unit = standardise_embed(source) if names is None else embed(source, names)
    emb = np.zeros((n, unit.shape[1] if unit.ndim == 2 else 1), dtype=np.float32)
    emb[has_vec] = unit
    return emb, has_vec


def _song_keys(titles: Sequence[str], artist_keys: Sequence[str]) -> list[str]:
    """Artist and title, case-folded: the same song in two files or formats has one key.
    An untitled track is a song of its own (its row number keeps it apart)."""
    return [f"{artist.casefold()}\0{title.strip().casefold()}" if title.strip() else f"\0row-{row}"
            for row, (title, artist) in enumerate(zip(titles, artist_keys, strict=True))]


def _stem(path: str) -> str:
    name = path.rsplit("/", 1)[-1]
    return name.rsplit(".", 1)[0] if "." in name else name
