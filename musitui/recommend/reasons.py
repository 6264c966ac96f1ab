"""One human line per recommendation, from its score parts.

e.g. "like Armygeddon, which you finished 4 min ago · fits 'energetic' · you often play it
after Chaos God".
"""

from __future__ import annotations

from typing import Any

import numpy as np

from musitui.core.moods import MOODS, nearest_mood
from musitui.recommend.arrays import Library


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


def explain(lib: Library, ctx: Any, row: int, parts: dict[str, float], weights: Any,
            like: str | None = None, *, explore: bool = False) -> str:
    """The reason for one pick; ``like`` comes from most_like() (computed for all picks)."""
    bits: list[str] = []
    if explore:
        bits.append(f"{EXPLORE_LABEL}: unlike what this session has played, to learn your taste")
    if like is not None and parts["content"] * weights.w_content > 0.25:
        bits.append(like)
    prompt = getattr(ctx, "prompt", None)
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
        if lib.finishes[row] >= 2 and lib.skips[row] <= lib.finishes[row] / 3:
            bits.append("you usually finish it")
        else:
            bits.append(f"you like {lib.artists[row]}")
    liked = like is not None and like in bits
    if parts.get("taste", 0.0) * weights.w_taste > 0.15 and not liked:
        bits.append("close to what you finished this session")
    elif parts.get("taste", 0.0) * weights.w_taste < -0.15 and parts["skip"] <= 0.3:
        bits.append("a little like what you skipped this session")
    if parts["skip"] > 0.3:
        bits.append("a little like something you skipped or said 'not this' to"
                    if ctx.rejected else "a little like something you skipped")
    if parts["recent"] > 0:
        bits.append(f"played {ago(ctx.now - float(lib.last_played[row]))}")
    if not bits:
        if lib.plays[row] == 0 and (lib.finishes.sum() + lib.skips.sum()) > 0:
            bits.append("something you have not played yet")
        elif not ctx.finished and ctx.current is None and ctx.mood not in MOODS:
            bits.append(_opener(lib, row))
        else:
            bits.append("the best of what is left")
    return " · ".join(bits)


def _as_asked(prompt: Any, row: int) -> str:
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


def _asked_valence(ctx: Any) -> float | None:
    prompt = getattr(ctx, "prompt", None)
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


def most_like(lib: Library, ctx: Any, rows: list[int]) -> list[str | None]:
    """For each row: 'like X, which you finished N min ago' for the recent track it
    resembles most (cosine, else same genre = 0.5), or None below 0.3."""
    rejected = {r for r, _ in getattr(ctx, "rejected", [])}  # "not this" is never "finished"
    candidates = [(r, ts, False) for r, ts in ctx.finished[-10:] if r not in rejected]
    if ctx.current is not None:
        candidates.append((ctx.current, ctx.now, True))
    if not candidates or not rows:
        return [None] * len(rows)
    picked = np.asarray(rows, dtype=np.int64)
    others = np.asarray([c[0] for c in candidates], dtype=np.int64)
    both = lib.has_vec[picked][:, None] & lib.has_vec[others][None, :]
    sims = np.where(both, lib.emb[picked] @ lib.emb[others].T, -1.0)
    genre = lib.genre_code[picked][:, None]
    same_genre = (genre == lib.genre_code[others][None, :]) & (genre >= 0)
    same_genre |= lib.folder_code[picked][:, None] == lib.folder_code[others][None, :]
    sims = np.where(~both & same_genre, 0.5, sims)
    sims[picked[:, None] == others[None, :]] = -1.0  # not "like itself"
    best = sims.argmax(axis=1)
    out: list[str | None] = []
    for i, j in enumerate(best.tolist()):
        if sims[i, j] < 0.3:
            out.append(None)
            continue
        other, ts, playing = candidates[j]
        when = "playing now" if playing else f"which you finished {ago(ctx.now - ts)}"
        out.append(f"like {lib.titles[other]}, {when}")
    return out


def _played_after(lib: Library, ctx: Any, row: int) -> str | None:
    if ctx.coplay is None:
        return None
    sources = ([ctx.current] if ctx.current is not None else []) + [r for r, _ in reversed(ctx.finished[-5:])]
    target = int(lib.ids[row])
    best: tuple[float, int] | None = None
    for source in sources:
        weight = ctx.coplay(int(lib.ids[source])).get(target, 0.0)
        if weight > 0 and (best is None or weight > best[0]):
            best = (weight, source)
    return None if best is None else lib.titles[best[1]]


def _opener(lib: Library, row: int) -> str:
    """Nothing played yet in this session: say what kind of start this track would make."""
    if not lib.has_va[row]:
        return "to start with (not analysed yet)"
    mood = nearest_mood(float(lib.valence[row]), float(lib.arousal[row]))
    article = "an" if mood[0] in "aeiou" else "a"
    return f"{article} {mood} one to start with"
