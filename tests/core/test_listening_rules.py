"""What the listener did is recorded as what it was (issue 11): finish / skip / rejection rules,
going back through the played tracks, one keypress = one event, queueing without doubles."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from session_helpers import Clock, Event, build_world, make_session

from musitui.recommend.outcomes import Listen, threshold, verdict


class FakePlayer:
    """Stands where the real Player is: records the calls, and posts the events the real one
    posts synchronously (a "stopped" for the track left when another is played)."""

    available = True
    problem = None

    def __init__(self) -> None:
        self.state = "stopped"
        self.position = 0.0
        self.duration = 0.0
        self.current_path: str | None = None
        self.calls: list[tuple] = []
        self._subscribers: list = []

    def subscribe(self, callback) -> None:
        self._subscribers.append(callback)

    def post(self, kind: str, path: str | None = None, position: float | None = None) -> None:
        event = Event(kind, path or self.current_path, self.position if position is None else position,
                      self.duration)
        for callback in list(self._subscribers):
            callback(event)

    def play(self, path, start: float = 0.0, paused: bool = False, gain_db: float = 0.0) -> None:
        self.calls.append(("play", str(path)))
        self.pending = getattr(self, "pending", [])
        if self.current_path is not None:
            self.pending.append(Event("stopped", self.current_path, self.position, self.duration))
        self.current_path, self.position, self.state = str(path), start, "paused" if paused else "playing"
        self.duration = 180.0
        self.pending.append(Event("start", str(path), start, 180.0))

    def deliver(self) -> None:
        """The player's thread delivering what play() queued (after the call returned)."""
        pending, self.pending = getattr(self, "pending", []), []
        for event in pending:
            for callback in list(self._subscribers):
                callback(event)

    def seek(self, seconds: float) -> None:
        self.calls.append(("seek", seconds))
        self.position = seconds

    def set_next(self, path, gain_db: float = 0.0) -> None:
        pass

    def stop(self) -> None:
        self.calls.append(("stop",))

    def toggle_pause(self) -> None:
        pass

    def set_volume(self, volume) -> None:
        pass

    def close(self) -> None:
        pass


@pytest.fixture
def setup(tmp_path: Path):
    home, catalog, features = build_world(tmp_path, duration=180.0)
    clock = Clock()
    player = FakePlayer()
    session = make_session(home, catalog, features, clock=clock, player=player)
    return session, player, clock, list(catalog)


def play(session, player, clock, track) -> None:
    session.play_track(track.id)
    player.deliver()


def outcomes(session) -> list[tuple[str, int, str | None]]:
    return [(e["kind"], e["track_id"], e.get("reason"))
            for e in session.history.events(kinds=["finish", "skip"], newest_first=False)]


# -- the rules, on their own ----------------------------------------------------------------
def test_the_threshold_is_seconds_or_a_share_of_a_short_track() -> None:
    assert threshold(200.0) == 30.0 and threshold(40.0) == 20.0
    assert threshold(300.0, skip_seconds=60.0) == 60.0 and threshold(None) == 30.0
    assert verdict(Listen(29.0, 200.0), "next") == "skip"
    assert verdict(Listen(31.0, 200.0), "next") == "finish"
    assert verdict(Listen(18.0, 40.0), "next") == "skip"
    assert verdict(Listen(21.0, 40.0), "next") == "finish"


def test_each_ending_has_its_verdict() -> None:
    heard_little = Listen(heard=3.0, duration=180.0, seeked_forward=True)
    assert verdict(heard_little, "end") == "skip"  # seeked to the end: not a finish
    assert verdict(Listen(3.0, 180.0), "end") == "finish"  # ran out by itself (a resumed track)
    assert verdict(Listen(100.0, 180.0, True), "end") == "finish"  # heard enough, then seeked on
    for heard in (1.0, 150.0):
        assert verdict(Listen(heard, 180.0), "not_this") == "reject"
        assert verdict(Listen(heard, 180.0), "previous") is None
        assert verdict(Listen(heard, 180.0), "quit") is None


