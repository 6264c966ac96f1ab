"""Never the same song twice, unless nothing else will do: the repeat window and the tiers.

A *song* is every file of it (``Library.song_code``). A song played (in any of its files)
within the last ``repeat_plays`` plays or the last ``recent_hours`` hours is *held*:

1. the song playing now, and the song played last (within ``recent_hours``, at least the
   last hour), are never offered next (never at all while they are that);
2. Up next lists every **acceptable** candidate that is not held first (score order), then
   the held songs not skipped in this listening session (score order: the soft ``recent``
   hold-back and its "favourites come back when you keep skipping" yield order them), then
   the unacceptable rest, then the held songs that were skipped;
3. a candidate is *acceptable* unless it resembles what was skipped in this listening
   session (since the listener last picked a mood or a prompt) more than what was finished (``likeness`` below, not faded with time), with
   the skip side at least ``UNACCEPTABLE``: so in a small library, once everything unheard
   sounds like what the listener keeps skipping, their favourites come back rather than more
   skips; in a large one the window holds.

numpy only; the rows and times come from the Listening the engine is handed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from musitui.recommend.arrays import Library

if TYPE_CHECKING:
    from musitui.recommend.context import Listening

# A candidate at least this like one skip (a close copy, cosine^2; or same album/artist/genre
# as it, 0.5) and more like the skips than the finishes is not acceptable.
UNACCEPTABLE = 0.5
# The song played last is "just played" (never next) for at least this long.
JUST_PLAYED_SECONDS = 3600.0
# The newest session events compared against.
MAX_EVENTS = 60


def song_last_played(lib: Library) -> np.ndarray:
    """When each *song* was last played (per song code), in whichever of its files."""
    cached = lib.cache.get("song_last")
    if cached is None:
        cached = np.zeros(int(lib.song_code.max(initial=-1)) + 1, dtype=np.float64)
        np.maximum.at(cached, lib.song_code, lib.last_played)
        lib.cache["song_last"] = cached
    return cached


def _with_session(lib: Library, ctx: Listening) -> np.ndarray:
    """Per song: the last play, including the session's own events (``--after``, a history
    that has not reached the arrays yet)."""
    per_song = song_last_played(lib)
    events = ctx.finished + ctx.skipped + ctx.rejected
    if not events and ctx.current is None:
        return per_song
    per_song = per_song.copy()
    for row, ts in events:
        if 0 <= row < len(lib):
            code = lib.song_code[row]
            per_song[code] = max(per_song[code], ts)
    if ctx.current is not None and 0 <= ctx.current < len(lib):
        code = lib.song_code[ctx.current]
        per_song[code] = max(per_song[code], ctx.now)
    return per_song


def window(lib: Library, ctx: Listening, plays: int, hours: float) -> tuple[np.ndarray, np.ndarray]:
    """(held per row, never-next per row): the songs of the window, and the songs playing or
    played last."""
    n = len(lib)
    held = np.zeros(n, dtype=bool)
    never = np.zeros(n, dtype=bool)
    if n == 0:
        return held, never
    per_song = _with_session(lib, ctx)
    played = np.flatnonzero(per_song > 0)
    if played.size == 0:
        return held, never
    songs = np.zeros(per_song.size, dtype=bool)
    songs[played[per_song[played] > ctx.now - max(hours, 0.0) * 3600.0]] = True
    if plays > 0:
        newest = played if played.size <= plays else \
            played[np.argpartition(-per_song[played], plays - 1)[:plays]]
        songs[newest] = True
    held = songs[lib.song_code]
    last = np.zeros(per_song.size, dtype=bool)
    newest_song = played[np.argmax(per_song[played])]
    if per_song[newest_song] > ctx.now - max(hours * 3600.0, JUST_PLAYED_SECONDS):
        last[newest_song] = True
    if ctx.current is not None and 0 <= ctx.current < n:
        last[lib.song_code[ctx.current]] = True
    never = last[lib.song_code]
    return held, never


def likeness(lib: Library, rows: np.ndarray, others: np.ndarray) -> np.ndarray:
    """For each of ``rows``: its strongest likeness to one of ``others`` (cosine², or 0.5 for
    the same album folder or artist); a song is not like itself (0). Not the genre tag: one
    tag often covers a whole library ("Game", "Rock"), and then everything would be alike."""
    out = np.zeros(rows.size, dtype=np.float32)
    if rows.size == 0 or others.size == 0:
        return out
    tags = ((lib.folder_code[rows][:, None] == lib.folder_code[others][None, :])
            | (lib.artist_code[rows][:, None] == lib.artist_code[others][None, :]))
    both = lib.has_vec[rows][:, None] & lib.has_vec[others][None, :]
    sims = np.clip(lib.emb[rows] @ lib.emb[others].T, 0.0, 1.0)
    pair = np.maximum(np.where(both, sims * sims, 0.0), np.where(tags, 0.5, 0.0))
    pair[lib.song_code[rows][:, None] == lib.song_code[others][None, :]] = 0.0
    return pair.max(axis=1).astype(np.float32)


def acceptable(lib: Library, ctx: Listening, rows: np.ndarray) -> np.ndarray:
    """Which of ``rows`` the session's skips do not rule out (see the module doc)."""
    rejected = {r for r, _ in ctx.rejected}
    since_intent = [r for r, ts in ctx.skipped + ctx.rejected if ts >= ctx.intent_since]
    skipped = np.asarray(since_intent[-MAX_EVENTS:], dtype=np.int64)
    if skipped.size == 0:
        return np.ones(rows.size, dtype=bool)
    liked = np.asarray([r for r, _ in ctx.finished[-MAX_EVENTS:] if r not in rejected], dtype=np.int64)
    dislike = likeness(lib, rows, skipped)
    like = likeness(lib, rows, liked)
    return (dislike < UNACCEPTABLE) | (like >= dislike)


def tier_order(lib: Library, ctx: Listening, pool: np.ndarray, held: np.ndarray) -> np.ndarray:
    """Tiers of ``pool`` (sorted by score): 0 acceptable and not held; 1 held, not skipped in
    this listening session (a favourite coming back); 2 not held but not acceptable; 3 held
    and skipped (or "not this") in this session. A stable sort by this keeps score order
    within a tier."""
    skipped = np.zeros(int(lib.song_code.max(initial=-1)) + 1, dtype=bool)
    for row, _ in ctx.skipped + ctx.rejected:
        if 0 <= row < len(lib):
            skipped[lib.song_code[row]] = True
    tiers = np.where(held[pool], np.where(skipped[lib.song_code[pool]], 3, 1), 0).astype(np.int8)
    fresh = np.flatnonzero(tiers == 0)
    if fresh.size:
        tiers[fresh[~acceptable(lib, ctx, pool[fresh])]] = 2
    return tiers
