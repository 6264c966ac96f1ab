"""The library keeps itself up to date: files added, changed, moved or removed under a watched
folder are noticed with no key pressed, coalesced, never handed on half-written, and go
through the normal scan -> analysis path (the player's background job)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from analysis_helpers import calm_piece, energetic_piece, write
from tui_helpers import Opener, build_world, make_app, run_async, wait_for

from musitui.analysis.version import FEATURE_VERSION
from musitui.library.watch import FolderWatch
from musitui.paths import Home
from musitui.store.catalog import Catalog
from musitui.store.history import History

PATIENCE = 60.0  # seconds an event may take to arrive on a loaded machine


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def wait_until(condition: Callable[[], bool]) -> None:
    deadline = time.monotonic() + PATIENCE
    while not condition():
        assert time.monotonic() < deadline, "the watch never saw the change"
        time.sleep(0.05)


def settle(watch: FolderWatch, clock: FakeClock, rounds: int = 4) -> list[str]:
    """Let the fake clock run past the settle time a few times (a moving file resets it)."""
    for _ in range(rounds):
        clock.now += watch.settle_seconds + 0.1
        ready = watch.settled()
        if ready:
            return ready
    return []


def settle_eventually(watch: FolderWatch, clock: FakeClock) -> list[str]:
    """As the watch thread does: look again until the folder settles (events still arriving,
    such as the close of a copied file, keep it pending)."""
    deadline = time.monotonic() + PATIENCE
    while True:
        ready = settle(watch, clock, rounds=1)
        if ready or time.monotonic() > deadline:
            return ready
        time.sleep(0.05)


@pytest.fixture
def music(tmp_path: Path) -> Path:
    folder = tmp_path / "music"
    folder.mkdir()
    return folder


def started(folder: Path, clock: FakeClock, **options: object) -> FolderWatch:
    watch = FolderWatch([str(folder)], lambda _folder: None, clock=clock, **options)  # type: ignore[arg-type]
    watch.start(thread=False)
    assert watch.mode in ("inotify", "polling"), watch.problem
    return watch


def test_a_copied_file_settles_its_folder_once(music: Path, tmp_path: Path) -> None:
    source = write(tmp_path / "piece.flac", calm_piece(2.0))
    clock = FakeClock()
    watch = started(music, clock)
    try:
        shutil.copy(source, music / "piece.flac")
        (music / "cover.jpg").write_bytes(b"not music")  # ignored: changes nothing in the catalog
        wait_until(lambda: bool(watch.pending_folders()))
        assert watch.settled() == []  # not quiet yet
        assert settle_eventually(watch, clock) == [str(music.resolve())]
        assert watch.settled() == [] and watch.pending_folders() == []  # handed on once
    finally:
        watch.stop()


def test_a_file_still_being_written_is_not_handed_on_until_it_is_complete(music: Path) -> None:
    clock = FakeClock()
    watch = started(music, clock)
    data = (b"\x00" * 4096)
    try:
        with open(music / "growing.wav", "wb") as out:
            out.write(data)
            out.flush()
            wait_until(lambda: bool(watch.pending_folders()))
            for _ in range(5):  # quiet for much longer than the settle time, but still open
                clock.now += watch.settle_seconds * 3
                assert watch.settled() == []
            out.write(data)
        # closed: complete once the close event has arrived and the size holds still
        assert settle_eventually(watch, clock) == [str(music.resolve())]
    finally:
        watch.stop()


def test_without_inotify_a_periodic_check_sees_changes_and_waits_for_a_steady_size(music: Path) -> None:
    clock = FakeClock()
    watch = started(music, clock, inotify=False, poll_seconds=0.2)
    assert watch.mode == "polling"
    try:
        target = music / "slow.wav"
        target.write_bytes(b"\x00" * 1000)
        wait_until(lambda: bool(watch.pending_folders()))
        target.write_bytes(b"\x00" * 2000)  # still growing between two looks
        clock.now += watch.settle_seconds + 0.1
        assert watch.settled() == []  # its size moved since the event: wait again
        assert settle(watch, clock) == [str(music.resolve())]
    finally:
        watch.stop()


def run_job(home: Path, folder: Path) -> list[dict[str, object]]:
    spec = {"config_dir": str(home), "data_dir": str(home), "folders": [str(folder)], "analyze": True}
    done = subprocess.run([sys.executable, "-m", "musitui.background_job", json.dumps(spec)],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    return [json.loads(line) for line in done.stdout.splitlines() if line.strip()]


def test_watched_changes_reach_the_catalog_analysed_moved_with_history_and_removed_missing(
        music: Path, tmp_path: Path) -> None:
    home = tmp_path / "home"
    write(music / "first.flac", calm_piece(4.0))
    write(music / "second.flac", energetic_piece(4.0) * 0.5)
    run_job(home, music)
    catalog = Catalog.open(Home(home, home))
    first = catalog.by_path(str(music / "first.flac"))
    assert first is not None
    history = History.open(Home(home, home))
    history.log_listen("finish", first, position=4.0)
    history.close()

    scanned: list[str] = []
    clock = FakeClock()
    watch = FolderWatch([str(music)], scanned.append, clock=clock)
    watch.start(thread=False)
    try:
        write(tmp_path / "third.flac", energetic_piece(4.0))
        shutil.copy(tmp_path / "third.flac", music / "third.flac")  # added
        (music / "moved").mkdir()
        (music / "first.flac").rename(music / "moved" / "first.flac")  # moved
        (music / "second.flac").unlink()  # removed
        wait_until(lambda: bool(watch.pending_folders()))
        ready = settle_eventually(watch, clock)
        assert ready == [str(music.resolve())]
        for folder in ready:
            run_job(home, Path(folder))  # what the player's job runs for a settled folder
    finally:
        watch.stop()

    catalog = Catalog.open(Home(home, home))
    third = catalog.by_path(str(music / "third.flac"))
    assert third is not None and not third.missing
    assert third.analysis is not None and third.analysis.feature_version == FEATURE_VERSION
    moved = catalog.by_path(str(music / "moved" / "first.flac"))
    assert moved is not None and moved.id == first.id  # a moved file keeps its id ...
    events = History.open(Home(home, home)).events(kinds=["finish"])
    assert [e["track_id"] for e in events] == [first.id]  # ... and so its history
    second = [t for t in catalog.tracks.values() if t.path.endswith("second.flac")]
    assert len(second) == 1 and second[0].missing


@run_async
async def test_the_player_scans_and_analyses_a_file_copied_into_its_folder_with_no_key_pressed(
        tmp_path: Path, tui: Opener) -> None:
    from musitui.tui.jobs import BackgroundJobs

    world = build_world(tmp_path, per_artist=1, seconds=6.0)
    session, config = tui.session(world, device=None)
    jobs = BackgroundJobs(world.home, world.catalog, session, folders=[], analyze=True,
                          watch_folders=[str(world.music)])
    app = make_app(world, session, config, jobs=jobs)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: jobs._watch is not None and jobs._watch.mode != "off",
                       timeout=60)
        before = app.model.track_count
        write(tmp_path / "arrived.flac", energetic_piece(5.0))
        shutil.copy(tmp_path / "arrived.flac", world.music / "arrived.flac")
        await wait_for(pilot, lambda: app.model.track_count == before + 1, timeout=300)
        await wait_for(pilot, lambda: not jobs.busy.locked() and not jobs._changed, timeout=600)
        arrived = world.catalog.by_path(str(world.music / "arrived.flac"))
        assert arrived is not None and arrived.analysis is not None
        assert arrived.analysis.feature_version == FEATURE_VERSION
