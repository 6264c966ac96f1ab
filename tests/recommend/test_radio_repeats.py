"""Never the same song twice (issue 18): the repeat window, reasons that say why, explain parts
that add up: through the session and through `musitui recommend`."""

from __future__ import annotations

import json
from pathlib import Path

from session_helpers import Clock, build_world, listen, make_session, style_of

from musitui.cli import main
from musitui.recommend.arrays import build_library
from musitui.recommend.engine import Listening, Weights, rank

PENALTY_WORDS = ("skipped", "played ", "not this", "ago ·", "best of what is left")


def test_the_track_just_finished_is_never_next_and_no_song_repeats_while_others_are_left(
        tmp_path: Path) -> None:
    home, catalog, features = build_world(tmp_path)
    clock = Clock()
    session = make_session(home, catalog, features, clock=clock)
    heard: list[int] = []
    for _ in range(25):  # a listener who finishes whatever comes first
        track = session.up_next[0].track
        assert not heard or track.id != heard[-1]
        heard.append(track.id)
        listen(session, clock, track, finish=True)
        assert heard[-1] not in [i.track.id for i in session.up_next]
    # 40 tracks, a window of 25 plays: nothing came back yet.
    assert len(set(heard)) == len(heard)


def test_favourites_come_back_only_when_everything_else_is_what_was_skipped(tmp_path: Path) -> None:
    home, catalog, features = build_world(tmp_path, per_style=4)
    clock = Clock()
    session = make_session(home, catalog, features, clock=clock)
    liked = [t for t in catalog.present() if style_of(t) == "pop"]
    others = [t for t in catalog.present() if style_of(t) != "pop"]
    for track in liked:
        listen(session, clock, track, finish=True)
    for track in others:  # every other track of the library was skipped
        listen(session, clock, track, finish=False)
    head = session.up_next[0].track
    assert style_of(head) == "pop" and head.id != others[-1].id
    listen(session, clock, head, finish=True)
    assert session.up_next[0].track.id != head.id  # a favourite back, but never back to back


def test_cli_recommend_after_a_finish_does_not_offer_that_track(tmp_path: Path, capsys) -> None:
    home, catalog, features = build_world(tmp_path)
    features.save()
    base = ["--home", str(tmp_path)]
    played: list[int] = []
    for _ in range(6):
        assert main([*base, "recommend", "-n", "1", "--json"]) == 0
        pick = json.loads(capsys.readouterr().out)[0]
        assert pick["id"] not in played[-1:]
        played.append(pick["id"])
        assert main([*base, "event", "play", pick["path"]]) == 0
        assert main([*base, "event", "finish", pick["path"]]) == 0
        capsys.readouterr()
    assert len(set(played)) == len(played)


def test_cli_explain_gives_every_part_with_its_weight_and_they_add_up(tmp_path: Path, capsys) -> None:
    home, catalog, features = build_world(tmp_path)
    features.save()
    tracks = list(catalog.present())
    base = ["--home", str(tmp_path)]
    for track in tracks[:2]:
        assert main([*base, "event", "play", track.path]) == 0
        assert main([*base, "event", "finish", track.path]) == 0
    assert main([*base, "event", "skip", tracks[2].path, "--at", "5"]) == 0
    capsys.readouterr()
    for mood in ("auto", "calm"):
        assert main([*base, "recommend", "-n", "8", "--json", "--explain", "--mood", mood]) == 0
        rows = json.loads(capsys.readouterr().out)
        assert len(rows) == 8
        for row in rows:
            parts = row["parts"]
            assert {"content", "cf", "mood", "pref", "taste", "skip", "recent", "jitter"} <= set(parts)
            assert parts["skip"]["weight"] < 0 and parts["recent"]["weight"] < 0
            total = sum(p["value"] * p["weight"] for p in parts.values())
            assert abs(total - row["score"]) <= 0.01, (row["title"], total, row["score"])
    assert main([*base, "recommend", "-n", "3", "--explain"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert "×" in lines[1] and "jitter" in lines[1] and "=" in lines[1]


def test_reasons_name_a_track_and_never_a_penalty(tmp_path: Path) -> None:
    home, catalog, features = build_world(tmp_path)
    clock = Clock()
    session = make_session(home, catalog, features, clock=clock)
    folk = [t for t in catalog.present() if style_of(t) == "folk"]
    metal = [t for t in catalog.present() if style_of(t) == "metal"]
    for track in folk[:3]:
        listen(session, clock, track, finish=True)
    for track in metal[:2]:
        listen(session, clock, track, finish=False)
    titles = {t.title for t in catalog.present()}
    for item in session.up_next:
        assert not any(word in item.reason for word in PENALTY_WORDS), item.reason
        if not item.reason.startswith("exploring"):
            assert any(title in item.reason for title in titles), item.reason
    # "which you just finished" is said of the track just finished only: here a skip came after.
    assert not any("which you just finished" in i.reason for i in session.up_next)
    listen(session, clock, folk[3], finish=True)
    just = [i for i in session.up_next if "which you just finished" in i.reason]
    assert just and all(f"{folk[3].title}, which you just finished" in i.reason for i in just)


def test_a_co_play_reason_needs_two_co_plays() -> None:
    class T:
        def __init__(self, i: int) -> None:
            self.id, self.path, self.title, self.artist, self.genre = i, f"/m/{i}", f"t{i}", f"a{i}", ""
            self.analysis = None

    lib = build_library([T(i) for i in range(1, 6)])
    for pairs, expected in (({2: 1.0}, False), ({2: 2.0}, True)):
        ctx = Listening(now=1e9, finished=[(0, 1e9 - 300)], exclude={0},
                        coplay=lambda tid, pairs=pairs: pairs if tid == 1 else {})
        pick = next(p for p in rank(lib, ctx, Weights(), 4) if p.track_id == 2)
        assert ("you often play it after t1" in pick.reason) is expected, pick.reason


def test_no_repeat_while_a_liked_track_is_unplayed_when_one_genre_tags_everything(tmp_path: Path) -> None:
    home, catalog, features = build_world(tmp_path, per_style=5)
    for track in catalog.present():  # a library whose every file says "Game"
        track.genre = "Game"
    catalog.save()
    clock = Clock()
    session = make_session(home, catalog, features, clock=clock)
    liked = {t.id for t in catalog.present() if style_of(t) == "pop"}
    heard: list[int] = []
    for _ in range(30):
        track = session.up_next[0].track
        if heard:
            assert track.id != heard[-1]
            assert track.id not in heard or not (liked - set(heard)), "a repeat while a liked track waits"
        heard.append(track.id)
        listen(session, clock, track, finish=track.id in liked)
    assert liked <= set(heard)


def test_a_mood_chosen_after_a_skip_brings_that_mood_back_first(tmp_path: Path) -> None:
    """One early skip of a metal track rules its near copies out of the top, until the
    listener picks a mood: a skip told what they did not want then, the mood what they want now."""
    home, catalog, features = build_world(tmp_path, per_style=4)
    clock = Clock()
    session = make_session(home, catalog, features, clock=clock)
    metal = [t for t in catalog.present() if style_of(t) == "metal"]
    calm = [t for t in catalog.present() if style_of(t) == "ambient"]
    listen(session, clock, calm[0], finish=True)
    listen(session, clock, metal[0], finish=False)  # an early skip
    session.set_mood("calm")
    session.set_mood("intense")
    head = session.up_next[0].track
    assert style_of(head) == "metal" and head.id != metal[0].id