# -- through the session ----------------------------------------------------------------------
def test_not_this_late_in_the_track_is_a_rejection_not_a_finish(setup) -> None:
    session, player, clock, tracks = setup
    play(session, player, clock, tracks[0])
    player.position = 120.0  # well past the skip threshold
    session.not_this()
    player.deliver()
    assert outcomes(session) == [("skip", tracks[0].id, "not this")]
    assert [t for t, _ in session.rejected] == [tracks[0].id]
    assert tracks[0].id not in [t for t, _ in session.finished]
    assert all("which you finished" not in item.reason for item in session.up_next)
    # A restart in the same listening session still knows it was a rejection.
    again = make_session(session.home, session.catalog, session.features, clock=clock)
    assert [t for t, _ in again.rejected] == [tracks[0].id] and again.finished == []


def test_seeking_to_the_end_is_a_skip_and_listening_then_seeking_is_a_finish(setup) -> None:
    session, player, clock, tracks = setup
    play(session, player, clock, tracks[0])
    player.position = 2.0
    session.seek_to(179.0)
    player.post("end", position=180.0)
    play(session, player, clock, tracks[1])
    player.position = 5.0
    session.seek_by(130.0)  # over most of it, then stop a little later
    player.position = 140.0
    play(session, player, clock, tracks[3])
    player.position = 60.0  # heard a minute, then seeked over the rest
    session.seek_to(180.0)
    player.post("end", position=180.0)
    assert outcomes(session) == [("skip", tracks[0].id, None), ("skip", tracks[1].id, None),
                                 ("finish", tracks[3].id, None)]


def test_a_natural_end_and_a_late_stop_are_finishes_an_early_stop_a_skip(setup) -> None:
    session, player, clock, tracks = setup
    play(session, player, clock, tracks[0])
    player.post("end", position=180.0)
    play(session, player, clock, tracks[1])
    player.position = 40.0
    player.post("stopped")
    play(session, player, clock, tracks[2])
    player.position = 10.0
    play(session, player, clock, tracks[3])
    assert outcomes(session) == [("finish", tracks[0].id, None), ("finish", tracks[1].id, None),
                                 ("skip", tracks[2].id, None)]


def test_going_back_is_neither_a_skip_nor_a_finish(setup) -> None:
    session, player, clock, tracks = setup
    play(session, player, clock, tracks[0])
    player.position = 100.0
    play(session, player, clock, tracks[1])  # a finish of tracks[0]
    player.position = 2.0
    session.previous()
    player.deliver()
    assert outcomes(session) == [("finish", tracks[0].id, None)]
    assert session.now_playing is tracks[0]


def test_previous_walks_back_through_what_was_played(setup) -> None:
    session, player, clock, tracks = setup
    a, b, c = tracks[:3]
    for track in (a, b, c):
        play(session, player, clock, track)
        player.position = 1.0
    walked = []
    for _ in range(3):
        player.position = 1.0
        session.previous()
        player.deliver()
        walked.append(session.now_playing)
    assert walked == [b, a, a]  # C -> B -> A, then A restarts (nothing before it)
    assert player.calls[-1] == ("seek", 0.0)
    player.position = 10.0  # more than 3 s in: b restarts the track
    session.previous()
    assert player.calls[-1] == ("seek", 0.0) and session.now_playing is a


def test_queueing_the_playing_track_then_next_logs_once(setup) -> None:
    session, player, clock, tracks = setup
    play(session, player, clock, tracks[0])
    player.position = 5.0
    assert session.enqueue(tracks[0].id) is True  # asked for by name: it plays again
    session.next()
    player.deliver()
    events = [(e["kind"], e["track_id"]) for e in session.history.events(
        kinds=["play", "skip", "finish"], newest_first=False)]
    assert events == [("play", tracks[0].id), ("skip", tracks[0].id), ("play", tracks[0].id)]
    assert session.now_playing is tracks[0]


def test_queueing_an_album_leaves_out_the_playing_track_and_counts_what_was_new(setup) -> None:
    session, player, clock, tracks = setup
    album = [t for t in tracks if t.album == tracks[0].album]
    play(session, player, clock, album[0])
    assert session.enqueue(album[1].id) is True
    assert session.enqueue(album[1].id) is False  # already queued: nothing changes
    result = session.enqueue_many([t.id for t in album])
    assert (result.added, result.already, result.playing) == (len(album) - 2, 1, 1)
    queued = [i.track.id for i in session.up_next if i.user_queued]
    assert queued == [t.id for t in album[1:]] and album[0].id not in queued
    kinds = [e["kind"] for e in session.history.events(kinds=["queue"])]
    assert len(kinds) == len(album) - 1


