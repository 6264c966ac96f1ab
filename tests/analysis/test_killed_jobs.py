"""A killed `musitui analyze` takes its forkserver, resource tracker and workers with it."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from cli_helpers import child_env
from library_helpers import make_track


def children_of(pid: int) -> list[int]:
    found: list[int] = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(entry))
    return found


def descendants(pid: int) -> list[int]:
    out, todo = [], [pid]
    while todo:
        for child in children_of(todo.pop()):
            out.append(child)
            todo.append(child)
    return out


def describe(pid: int) -> str:
    try:
        return f"{pid}: " + Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()[:200]
    except OSError:
        return f"{pid}: gone"


def alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as handle:
            return handle.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@pytest.fixture
def short_tmp() -> Iterator[Path]:
    """A temp folder with a short path: the forkserver's socket in it must fit in AF_UNIX's
    108 bytes (under xdist tmp_path is one folder deeper, and analyze could not start)."""
    folder = Path(tempfile.mkdtemp(prefix="mt-"))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


@pytest.mark.parametrize("signum", [signal.SIGKILL, signal.SIGTERM])
def test_workers_die_with_a_killed_analyze(tmp_path: Path, short_tmp: Path, signum: int) -> None:
    if not os.path.isdir("/proc"):
        pytest.skip("needs /proc to follow the processes")
    music = tmp_path / "music"
    for n in range(24):
        make_track(music, f"t{n:02d}.wav", "wav", seconds=8.0, freq=200.0 + 20 * n)
    home = tmp_path / "home"
    temp = short_tmp  # the job's own: other processes' /tmp/pymp-* do not count
    env = child_env({**os.environ, "TMPDIR": str(temp)})
    scan = subprocess.run([sys.executable, "-m", "musitui", "--home", str(home), "scan",
                           "--no-analyze", str(music)], capture_output=True, env=env, timeout=300)
    assert scan.returncode == 0, scan.stderr
    job = subprocess.Popen([sys.executable, "-m", "musitui", "--home", str(home), "analyze",
                            "--jobs", "2", "--json"],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    # Wait until the workers run (forkserver -> workers: at least 3 descendants beside the
    # resource tracker), then kill the parent only.
    family: list[int] = []
    for _ in range(1200):
        family = descendants(job.pid)
        if len(family) >= 4 or job.poll() is not None:
            break
        time.sleep(0.05)
    assert job.poll() is None, "analyze ended before its workers could be seen"
    assert len(family) >= 4, family
    os.kill(job.pid, signum)
    job.wait(timeout=60)
    survivors = family
    for _ in range(600):  # a generous bound: they should go within a moment
        survivors = [pid for pid in family if alive(pid)]
        if not survivors:
            break
        time.sleep(0.1)
    described = [describe(pid) for pid in survivors]
    for pid in survivors:  # leave nothing behind even when failing
        os.kill(pid, signal.SIGKILL)
    assert not described, "\n".join(described)
    # ... and no multiprocessing folder (the forkserver's socket) is left in the temp dir
    assert [p.name for p in temp.iterdir() if p.name.startswith("pymp-")] == []


def test_tag_readers_die_with_a_killed_scan(tmp_path: Path) -> None:
    """The scan's tag-reading pool (forked from the scan) goes with a `kill -9` of the scan."""
    if not os.path.isdir("/proc"):
        pytest.skip("needs /proc to follow the processes")
    import shutil

    music = tmp_path / "music"
    first = make_track(music, "t0000.wav", "wav", seconds=0.2, freq=300.0)
    for n in range(1, 4000):
        shutil.copyfile(first, music / f"t{n:04d}.wav")
    env = child_env()
    job = subprocess.Popen([sys.executable, "-m", "musitui", "--home", str(tmp_path / "home"),
                            "scan", "--no-analyze", "--jobs", "2", str(music)],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    family: list[int] = []
    for _ in range(6000):
        family = descendants(job.pid)
        if len(family) >= 2 or job.poll() is not None:
            break
        time.sleep(0.01)
    if job.poll() is not None:
        pytest.skip("the scan ended before its tag readers could be seen")
    os.kill(job.pid, signal.SIGKILL)
    job.wait(timeout=60)
    survivors = family
    for _ in range(600):
        survivors = [pid for pid in family if alive(pid)]
        if not survivors:
            break
        time.sleep(0.1)
    described = [describe(pid) for pid in survivors]
    for pid in survivors:
        os.kill(pid, signal.SIGKILL)
    assert not described, "\n".join(described)


def test_only_the_forkserver_is_told_where_its_socket_is(monkeypatch: pytest.MonkeyPatch) -> None:
    """The folder goes to the server through the environment while it starts, and only then:
    left behind, every later child of this process that imports the server's preload module
    (the layer test's probes) waited for this process to end, and this process for it."""
    import multiprocessing

    from musitui.analysis import worker

    monkeypatch.delenv(worker.TEMP_DIR_ENV, raising=False)
    monkeypatch.setattr(worker, "_server_started", False)
    context = multiprocessing.get_context("forkserver")
    with worker.server_starting(context):
        assert os.environ[worker.TEMP_DIR_ENV]  # what a server started now inherits
    assert worker.TEMP_DIR_ENV not in os.environ


def test_a_child_that_inherited_the_servers_folder_variable_still_exits(tmp_path: Path) -> None:
    """Only the analysis forkserver tidies its parent's folder; any other process importing
    the preload (a probe that inherited the variable) must not wait for its parent to end."""
    from musitui.analysis.worker import TEMP_DIR_ENV

    folder = tmp_path / "pymp-inherited"
    folder.mkdir()
    env = {**os.environ, TEMP_DIR_ENV: str(folder)}
    done = subprocess.run([sys.executable, "-c", "import musitui.analysis.worker_preload"],
                          env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert folder.is_dir()  # its parent (this test) is alive: nothing was removed
