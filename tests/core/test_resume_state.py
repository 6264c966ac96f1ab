"""The resume state survives closing the terminal, SIGTERM, kill -9 and says so on a full disk
(issue 11): saved (debounced, atomically) after every change, and on SIGTERM/SIGHUP."""

from __future__ import annotations

import errno
import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from cli_helpers import REPO, child_env
from session_helpers import Clock, build_world, make_session

import musitui.core.resume as resume_module

# A headless session in its own process: resume, make changes, say "ready", wait.
SCRIPT = """
import sys, time
sys.path.insert(0, {tests!r})
from session_helpers import build_world, make_session
from musitui.paths import Home
from musitui.store.catalog import Catalog
from musitui.store.features import FeatureStore
from pathlib import Path
home = Home(config_dir=Path({root!r}), data_dir=Path({root!r})).ensure()
catalog = Catalog.open(home)
session = make_session(home, catalog, FeatureStore.open(home))
session.save_state_on_signals()
session.restore_state()
ids = sorted(catalog.tracks)[:3]
for track_id in ids:
    session.enqueue(track_id)
session.set_mood("sad")
session.set_volume(35)
print("ready", flush=True)
while True:
    time.sleep(0.1)
"""


def start(root: Path) -> subprocess.Popen:
    script = SCRIPT.format(tests=str(REPO / "tests"), root=str(root))
    child = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True, env=child_env())
    assert child.stdout.readline().strip() == "ready", child.stderr.read()
    return child


def saved(root: Path) -> dict | None:
    try:
        return json.loads((root / "state.json").read_text())
    except (OSError, ValueError):
        return None


def expected(root: Path) -> list[int]:
    from musitui.paths import Home
    from musitui.store.catalog import Catalog

    return sorted(Catalog.open(Home(config_dir=root, data_dir=root)).tracks)[:3]


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP])
def test_a_signal_saves_the_state_at_once(tmp_path: Path, monkeypatch, signum: int) -> None:
    build_world(tmp_path)
    child = start(tmp_path)
    child.send_signal(signum)  # at once: well inside the debounce window
    assert child.wait(timeout=60) == 128 + signum
    state = saved(tmp_path)
    assert state is not None, child.stderr.read()
    assert state["queue"] == expected(tmp_path) and state["mood"] == "sad" and state["volume"] == 35


def test_kill_9_loses_at_most_the_debounce_window(tmp_path: Path) -> None:
    build_world(tmp_path)
    child = start(tmp_path)
    try:
        # Nobody quits: the change reaches the file by itself, after the debounce window.
        deadline = time.monotonic() + 60
        while (saved(tmp_path) or {}).get("mood") != "sad" and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        child.kill()
        child.wait(timeout=30)
    state = saved(tmp_path)
    assert state is not None and state["mood"] == "sad"
    assert state["queue"] == expected(tmp_path)
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".state.json")]  # atomic


def test_changes_are_saved_without_quitting_and_restored(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(resume_module, "STATE_SAVE_SECONDS", 0.01)
    home, catalog, features = build_world(tmp_path)
    session = make_session(home, catalog, features, clock=Clock())
    session.enqueue(sorted(catalog.tracks)[0])  # before restore_state: nothing is written
    time.sleep(0.1)
    assert not home.state_file.exists()
    session.restore_state()
    session.set_mood("calm")
    for _ in range(500):
        if (saved(tmp_path) or {}).get("mood") == "calm":
            break
        time.sleep(0.01)
    again = make_session(home, catalog, features, clock=Clock())
    assert again.restore_state() and again.mood == "calm"


def test_a_full_disk_says_what_failed_where(tmp_path: Path, monkeypatch) -> None:
    home, catalog, features = build_world(tmp_path)
    session = make_session(home, catalog, features, clock=Clock())

    def disk_full(path, value, **_):
        raise OSError(errno.ENOSPC, "No space left on device", str(path))

    monkeypatch.setattr("musitui.store.state.atomic_write_json", disk_full)
    assert session.save_state_or_say() is False
    assert session.messages[-1] == (f"could not save the resume state to {home.state_file} "
                                    "(No space left on device)")
    session.save_state_or_say()
    assert session.messages.count(session.messages[-1]) == 1  # said once per problem
