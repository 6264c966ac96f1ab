"""The headless session: queue rules, skip rule, resume, and a run through the real null player."""

from __future__ import annotations

import time
from pathlib import Path

from session_helpers import (
    Clock,
    Event,
    build_world,
    home_at,
    listen,
    make_session,
    style_of,
    write_audio,
)

from musitui.config import Config
from musitui.store.catalog import Catalog
from musitui.store.history import History


def ids(session) -> list[int]:
    return [item.track.id for item in session.up_next]


def test_a_queued_track_stays_where_the_user_put_it(tmp_path: Path) -> None:
    home, catalog, features = build_world(tmp_path)
    clock = Clock()
    session = make_session(home, catalog, features, clock=clock)
    folk = [t for t in catalog if style_of(t) == "folk"]
    session.enqueue(folk[0].id)
    session.enqueue(folk[1].id)
    assert ids(session)[:2] == [folk[0].id, folk[1].id]
    assert all(item.user_queued for item in session.up_next[:2])
    assert not session.up_next[2].user_queued
    # Listening to other things reranks the tail, never the user's part.
    for track in [t for t in catalog if style_of(t) == "pop"][:3]:
        listen(session, clock, track, finish=True)
        assert ids(session)[:2] == [folk[0].id, folk[1].id]
    session.move_in_queue(1, -1)
    assert ids(session)[:2] == [folk[1].id, folk[0].id]
    # Moving a recommended track up makes it the user's too, at the place it was put.
    tail_head = ids(session)[2]
    session.move_in_queue(2, -1)
    assert ids(session)[:3] == [folk[1].id, tail_head, folk[0].id]
    session.remove_from_queue(0)
    assert ids(session)[:2] == [tail_head, folk[0].id]
    kinds = [e["kind"] for e in session.history.events(kinds=["queue", "dequeue"], newest_first=False)]
    assert kinds == ["queue", "queue", "dequeue"]


def test_playing_the_head_consumes_it_and_a_stop_before_the_threshold_is_a_skip(tmp_path: Path) -> None:
    home, catalog, features = build_world(tmp_path, duration=200.0)
    clock = Clock()
    session = make_session(home, catalog, features, clock=clock)
    head = session.up_next[0].track
    session.handle_player_event(Event("start", head.path, 0.0, 200.0))
    assert session.now_playing is head and head.id not in ids(session)
    clock.tick(29)
    session.handle_player_event(Event("stopped", head.path, 29.0, 200.0))
    second = session.up_next[0].track
    session.handle_player_event(Event("start", second.path, 0.0, 200.0))
    clock.tick(31)
    session.handle_player_event(Event("stopped", second.path, 31.0, 200.0))
    kinds = [(e["kind"], e["track_id"]) for e in session.history.events(newest_first=False)]
    assert kinds == [("play", head.id), ("skip", head.id), ("play", second.id), ("finish", second.id)]


def test_not_this_pushes_similar_tracks_further_down_than_a_skip(tmp_path: Path) -> None:
    home, catalog, features = build_world(tmp_path)
    clock = Clock()
    session = make_session(home, catalog, features, clock=clock)
    pop = [t for t in catalog if style_of(t) == "pop"]
    for track in pop[:3]:
        listen(session, clock, track, finish=True)
    assert style_of(session.up_next[0].track) == "pop"
    session.not_this()  # nothing playing: drops the head and pushes its kind down
    assert "pop" not in [style_of(i.track) for i in session.up_next[:5]]
    assert session.up_next[0].parts["skip"] >= 0


def test_without_a_player_playback_calls_say_why_nothing_plays(tmp_path: Path) -> None:
    home, catalog, features = build_world(tmp_path)
    session = make_session(home, catalog, features)
    changes: list[str] = []
    session.subscribe(changes.append)
    assert session.play_track(session.up_next[0].track.id) is False
    session.toggle_pause()
    assert session.messages[-1].startswith("nothing plays:")
    assert "message" in changes and session.now_playing is None

    class Unavailable:
        available = False
        problem = "PortAudio found no output device; install libportaudio2"

        def subscribe(self, callback) -> None:
            pass

    other = make_session(home, catalog, features, player=Unavailable())
    other.play_next_in_queue()
    assert other.messages[-1] == "nothing plays: PortAudio found no output device; install libportaudio2"


def test_state_is_saved_and_restored(tmp_path: Path) -> None:
    home, catalog, features = build_world(tmp_path)
    clock = Clock()
    session = make_session(home, catalog, features, clock=clock)
    chosen = [t.id for t in catalog][:2]
    for track_id in chosen:
        session.enqueue(track_id)
    session.set_mood("sad")
    session.set_volume(35)
    session.save_state()
    restored = make_session(home, catalog, features, clock=clock)
    assert restored.restore_state() is True
    assert restored.mood == "sad" and restored.volume == 35
    assert ids(restored)[:2] == chosen
    (home.state_file).write_text("{ broken")
    again = make_session(home, catalog, features, clock=clock)
    assert again.restore_state() is False
    assert "damaged" in again.messages[-1]
    assert list(home.backups_dir.iterdir())


