"""The typed config: one schema, checked once at load, one clear line per bad key."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from analysis_helpers import calm_piece, write
from cli_helpers import musitui

from musitui.config import Config, load_config, parse_config
from musitui.paths import Home
from musitui.recommend.engine import Weights

ROOT = Path(__file__).resolve().parents[2]


def home_with(tmp_path: Path, text: str) -> Home:
    home = Home(tmp_path, tmp_path).ensure()
    home.config_file.write_text(text, encoding="utf-8")
    return home


@pytest.mark.parametrize(("table", "line", "key", "default"), [
    ("history", "session_gap_minutes = []", "session_gap_minutes", 30.0),
    ("playback", 'volume = "loud"', "volume", 80),
    ("analysis", 'jobs = "many"', "jobs", 0),
    ("playback", "crossfade_seconds = 1e308", "crossfade_seconds", 0.0),
    ("library", "folders = 5", "folders", []),
    ("recommend", "explore_every = 2", "explore_every", 5),
    ("recommend", "up_next_length = -3", "up_next_length", 20),
    ("playback", "volume = nan", "volume", 80),
    ("playback", "volume = -5", "volume", 80),
    ("library", "follow_symlinks = 1", "follow_symlinks", True),
    ("playback", 'replaygain = "loud"', "replaygain", "track"),
    ("ui", 'mood = "grumpy"', "mood", "auto"),
    ("llm", "timeout_seconds = 30", "timeout_seconds", 4.0),
    ("llm", "timeout_seconds = 0", "timeout_seconds", 4.0),
    ("llm", 'url = "http://example.com/v1"', "url", ""),
    ("llm", 'url = "file:///etc/passwd"', "url", ""),
])
def test_a_bad_value_names_its_key_and_falls_back_to_its_default(
        tmp_path: Path, table: str, line: str, key: str, default: object) -> None:
    rest = 'device = "null"\n' if table == "playback" else '[playback]\ndevice = "null"\n'
    home = home_with(tmp_path, f"[{table}]\n{line}\n{rest}")
    config = load_config(home)
    assert getattr(getattr(config, table), key) == default
    assert config.playback.device == "null"  # the rest of the file still applies
    assert len(config.problems) == 1, config.problems
    problem = config.problems[0]
    assert problem.startswith(f"config.toml: [{table}] {key} must be "), problem
    assert "; using " in problem and "Traceback" not in problem


def test_the_message_says_what_is_allowed_and_what_was_found(tmp_path: Path) -> None:
    config = load_config(home_with(tmp_path, '[playback]\nvolume = "loud"\n'))
    assert config.problems == ["config.toml: [playback] volume must be a whole number 0-100, "
                               "got 'loud'; using 80"]


def test_good_values_are_typed(tmp_path: Path) -> None:
    config = load_config(home_with(tmp_path, """
[library]
folders = ["~/Music", "/srv/music"]
follow_symlinks = false
[playback]
volume = 55.0
device = 3
[history]
session_gap_minutes = 5
[llm]
url = "http://127.0.0.1:8080"
model = "tiny"
timeout_seconds = 2.5
[keys]
next = "l"
"""))
    assert config.problems == []
    assert config.library.folders == ["~/Music", "/srv/music"]
    assert config.library.follow_symlinks is False
    assert config.playback.volume == 55 and isinstance(config.playback.volume, int)
    assert config.playback.device == 3
    assert config.history.session_gap_minutes == 5.0
    assert isinstance(config.history.session_gap_minutes, float)
    assert (config.llm.url, config.llm.model, config.llm.timeout_seconds) == (
        "http://127.0.0.1:8080", "tiny", 2.5)
    assert config.keys == {"next": "l"}


@pytest.mark.parametrize("url", ["", "http://localhost:11434", "https://[::1]:8443/v1",
                                 "http://127.3.2.1/api"])
def test_the_llm_url_may_point_at_this_machine_only(url: str) -> None:
    config = parse_config({"llm": {"url": url}})
    assert config.problems == [] and config.llm.url == url


def test_unknown_keys_and_sections_and_bad_tables_are_reported(tmp_path: Path) -> None:
    config = load_config(home_with(tmp_path, """
