"""Damaged stores never block: a catalog with a 400-digit id or deep nesting, a journal line
of either, a damaged lyrics-sentiment store. Each is moved to backups/ (or the line skipped)
with one line, and every command goes on."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from library_helpers import make_track

REPO = Path(__file__).resolve().parents[2]


def musitui(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run([sys.executable, "-m", "musitui", "--home", str(home), *args],
                          capture_output=True, text=True, env=env, timeout=300)


def ok(done: subprocess.CompletedProcess[str]) -> subprocess.CompletedProcess[str]:
    assert done.returncode == 0, done.stderr[-2000:]
    assert "Traceback" not in done.stderr + done.stdout
    return done


@pytest.fixture
def library(tmp_path: Path) -> tuple[Path, Path]:
    music = tmp_path / "music"
    make_track(music, "a.wav", "wav", seconds=2.0, title="A", artist="X")
    make_track(music, "b.wav", "wav", seconds=2.0, freq=660.0, title="B", artist="Y")
    home = tmp_path / "home"
    ok(musitui(home, "scan", "--no-tagger", str(music)))
    return home, music


def data_dir(home: Path) -> Path:
    """With --home, the data folder is the home itself (as `config --json` says)."""
    return Path(json.loads(ok(musitui(home, "config", "--json")).stdout)["paths"]["catalog"]).parent


@pytest.mark.parametrize("damage", [
    lambda text: text.replace('"id":1,', '"id":' + "9" * 400 + ",", 1),
    lambda text: text.replace('"title":"A"', '"title":' + "[" * 30000 + "]" * 30000, 1),
], ids=["400-digit-id", "deep-nesting"])
def test_a_hostile_catalog_is_moved_aside_and_commands_go_on(library: tuple[Path, Path], damage) -> None:
    home, _ = library
    catalog = data_dir(home) / "catalog.json"
    text = catalog.read_text()
    damaged = damage(text)
    assert damaged != text
    catalog.write_text(damaged)
    for args in (["tracks"], ["recommend"], ["info", "--json", str(catalog)]):
        done = musitui(home, *args)
        assert "Traceback" not in done.stderr, done.stderr[-2000:]
        assert done.returncode in (0, 1), done.stderr  # info: "not in the catalog" is fine
    assert any(p.name.startswith("catalog.json.damaged") for p in (data_dir(home) / "backups").iterdir())


def test_a_31_digit_id_drops_that_record_only(library: tuple[Path, Path]) -> None:
    home, _ = library
    catalog = data_dir(home) / "catalog.json"
    data = json.loads(catalog.read_text())
    data["tracks"][0]["id"] = 10**30
    data["tracks"][1]["size"] = -(10**25)
    catalog.write_text(json.dumps(data))
    done = ok(musitui(home, "tracks", "--json"))
    kept = json.loads(done.stdout)
    assert [t["title"] for t in kept] == ["B"] and kept[0]["size"] == 0
    assert "no usable id" in done.stderr


@pytest.mark.parametrize("line", [
    b'{"seq": ' + b"7" * 400 + b', "kind": "play", "ts": 1.0}',
    b'{"seq": 99, "kind": "play", "ts": 1.0, "x": ' + b"[" * 30000 + b"]" * 30000 + b"}",
    b'{"seq": ' + b"5" * 30 + b', "kind": "play", "ts": 1700000000.0}',
], ids=["400-digit-seq", "deep-nesting", "30-digit-seq"])
def test_a_hostile_journal_line_is_skipped(library: tuple[Path, Path], line: bytes) -> None:
    home, music = library
    ok(musitui(home, "event", "play", str(music / "a.wav")))
    journal = data_dir(home) / "history" / "journal.jsonl"
    with open(journal, "ab") as handle:
        handle.write(line + b"\n")
    ok(musitui(home, "event", "finish", str(music / "a.wav")))
    shown = ok(musitui(home, "history", "--json"))
    assert len(shown.stdout.splitlines()) == 2
    ok(musitui(home, "recommend"))
    ok(musitui(home, "tracks"))


def test_a_damaged_sentiment_store_is_moved_aside_and_recomputed(library: tuple[Path, Path]) -> None:
    home, music = library
    store = data_dir(home) / "features" / "lyrics_sentiment.npz"
    store.parent.mkdir(parents=True, exist_ok=True)
    store.write_bytes(b"PK\x03\x04 this is not a zip archive at all")
    for args in (["info", str(music / "a.wav")], ["recommend"], ["analyze", "--no-tagger"]):
        ok(musitui(home, *args))
    backups = data_dir(home) / "backups"
    assert any(p.name.startswith("lyrics_sentiment.npz") for p in backups.iterdir())
    ok(musitui(home, "info", str(music / "a.wav")))
