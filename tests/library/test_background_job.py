"""The player's background job (scan, analysis, demo) runs in a process of its own and reports
JSON lines; the TUI follows it, re-reads the catalog it saves, and stops it on quit."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
from analysis_helpers import calm_piece, energetic_piece, write
from tui_helpers import (
    Opener,
    app_with_jobs,
    build_world,
    run_async,
    scanned_and_analysed,
    up_next_ids,
    wait_for,
)

from musitui.analysis.version import FEATURE_VERSION
from musitui.paths import Home
from musitui.store.catalog import Catalog


def music_folder(root: Path, count: int, seconds: float = 8.0) -> Path:
    folder = root / "music"
    folder.mkdir(parents=True)
    for n in range(count):
        piece = energetic_piece(seconds) if n % 2 else calm_piece(seconds)
        write(folder / f"piece {n:02d}.flac", piece * (0.5 + 0.04 * n))
    (folder / "not audio.mp3").write_text("this is text, not an MP3")
    return folder


def start_job(home: Path, spec: dict) -> subprocess.Popen:
    full = {"config_dir": str(home), "data_dir": str(home), **spec}
    return subprocess.Popen([sys.executable, "-m", "musitui.background_job", json.dumps(full)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def analysed(home: Path) -> int:
    catalog = Catalog.open(Home(home, home))
    return sum(1 for t in catalog.present()
               if t.analysis is not None and t.analysis.feature_version == FEATURE_VERSION)


def test_the_job_reports_stops_on_sigint_keeping_its_work_and_a_rerun_continues(tmp_path: Path) -> None:
    folder = music_folder(tmp_path, 14)
    home = tmp_path / "home"
    job = start_job(home, {"folders": [str(folder)], "analyze": True})
    messages = []
    assert job.stdout is not None
    for line in job.stdout:
        messages.append(json.loads(line))
        if "progress" in messages[-1]:
            job.send_signal(signal.SIGINT)  # as the player does when it quits
            break
    messages += [json.loads(line) for line in job.stdout]
    assert job.wait(timeout=300) == 130, job.stderr.read() if job.stderr else ""
    assert messages[0] == {"status": "scanning music…"}
    assert {"saved": "scan"} in messages and {"scanned": True} in messages
    readings = [m["reading"] for m in messages if "reading" in m]
    assert readings and readings[-1] == [15, 15]  # 14 pieces and the text file: tags read
    problems = [m for m in messages if "problems" in m]
    assert problems and problems[0]["what"] == "could not be read"
    assert problems[0]["problems"][0].startswith("not audio.mp3: ")
    assert len(Catalog.open(Home(home, home)).present()) == 14  # the scan was saved
    kept = analysed(home)
    assert 1 <= kept < 14  # what finished before the stop was kept, the rest was not done

    rerun = start_job(home, {"folders": [str(folder)], "analyze": True})
    out, err = rerun.communicate(timeout=600)
    assert rerun.returncode == 0, err[-2000:]
    lines = [json.loads(line) for line in out.splitlines()]
    progress = [m["progress"] for m in lines if "progress" in m]
    assert progress and progress[-1] == [14 - kept, 14 - kept]  # only the rest was analysed
    assert {"saved": "analysis"} in lines
    assert analysed(home) == 14


def test_a_failing_job_says_so_in_one_line(tmp_path: Path) -> None:
    job = subprocess.run([sys.executable, "-m", "musitui.background_job", "{not json"],
                         capture_output=True, text=True, timeout=60)
    assert job.returncode == 1
    last = json.loads(job.stdout.splitlines()[-1])
    assert set(last) == {"failed"} and "\n" not in last["failed"]


def test_reload_swaps_in_what_another_process_saved_and_hands_over_the_old_table(tmp_path: Path) -> None:
    home = Home(tmp_path, tmp_path).ensure()
    writer = Catalog.open(home)
    writer.new_track(str(tmp_path / "a.flac"), title="A")
    writer.save()
    reader = Catalog.open(home)
    retired: list[object] = []
    reader.retire = lambda *objects: retired.extend(objects)
    assert reader.reload() is False and not retired  # nothing changed on disk
    old_table = reader.tracks
    time.sleep(0.01)
    writer.new_track(str(tmp_path / "b.flac"), title="B")
    writer.save()
    assert reader.reload() is True
    assert sorted(t.title for t in reader) == ["A", "B"]
    assert reader.by_path(str(tmp_path / "b.flac")) is not None
    assert old_table in retired and reader.tracks is not old_table
    assert len(old_table) == 1  # the reader's old table was left whole for whoever still reads it


def test_retired_structures_are_emptied_only_when_nobody_else_holds_them() -> None:
    from musitui.tui.quiet_gc import dismantle

    class Holder:
        pass

    shared = [str(i) for i in range(5000)]
    holder = Holder()
    holder.mine = [str(i) for i in range(5000)]
    holder.table = {i: str(i) for i in range(5000)}
    holder.shared = shared
    holder.array = np.arange(10)
    dismantle(holder)
    assert holder.mine == [] and holder.table == {}
    assert len(shared) == 5000 and len(holder.array) == 10  # still used elsewhere / not a container


@run_async
async def test_the_player_follows_a_background_scan_and_analysis_and_stops_it_on_quit(tmp_path: Path,
                                                                                      tui: Opener) -> None:
    world = build_world(tmp_path, per_artist=2, seconds=6.0)
    for n in range(3):  # new files in the remembered folder: the scan adds them
        write(world.music / f"new {n}.flac", energetic_piece(6.0) * (0.3 + 0.2 * n))
    session, app, jobs = app_with_jobs(world, tui)
    async with app.run_test(size=(120, 40)) as pilot:
        await scanned_and_analysed(pilot, app, jobs, 11)
        assert analysed(world.home.data_dir) == 11  # the fake features of the world were replaced
        titles = {world.catalog.tracks[i].title for i in up_next_ids(app)}
        assert titles and len(up_next_ids(app)) >= 5
        # A second scan; quitting while it runs stops it.
        for n in range(3, 9):
            write(world.music / f"new {n}.flac", calm_piece(6.0) * (0.2 + 0.1 * n))
        jobs.scan_folder(app, str(world.music))
        await wait_for(pilot, lambda: jobs._process is not None and jobs._process.poll() is None
                       and jobs.busy.locked(), timeout=300)
        process = jobs._process
    assert jobs.stop.is_set()  # the app told the job to stop as it closed
    session.close()
    # 130: stopped and saved; -SIGTERM: the signal came before it had set up (nothing to save).
    assert process.wait(timeout=300) in (0, 130, -signal.SIGTERM)


def test_a_retired_structure_is_freed_in_steps_once_its_last_user_lets_go(monkeypatch) -> None:
    from musitui.tui import quiet_gc

    monkeypatch.setattr(quiet_gc, "RETIRE_DELAY", 0.0)
    monkeypatch.setattr(quiet_gc, "RETRY_SECONDS", 0.05)
    steps: list[int] = []

    class Recording(list):
        def __delitem__(self, index) -> None:
            steps.append(len(self))
            super().__delitem__(index)

    class Holder:
        pass

    holder = Holder()
    holder.items = Recording(str(i) for i in range(5000))
    quiet_gc.retire(holder)
    time.sleep(0.3)
    assert steps == []  # this test still holds it: left alone
    del holder
    deadline = time.monotonic() + 120  # generous: only a hang fails
    while len(steps) < 3 and time.monotonic() < deadline:
        time.sleep(0.02)
    assert steps == [5000, 5000 - quiet_gc.RETIRE_CHUNK, 5000 - 2 * quiet_gc.RETIRE_CHUNK]
