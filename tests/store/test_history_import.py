"""`history import` checks everything first, imports all or nothing, and bounds what it reads;
hostile history files (head.json, journal lines) never break `event`, `history`, `recommend`."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
from pathlib import Path

import pytest
from cli_helpers import musitui
from library_helpers import make_track

T0 = 1_767_225_600.0


@pytest.fixture
def home(tmp_path: Path) -> Path:
    home = tmp_path / "home"
    make_track(tmp_path / "music", "a.wav", "wav", title="A", artist="B")
    assert musitui("scan", "--no-analyze", str(tmp_path / "music"), home=home).returncode == 0
    return home


def good(n: int) -> dict:
    return {"ts": T0 + n, "kind": "play", "path": "/x/a.wav", "artist": "B", "title": "A",
            "session": int(T0)}


def history_size(home: Path) -> int:
    out = musitui("history", "--json", "--limit", "0", home=home)
    assert out.returncode == 0 and "Traceback" not in out.stderr
    return len(out.stdout.splitlines())


@pytest.mark.parametrize("bad", [
    {"session": "s"}, {"ts": 1e300}, {"ts": -5.0}, {"ts": "yesterday"}, {"kind": "dance"},
    {"position": float("nan")},
])
def test_a_bad_event_anywhere_imports_nothing(home: Path, tmp_path: Path, bad: dict) -> None:
    lines = [good(n) for n in range(5)]
    lines[3] = {**lines[3], **bad}
    source = tmp_path / "in.jsonl"
    source.write_text("".join(json.dumps(e) + "\n" for e in lines))
    done = musitui("history", "import", str(source), home=home)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert "line 4" in done.stderr and "nothing was imported" in done.stderr
    assert history_size(home) == 0
    # The next good import works, and recommend still runs.
    source.write_text("".join(json.dumps(good(n)) + "\n" for n in range(5)))
    assert musitui("history", "import", str(source), home=home).returncode == 0
    assert history_size(home) == 5
    recommend = musitui("recommend", "--json", home=home)
    assert recommend.returncode == 0 and "Traceback" not in recommend.stderr


def test_import_refuses_devices_fifos_huge_lines(home: Path, tmp_path: Path) -> None:
    done = musitui("history", "import", "/dev/zero", timeout=60, home=home)
    assert done.returncode == 1 and "not a regular file" in done.stderr
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    done = musitui("history", "import", str(fifo), timeout=60, home=home)  # nobody writes: no hang
    assert done.returncode == 1 and "not a regular file" in done.stderr
    long_line = tmp_path / "long.jsonl"
    long_line.write_text(json.dumps({**good(0), "title": "x" * (2 * 1024 * 1024)}) + "\n")
    done = musitui("history", "import", str(long_line), home=home)
    assert done.returncode == 1 and "longer than" in done.stderr
    assert history_size(home) == 0


def test_bounded_reader_refuses_files_over_the_cap(tmp_path: Path) -> None:
    from musitui.store.history import HistoryError, read_bounded

    big = tmp_path / "big.jsonl"
    big.write_bytes(b"x" * 2048)
    with pytest.raises(HistoryError, match="larger than"):
        read_bounded(big, limit=1024)
    assert read_bounded(big, limit=4096) == b"x" * 2048


def test_a_non_object_head_and_bad_journal_lines_do_not_break_event(home: Path, tmp_path: Path) -> None:
    song = str(tmp_path / "music" / "a.wav")
    assert musitui("event", "play", song, home=home).returncode == 0
    folder = home / "history"
    for head in ("[]", '"x"', "5", '{"version": 2, "seq": "x", "last_ts": 0, "session": 0}'):
        (folder / "head.json").write_text(head)
        done = musitui("event", "play", song, home=home)
        assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
    with open(folder / "journal.jsonl", "a") as handle:
        handle.write('{"seq": "x", "ts": 1, "kind": "play"}\n{"seq": 99, "ts": "yesterday", "kind": "play"}\n')
    done = musitui("event", "play", song, home=home)
    assert done.returncode == 0 and "Traceback" not in done.stderr
    shown = musitui("history", "--json", "--limit", "0", home=home)
    assert shown.returncode == 0 and "skipped 2 unreadable" in shown.stderr
    assert len(shown.stdout.splitlines()) == 6
    seqs = [json.loads(line)["seq"] for line in shown.stdout.splitlines()]
    assert len(set(seqs)) == 6
    recommend = musitui("recommend", home=home)
    assert recommend.returncode == 0 and "Traceback" not in recommend.stderr


@contextlib.contextmanager
def read_only_mount(folder: Path):
    """``folder`` as a read-only tmpfs holding a copy of what it held; skips without root."""
    import shutil

    if os.geteuid() != 0:
        pytest.skip("needs root to mount a read-only tmpfs")
    saved = folder.with_name(folder.name + ".saved")
    shutil.copytree(folder, saved, symlinks=True)
    folder.mkdir(exist_ok=True)
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64m", "tmpfs", str(folder)],
                      capture_output=True).returncode != 0:
        pytest.skip("mount is not permitted here")
    try:
        subprocess.run(["cp", "-a", f"{saved}/.", str(folder)], check=True)
        subprocess.run(["mount", "-o", "remount,ro", str(folder)], check=True)
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], capture_output=True)


def test_reading_commands_work_and_import_names_the_home_on_a_read_only_home(
        home: Path, tmp_path: Path) -> None:
    song = str(tmp_path / "music" / "a.wav")
    for _ in range(3):
        assert musitui("event", "play", song, home=home).returncode == 0
    journal = home / "history" / "journal.jsonl"
    with open(journal, "ab") as handle:
        handle.write(b'{"seq": 4, "kind": "pl')  # a torn tail: reading used to rewrite it
    source = tmp_path / "in.jsonl"
    source.write_text(json.dumps(good(1)) + "\n")
    with read_only_mount(home):
        shown = musitui("history", "--json", home=home)
        assert shown.returncode == 0, shown.stderr
        assert len(shown.stdout.splitlines()) == 3
        recommend = musitui("recommend", home=home)
        assert recommend.returncode == 0, recommend.stderr
        done = musitui("history", "import", str(source), home=home)
        assert done.returncode == 1 and "Traceback" not in done.stderr
        assert str(home) in done.stderr and str(source) not in done.stderr


def test_history_import_is_all_or_nothing_at_the_store_level(tmp_path: Path) -> None:
    """The store-level contract: a failing line leaves the journal as it was."""
    from musitui.store.history import History, HistoryError

    history = History(tmp_path / "history", tmp_path / "backups")
    history.load()
    source = tmp_path / "in.jsonl"
    source.write_text(json.dumps(good(0)) + "\n" + json.dumps({**good(1), "ts": 1e300}) + "\n")
    with pytest.raises(HistoryError, match="line 2"):
        history.import_jsonl(source)
    assert not (tmp_path / "history" / "journal.jsonl").exists()
