"""Shared test settings and set-up: every test runs in its own musitui home, never the user's;
the TUI tests' world, sessions and apps are opened here and closed after the test, pass or fail."""

from __future__ import annotations

import signal
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from tui_helpers import Opener, World


def pytest_configure(config: pytest.Config) -> None:
    # A shell without job control starts a background command (`scripts/test.sh &`, some CI
    # runners) with SIGINT ignored, and every child inherits that: the tests of what Ctrl-C
    # does would then see nothing happen. Give the run (and its xdist workers and children)
    # Python's usual Ctrl-C back.
    if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)


# Tests that drive a device or server of their own (a PulseAudio null sink, a tmux server, a
# D-Bus session bus): each starts a private one, but they pace audio in real time and wait on
# other processes, so in a parallel run (scripts/test.sh: pytest-xdist, --dist loadgroup) they
# run one after another on one worker, never beside each other.
DEVICE_MARKERS = ("portaudio", "e2e", "dbus")


@pytest.hookimpl(tryfirst=True)  # before xdist reads the groups
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if any(item.get_closest_marker(name) for name in DEVICE_MARKERS):
            item.add_marker(pytest.mark.xdist_group("devices"))


@pytest.fixture(autouse=True)
def isolated_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch):
    home = tmp_path_factory.mktemp("musitui-home")
    monkeypatch.setenv("MUSITUI_HOME", str(home))
    # No test app registers on the desktop's session bus (MPRIS tests start their own bus).
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", f"unix:path={home}/no-session-bus")
    # No test asks a local language model unless it starts one itself (words/test_words_llm.py).
    monkeypatch.delenv("MUSITUI_LLM_URL", raising=False)
    return home


@pytest.fixture
def world(tmp_path: Path) -> World:
    """The TUI tests' library: 4 artists x 3 tracks of 40 s, known features and moods."""
    from tui_helpers import build_world

    return build_world(tmp_path)


@pytest.fixture
def tui() -> Iterator[Opener]:
    """Opens sessions and apps on a world (``tui(world, device=None)``), closes them after."""
    from tui_helpers import Opener

    opener = Opener()
    yield opener
    opener.close()
