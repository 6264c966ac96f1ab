"""One human line per recommendation, from its score parts.

e.g. "sounds like Armygeddon, which you finished 4 min ago · fits 'energetic' · you often
play it after Chaos God": each names the trait and the track it shares it with.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from musitui.core.moods import MOODS, nearest_mood
from musitui.recommend.arrays import Library

if TYPE_CHECKING:  # the engine imports this module
    from musitui.recommend.context import Listening, Weights
    from musitui.recommend.prompt_target import PromptTarget


def ago(seconds: float) -> str:
    seconds = max(0.0, seconds)
    if seconds < 60:
        return "just now"
    if seconds < 3600:
        return f"{int(seconds // 60)} min ago"
    if seconds < 86400:
        return f"{int(seconds // 3600)} h ago"
    return f"{int(seconds // 86400)} d ago"


EXPLORE_LABEL = "exploring"
# A co-play reason needs a decayed pair weight of at least this: each co-play adds at most 1
# (a finish right after), so it is never said after a single one.
COPLAY_REASON_WEIGHT = 2.0


def explain(lib: Library, ctx: Listening, row: int, parts: dict[str, float], weights: Weights,
            like: str | None = None, *, explore: bool = False, nearest: str | None = None) -> str:
    """The reason for one pick: what it shares, and with which track. ``like`` comes from
    most_like() (computed for all picks), ``nearest`` is the same without its threshold.
    Penalties (skip likeness, recently played) are never reasons: they only lower a score."""
    bits: list[str] = []
    if explore:
        bits.append(f"{EXPLORE_LABEL}: unlike what this session has played, to learn your taste")
    if like is not None and parts["content"] * weights.w_content > 0.25:
        bits.append(like)
    prompt = ctx.prompt
    w_mood = weights.w_mood * weights.explicit_mood_boost if ctx.mood in MOODS else weights.w_mood_auto
    if prompt is not None and parts["mood"] * weights.w_mood > 0.25:
        bits.append(_as_asked(prompt, row))
    elif parts["mood"] * w_mood > 0.25:
        if ctx.mood in MOODS:
            bits.append(f"fits '{ctx.mood}'")
        else:
            bits.append("fits the mood of this session")
    lyrics = _lyrics_words(lib, row, _asked_valence(ctx))
    if lyrics is not None and parts["mood"] * weights.w_mood > 0.25:
        bits.append(lyrics)
    after = _played_after(lib, ctx, row)
    if after is not None and parts["cf"] > 0.1:
        bits.append(f"you often play it after {after}")
    if parts["pref"] > 0.1:
        finishes, skips = int(lib.finishes[row]), int(lib.skips[row])
        code = int(lib.artist_code[row])
        by_artist = int(lib.artist_finishes[code])
        judged = by_artist + int(lib.artist_skips[code])
        if finishes >= 2 and skips <= finishes / 3:
            bits.append(f"you finished it {finishes} of {finishes + skips} times")
        elif by_artist >= 1 and judged:
            bits.append(f"you finished {by_artist} of {judged} by {lib.artists[row]}")
    if parts.get("taste", 0.0) * weights.w_taste > 0.15 and like not in bits and nearest:
        bits.append(nearest)
    if not bits:
        if nearest is not None:
            bits.append(nearest)
        elif not ctx.finished and ctx.current is None and ctx.mood not in MOODS:
            bits.append(_opener(lib, row))
        elif lib.plays[row] == 0:
            bits.append("something you have not played yet")
        else:
            bits.append(_opener(lib, row))
    return " · ".join(bits)


def _as_asked(prompt: PromptTarget, row: int) -> str:
    """"piano, calm, as you asked": the asked styles this track has, then the mood words."""
    words = []
    matched = prompt.style_match
    if prompt.styles and matched is not None and row < len(matched) and matched[row] > 0:
        words.append(", ".join(prompt.styles[:2]))
    heard = prompt.audio_match
    if prompt.audio and heard is not None and row < len(heard) and heard[row] >= 0.5:
        words.append("sounds like " + ", ".join(prompt.audio[:2]))
    if prompt.label:
        words.append(prompt.label)
    return ", ".join(words + ["as you asked"])


def _asked_valence(ctx: Listening) -> float | None:
    prompt = ctx.prompt
    if prompt is not None:
        return prompt.valence
    mood = MOODS.get(ctx.mood)
    return None if mood is None else mood.valence


def _lyrics_words(lib: Library, row: int, asked: float | None) -> str | None:
    """"sad lyrics" / "happy lyrics" when the lyrics moved this track's valence the way the
    listener asked (or any way under auto)."""
    shift = lib.lyrics_shift
    if shift is None or row >= len(shift) or abs(float(shift[row])) < 0.1:
        return None
    if asked is not None and abs(asked) >= 0.1 and (asked > 0) != (shift[row] > 0):
        return None
    return "happy lyrics" if shift[row] > 0 else "sad lyrics"


def most_like(lib: Library, ctx: Listening, rows: list[int],
              threshold: float = 0.3) -> list[str | None]:
    """For each row: what it shares with the recent track it resembles most, and which track
    that is ("sounds like X, which you finished 4 min ago", "from the same album as X" for
    the playing X), or None below ``threshold`` (cosine; same album 0.45, same artist 0.35,
    same genre 0.3). "which you just finished" is said of the track just finished only."""
    rejected = {r for r, _ in ctx.rejected}  # "not this" is never "finished"
    candidates = [(r, ts, False) for r, ts in ctx.finished[-10:] if r not in rejected]
    if ctx.current is not None:
        candidates.append((ctx.current, ctx.now, True))
    if not candidates or not rows:
        return [None] * len(rows)
    picked = np.asarray(rows, dtype=np.int64)
    others = np.asarray([c[0] for c in candidates], dtype=np.int64)
    both = lib.has_vec[picked][:, None] & lib.has_vec[others][None, :]
    cosine = np.where(both, lib.emb[picked] @ lib.emb[others].T, -1.0)
    album = lib.folder_code[picked][:, None] == lib.folder_code[others][None, :]
    artist = lib.artist_code[picked][:, None] == lib.artist_code[others][None, :]
    genre = lib.genre_code[picked][:, None]
    same_genre = (genre == lib.genre_code[others][None, :]) & (genre >= 0)
    sims = np.maximum.reduce([cosine, np.where(album, 0.45, -1.0), np.where(artist, 0.35, -1.0),
                              np.where(same_genre, 0.3, -1.0)])
    sims[lib.song_code[picked][:, None] == lib.song_code[others][None, :]] = -1.0  # not itself
    best = sims.argmax(axis=1)
    last_event = max((ts for _, ts in ctx.finished + ctx.skipped), default=None)
    out: list[str | None] = []
    for i, j in enumerate(best.tolist()):
        if sims[i, j] < threshold:
            out.append(None)
            continue
        other, ts, playing = candidates[j]
        if playing:
            when = ""  # Up next follows the playing track: naming it says enough
        elif ctx.current is None and ts == last_event and other == ctx.finished[-1][0] \
                and ctx.now - ts < 60:
            when = "which you just finished"
        elif ctx.now - ts < 60:
            when = "which you finished earlier in this session"
        else:
            when = f"which you finished {ago(ctx.now - ts)}"
        if album[i, j] and cosine[i, j] >= 0.5:
            trait = "same album and sound as"
        elif album[i, j]:
            trait = "from the same album as"
        elif cosine[i, j] >= 0.3:
            trait = "sounds like"
        elif artist[i, j]:
            trait = "same artist as"
        elif same_genre[i, j]:
            trait = "same genre as"
        else:
            trait = "nearest in sound to"
        out.append(f"{trait} {lib.titles[other]}, {when}" if when else f"{trait} {lib.titles[other]}")
    return out


def _played_after(lib: Library, ctx: Listening, row: int) -> str | None:
    """The recent track this one was played after at least twice (see COPLAY_REASON_WEIGHT)."""
    if ctx.coplay is None:
        return None
    sources = ([ctx.current] if ctx.current is not None else []) + [r for r, _ in reversed(ctx.finished[-5:])]
    target = int(lib.ids[row])
    best: tuple[float, int] | None = None
    for source in sources:
        if source == row:
            continue
        weight = ctx.coplay(int(lib.ids[source])).get(target, 0.0)
        if weight >= COPLAY_REASON_WEIGHT and (best is None or weight > best[0]):
            best = (weight, source)
    return None if best is None else lib.titles[best[1]]


def _opener(lib: Library, row: int) -> str:
    """Nothing played yet in this session: say what kind of start this track would make."""
    if not lib.has_va[row]:
        return "to start with (not analysed yet)"
    mood = nearest_mood(float(lib.valence[row]), float(lib.arousal[row]))
    article = "an" if mood[0] in "aeiou" else "a"
    return f"{article} {mood} one to start with"
