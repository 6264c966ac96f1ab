"""Issue 11's fuzz test: >= 300 seeded mutants of synthesised files through scan, analyze,
info and `play --device null-fast`: no traceback, no hang, every message a readable reason,
play's exit status right. The bulk runs in one child process (crash isolation, one
interpreter start); play runs once over all files, and once over files that cannot play."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from cli_helpers import child_env
from fuzz_mutants import write_mutants

from musitui.decode_reasons import MIN_AUDIO_SECONDS, REASONS, is_readable

HERE = Path(__file__).resolve().parent
ENV = child_env()


@pytest.fixture(scope="module")
def mutant_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("fuzz") / "music"
    paths = write_mutants(folder)
    assert len(paths) >= 300
    return folder


@pytest.fixture(scope="module")
def catalog_said(mutant_folder: Path, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """What scan, the analysis and `info` said of every mutant (one child process)."""
    home = tmp_path_factory.mktemp("fuzz-home")
    done = subprocess.run([sys.executable, str(HERE / "fuzz_audio_child.py"), str(mutant_folder),
                           str(home)], capture_output=True, text=True, env=ENV, timeout=1200)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "Traceback" not in done.stderr
    return json.loads(done.stdout)


@pytest.fixture(scope="module")
def player_said(mutant_folder: Path) -> tuple[int, list[dict], str]:
    return _play(sorted(mutant_folder.iterdir()))


def test_scan_analyze_and_info_on_mutants(mutant_folder: Path, catalog_said: dict) -> None:
    result = catalog_said
    assert result["problems"] == []
    files = {str(p) for p in mutant_folder.iterdir()}
    reported = {e["path"] for e in result["scan_errors"]}
    assert reported | set(result["tracks"]) == files  # every file is a track or an error
    unreadable = [e for e in result["scan_errors"] if not is_readable(e["error"])]
    assert unreadable == []
    for path, message in result["analyze"].items():
        assert message == "ok" or message in REASONS, (path, message)
    for path, (code, stderr) in result["info"].items():
        assert "Traceback" not in stderr, path
        if code != 0:
            message = stderr.strip().split(": ", 2)[-1]
            assert is_readable(message), (path, stderr)
        assert code == (1 if path in reported else 0), (path, stderr)


def _play(paths: list[Path]) -> tuple[int, list[dict], str]:
    done = subprocess.run([sys.executable, "-m", "musitui", "play", "--device", "null-fast",
                           *map(str, paths)], capture_output=True, text=True, env=ENV, timeout=1200)
    return done.returncode, [json.loads(line) for line in done.stdout.splitlines()], done.stderr


def heard(events: list[dict]) -> set[str]:
    """The files of which the player played some audio (10 ms or more)."""
    return {e["path"] for e in events
            if e["event"] in ("position", "end", "stopped", "error")
            and e["position"] >= MIN_AUDIO_SECONDS}


def test_play_on_mutants(mutant_folder: Path, player_said: tuple[int, list[dict], str]) -> None:
    paths = sorted(mutant_folder.iterdir())
    code, events, stderr = player_said
    assert stderr == ""  # no traceback, no decoder library noise
    started = {e["path"] for e in events if e["event"] == "start"}
    errors = [e for e in events if e["event"] == "error"]
    for event in errors:
        assert event["message"] in REASONS, event
    failed_at_once = {e["path"] for e in errors if e["position"] == 0}
    # Every file was either played or reported, in order, and the run ended.
    assert started | failed_at_once == {str(p) for p in paths}
    assert events[-1]["event"] == "state" and events[-1]["message"] == "stopped"
    assert code == (0 if heard(events) else 1)


def test_catalog_and_player_agree_on_which_mutants_play(catalog_said: dict,
                                                        player_said: tuple[int, list[dict], str]) -> None:
    """A file is in the library, analysed, exactly when the player plays some of it: decoders
    are tried in turn before a file is called unplayable, on both sides."""
    in_library = {path for path in catalog_said["tracks"] if catalog_said["analyze"].get(path) == "ok"}
    played = heard(player_said[1])
    said = {path: (path in catalog_said["tracks"], catalog_said["analyze"].get(path))
            for path in played ^ in_library}
    assert said == {}


def test_play_exits_1_when_no_mutant_plays(mutant_folder: Path) -> None:
    hopeless = sorted(p for p in mutant_folder.iterdir() if p.name.startswith("random")
                      or "-cut0." in p.name or "-cut1." in p.name)
    code, events, stderr = _play(hopeless)
    assert stderr == ""
    assert not [e for e in events if e["event"] == "start"]
    assert len([e for e in events if e["event"] == "error"]) == len(hopeless)
    assert code == 1
