"""The command line as a user runs it: ``python -m musitui ARGS`` in a child process of this
checkout, its output captured as text."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def child_env(env: Mapping[str, str] | None = None) -> dict[str, str]:
    """``env`` (default: this process's environment) with this checkout first on the path."""
    chosen = dict(os.environ if env is None else env)
    chosen["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), chosen.get("PYTHONPATH")]))
    return chosen


def musitui(*args: str, home: Path | None = None, env: Mapping[str, str] | None = None,
            timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """Runs ``musitui [--home HOME] ARGS``; without ``home`` the test's own home
    (``$MUSITUI_HOME``, set for every test by conftest.py) is used. ``timeout`` only stops a hang."""
    command = [sys.executable, "-m", "musitui"]
    if home is not None:
        command += ["--home", str(home)]
    return subprocess.run([*command, *args], capture_output=True, text=True, env=child_env(env),
                          timeout=timeout)