def test_a_track_finished_then_rejected_is_never_given_as_which_you_finished(setup) -> None:
    session, player, clock, tracks = setup
    liked = tracks[0]
    play(session, player, clock, liked)
    clock.tick(180)
    player.post("end", position=180.0)
    assert any(f" {liked.title}, which you just finished" in i.reason for i in session.up_next)
    play(session, player, clock, liked)  # again, and this time: not this
    player.position = 90.0
    session.not_this()
    player.deliver()
    assert [t for t, _ in session.rejected] == [liked.id]
    assert not any(f" {liked.title}, which you" in i.reason for i in session.up_next)
    # The wording itself, for tracks most like it: never "like <rejected>, which you finished".
    from musitui.recommend.reasons import most_like

    ctx = session.listening()
    assert session.lib.row(liked.id) in [r for r, _ in ctx.finished]
    same_style = [session.lib.row(t.id) for t in tracks[1:5] if t.genre == liked.genre]
    assert not any(like and liked.title in like for like in most_like(session.lib, ctx, same_style))


def test_two_plays_asked_quickly_log_what_happened_once(setup) -> None:
    # The player's events for the first play arrive after the second play was asked for.
    session, player, clock, tracks = setup
    session.play_track(tracks[0].id)
    session.play_track(tracks[1].id)
    assert session.now_playing is tracks[1]
    player.deliver()  # start(0), stopped(0), start(1)
    assert session.now_playing is tracks[1]
    events = [(e["kind"], e["track_id"]) for e in session.history.events(
        kinds=["play", "skip", "finish"], newest_first=False)]
    assert events == [("play", tracks[0].id), ("skip", tracks[0].id), ("play", tracks[1].id)]


def test_a_seek_that_swallows_the_players_start_still_lets_the_play_end(setup) -> None:
    # The real player posts no "start" when a seek overtakes the play before it is heard.
    session, player, clock, tracks = setup
    session.play_track(tracks[0].id)
    player.pending = []  # the "start" that never came
    session.seek_to(5.0)
    player.position = 7.0
    player.post("stopped")
    assert session.now_playing is None
    assert outcomes(session) == [("skip", tracks[0].id, None)]


def test_one_skip_is_one_history_write_and_one_rerank(setup) -> None:
    # The skip and the play that follows it reach the journal in one write (one fsync); the
    # player's "stopped" for the file left and its "start" for the next add no rerank.
    session, player, clock, tracks = setup
    play(session, player, clock, tracks[0])
    writes: list[list[str]] = []
    reranks: list[bool] = []
    append, rerank = session.history._append_many, session.rerank

    def counted_append(events) -> None:
        writes.append([e["kind"] for e in events])
        append(events)

    def counted_rerank(*args, **kwargs) -> None:
        reranks.append(True)
        rerank(*args, **kwargs)

    session.history._append_many = counted_append
    session.rerank = counted_rerank
    clock.tick(10)
    player.position = 10.0
    head = session.up_next[0].track
    assert session.next() is True
    player.deliver()  # "stopped" for the track left, "start" for the next
    assert writes == [["skip", "play"]]
    assert len(reranks) == 1
    assert session.now_playing is head
    assert [t for t, _ in session.skipped] == [tracks[0].id]
    row = session.lib.row(tracks[0].id)
    assert session.lib.skips[row] == 1  # noted once on the ranker's arrays
    assert outcomes(session) == [("skip", tracks[0].id, None)]


def test_history_writes_happen_outside_the_session_lock(setup) -> None:
    session, player, clock, tracks = setup
    held: list[bool] = []
    append = session.history._append_many

    def checking_append(events) -> None:
        # Another thread (the UI's) can take the session lock while the journal is written.
        free: list[bool] = []

        def probe() -> None:
            got = session._lock.acquire(blocking=False)
            free.append(got)
            if got:
                session._lock.release()

        thread = threading.Thread(target=probe)
        thread.start()
        thread.join()
        held.append(not free[0])
        append(events)

    session.history._append_many = checking_append
    play(session, player, clock, tracks[0])
    session.enqueue(tracks[3].id)
    assert held == [False, False]
