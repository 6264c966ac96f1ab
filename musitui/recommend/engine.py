"""The hybrid score of every candidate, then the diversity pass; see docs/RECOMMENDER.md.

score = w_content·content + w_cf·co-play + w_mood·mood + w_pref·preference + w_taste·taste
        − w_skip·skip-likeness − w_recent·recently-played + a tiny seeded jitter (tie-break)

Every pick carries each part's value and the weight it entered the score with
(``Pick.parts`` / ``Pick.weights``: penalties with negative weights, the jitter with 1), so
Σ value·weight is its score. A track is never "like itself": the content and co-play parts
of a track that is in the session profile leave that track out. The repeat window
(musitui.recommend.repeats) orders Up next in tiers after the score.

``taste`` is the session's online preference model (musitui.recommend.online). The mood
weight is ``w_mood_auto`` in auto mood (content leads) and ``w_mood·explicit_mood_boost``
when a mood is chosen (the mood leads). The constants were chosen out of sample
(bench/evaluate_offline.py, docs/RECOMMENDER.md).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from musitui.core.moods import MOODS
from musitui.recommend import online
from musitui.recommend.arrays import Library
from musitui.recommend.context import Listening, Weights
from musitui.recommend.diversity import select
from musitui.recommend.notes_part import NOTE_WEIGHT, note_part
from musitui.recommend.prompt_target import prompt_part
from musitui.recommend.reasons import explain, most_like
from musitui.recommend.repeats import song_last_played, tier_order, window

# How much the k-th most recent finished track counts in the session profile.
RECENCY_FALLOFF = 0.65
PROFILE_TRACKS = 10
# Skip feedback fades with this time constant (seconds); "not this" is stronger and lasts longer.
SKIP_DECAY = 20 * 60.0
NOT_THIS_DECAY = 90 * 60.0
NOT_THIS_STRENGTH = 3.0
# Bayesian prior of the completion rate: a track counts as if it had this many extra
# plays at the library's mean rate, so one skip is not a ban.
TRACK_PRIOR_PLAYS = 3.0
ARTIST_PRIOR_PLAYS = 5.0
# With feature vectors, the tag part (same genre/artist as the profile) keeps this share.
TAG_SHARE = 0.2
JITTER = 0.01
POOL = 120
# Only the newest skips (and not-this) of the session are compared against.
MAX_SKIPS = 12
# The recency hold-back of finished tracks yields to the skip share of this many outcomes.
RECENT_OUTCOMES = 10
# Skip feedback is computed for this many best candidates (exactness is checked).
SKIP_POOL = 2000


@dataclass
class Pick:
    row: int
    track_id: int
    score: float
    parts: dict[str, float]
    reason: str
    explore: bool = False  # an exploration slot (its reason says so)
    # The weight each part entered the score with: Σ parts[k]·weights[k] == score.
    weights: dict[str, float] = field(default_factory=dict)


def rank(lib: Library, ctx: Listening, weights: Weights, length: int | None = None) -> list[Pick]:
    n = len(lib)
    length = weights.up_next_length if length is None else length
    if n == 0 or length <= 0:
        return []
    ctx = _with_cached_coplay(ctx)
    profile_rows, profile_w = _profile(ctx)
    posterior = online.fit(lib.emb, lib.has_vec, online.observations(ctx.finished, ctx.skipped,
                                                                     ctx.rejected))
    content_rows, content_w = profile_rows, profile_w
    if ctx.prompt is not None and ctx.prompt.seeds:
        seeds = np.asarray([r for r in ctx.prompt.seeds if 0 <= r < n], dtype=np.int64)
        content_rows = np.r_[profile_rows, seeds]
        content_w = np.r_[profile_w, np.ones(len(seeds), dtype=np.float32)]
    parts = {
        "content": _content(lib, content_rows, content_w),
        "cf": _coplay(lib, ctx, profile_rows, profile_w),
        "mood": _mood(lib, ctx, profile_rows, profile_w),
        "pref": _preference(lib),
        "taste": (np.where(lib.has_vec, posterior.taste(lib.emb), 0.0).astype(np.float32)
                  if posterior.events else np.zeros(n, dtype=np.float32)),
        "skip": np.zeros(n, dtype=np.float32),
        "recent": _recent(lib, ctx, weights),
        "jitter": _jitter(lib, weights.seed),
    }
    part_weights = effective_weights(weights, ctx)
    if lib.note_feel is not None:  # the listener's notes (musitui.recommend.notes_part)
        parts["note"] = note_part(lib.emb, lib.has_vec, lib.note_feel)
        part_weights["note"] = NOTE_WEIGHT
    score = parts["jitter"].copy()
    for part, weight in part_weights.items():
        if weight and part not in ("skip", "jitter"):
            score += np.float32(weight) * parts[part]
    held, never = window(lib, ctx, weights.repeat_plays, weights.recent_hours)
    score[never] = -np.inf
    blocked = np.fromiter(ctx.exclude, dtype=np.int64, count=len(ctx.exclude))
    blocked = blocked[(blocked >= 0) & (blocked < n)]
    if blocked.size:
        # Another file of a song that is playing or queued is that song again.
        songs = np.zeros(int(lib.song_code.max()) + 1, dtype=bool)
        songs[lib.song_code[blocked]] = True
        score[songs[lib.song_code]] = -np.inf
    if ctx.prompt is not None and ctx.prompt.excluded is not None and len(ctx.prompt.excluded) == n:
        score[ctx.prompt.excluded] = -np.inf
    pool, pool_scores = _pool(lib, ctx, weights, score, parts["skip"], held, length)
    if pool.size == 0:
        return []
    pool_size = int(pool.size)
    has_vec = lib.has_vec

    def spread(rows: np.ndarray) -> np.ndarray:
        return np.where(has_vec[rows], posterior.spread(lib.emb[rows]), 0.0)

    chosen = select(lib, pool, pool_scores, min(length, pool_size), weights.artist_spacing,
                    ctx.current, spread, weights.explore_every)
    score_of = dict(zip(pool.tolist(), pool_scores.tolist(), strict=True))
    rows = [row for row, _ in chosen]
    likes = most_like(lib, ctx, rows)
    nearest = most_like(lib, ctx, rows, threshold=-1.0)
    picks = []
    for (row, explore), like, near in zip(chosen, likes, nearest, strict=True):
        row_parts = {name: round(float(values[row]), 4) for name, values in parts.items()}
        reason = explain(lib, ctx, int(row), row_parts, weights, like, explore=explore, nearest=near)
        picks.append(Pick(row=int(row), track_id=int(lib.ids[row]), score=round(score_of[row], 4),
                          parts=row_parts, reason=reason, explore=explore,
                          weights=dict(part_weights)))
    return picks


def effective_weights(weights: Weights, ctx: Listening) -> dict[str, float]:
    """The weight of each part in the score: the mood weight as the mood in force sets it,
    the penalties negative, the jitter 1."""
    explicit = ctx.mood in MOODS or ctx.prompt is not None
    w_mood = weights.w_mood * weights.explicit_mood_boost if explicit else weights.w_mood_auto
    return {"content": weights.w_content, "cf": weights.w_cf, "mood": w_mood,
            "pref": weights.w_pref, "taste": weights.w_taste, "skip": -weights.w_skip,
            "recent": -weights.w_recent, "jitter": 1.0}


def _pool(lib: Library, ctx: Listening, weights: Weights, score: np.ndarray, skip_part: np.ndarray,
          held: np.ndarray, length: int) -> tuple[np.ndarray, np.ndarray]:
    """The candidates Up next is chosen from, in tier order (musitui.recommend.repeats), each
    tier best first: the best ``max(POOL, 6·length)`` songs outside the repeat window, then
    the best ``length`` held ones (all a list can need of them: they come after the rest)."""
    fresh = np.where(held, -np.inf, score).astype(np.float32)
    available = int(np.isfinite(fresh).sum())
    pool_size = min(available, max(POOL, 6 * length))
    pool = np.zeros(0, dtype=np.int64)
    scores = np.zeros(0, dtype=np.float32)
    if pool_size > 0:
        if ctx.skipped or ctx.rejected:
            candidates, final = _apply_skips(lib, ctx, weights, fresh, skip_part, available, pool_size)
        else:
            candidates, final = np.arange(len(lib)), fresh
        local = np.argpartition(-final, pool_size - 1)[:pool_size]
        local = local[np.argsort(-final[local], kind="stable")]
        pool, scores = candidates[local], final[local]
    held_rows = np.flatnonzero(held & np.isfinite(score))
    if held_rows.size and length > 0:
        if held_rows.size > length:  # the skip penalty only lowers: take a margin, then exact
            margin = min(held_rows.size, 4 * length)
            held_rows = held_rows[np.argpartition(-score[held_rows], margin - 1)[:margin]]
        penalty = _skip_likeness(lib, ctx, held_rows) if (ctx.skipped or ctx.rejected) \
            else np.zeros(held_rows.size, dtype=np.float32)
        skip_part[held_rows] = penalty
        final_held = score[held_rows] - np.float32(weights.w_skip) * penalty
        order = np.argsort(-final_held, kind="stable")[:length]
        pool = np.r_[pool, held_rows[order]]
        scores = np.r_[scores, final_held[order]].astype(np.float32)
    tiers = tier_order(lib, ctx, pool, held)
    order = np.argsort(tiers, kind="stable")
    return pool[order], scores[order]


def _jitter(lib: Library, seed: int) -> np.ndarray:
    """The seeded tie-break, the same for every rank of this library and seed."""
    return lib.cached(("jitter", seed),
                      lambda: (JITTER * _hash_unit(lib.ids, seed)).astype(np.float32))


def _hash_unit(ids: np.ndarray, seed: int) -> np.ndarray:
    """A uniform [0, 1) value per track id and seed (splitmix64): stable for a track whatever
    its row, and without numpy.random's import cost on the CLI's start-up path."""
    with np.errstate(over="ignore"):
        x = ids.astype(np.uint64) + np.uint64((seed * 0x9E3779B97F4A7C15) & 0xFFFFFFFFFFFFFFFF)
        x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        x = x ^ (x >> np.uint64(31))
    return (x >> np.uint64(11)).astype(np.float64) * (1.0 / (1 << 53))


def _apply_skips(lib: Library, ctx: Listening, weights: Weights, score: np.ndarray,
                 skip_part: np.ndarray, available: int,
                 pool_size: int) -> tuple[np.ndarray, np.ndarray]:
    """Subtract the skip feedback, computed only for the best candidates when that is exact.

    The penalty only pushes down, so a track outside the best ``k`` by the other parts can
    only enter the pool if fewer than ``pool_size`` of the best ``k`` stay above the k-th
    score; then ``k`` grows. Returns the candidate rows and their final scores.
    """
    k = min(available, max(SKIP_POOL, 4 * pool_size))
    while True:
        candidates = np.argpartition(-score, k - 1)[:k] if k < score.size else np.arange(score.size)
        penalty = _skip_likeness(lib, ctx, candidates)
        final = score[candidates] - np.float32(weights.w_skip) * penalty
        if k >= available or int((final > score[candidates].min()).sum()) >= pool_size:
            break
        k = min(available, k * 4)
    skip_part[candidates] = penalty
    return candidates, final


def _with_cached_coplay(ctx: Listening) -> Listening:
    """Each co-play row is looked up once per rank (scores and reasons both need them)."""
    source = ctx.coplay
    if source is None:
        return ctx
    cache: dict[int, dict[int, float]] = {}

    def cached(track_id: int) -> dict[int, float]:
        row = cache.get(track_id)
        if row is None:
            row = cache[track_id] = source(track_id)
        return row

    return replace(ctx, coplay=cached)


def _profile(ctx: Listening) -> tuple[np.ndarray, np.ndarray]:
    """The rows of the recent liked tracks and their weights (newest weighs most)."""
    rows: list[int] = []
    weights: list[float] = []
    if ctx.current is not None:
        rows.append(ctx.current)
        weights.append(0.8)
    seen = set(rows)
    k = 0
    for row, _ts in reversed(ctx.finished):
        if row in seen:
            continue
        seen.add(row)
        rows.append(row)
        weights.append(RECENCY_FALLOFF ** k)
        k += 1
        if k >= PROFILE_TRACKS:
            break
    return np.asarray(rows, dtype=np.int64), np.asarray(weights, dtype=np.float32)


def _content(lib: Library, rows: np.ndarray, w: np.ndarray) -> np.ndarray:
    n = len(lib)
    if rows.size == 0:
        return np.zeros(n, dtype=np.float32)
    tags = _tag_similarity(lib, rows, w)
    vec_rows = lib.has_vec[rows]
    profile = (lib.emb[rows[vec_rows]] * w[vec_rows, None]).sum(axis=0) if vec_rows.any() else None
    norm = float(np.linalg.norm(profile)) if profile is not None else 0.0
    if profile is None or norm < 1e-9:
        out = tags.astype(np.float32)
        profile = None
    else:
        sim = lib.emb @ (profile / norm)
        out = np.where(lib.has_vec, (1 - TAG_SHARE) * sim + TAG_SHARE * tags, tags).astype(np.float32)
    _leave_self_out(lib, rows, w, profile, tags, out)
    return out


def _leave_self_out(lib: Library, rows: np.ndarray, w: np.ndarray, profile: np.ndarray | None,
                    tags: np.ndarray, out: np.ndarray) -> None:
    """A profile track's content is its likeness to the *rest* of the profile (a track is
    most like itself, which says nothing about whether to play it again)."""
    total = max(float(w.sum()), 1e-9)
    for row in np.unique(rows).tolist():
        own = rows == row
        w_own = float(w[own].sum())
        rest = total - w_own
        if rest <= 1e-9:
            out[row] = 0.0
            continue
        self_tags = w_own * ((0.4 if lib.genre_code[row] >= 0 else 0.0) + 0.4 + 0.2)
        tag_part = max(0.0, (float(tags[row]) * total - self_tags) / rest)
        value = tag_part
        if profile is not None and lib.has_vec[row]:
            others = profile - w_own * lib.emb[row]
            norm = float(np.linalg.norm(others))
            sim = float(lib.emb[row] @ others) / norm if norm > 1e-9 else 0.0
            value = (1 - TAG_SHARE) * sim + TAG_SHARE * tag_part
        out[row] = value


def _tag_similarity(lib: Library, rows: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Share of the profile with the same genre tag (0.4), folder/album (0.4) or artist
    (0.2), in [0, 1]."""
    genre_weight, folder_weight, artist_weight = _code_sums(lib, rows, w, (0.4, 0.4, 0.2))
    out = genre_weight[lib.genre_code] + folder_weight[lib.folder_code] + artist_weight[lib.artist_code]
    return out / max(float(w.sum()), 1e-9)


