"""The session's online taste model and the exploration slots, on synthetic clusters."""

from __future__ import annotations

import numpy as np

from musitui.config import load_config
from musitui.paths import Home
from musitui.recommend import online
from musitui.recommend.arrays import build_library
from musitui.recommend.engine import Listening, Weights, rank

NOW = 1_790_000_000.0


class _T:
    def __init__(self, i: int, cluster: int) -> None:
        self.id = i
        self.title = f"c{cluster}-{i}"
        self.artist = f"artist {i}"  # one per track: spacing never interferes
        self.genre = ""
        self.path = f"/m/{i}.ogg"  # one folder: the album part is the same for all
        self.analysis = None


def clusters(per: int = 12, k: int = 4, seed: int = 1):
    """``k`` clusters of ``per`` tracks around orthogonal-ish centres (features only)."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(k, 16)) * 3
    tracks, rows, label = [], [], []
    for c in range(k):
        for j in range(per):
            i = c * per + j + 1
            tracks.append(_T(i, c))
            rows.append(centres[c] + rng.normal(size=16))
            label.append(c)
    names = [f"f{d}" for d in range(16)]
    lib = build_library(tracks, feature_ids=np.arange(1, len(tracks) + 1),
                        feature_matrix=np.asarray(rows, dtype=np.float32), feature_names=names)
    return lib, np.asarray(label)


def test_posterior_moves_toward_finished_and_away_from_skipped() -> None:
    lib, label = clusters()
    a = np.flatnonzero(label == 0)
    b = np.flatnonzero(label == 1)
    events = [(int(r), 1.0, 1.0) for r in a[:3]] + [(int(r), -1.0, 1.0) for r in b[:3]]
    post = online.fit(lib.emb, lib.has_vec, events)
    taste = post.taste(lib.emb)
    assert taste[a[3:]].min() > 0.3 and taste[b[3:]].max() < -0.3
    # It knows least about what it has not seen: the untouched clusters are more uncertain.
    spread = post.spread(lib.emb)
    assert spread[label >= 2].mean() > spread[a].mean() + 0.1


def test_after_three_skips_of_a_cluster_up_next_holds_fewer_of_it() -> None:
    lib, label = clusters()
    weights = Weights(up_next_length=10)
    a = np.flatnonzero(label == 0)
    b = np.flatnonzero(label == 1)
    # One track of cluster B, then one of A finished: A leads the list.
    finished = [(int(b[0]), NOW - 600), (int(a[0]), NOW - 400)]
    before = [p.row for p in rank(lib, Listening(now=NOW, finished=finished), weights)]
    skipped = [(int(r), NOW - 300 + 60 * k) for k, r in enumerate(a[1:4])]
    after_ctx = Listening(now=NOW, finished=finished, skipped=skipped)
    after = [p.row for p in rank(lib, after_ctx, weights)]
    count_a_before = int(np.isin(before[:5], a).sum())
    count_a_after = int(np.isin(after[:5], a).sum())
    assert count_a_before >= 2
    assert count_a_after < count_a_before
    assert int(np.isin(after[:5], b).sum()) >= 3  # ... and toward what was finished


def test_the_taste_part_alone_turns_the_list_after_skips() -> None:
    """With the old skip penalty off, the online model alone moves Up next."""
    lib, label = clusters()
    weights = Weights(up_next_length=10, w_skip=0.0)
    a = np.flatnonzero(label == 0)
    b = np.flatnonzero(label == 1)
    finished = [(int(b[0]), NOW - 600), (int(a[0]), NOW - 400)]
    skipped = [(int(r), NOW - 300 + 60 * k) for k, r in enumerate(a[1:4])]
    with_taste = rank(lib, Listening(now=NOW, finished=finished, skipped=skipped), weights)
    without = rank(lib, Listening(now=NOW, finished=finished, skipped=skipped),
                   Weights(up_next_length=10, w_skip=0.0, w_taste=0.0))
    assert (int(np.isin([p.row for p in with_taste[:5]], a).sum())
            < int(np.isin([p.row for p in without[:5]], a).sum()))


def test_exploration_is_at_most_one_slot_in_five_labelled_and_never_at_the_head() -> None:
    lib, label = clusters(per=15)
    a = np.flatnonzero(label == 0)
    ctx = Listening(now=NOW, finished=[(int(r), NOW - 100 * k) for k, r in enumerate(a[:4])])
    picks = rank(lib, ctx, Weights(up_next_length=20))
    flags = [p.explore for p in picks]
    assert len(picks) == 20
    assert not any(flags[:5])
    assert sum(flags) >= 1
    for start in range(len(flags) - 4):
        assert sum(flags[start:start + 5]) <= 1
    for p in picks:
        assert p.reason.startswith("exploring") == p.explore
    # An exploration pick comes from outside what the session played (cluster 0).
    assert all(label[p.row] != 0 for p in picks if p.explore)
    # The rows that are not exploration are in score order: no alternating "variety" rows.
    plain = [p.score for p in picks if not p.explore]
    assert plain == sorted(plain, reverse=True)


def test_explore_every_zero_turns_exploration_off_and_config_cannot_go_below_five(tmp_path) -> None:
    lib, _ = clusters()
    picks = rank(lib, Listening(now=NOW, finished=[(0, NOW)]), Weights(up_next_length=20, explore_every=0))
    assert not any(p.explore for p in picks)
    for line, expected in (("explore_every = 2", 5), ("explore_every = 0", 0)):
        home = Home(tmp_path / line[-1], tmp_path / line[-1]).ensure()
        home.config_file.write_text(f"[recommend]\n{line}\n", encoding="utf-8")
        config = load_config(home)
        assert Weights.from_config(config.recommend).explore_every == expected


def test_auto_mood_lets_content_lead_and_a_chosen_mood_lead_itself() -> None:
    assert Weights().w_mood_auto < Weights().w_content
    w = Weights()
    assert w.w_mood * w.explicit_mood_boost > w.w_content


def test_a_tagger_embedding_is_joined_as_an_equal_half() -> None:
    """Handcrafted features that say nothing plus a tagger embedding that separates two
    clusters: the joined vectors find the cluster; half the cosine comes from each block."""
    rng = np.random.default_rng(5)
    tracks = [_T(i, i % 2) for i in range(1, 41)]
    ids = np.arange(1, 41)
    noise = rng.normal(size=(40, 8)).astype(np.float32)
    centres = rng.normal(size=(2, 20)) * 4
    learned = (centres[ids % 2] + rng.normal(size=(40, 20))).astype(np.float32)
    names = [f"f{d}" for d in range(8)]
    plain = build_library(tracks, feature_ids=ids, feature_matrix=noise, feature_names=names)
    joined = build_library(tracks, feature_ids=ids, feature_matrix=noise, feature_names=names,
                           tagger_ids=ids, tagger_matrix=learned)
    assert joined.emb.shape == (40, 28)

    def same_cluster_p5(lib) -> float:
        sim = lib.emb @ lib.emb.T
        np.fill_diagonal(sim, -np.inf)
        top = np.argsort(-sim, axis=1)[:, :5]
        return float(((ids[top] % 2) == (ids[:, None] % 2)).mean())

    assert same_cluster_p5(joined) > same_cluster_p5(plain) + 0.3
    halves = np.linalg.norm(joined.emb[:, :8], axis=1), np.linalg.norm(joined.emb[:, 8:], axis=1)
    assert np.allclose(halves[0], halves[1], atol=1e-5)
