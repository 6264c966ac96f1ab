"""The listening history: durable logging, shards, aggregates, damage handling, export/import."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from musitui.core.model import Track
from musitui.store.history import History
from musitui.store.history_shards import shard_files

T0 = 1_767_225_600.0  # 2026-01-01 00:00 UTC


def tracks(n: int = 6) -> list[Track]:
    return [Track(id=i, path=f"/music/t{i}.flac", title=f"Song {i}", artist=f"Artist {i % 3}",
                  duration=200.0) for i in range(1, n + 1)]


def open_history(folder: Path, **options) -> History:
    history = History(folder / "history", folder / "backups", **options)
    history.load()
    return history


def comparable(history: History) -> dict:
    agg = history.aggregates
    return {
        "seq": agg.seq, "events": agg.events, "session": agg.session, "last_ts": agg.last_ts,
        "tracks": sorted((k, *v) for k, v in agg.tracks.items()),
        "artists": sorted((k, *v) for k, v in agg.artists.items()),
        "pairs": sorted((a, b, round(w, 9)) for a, row in agg.pairs.items() for b, w in row.items()),
        "recent": [e["seq"] for e in agg.recent],
    }


def fill(history: History, count: int, start: float = T0, step: float = 100.0) -> None:
    items = tracks()
    for n in range(count):
        track = items[n % len(items)]
        kind = ("play", "finish", "skip")[n % 3]
        history.log_listen(kind, track, position=12.0 if kind == "skip" else None,
                           mood="auto", ts=start + n * step)


def test_events_persist_with_their_fields_and_counts(tmp_path: Path) -> None:
    history = open_history(tmp_path)
    song = tracks()[0]
    history.log_listen("play", song, mood="calm", ts=T0)
    event = history.log_listen("skip", song, position=7.5, mood="calm", ts=T0 + 7.5)
    history.close()
    assert event["listened"] == 7.5 and event["duration"] == 200.0
    again = open_history(tmp_path)
    newest = again.events(limit=1)[0]
    assert {k: newest[k] for k in ("kind", "track_id", "path", "artist", "title", "mood")} == {
        "kind": "skip", "track_id": 1, "path": "/music/t1.flac", "artist": "Artist 1",
        "title": "Song 1", "mood": "calm"}
    assert again.aggregates.tracks[1][:3] == [1, 0, 1]
    assert again.aggregates.artists["Artist 1"][:3] == [1, 0, 1]


def test_a_new_listening_session_starts_after_the_silence_gap(tmp_path: Path) -> None:
    history = open_history(tmp_path, session_gap_minutes=30)
    song = tracks()[0]
    first = history.log_listen("play", song, ts=T0)
    same = history.log_listen("finish", song, ts=T0 + 29 * 60)
    later = history.log_listen("play", song, ts=T0 + 29 * 60 + 31 * 60)
    assert first["session"] == same["session"] != later["session"]


def test_coplay_pairs_follow_finishes_and_skips_within_a_session(tmp_path: Path) -> None:
    history = open_history(tmp_path)
    a, b, c, d = tracks()[:4]
    history.log_listen("finish", a, ts=T0)
    history.log_listen("finish", b, ts=T0 + 200)
    history.log_listen("skip", c, position=5, ts=T0 + 210)
    history.log_listen("finish", d, ts=T0 + 10 * 3600)  # another listening session
    row = history.aggregates.coplay_row(a.id, T0 + 200)
    assert row[b.id] == pytest.approx(1.0)
    assert history.aggregates.coplay_row(b.id, T0 + 210)[c.id] < 0
    assert d.id not in history.aggregates.coplay_row(c.id, T0 + 10 * 3600)
    # time decay: half the weight after the half-life
    assert history.aggregates.coplay_row(a.id, T0 + 200 + 90 * 86400)[b.id] == pytest.approx(0.5, rel=1e-3)


def test_compaction_shards_by_month_and_reopening_gives_the_same_aggregates(tmp_path: Path) -> None:
    # Compacting in the foreground: in the background, how many compactions finish
    # during the burst depends on timing.
    history = open_history(tmp_path, compact_every=40, background_compaction=False)
    fill(history, 130, step=40 * 3600.0)  # about 9 months of events
    live = comparable(history)
    history.close()
    shards = shard_files(tmp_path / "history")
    assert len({p.name[7:14] for p in shards}) >= 6  # one series per month
    reopened = open_history(tmp_path)
    assert comparable(reopened) == live
    assert len(reopened.events()) == 130
    assert [e["seq"] for e in reopened.events(limit=3)] == [130, 129, 128]
    # Without the snapshot everything is rebuilt from the events: same numbers.
    (tmp_path / "history" / "aggregates.npz").unlink()
    rebuilt = open_history(tmp_path)
    assert comparable(rebuilt) == live


def test_a_damaged_shard_is_moved_aside_and_the_rest_loads(tmp_path: Path) -> None:
    history = open_history(tmp_path, compact_every=20)
    fill(history, 60, step=20 * 86400.0)
    history.close()
    shards = shard_files(tmp_path / "history")
    victim = shards[0]
    lost = len(json.loads(victim.read_text())["events"])
    victim.write_bytes(victim.read_bytes()[:50])  # a torn file
    reopened = open_history(tmp_path)
    assert any(victim.name in m and "damaged" in m for m in reopened.messages)
    backups = list((tmp_path / "backups").iterdir())
    assert len(backups) == 1 and backups[0].name.startswith(victim.name)
    assert not victim.exists()
    assert len(reopened.events()) == 60 - lost
    assert reopened.aggregates.events == 60 - lost
    # The fresh snapshot now matches: opening again is quiet.
    assert open_history(tmp_path).messages == []


def test_a_torn_journal_tail_and_bad_lines_are_skipped_and_the_journal_kept_as_it_is(tmp_path: Path) -> None:
    history = open_history(tmp_path)
    fill(history, 5)
    history.close()
    journal = tmp_path / "history" / "journal.jsonl"
    with open(journal, "ab") as handle:
        handle.write(b'{"seq": 6, "kind": "pl')  # killed mid-write: never acknowledged
    torn = journal.read_bytes()
    reopened = open_history(tmp_path)
    assert len(reopened.events()) == 5 and reopened.messages == []
    assert journal.read_bytes() == torn  # reading never rewrites the journal
    reopened.log_listen("play", tracks()[0], ts=T0 + 10_000)
    reopened.close()
    assert len(open_history(tmp_path).events()) == 6  # the new event was not glued to the fragment
    lines = journal.read_bytes().split(b"\n")
    lines.insert(2, b"garbage")
    lines.insert(3, b'{"seq": "x", "ts": 1767225600, "kind": "play"}')
    lines.insert(4, b'{"seq": 99, "ts": "yesterday", "kind": "play"}')
    journal.write_bytes(b"\n".join(lines))
    before = journal.read_bytes()
    damaged = open_history(tmp_path)
    assert len(damaged.events()) == 6
    assert any("skipped 4 unreadable" in m for m in damaged.messages)  # with the fragment
    assert journal.read_bytes() == before  # reading keeps a copy, and changes nothing
    # One copy per damaged version of the file (the fragment alone was one, found above).
    backups = sorted((tmp_path / "backups").iterdir(), key=lambda b: b.stat().st_mtime_ns)
    assert len(backups) == 2 and backups[-1].read_bytes() == before
    assert any(str(backups[-1]) in m for m in damaged.messages)
    assert open_history(tmp_path).events() and len(list((tmp_path / "backups").iterdir())) == 2
    damaged.compact()  # rewrites the journal without the bad lines; the copy is there already
    assert len(list((tmp_path / "backups").iterdir())) == 2
    reopened = open_history(tmp_path)
    assert len(reopened.events()) == 6 and reopened.messages == []


def test_bad_records_in_a_shard_are_skipped_with_a_message(tmp_path: Path) -> None:
    history = open_history(tmp_path, compact_every=10_000)
    fill(history, 12)
    history.compact()
    history.close()
    shard = shard_files(tmp_path / "history")[0]
    data = json.loads(shard.read_text())
    rows = data["events"]
    first, second = sorted(rows, key=int)[:2]
    rows[first]["seq"] = "x"
    rows[second]["ts"] = "yesterday"
    shard.write_text(json.dumps(data))
    (tmp_path / "history" / "aggregates.npz").unlink()  # a full rebuild from the shards
    reopened = open_history(tmp_path)
    assert len(reopened.events()) == 10 and reopened.aggregates.events == 10
    assert any(shard.name in m and "skipped 2" in m for m in reopened.messages)


def test_a_shard_overwritten_with_garbage_is_backed_up_with_a_message(tmp_path: Path) -> None:
    history = open_history(tmp_path, compact_every=10_000)
    fill(history, 12)
    history.compact()
    fill(history, 3, start=T0 + 5000)
    history.close()
    shard = shard_files(tmp_path / "history")[0]
    shard.write_bytes(os.urandom(shard.stat().st_size))  # same size: the snapshot vouches for it
    reopened = open_history(tmp_path)
    assert len(reopened.events()) == 3
    assert any(shard.name in m and "damaged" in m for m in reopened.messages)
    assert len(list((tmp_path / "backups").iterdir())) == 1


WRITER = """
import sys
from musitui.core.model import Track
from musitui.store.history import History
from pathlib import Path
folder = Path(sys.argv[1])
history = History(folder / "history", folder / "backups", compact_every=25)
history.load()
track = Track(id=1, path="/m/a.flac", title="A", artist="B", duration=100.0)
n = 0
while True:
    n += 1
    history.log_listen("play", track, ts=1767225600.0 + n)
    print(n, flush=True)
