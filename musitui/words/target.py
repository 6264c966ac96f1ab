"""A parsed prompt (Vibe) -> the ranker's PromptTarget, aligned with a recommender Library's
rows, plus the library's vocabulary for the parser (style words, titles, paths)."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from musitui.recommend.prompt_target import PromptTarget
from musitui.words.prompt import Vibe, style_vocabulary

if TYPE_CHECKING:
    from musitui.paths import Home
    from musitui.store.catalog_columns import CatalogColumns

NON_WORD = re.compile(r"[^\w]+")


def _padded(text: str) -> str:
    return " " + NON_WORD.sub(" ", text.lower()).strip() + " "


def _style_texts(columns: CatalogColumns) -> tuple[np.ndarray, list[str]]:
    """Per track a code into the distinct texts of its genre, its style and the tagger's
    words (so an excluded "metal" also leaves out an untagged file the tagger hears as metal):
    a library has few distinct ones, so a prompt tests those, not every track."""
    genres, styles, tags = columns.genre, columns.style, columns.tags
    seen: dict[tuple[str, str, str], int] = {}
    codes = np.fromiter((seen.setdefault(key, len(seen)) for key in zip(genres, styles, tags, strict=False)),
                        dtype=np.int64, count=len(genres))
    return codes, [_padded(f"{g} {s} {t}") for g, s, t in seen]


class LazyTitles(Mapping[str, str]):
    """Lowercased title -> path, built on first look-up: most prompts name no title."""

    def __init__(self, titles: Sequence[str], paths: Sequence[str]) -> None:
        self._source = (titles, paths)
        self._table: dict[str, str] | None = None

    def _built(self) -> dict[str, str]:
        if self._table is None:
            titles, paths = self._source
            self._table = {t.strip().lower(): p for t, p in zip(titles, paths, strict=False) if t and t.strip()}
        return self._table

    def __getitem__(self, key: str) -> str:
        return self._built()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._built())

    def __len__(self) -> int:
        return len(self._built())


def library_words(columns: CatalogColumns, home: Home | None = None) -> dict[str, Any]:
    """The parser's keyword arguments for a library: styles, titles, paths and (given the
    home) the listener's notes, track id -> texts."""
    genres, styles = set(columns.genre), set(columns.style)
    titles = LazyTitles(columns.title, columns.path)
    notes: dict[int, list[str]] = {}
    if home is not None:
        from musitui.store.notes import Notes

        notes = {i: [n.text for n in written] for i, written in Notes.open(home).current().items()}
    return {"styles": style_vocabulary(genres | styles), "titles": titles,
            "paths": set(columns.path), "notes": notes}


def tag_rows(home: Home, lib_ids: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """The tagger's probabilities (n, 50) and found mask for ``lib_ids``; None without a store."""
    try:
        from musitui.store.tagger_store import TaggerStore

        _emb, tags, found = TaggerStore.open(home).rows_for(lib_ids)
    except Exception:  # noqa: BLE001 - a damaged or missing store: no audio words, ranking goes on
        return None
    return (tags, found) if found.any() else None


def _audio_match(vibe: Vibe, n: int, tags: tuple[np.ndarray, np.ndarray] | None) -> np.ndarray | None:
    from musitui.words.audio_words import match

    if tags is None or len(tags[0]) != n or not (vibe.audio or vibe.exclude_audio):
        return None
    wanted = match(vibe.audio, *tags) if vibe.audio else None
    refused = match(vibe.exclude_audio, *tags) if vibe.exclude_audio else None
    if wanted is None and refused is None:
        return None
    out = np.zeros(n, dtype=np.float32)
    if wanted is not None:
        out += wanted
    if refused is not None:
        out -= refused
    return out


def build_target(vibe: Vibe, lib_ids: np.ndarray, columns: CatalogColumns,
                 tags: tuple[np.ndarray, np.ndarray] | None = None) -> PromptTarget:
    """``columns``: catalog columns (ids, path, genre, style, tags, tempo) of the library's
    tracks; ``tags``: the tagger's (probabilities, found) aligned with ``lib_ids`` (tag_rows)."""
    ids = np.asarray(columns.ids, dtype=np.int64)
    row_of = {int(i): r for r, i in enumerate(ids.tolist())}
    order = np.array([row_of.get(int(i), -1) for i in np.asarray(lib_ids).tolist()], dtype=np.int64)
    n = len(order)
    codes, texts = _style_texts(columns)

    def mask(words: Sequence[str]) -> np.ndarray | None:
        if not words:
            return None
        keys = [_padded(w) for w in words]
        distinct = np.array([any(k in t for k in keys) for t in texts], dtype=bool)
        out = np.zeros(n, dtype=bool)
        known = order >= 0
        if distinct.size and len(codes):
            out[known] = distinct[codes[order[known]]]
        return out

    style_match = mask(vibe.styles)
    if vibe.noted:  # tracks whose notes share the prompt's words count as the asked style
        noted = set(vibe.noted)
        hits = np.array([int(i) in noted for i in np.asarray(lib_ids).tolist()], dtype=bool)
        style_match = hits if style_match is None else (style_match | hits)
    row_tempo = None
    if vibe.tempo is not None:
        tempo = np.asarray(columns.tempo, dtype=np.float32)
        analyzed = np.asarray(columns.analyzed, dtype=bool)
        tempo = np.where(analyzed & (tempo > 0), tempo, np.nan)
        row_tempo = np.full(n, np.nan, dtype=np.float32)
        known = order >= 0
        row_tempo[known] = tempo[order[known]]
    path_row = {p: r for r, p in enumerate(columns.path)}
    lib_row = {int(i): r for r, i in enumerate(np.asarray(lib_ids).tolist())}
    seeds = []
    for path in vibe.seeds:
        row = path_row.get(path)
        if row is not None and int(ids[row]) in lib_row:
            seeds.append(lib_row[int(ids[row])])
    return PromptTarget(valence=vibe.valence, arousal=vibe.arousal,
                        style_match=None if style_match is None else style_match.astype(np.float32),
                        excluded=mask(vibe.exclude_styles), tempo=vibe.tempo, row_tempo=row_tempo,
                        seeds=tuple(seeds), label=vibe.label, styles=tuple(vibe.styles),
                        audio_match=_audio_match(vibe, n, tags), audio=tuple(vibe.audio))


def extra_search_words(home: Home, ids: np.ndarray, notes: Mapping[int, str]) -> dict[int, str]:
    """Track id -> the words search finds it by besides its fields: its notes and its audio
    words (the tagger's reading, musitui.words.audio_words.search_words)."""
    from musitui.words.audio_words import search_words

    out = {int(i): text for i, text in notes.items() if text}
    tags = tag_rows(home, ids)
    if tags is not None:
        for track_id, words in zip(np.asarray(ids).tolist(), search_words(*tags), strict=True):
            if words:
                out[int(track_id)] = f"{out.get(int(track_id), '')} {words}".strip()
    return out