def test_the_listening_session_is_picked_up_after_a_restart(tmp_path: Path) -> None:
    home, catalog, features = build_world(tmp_path)
    clock = Clock()
    session = make_session(home, catalog, features, clock=clock)
    for track in [t for t in catalog if style_of(t) == "ambient"][:3]:
        listen(session, clock, track, finish=True)
    session.close()
    clock.tick(60)
    restarted = make_session(home, catalog, features, clock=clock)
    assert len(restarted.finished) == 3
    assert style_of(restarted.up_next[0].track) == "ambient"
    clock.tick(2 * 3600)  # after the silence gap: a new listening session
    assert make_session(home, catalog, features, clock=clock).finished == []


def wait_for(predicate, timeout: float = 15.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return predicate()


def test_through_the_real_null_player_with_gapless_hand_over(tmp_path: Path) -> None:
    from musitui.playback import Player

    home = home_at(tmp_path)
    catalog = Catalog.open(home)
    tracks = []
    for n, freq in enumerate((330.0, 440.0, 550.0)):
        path = write_audio(tmp_path / "music" / f"tone{n}.wav", seconds=1.0, freq=freq)
        tracks.append(catalog.new_track(str(path), title=f"Tone {n}", artist=f"Artist {n}",
                                        genre="test", duration=1.0))
    long_path = write_audio(tmp_path / "music" / "long.wav", seconds=40.0, freq=220.0)
    long_track = catalog.new_track(str(long_path), title="Long", artist="Artist L", duration=40.0)
    catalog.save()
    config = Config()
    # Real-time null output: with 1 s tracks the fast one can outrun the set_next reply.
    player = Player(device="null")
    assert player.available, player.problem
    session = make_session(home, catalog, None, player=player, config=config, clock=time.time)
    try:
        session.enqueue(tracks[1].id)
        session.enqueue(tracks[2].id)
        changes: list[str] = []
        session.subscribe(changes.append)
        assert session.play_track(tracks[0].id)

        def finished() -> list[int]:
            return [e["track_id"] for e in session.history.events(kinds=["finish"], newest_first=False)]

        assert wait_for(lambda: len(finished()) >= 3), session.history.events()
        assert finished()[:3] == [t.id for t in tracks]
        plays = [e["track_id"] for e in session.history.events(kinds=["play"], newest_first=False)]
        assert plays[:3] == [t.id for t in tracks]
        assert not any(item.user_queued for item in session.up_next)  # consumed by playing
        assert "now_playing" in changes and "queue" in changes
        # next() early is a skip: start the long track and skip it at once.
        session.play_track(long_track.id)
        assert wait_for(lambda: session.now_playing is long_track)
        session.next()
        skips = session.history.events(kinds=["skip"])
        assert skips and skips[0]["track_id"] == long_track.id
    finally:
        session.close()
    reopened = History.open(home, config)
    assert reopened.aggregates.tracks[tracks[0].id][1] == 1


def test_a_resumed_track_stays_paused_at_its_position(tmp_path: Path) -> None:
    from musitui.playback import Player

    home = home_at(tmp_path)
    catalog = Catalog.open(home)
    path = write_audio(tmp_path / "music" / "long.wav", seconds=30.0, freq=220.0)
    track = catalog.new_track(str(path), title="Long", artist="Artist L", duration=30.0)
    catalog.save()
    first = make_session(home, catalog, None, player=Player(device="null"), clock=time.time)
    try:
        assert first.play_track(track.id)
        assert wait_for(lambda: first.now_playing is track and first.position > 0.3)
        first.seek_to(12.0)
        assert wait_for(lambda: first.position >= 12.0)
        first.save_state()
    finally:
        first.close()
    player = Player(device="null")
    resumed = make_session(home, catalog, None, player=player, clock=time.time)
    try:
        assert resumed.restore_state() is True
        assert wait_for(lambda: player.state == "paused" and player.current_path == str(path))
        time.sleep(0.3)  # let the player's "start" event reach the session
        assert resumed.now_playing is track
        assert resumed.paused is True
        assert 11.5 <= resumed.position <= 13.0
    finally:
        resumed.close()


def test_a_full_disk_costs_the_event_not_the_session(tmp_path: Path) -> None:
    import errno

    home, catalog, features = build_world(tmp_path)
    session = make_session(home, catalog, features)

    def disk_full(events) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    session.history._append_many = disk_full
    first = session.up_next[0].track.id
    assert session.set_mood("calm") is True
    session.enqueue(first)
    assert session.mood == "calm" and ids(session)[0] == first
    assert session.messages[-1] == ("could not save to the listening history (No space left "
                                    "on device); this event was not recorded")
    assert session.messages.count(session.messages[-1]) == 1  # said once, not per event


def test_a_library_reload_keeps_what_was_played_while_it_was_building(tmp_path: Path) -> None:
    # reload_library builds the new arrays outside the session lock (it takes seconds at
    # 50k tracks); a play that finishes meanwhile must be counted once, not lost or doubled.
    home, catalog, features = build_world(tmp_path)
    clock = Clock()
    session = make_session(home, catalog, features, clock=clock)
    track = next(iter(catalog))
    build_columns = session.ranking.track_columns

    def columns_while_a_track_is_played():
        columns = build_columns()
        listen(session, clock, track, finish=True)
        return columns

    session.ranking.track_columns = columns_while_a_track_is_played
    session.reload_library()
    row = session.lib.row(track.id)
    assert (session.lib.plays[row], session.lib.finishes[row]) == (1, 1)
    assert session.lib.last_played[row] > 0
