"""Shared test settings: every test runs in its own musitui home, never the user's."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def isolated_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch):
    home = tmp_path_factory.mktemp("musitui-home")
    monkeypatch.setenv("MUSITUI_HOME", str(home))
    # No test app registers on the desktop's session bus (MPRIS tests start their own bus).
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", f"unix:path={home}/no-session-bus")
    return home