volume = 3
[playback]
volumme = 50
[ui]
theme = ""
[keyz]
a = 1
[keys]
next = 5
"""))
    assert config.playback.volume == 80 and config.ui.theme == "musitui" and config.keys == {}
    text = "\n".join(config.problems)
    assert "volume = ... is outside any [section]" in text
    assert "[playback] unknown key volumme;" in text
    assert "[ui] theme must be a theme name" in text
    assert "unknown section [keyz]" in text
    assert "[keys] next must be a key name" in text
    assert len(config.problems) == 5
    assert parse_config({"history": 5}).problems == [
        "config.toml: [history] must be a table of keys, got 5; using its defaults"]


def test_control_characters_in_the_file_are_not_echoed_raw(tmp_path: Path) -> None:
    config = load_config(home_with(tmp_path, '[playback]\nreplaygain = "\\u001b]0;pwned\\u0007"\n'))
    assert len(config.problems) == 1 and "\x1b" not in config.problems[0]
    assert "\x07" not in config.problems[0]


def test_weights_come_from_the_checked_section(tmp_path: Path) -> None:
    config = load_config(home_with(tmp_path, "[recommend]\nexplore_every = 2\nup_next_length = -3\n"
                                   "w_mood = 0.25\n"))
    weights = Weights.from_config(config.recommend)
    assert (weights.explore_every, weights.up_next_length, weights.w_mood) == (5, 20, 0.25)
    assert len(config.problems) == 2


def test_every_weight_is_a_recommend_key() -> None:
    # from_config reads each weight off the section: a weight without a key must fail here.
    Weights.from_config(Config().recommend)
    assert Weights.from_config(Config().recommend) == Weights()


def test_docs_config_md_is_generated_from_the_schema() -> None:
    done = subprocess.run([sys.executable, str(ROOT / "scripts" / "config_docs.py"), "--check"],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_wrong_types_reach_the_user_as_one_line_each_and_play_still_plays(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    (home / "config.toml").write_text('[playback]\nvolume = "loud"\ncrossfade_seconds = 1e308\n'
                                      '[history]\nsession_gap_minutes = []\n')
    song = write(tmp_path / "a.flac", calm_piece(1.0))
    done = musitui("play", "--device", "null-fast", str(song), home=home)
    assert done.returncode == 0, done.stderr
    lines = done.stderr.splitlines()
    assert "musitui: config.toml: [playback] volume must be a whole number 0-100, got 'loud'; " \
           "using 80" in lines
    assert any("[playback] crossfade_seconds must be a number 0-30, got 1e+308" in x for x in lines)
    assert any("[history] session_gap_minutes must be" in x for x in lines)
    assert "no audio output" not in done.stderr and "Traceback" not in done.stderr
    shown = musitui("config", home=home)
    assert shown.returncode == 0 and "volume = 80" in shown.stdout


def test_the_players_history_keeps_the_configured_session_gap(tmp_path: Path) -> None:
    from musitui.commands.ui import build_session
    from musitui.store.catalog import Catalog

    home = home_with(tmp_path, "[history]\nsession_gap_minutes = 2\n")
    config = load_config(home)
    session, _player, _ = build_session(home, config, Catalog.open(home), device="null")
    try:
        assert session.history.session_gap == 120.0
        assert session.ledger.session_gap == 120.0  # the listening session it picks up
    finally:
        session.close()


def test_a_tui_scan_honours_follow_symlinks(tmp_path: Path) -> None:
    import threading

    from musitui.background_job import run_job
    from musitui.store.catalog import Catalog

    outside = tmp_path / "elsewhere"
    outside.mkdir()
    write(outside / "linked.flac", calm_piece(1.0))
    music = tmp_path / "music"
    music.mkdir()
    write(music / "real.flac", calm_piece(1.0) * np.float32(0.5))
    (music / "link").symlink_to(outside, target_is_directory=True)
    (tmp_path / "home").mkdir()
    home = home_with(tmp_path / "home", "[library]\nfollow_symlinks = false\n")
    spec = {"config_dir": str(home.config_dir), "data_dir": str(home.data_dir),
            "folders": [str(music)], "analyze": False}
    assert run_job(spec, lambda _message: None, threading.Event()) == 0
    names = sorted(Path(t.path).name for t in Catalog.open(home).present())
    assert names == ["real.flac"]


def test_the_llm_client_reads_the_typed_section(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from musitui.words.llm_client import settings

    monkeypatch.delenv("MUSITUI_LLM_URL", raising=False)
    monkeypatch.delenv("MUSITUI_LLM_MODEL", raising=False)
    assert settings(Config()) is None
    config = load_config(home_with(tmp_path, '[llm]\nurl = "http://127.0.0.1:8080/v1"\n'
                                   'model = "tiny"\ntimeout_seconds = 2\n'))
    llm = settings(config)
    assert llm is not None and (llm.url, llm.model, llm.timeout) == ("http://127.0.0.1:8080/v1",
                                                                     "tiny", 2.0)
