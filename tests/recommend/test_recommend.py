"""The recommender's behaviour, seen through a headless session on a synthesised library."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from session_helpers import Clock, build_world, listen, make_session, style_of

from musitui.recommend.arrays import build_library
from musitui.recommend.engine import Listening, Weights, _recent, rank


def top_styles(session, n: int = 5) -> list[str]:
    return [style_of(item.track) for item in session.up_next[:n]]


def of_style(catalog, style: str):
    return [t for t in catalog if style_of(t) == style]


def test_after_finishing_tracks_of_one_style_that_style_rises(tmp_path: Path) -> None:
    home, catalog, features = build_world(tmp_path)
    clock = Clock()
    session = make_session(home, catalog, features, clock=clock)
    before = top_styles(session, 5).count("pop")
    for track in of_style(catalog, "pop")[:3]:
        listen(session, clock, track, finish=True)
    assert top_styles(session, 5) == ["pop"] * 5
    assert before < 5
    reason = session.up_next[0].reason
    assert reason.startswith("same album and sound as pop ") and "which you just finished" in reason


def test_after_skipping_three_tracks_of_a_style_none_is_in_the_top_five(tmp_path: Path) -> None:
    home, catalog, features = build_world(tmp_path)
    clock = Clock()
    session = make_session(home, catalog, features, clock=clock)
    for track in of_style(catalog, "metal")[:2]:
        listen(session, clock, track, finish=True)
    assert top_styles(session, 1) == ["metal"]
    for track in of_style(catalog, "metal")[2:5]:
        listen(session, clock, track, finish=False, at=8.0)
    assert "metal" not in top_styles(session, 5)
    # ... and the skips are logged as skips, with where they happened
    skips = session.history.events(kinds=["skip"])
    assert len(skips) == 3 and all(e["listened"] == 8.0 for e in skips)


def test_switching_to_calm_puts_low_arousal_tracks_first_in_one_rerank(tmp_path: Path) -> None:
    home, catalog, features = build_world(tmp_path)
    clock = Clock()
    session = make_session(home, catalog, features, clock=clock)
    for track in of_style(catalog, "metal")[:3]:
        listen(session, clock, track, finish=True)
    calls: list[str] = []
    session.subscribe(calls.append)
    session.set_mood("calm")
    assert "mood" in calls and "queue" in calls
    arousal = [item.track.analysis.arousal for item in session.up_next[:5]]
    assert max(arousal) < -0.3
    assert "fits 'calm'" in session.up_next[0].reason
    assert session.history.events(limit=1)[0]["kind"] == "mood"


def test_no_artist_twice_in_a_row_when_avoidable(tmp_path: Path) -> None:
    # Two artists per style: spacing is possible everywhere.
    home, catalog, features = build_world(tmp_path, artists_per_style=2)
    clock = Clock()
    session = make_session(home, catalog, features, clock=clock)
    for track in of_style(catalog, "folk")[:2]:
        listen(session, clock, track, finish=True)
    artists = [item.track.artist for item in session.up_next]
    assert len(artists) == 20
    assert all(a != b for a, b in zip(artists, artists[1:], strict=False))


def test_cold_start_without_history_uses_mood_and_content(tmp_path: Path) -> None:
    home, catalog, features = build_world(tmp_path)
    session = make_session(home, catalog, features)
    assert len(session.up_next) == 20
    assert all(item.reason for item in session.up_next)
    session.set_mood("intense")
    assert top_styles(session, 5) == ["metal"] * 5


def test_cold_start_without_analysis_uses_genre_tags_and_history(tmp_path: Path) -> None:
    home, catalog, features = build_world(tmp_path, analysed=False)
    clock = Clock()
    session = make_session(home, catalog, None, clock=clock)
    assert len(session.up_next) == 20
    for track in of_style(catalog, "folk")[:2]:
        listen(session, clock, track, finish=True)
    assert top_styles(session, 5) == ["folk"] * 5
    assert session.up_next[0].parts["content"] > 0


def test_the_same_seed_gives_the_same_queue(tmp_path: Path) -> None:
    home, catalog, features = build_world(tmp_path)
    first = [i.track.id for i in make_session(home, catalog, features, seed=3).up_next]
    second = [i.track.id for i in make_session(home, catalog, features, seed=3).up_next]
    assert first == second and len(first) == 20


def test_coplay_brings_what_you_usually_play_next(tmp_path: Path) -> None:
    home, catalog, features = build_world(tmp_path)
    clock = Clock()
    session = make_session(home, catalog, features, clock=clock)
    anchor = of_style(catalog, "pop")[0]
    follower = of_style(catalog, "folk")[4]  # sounds nothing like the anchor
    for _ in range(4):  # four evenings: the anchor, then always this follower
        listen(session, clock, anchor, finish=True)
        listen(session, clock, follower, finish=True)
        clock.tick(24 * 3600)
    fresh = make_session(home, catalog, features, clock=clock, recent_hours=0.01, repeat_plays=0)
    fresh.after = [anchor.id]
    fresh.rerank()
    # Same-style tracks still lead (content + mood), but the follower is the first other one.
    others = [item.track.id for item in fresh.up_next
              if style_of(item.track) != "pop" and not item.reason.startswith("exploring")]
    assert others[0] == follower.id
    item = next(i for i in fresh.up_next if i.track.id == follower.id)
    assert item.parts["cf"] > 0.3
    assert f"you often play it after {anchor.title}" in item.reason


def test_recently_played_tracks_are_held_back(tmp_path: Path) -> None:
    home, catalog, features = build_world(tmp_path)
    clock = Clock()
    session = make_session(home, catalog, features, clock=clock)
    played = of_style(catalog, "ambient")[:6]
    for track in played:
        listen(session, clock, track, finish=True)
    offered = {item.track.id for item in session.up_next[:4]}
    assert offered and not offered & {t.id for t in played}
    assert all(style_of(i.track) == "ambient" for i in session.up_next[:4])


def test_one_skip_is_not_a_ban() -> None:
    class T:
        def __init__(self, i: int, artist: str) -> None:
            self.id, self.path, self.title, self.artist, self.genre = i, f"/m/{i}", f"t{i}", artist, ""
            self.analysis = None

    class Agg:
        tracks = {1: [5, 4, 1, 1.0], 2: [1, 0, 1, 1.0], 3: [6, 0, 6, 1.0]}
        artists = {"a": [5, 4, 1], "b": [1, 0, 1], "c": [6, 0, 6]}

    lib = build_library([T(1, "a"), T(2, "b"), T(3, "c"), T(4, "d")], aggregates=Agg())
    picks = rank(lib, Listening(now=1e9), Weights(w_recent=0.0, repeat_plays=0), length=4)
    pref = {p.track_id: p.parts["pref"] for p in picks}
    assert pref[1] > pref[4] > pref[2] > pref[3]
    assert pref[2] > -0.3  # one skip: a nudge, not a ban
    assert [p.track_id for p in picks][0] == 1


def test_rank_is_pure_numpy_and_handles_an_empty_library() -> None:
    lib = build_library([])
    assert rank(lib, Listening(now=0.0), Weights()) == []
    assert isinstance(lib.emb, np.ndarray)


def test_a_song_kept_in_two_files_is_offered_once_and_never_right_after_itself() -> None:
    class T:
        def __init__(self, i: int, title: str, artist: str, path: str) -> None:
            self.id, self.path, self.title, self.artist, self.genre = i, path, title, artist, ""
            self.analysis = None

    tracks = [T(1, "Love Theme", "Ryan Reilly", "/m/w/love_theme.ogg"),
              T(2, "love theme ", "ryan reilly", "/m/w/love_theme.mp3"),
              T(3, "Battle", "Ryan Reilly", "/m/w/battle.ogg"),
              T(4, "Love Theme", "Somebody Else", "/m/x/love.flac"),
              T(5, "", "Unknown artist", "/m/y/untitled.ogg"),
              T(6, "", "Unknown artist", "/m/y/untitled2.ogg")]
    lib = build_library(tracks)
    assert lib.song_code[0] == lib.song_code[1]
    assert len(set(lib.song_code[2:].tolist())) == 4  # other artist or untitled: other songs
    weights = Weights(artist_spacing=0)
    offered = [p.track_id for p in rank(lib, Listening(now=1e9), weights, length=6)]
    assert len(offered) == 5 and len({1, 2} & set(offered)) == 1
    playing = lib.row(1)
    after = [p.track_id for p in rank(lib, Listening(now=1e9, current=playing, exclude={playing}), weights)]
    assert 1 not in after and 2 not in after and {3, 4, 5, 6} <= set(after)
    lib.note(1, "Ryan Reilly", "finish", 1e9 - 60)  # finished a minute ago, in the .ogg
    held_back = _recent(lib, Listening(now=1e9), weights)
    assert held_back[lib.row(2)] > 1.0 and held_back[lib.row(3)] == 0.0  # the .mp3 was played too


def test_standardise_embed_is_the_column_z_score_in_unit_rows_and_leaves_its_input() -> None:
    from musitui.recommend.embedding import standardise_embed

    rng = np.random.default_rng(3)
    matrix = (rng.normal(size=(300, 20)) * 5 + 2).astype(np.float16)
    matrix[4, 2] = np.nan
    matrix[:, 7] = 1.5  # a constant column: no spread, all zeros after centring
    kept = matrix.copy()
    out = standardise_embed(matrix)
    data = np.nan_to_num(matrix.astype(np.float64))
    z = (data - data.mean(axis=0)) / np.where(data.std(axis=0) > 1e-9, data.std(axis=0), 1.0)
    expected = z / np.linalg.norm(z, axis=1, keepdims=True)
    assert out.dtype == np.float32 and out.shape == (300, 20)
    np.testing.assert_allclose(out, expected, atol=1e-5)
    np.testing.assert_array_equal(np.isnan(matrix), np.isnan(kept))
    np.testing.assert_array_equal(np.nan_to_num(matrix), np.nan_to_num(kept))