"""


def test_acknowledged_events_survive_kill_9(tmp_path: Path) -> None:
    process = subprocess.Popen([sys.executable, "-c", WRITER, str(tmp_path)],
                               stdout=subprocess.PIPE, text=True)
    acknowledged = 0
    deadline = time.monotonic() + 20
    while acknowledged < 120 and time.monotonic() < deadline:
        acknowledged = int(process.stdout.readline())
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    process.stdout.close()
    assert acknowledged >= 120
    reopened = open_history(tmp_path)
    assert len(reopened.events()) >= acknowledged
    assert reopened.aggregates.tracks[1][0] >= acknowledged
    assert reopened.messages == []


def test_export_then_import_into_another_home_and_import_twice_adds_nothing(tmp_path: Path) -> None:
    source = open_history(tmp_path / "a", compact_every=10)
    fill(source, 25, step=3600.0)
    out = tmp_path / "history.jsonl"
    assert source.export_jsonl(out) == 25
    assert len(out.read_text().splitlines()) == 25
    target = open_history(tmp_path / "b")
    assert target.import_jsonl(out) == (25, 0)
    assert target.import_jsonl(out) == (0, 25)
    assert target.aggregates.tracks == source.aggregates.tracks
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"kind": "play", "ts": 1}\nnot json\n')
    with pytest.raises(Exception, match="line 2 is not JSON"):
        target.import_jsonl(bad)
    assert len(target.events()) == 25


def test_cli_event_history_export_import_and_recommend(tmp_path: Path, capsys) -> None:
    from session_helpers import build_world

    from musitui.cli import main

    home, catalog, features = build_world(tmp_path / "a")
    features.save()
    track = next(iter(catalog))
    base = ["--home", str(tmp_path / "a")]
    assert main([*base, "event", "play", track.path]) == 0
    assert main([*base, "event", "skip", track.path, "--at", "12.5"]) == 0
    capsys.readouterr()
    assert main([*base, "history", "--json", "--limit", "1"]) == 0
    newest = json.loads(capsys.readouterr().out.strip())
    assert (newest["kind"], newest["track_id"], newest["listened"]) == ("skip", track.id, 12.5)
    assert main([*base, "event", "skip", str(tmp_path / "nope.flac")]) == 1
    assert "is not in the catalog" in capsys.readouterr().err
    out = tmp_path / "export.jsonl"
    assert main([*base, "history", "export", str(out)]) == 0
    build_world(tmp_path / "b")
    assert main(["--home", str(tmp_path / "b"), "history", "import", str(out)]) == 0
    assert "imported 2 events" in capsys.readouterr().out
    assert main([*base, "recommend", "-n", "3", "--json", "--after", track.path, "--mood", "calm"]) == 0
    picks = json.loads(capsys.readouterr().out)
    assert len(picks) == 3 and {"path", "title", "artist", "score", "parts", "reason"} <= set(picks[0])
    assert track.id not in [p["id"] for p in picks]
    assert main([*base, "recommend", "--mood", "grumpy"]) == 2
    assert "unknown mood" in capsys.readouterr().err


def test_append_only_opening_logs_without_the_aggregates(tmp_path: Path) -> None:
    home = type("H", (), {"history_dir": tmp_path / "history", "backups_dir": tmp_path / "backups"})()
    fresh = History.open_for_append(home)  # a brand-new history
    fresh.log_listen("play", tracks()[0], ts=T0)
    fresh.close()
    full = History.open(home, compact_every=10)
    fill(full, 25, start=T0 + 100)
    full.close()
    assert (tmp_path / "history" / "head.json").exists()
    light = History.open_for_append(home)
    assert light.aggregates.tracks == {}  # not loaded ...
    event = light.log_listen("skip", tracks()[1], position=3.0, ts=T0 + 10_000)
    assert event["seq"] == 27  # ... but numbered after everything logged before
    light.close()
    reopened = History.open(home)
    assert [e["seq"] for e in reopened.events(limit=2)] == [27, 26]
    assert reopened.aggregates.events == 27


def test_two_writers_keep_unique_numbers_and_lose_nothing_across_compactions(tmp_path: Path) -> None:
    """The player's History and a script's light logger (`musitui event`) share one folder."""
    from musitui.paths import Home

    home = Home(tmp_path, tmp_path)
    player = History.open(home, background_compaction=False, compact_every=10_000)
    items = tracks()
    player.log_listen("play", items[0], ts=T0)
    script = History.open_for_append(home)
    script.log_listen("finish", items[1], ts=T0 + 10)  # logged behind the player's back
    player.log_listen("skip", items[2], position=5.0, ts=T0 + 20)
    player.compact()  # rewrites the journal: the script's descriptor is now stale
    script.log_listen("play", items[3], ts=T0 + 30)
    player.log_listen("finish", items[4], ts=T0 + 40)
    assert player.aggregates.seq == 5  # it took in the script's two events
    for history in (player, script):
        history.close()

    reopened = open_history(tmp_path)
    events = reopened.events(newest_first=False)
    assert [e["seq"] for e in events] == [1, 2, 3, 4, 5]
    assert [(e["kind"], e["track_id"]) for e in events] == [
        ("play", 1), ("finish", 2), ("skip", 3), ("play", 4), ("finish", 5)]
    assert reopened.aggregates.events == 5


# -- the column-wise rebuild ----------------------------------------------------------------
def exact(agg) -> dict:
    """Every aggregate, floats compared exactly (the rebuild must match apply() bit for bit)."""
    return {
        "seq": agg.seq, "events": agg.events, "session": agg.session, "last_ts": agg.last_ts,
        "t0": agg.t0, "last_outcome": agg.last_outcome, "tracks": agg.tracks,
        "artists": agg.artists, "pairs": agg.pairs, "recent": [e["seq"] for e in agg.recent],
    }


def messy_events(count: int = 3000, seed: int = 7) -> list[dict]:
    """Listening sessions with finishes, skips, repeats, session gaps, mood and queue events,
    unnumbered and duplicated events, out-of-order timestamps, missing artists, and a gap of
    15 years (past the co-play rebase point)."""
    import random

    rng = random.Random(seed)
    events: list[dict] = []
    ts, session = T0, int(T0)
    for n in range(count):
        if rng.random() < 0.08:  # silence: a new listening session
            ts += rng.choice([2 * 3600.0, 40 * 86400.0])
            session = int(ts)
        if n == count // 2:
            ts += 15 * 365 * 86400.0
            session = int(ts)
        ts += rng.uniform(1, 300)
        seq = n + 1
        kind = rng.choice(["play", "finish", "finish", "skip", "skip", "queue", "mood"])
        event = {"seq": seq, "ts": round(ts, 3), "kind": kind, "session": session}
        if kind != "mood":
            track = rng.randint(1, 25)
            event.update(track_id=track, path=f"/m/{track}.flac", title=f"T{track}")
            if rng.random() > 0.1:
                event["artist"] = f"Artist {track % 4}"
        events.append(event)
    events[10]["ts"] = T0 - 5000.0                       # an imported, older event
    events[20] = dict(events[20], seq=0)                 # an unnumbered one
    events.append(dict(events[30]))                      # a duplicate (same seq)
    events.append({"seq": count + 1, "ts": max(e["ts"] for e in events), "kind": "mood",
                   "session": 12345})                    # as new as the newest: "now" moves
    events[40]["session"] = None
    events[41]["artist"] = None
    rng.shuffle(events)                                  # shards come in any order
    return events


def test_column_wise_rebuild_equals_applying_events_one_by_one() -> None:
    from musitui.store.history_aggregates import Aggregates, EventColumns

    events = messy_events()
    expected = exact(Aggregates.replay(events))
    assert expected["t0"] > T0 + 14 * 365 * 86400.0  # the rebase happened
    assert expected["session"] == 12345
    assert any(w < 0 for row in expected["pairs"].values() for w in row.values())  # skip pairs
    assert exact(Aggregates.from_events(events)) == expected
    # Split into "shards" and joined again, as a rebuild from the column files does.
    parts = [EventColumns.of(events[i:i + 700]) for i in range(0, len(events), 700)]
    joined = Aggregates.from_columns(EventColumns.concat(parts), lambda rows: [events[r] for r in rows])
    assert exact(joined) == expected


def test_column_wise_rebuild_of_small_and_partial_histories() -> None:
    from musitui.store.history_aggregates import Aggregates

    events = messy_events(40)
    cases = [[], [e for e in events if e["kind"] == "mood"], [e for e in events if e["kind"] == "play"],
             [e for e in events if e["kind"] in ("play", "skip")], events[:1]]
    for case in cases:
        assert exact(Aggregates.from_events(case)) == exact(Aggregates.replay(case))


def test_events_of_unusual_shape_are_rebuilt_one_by_one() -> None:
    from musitui.store.history_aggregates import Aggregates

    events = messy_events(300)
    events[5] = dict(events[5], seq=str(events[5]["seq"]))  # what the fast path does not take
    assert exact(Aggregates.from_events(events)) == exact(Aggregates.replay(events))


def test_a_snapshot_and_a_rebuild_agree_after_more_logging(tmp_path: Path) -> None:
    """Pairs loaded from a snapshot stay packed in arrays; logging on must add to them."""
    history = open_history(tmp_path, compact_every=50, background_compaction=False)
    fill(history, 120, step=300.0)
    history.close()
    again = open_history(tmp_path)
    fill(again, 60, start=T0 + 120 * 300.0, step=300.0)
    live = exact(again.aggregates)
    again.close()
    (tmp_path / "history" / "aggregates.npz").unlink()
    assert exact(open_history(tmp_path).aggregates) == live


def test_rebuild_reads_column_files_and_remakes_stale_or_broken_ones(tmp_path: Path) -> None:
    from musitui.store.history_shards import columns_path

    history = open_history(tmp_path, compact_every=30, background_compaction=False)
    fill(history, 200, step=6 * 86400.0)
    live = comparable(history)
    history.close()
    shards = shard_files(tmp_path / "history")
    assert shards and all(columns_path(p).exists() for p in shards)  # written by compaction
    snapshot = tmp_path / "history" / "aggregates.npz"
    snapshot.unlink()
    written = {p: columns_path(p).stat().st_mtime_ns for p in shards}
    assert comparable(open_history(tmp_path)) == live
    # Current column files were read, not made again.
    assert {p: columns_path(p).stat().st_mtime_ns for p in shards} == written
    # A broken column file and one for an older version of its shard: both made again.
    columns_path(shards[0]).write_bytes(b"not a zip")
    stale = columns_path(shards[1])
    shards[1].write_bytes(shards[1].read_bytes() + b" ")  # same events, new size and mtime
    before = stale.stat().st_mtime_ns
    snapshot.unlink()
    reopened = open_history(tmp_path)
    assert comparable(reopened) == live and reopened.messages == []
    assert stale.stat().st_mtime_ns != before
    import numpy as np

    with np.load(columns_path(shards[0])) as data:
        assert len(data["seq"]) == len(json.loads(shards[0].read_text())["events"])
    # The column file of a damaged shard goes with it.
    shards[2].write_bytes(b"{broken")
    snapshot.unlink()
    damaged = open_history(tmp_path)
    assert any(shards[2].name in m and "damaged" in m for m in damaged.messages)
    assert not columns_path(shards[2]).exists()


def test_logging_from_a_script_needs_no_numpy(tmp_path: Path) -> None:
    history = open_history(tmp_path, compact_every=10, background_compaction=False)
    fill(history, 25)
    history.close()
    code = ("import sys\nfrom pathlib import Path\nfrom musitui.core.model import Track\n"
            "from musitui.store.history import History\n"
            "home = type('H', (), {'history_dir': Path(sys.argv[1]) / 'history',"
            " 'backups_dir': Path(sys.argv[1]) / 'backups'})()\n"
            "h = History.open_for_append(home)\n"
            "h.log_listen('play', Track(id=1, path='/m/a.flac', title='A', artist='B', duration=9.0))\n"
            "h.close()\nprint('numpy' in sys.modules)\n")
    done = subprocess.run([sys.executable, "-c", code, str(tmp_path)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False"
    assert open_history(tmp_path).aggregates.events == 26


def test_scripted_commands_exit_at_once_with_everything_written(tmp_path: Path) -> None:
    # `recommend` and `event` skip the interpreter's teardown (os._exit in musitui.cli.entry):
    # their output must still arrive whole through a pipe, the event must be on disk, and
    # the exit status must be the command's.
    from session_helpers import build_world

    home, catalog, features = build_world(tmp_path)
    features.save()
    track = next(iter(catalog))
    run = [sys.executable, "-m", "musitui", "--home", str(tmp_path)]
    logged = subprocess.run([*run, "event", "finish", track.path], capture_output=True, text=True)
    assert logged.returncode == 0 and logged.stdout.startswith("logged finish")
    picks = subprocess.run([*run, "recommend", "-n", "5", "--json"], capture_output=True, text=True)
    assert picks.returncode == 0 and len(json.loads(picks.stdout)) == 5
    wrong = subprocess.run([*run, "recommend", "--mood", "grumpy"], capture_output=True, text=True)
    assert wrong.returncode == 2 and "unknown mood" in wrong.stderr
    assert [e["kind"] for e in History.open(home).events()] == ["finish"]