def _code_sums(lib: Library, rows: np.ndarray, weights: np.ndarray,
               shares: tuple[float, float, float]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The ``weights`` of ``rows`` summed per genre, folder and artist code, times ``shares``.
    Genre code -1 (no genre tag) lands on the last genre slot, which stays 0."""
    genre = np.zeros(lib.n_genres + 1, dtype=np.float32)
    folder = np.zeros(lib.n_folders, dtype=np.float32)
    artist = np.zeros(len(lib.artist_finishes), dtype=np.float32)
    np.add.at(genre, lib.genre_code[rows], shares[0] * weights)
    genre[-1] = 0.0
    np.add.at(folder, lib.folder_code[rows], shares[1] * weights)
    np.add.at(artist, lib.artist_code[rows], shares[2] * weights)
    return genre, folder, artist


def _coplay(lib: Library, ctx: Listening, rows: np.ndarray, w: np.ndarray) -> np.ndarray:
    """How often the candidate was finished (not skipped) right after the recent tracks,
    normalised by both tracks' popularity so hits do not swamp everything."""
    out = np.zeros(len(lib), dtype=np.float32)
    if ctx.coplay is None or rows.size == 0:
        return out
    pop = lib.cached("pop", lambda: np.sqrt(lib.plays + 1.0))
    for row, weight in zip(rows.tolist(), w.tolist(), strict=True):
        pairs = ctx.coplay(int(lib.ids[row]))
        if not pairs:
            continue
        others = np.fromiter((lib.index.get(k, -1) for k in pairs), dtype=np.int64, count=len(pairs))
        values = np.fromiter(pairs.values(), dtype=np.float32, count=len(pairs))
        keep = (others >= 0) & (others != row)  # never "played after itself"
        others, values = others[keep], values[keep]
        np.add.at(out, others, weight * values / (pop[row] * pop[others]))
    return np.tanh(2.0 * out).astype(np.float32)


def mood_target(lib: Library, ctx: Listening, rows: np.ndarray | None = None,
                w: np.ndarray | None = None) -> tuple[float, float] | None:
    """The valence/arousal point to match: the named mood, or for auto the centre of the
    recently finished (and playing) tracks; None when auto has nothing to follow."""
    mood = MOODS.get(ctx.mood)
    if mood is not None:
        return mood.valence, mood.arousal
    if rows is None or w is None:
        rows, w = _profile(ctx)
    if rows.size == 0:
        return None
    known = lib.has_va[rows]
    if not known.any():
        return None
    weights = w[known] / w[known].sum()
    return float((lib.valence[rows[known]] * weights).sum()), float((lib.arousal[rows[known]] * weights).sum())


def _mood(lib: Library, ctx: Listening, rows: np.ndarray, w: np.ndarray) -> np.ndarray:
    if ctx.prompt is not None:
        return prompt_part(lib.valence, lib.arousal, lib.has_va, ctx.prompt)
    target = mood_target(lib, ctx, rows, w)
    if target is None:
        return np.zeros(len(lib), dtype=np.float32)
    valence, arousal = target

    def match() -> np.ndarray:
        if len(lib.cache) >= 16:  # auto moves with every finished track: keep a few
            lib.cache.pop(next(k for k in lib.cache if isinstance(k, tuple)))
        near = np.clip(1.0 - np.hypot(lib.valence - valence, lib.arousal - arousal), -1.0, 1.0)
        return np.where(lib.has_va, near, 0.0).astype(np.float32)

    return lib.cached(("mood", round(valence, 4), round(arousal, 4)), match)


def _preference(lib: Library) -> np.ndarray:
    """Smoothed completion rate of the track and of its artist, centred on the library mean."""
    return lib.cached("pref", lambda: _compute_preference(lib))


def _compute_preference(lib: Library) -> np.ndarray:
    judged = float(lib.finishes.sum() + lib.skips.sum())
    if judged == 0:
        return np.zeros(len(lib), dtype=np.float32)
    prior = float(lib.finishes.sum()) / judged
    track_rate = (lib.finishes + TRACK_PRIOR_PLAYS * prior) / (lib.finishes + lib.skips + TRACK_PRIOR_PLAYS)
    artist_rate = ((lib.artist_finishes + ARTIST_PRIOR_PLAYS * prior)
                   / (lib.artist_finishes + lib.artist_skips + ARTIST_PRIOR_PLAYS))[lib.artist_code]
    return (1.2 * (track_rate - prior) + 0.8 * (artist_rate - prior)).astype(np.float32)


def _skip_likeness(lib: Library, ctx: Listening, rows_of: np.ndarray) -> np.ndarray:
    """How much each candidate in ``rows_of`` resembles what was skipped this session,
    fading with time.

    A skip pushes down close copies (squared cosine); "not this" also their neighbours.
    Several skips of one kind add up: three skipped metal tracks say more than one.
    """
    out = np.zeros(rows_of.size, dtype=np.float32)
    genre_code = lib.genre_code[rows_of]
    artist_code = lib.artist_code[rows_of]
    folder_code = lib.folder_code[rows_of]
    has_vec = lib.has_vec[rows_of]
    emb = lib.emb[rows_of]
    for events, decay, strength, power in ((ctx.skipped, SKIP_DECAY, 1.0, 2.0),
                                           (ctx.rejected, NOT_THIS_DECAY, NOT_THIS_STRENGTH, 1.0)):
        recent = events[-MAX_SKIPS:]
        if not recent:
            continue
        rows = np.asarray([row for row, _ in recent], dtype=np.int64)
        ages = np.asarray([max(0.0, ctx.now - ts) for _, ts in recent], dtype=np.float32)
        fade = strength * np.exp(-ages / decay)
        keep = fade >= 0.02
        rows, fade = rows[keep], fade[keep]
        if rows.size == 0:
            continue
        # Tags: the summed same-genre / same-folder / same-artist (0.5 each) fades per code,
        # then a gather.
        genre_fade, folder_fade, artist_fade = _code_sums(lib, rows, fade, (0.5, 0.5, 0.5))
        tags = np.maximum(np.maximum(genre_fade[genre_code], folder_fade[folder_code]),
                          artist_fade[artist_code])
        with_vec = lib.has_vec[rows]
        if with_vec.any():
            sims = emb @ lib.emb[rows[with_vec]].T  # (candidates, skips) in one product
            np.clip(sims, 0.0, 1.0, out=sims)
            if power != 1.0:
                sims **= power
            vec = sims @ fade[with_vec]
            vec[~has_vec] = 0.0
            out += np.maximum(vec, tags)
        else:
            out += tags
    return np.minimum(out, 3.0)


def _recent(lib: Library, ctx: Listening, weights: Weights) -> np.ndarray:
    """A hold-back for tracks played in the last ``recent_hours`` (strongest just after).

    It yields when the listener keeps skipping: a track *finished* in this session is held
    back less the larger the share of skips among the last 10 outcomes (down to a quarter),
    so someone who rejects everything else gets their favourites again rather than more of
    what they skip. Skipped tracks stay fully held back.
    """
    window = max(weights.recent_hours, 1e-6) * 3600.0
    out = np.zeros(len(lib), dtype=np.float32)
    last_played = song_last_played(lib)[lib.song_code]
    held = np.flatnonzero(last_played > ctx.now - window)
    if held.size:
        age = np.clip((ctx.now - last_played[held]) / window, 0.0, 1.0)
        out[held] = 1.5 + 0.5 * (1.0 - age)
    outcomes = sorted([(ts, False) for _, ts in ctx.finished] + [(ts, True) for _, ts in ctx.skipped])
    last = outcomes[-RECENT_OUTCOMES:]
    if last and ctx.finished:
        skip_share = sum(skipped for _, skipped in last) / len(last)
        skipped_rows = {row for row, _ in ctx.skipped}
        # Plain sets: a handful of rows, and np.setdiff1d's first call imports numpy.ma.
        liked = np.asarray(sorted({row for row, _ in ctx.finished} - skipped_rows), dtype=np.int64)
        out[liked] *= max(0.25, 1.0 - skip_share)
    return out
