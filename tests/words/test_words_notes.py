"""Notes on tracks: written by `musitui note`, shown by `info [--json]`, durable beside the
history, carried by history export -> import; their feel is feedback (a warm note raises a
track in Up next, a cold one lowers it) and their words are matched by prompts."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from musitui.core.model import Analysis
from musitui.core.session import Session
from musitui.paths import resolve_home
from musitui.store.catalog import Catalog
from musitui.store.features import FeatureStore
from musitui.store.history import History
from musitui.store.notes import Notes
from musitui.words.encoder import shared
from musitui.words.notes import matching, note_feel

TITLES = ["Alpha", "Bravo", "Charlie", "Delta", "Echo", "Foxtrot", "Golf", "Hotel"]


def musitui(*args: str, home: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "MUSITUI_LLM_URL"}
    env["MUSITUI_HOME"] = str(home)
    return subprocess.run([sys.executable, "-m", "musitui", *args], capture_output=True, text=True,
                          env=env, timeout=120)


@pytest.fixture
def home(tmp_path: Path) -> Path:
    root = tmp_path / "home"
    catalog = Catalog.open(resolve_home(root).ensure())
    for i, title in enumerate(TITLES):
        path = tmp_path / "music" / f"{title}.ogg"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"")
        catalog.new_track(str(path), title=title, artist=f"Artist {i}", genre="Pop", duration=200.0,
                          analysis=Analysis(feature_version=2, tempo=100.0 + i, key="C", mode="major",
                                            valence=0.1 * (i % 3), arousal=0.0, mood="calm"))
    catalog.save()
    return root


@pytest.mark.parametrize(("text", "warm"), [("love this, perfect for a lazy sunday", True), ("too loud, skip", False),
                                            ("zu laut, nervt total", False), ("很好听，我最喜欢的歌", True),
                                            ("つまらない", False), ("me encanta", True), ("скучно", False)])
def test_a_notes_feel_in_many_languages(text: str, warm: bool) -> None:
    feel = note_feel(text, shared())
    assert feel is not None and (feel > 0) == warm, (text, feel)
    assert note_feel("跑步的时候听", shared()) is None  # where and when, not how it feels


def _position(home: Path, title: str) -> int:
    home_obj = resolve_home(home)
    catalog = Catalog.open(home_obj)
    history = History.open(home_obj)
    session = Session(home_obj, None, catalog, player=None, history=history, features=FeatureStore.open(home_obj))
    titles = [item.track.title for item in session.up_next]
    history.close()
    return titles.index(title) if title in titles else len(titles)


def test_a_warm_note_raises_a_track_in_up_next_and_a_cold_one_lowers_it(home: Path) -> None:
    before = {t: _position(home, t) for t in ("Foxtrot", "Bravo")}
    assert musitui("note", str(home.parent / "music" / "Foxtrot.ogg"), "love this, my favourite", home=home).returncode == 0
    assert musitui("note", str(home.parent / "music" / "Bravo.ogg"), "boring, skip it", home=home).returncode == 0
    after = {t: _position(home, t) for t in ("Foxtrot", "Bravo")}
    assert after["Foxtrot"] < before["Foxtrot"], (before, after)
    assert after["Bravo"] > before["Bravo"], (before, after)
    assert after["Foxtrot"] == 0


def test_notes_show_in_info_and_survive_export_then_import(home: Path, tmp_path: Path) -> None:
    track = str(home.parent / "music" / "Charlie.ogg")
    done = musitui("note", track, "für lange Autofahrten, wunderschön", home=home)
    assert done.returncode == 0 and "warm" in done.stdout, done.stdout + done.stderr
    info = json.loads(musitui("info", track, "--json", home=home).stdout)
    assert [n["text"] for n in info["notes"]] == ["für lange Autofahrten, wunderschön"]
    assert "für lange Autofahrten" in musitui("info", track, home=home).stdout
    exported = tmp_path / "history.jsonl"
    assert musitui("history", "export", str(exported), home=home).returncode == 0
    assert any(json.loads(line)["kind"] == "note" for line in exported.read_text().splitlines())
    other = tmp_path / "other"
    catalog = Catalog.open(resolve_home(other).ensure())
    catalog.new_track(track, title="Charlie", artist="Artist 2", duration=200.0)
    catalog.save()
    imported = musitui("history", "import", str(exported), home=other)
    assert imported.returncode == 0, imported.stderr
    again = json.loads(musitui("info", track, "--json", home=other).stdout)
    assert [n["text"] for n in again["notes"]] == ["für lange Autofahrten, wunderschön"]
    assert again["notes"][0]["feel"] > 0
    musitui("history", "import", str(exported), home=other)  # twice: nothing added
    assert len(Notes(resolve_home(other).history_dir).all) == 1
    assert musitui("note", track, "", home=other).returncode == 0  # cleared
    assert json.loads(musitui("info", track, "--json", home=other).stdout)["notes"] == []


def test_a_damaged_notes_line_is_skipped_with_a_message(home: Path) -> None:
    folder = resolve_home(home).history_dir
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "notes.jsonl").write_text('{"kind": "note", "ts": "x"}\nnot json\n'
                                        '{"kind":"note","ts":1.0,"track_id":1,"path":"p","text":"ok"}\n')
    notes = Notes(folder)
    assert [n.text for n in notes.all] == ["ok"] and "2 damaged" in notes.messages[0]


def test_prompts_match_a_notes_words() -> None:
    found = matching("my running songs", {1: ["great for running"], 2: ["sleepy"], 3: ["跑步的时候听"]})
    assert found == {1: {"running"}}
    assert matching("跑步", {3: ["跑步的时候听"]}) == {3: {"跑步"}}


def test_recommend_prompt_finds_the_tracks_a_note_names(home: Path) -> None:
    musitui("note", str(home.parent / "music" / "Golf.ogg"), "großartig beim Joggen", home=home)
    done = musitui("recommend", "--prompt", "Joggen", "-n", "3", "--json", home=home)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)[0]["title"] == "Golf"
    vibe = json.loads(musitui("vibe", "Joggen", "--json", home=home).stdout)
    assert len(vibe["noted"]) == 1


def test_search_finds_a_notes_words(home: Path) -> None:
    musitui("note", str(home.parent / "music" / "Hotel.ogg"), "perfect for the gym", home=home)
    done = musitui("tracks", "--search", "gym", "--json", home=home)
    assert [t["title"] for t in json.loads(done.stdout)] == ["Hotel"]


def test_a_notes_feel_reaches_the_tracks_like_the_noted_one() -> None:
    import numpy as np

    from musitui.recommend.notes_part import note_part

    emb = np.array([[1, 0], [0.95, 0.31], [0, 1], [0.31, 0.95]], dtype=np.float32)
    emb /= np.linalg.norm(emb, axis=1, keepdims=True)
    has_vec = np.ones(4, dtype=bool)
    part = note_part(emb, has_vec, np.array([0.8, 0, -0.8, 0], dtype=np.float32))
    assert part[0] > part[1] > 0  # the warm-noted track, then its neighbour
    assert part[2] < part[3] < 0  # the cold-noted track, then its neighbour
    assert note_part(emb, has_vec, None).tolist() == [0, 0, 0, 0]
