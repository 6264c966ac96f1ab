"""A full disk: reading commands still work, and a failed write says what failed, where."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from cli_helpers import musitui
from library_helpers import make_track


@pytest.fixture
def small_home(tmp_path: Path):
    if os.geteuid() != 0:
        pytest.skip("needs root to mount a small tmpfs")
    home = tmp_path / "home"
    home.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(home)],
                      capture_output=True).returncode != 0:
        pytest.skip("mount is not permitted here")
    try:
        yield home
    finally:
        subprocess.run(["umount", "-l", str(home)], capture_output=True)


def fill(folder: Path) -> None:
    with open(folder / "filler", "wb") as handle:
        try:
            while True:
                handle.write(b"\0" * 65536)
                handle.flush()
        except OSError:
            pass


def test_reads_work_and_a_failed_write_says_what_and_where(tmp_path: Path, small_home: Path) -> None:
    music = tmp_path / "music"
    song = make_track(music, "a.wav", "wav", title="A", artist="B")
    assert musitui("scan", "--no-analyze", str(music), home=small_home).returncode == 0
    for _ in range(3):
        assert musitui("event", "play", str(song), home=small_home).returncode == 0
    with open(small_home / "history" / "journal.jsonl", "ab") as handle:
        handle.write(b'{"seq": 4, "kind": "pl')  # a torn tail: reading used to rewrite it
    fill(small_home)
    shown = musitui("history", "--json", home=small_home)
    assert shown.returncode == 0, shown.stderr
    assert len(shown.stdout.splitlines()) == 3
    recommend = musitui("recommend", home=small_home)
    assert recommend.returncode == 0, recommend.stderr
    assert "Traceback" not in shown.stderr + recommend.stderr

    make_track(music, "b.wav", "wav", title="C", artist="D")
    failed = musitui("scan", "--no-analyze", str(music), home=small_home)
    assert failed.returncode != 0
    line = [x for x in failed.stderr.splitlines() if x.startswith("musitui: ")][-1]
    assert "No space left on device" in line and str(small_home) in line
    crash = small_home / "crash.log"
    assert "Traceback" not in failed.stderr  # never on the terminal, even when crash.log fails
    if "no details kept" in line:
        assert not crash.exists() or crash.stat().st_size > 0
    else:
        assert crash.stat().st_size > 0


def test_events_on_a_full_disk_say_what_was_not_saved_and_leave_no_torn_line(
        tmp_path: Path, small_home: Path) -> None:
    music = tmp_path / "music"
    song = make_track(music, "a.wav", "wav", title="A", artist="B")
    assert musitui("scan", "--no-analyze", str(music), home=small_home).returncode == 0
    assert musitui("event", "play", str(song), home=small_home).returncode == 0
    journal = small_home / "history" / "journal.jsonl"
    fill(small_home)
    saved = failures = 0
    for _ in range(80):  # the journal's last page may still hold a few lines
        size = journal.stat().st_size
        done = musitui("event", "finish", str(song), home=small_home)
        assert "Traceback" not in done.stderr, done.stderr
        if done.returncode == 0:
            saved += 1
            continue
        failures += 1
        line = done.stderr.strip().splitlines()[-1]
        assert "was not saved" in line and "No space left on device" in line, line
        assert str(journal) in line
        assert journal.stat().st_size == size  # nothing torn left behind
        if failures == 10:
            break
    assert failures == 10
    (small_home / "filler").unlink()
    shown = musitui("history", "--json", home=small_home)
    assert shown.returncode == 0 and shown.stderr == "", shown.stderr
    assert len(shown.stdout.splitlines()) == 1 + saved
