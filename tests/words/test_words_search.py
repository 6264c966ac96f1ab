"""Search as people type it: Chinese text by full pinyin and initials, and `musitui tracks
--search` running the player's own matcher (free text, pinyin, field filters incl. the
tagger's words)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from musitui.core.model import Analysis, Track
from musitui.paths import resolve_home
from musitui.store.catalog import Catalog
from musitui.tui.search import SearchIndex, row_key
from musitui.words.pinyin import pinyin_words

TRACKS = [  # title, artist, album, genre, tagger words, mood
    ("晴天", "周杰伦", "叶惠美", "Mandopop", "pop, chill", "calm"),
    ("绿光", "孙燕姿", "风筝", "", "pop, female vocalists", "happy"),
    ("Blue in Green", "Miles Davis", "Kind of Blue", "", "jazz, instrumental, chill", "calm"),
    ("Iron Storm", "Steel", "Forge", "Heavy Metal", "metal, heavy metal", "intense"),
]


def test_pinyin_words_full_spaced_and_initials() -> None:
    assert pinyin_words("周杰伦") == "zhoujielun zhou jie lun zjl"
    assert pinyin_words("晴天 (Live)") == "qingtian qing tian qt"
    assert pinyin_words("Yesterday") == ""


def test_the_search_index_finds_chinese_by_pinyin_and_mixed_text() -> None:
    keys = [row_key(t, a, al, a, g) for t, a, al, g, _w, _m in TRACKS]
    index = SearchIndex(lambda: keys, len(keys))
    assert index.search("qingtian") == [0]
    assert index.search("zjl") == [0]
    assert index.search("zjl qing") == [0]
    assert index.search("syz lvguang") == [1]
    assert index.search("晴天") == [0]
    assert index.search("miles blue") == [2]


@pytest.fixture
def home(tmp_path: Path) -> Path:
    root = tmp_path / "home"
    catalog = Catalog.open(resolve_home(root).ensure())
    for title, artist, album, genre, words, mood in TRACKS:
        path = tmp_path / "music" / f"{album}.ogg"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"")
        catalog.new_track(str(path), title=title, artist=artist, album=album, genre=genre, duration=180.0,
                          analysis=Analysis(feature_version=2, tempo=100.0, key="C", mode="major",
                                            valence=0.1, arousal=0.0, mood=mood, tags=words,
                                            style=words.split(",")[0]))
    catalog.save()
    return root


def search(home: Path, query: str) -> list[str]:
    env = {**os.environ, "MUSITUI_HOME": str(home)}
    done = subprocess.run([sys.executable, "-m", "musitui", "tracks", "--search", query, "--json"],
                          capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
    return sorted(t["title"] for t in json.loads(done.stdout))


def test_tracks_search_runs_the_players_matcher(home: Path) -> None:
    assert search(home, "qingtian") == ["晴天"]
    assert search(home, "zjl") == ["晴天"]
    assert search(home, "style:jazz") == ["Blue in Green"]  # a tagger word, no genre tag
    assert search(home, "genre:metal") == ["Iron Storm"]
    assert search(home, "mood:calm genre:jazz") == ["Blue in Green"]
    assert search(home, "mood:calm") == ["Blue in Green", "晴天"]
    assert search(home, "nothing-like-this") == []
    env = {**os.environ, "MUSITUI_HOME": str(home)}
    plain = subprocess.run([sys.executable, "-m", "musitui", "tracks", "--search", "zjl"],
                           capture_output=True, text=True, env=env, timeout=120)
    assert "晴天" in plain.stdout and "1 tracks found" in plain.stdout


def test_audio_words_find_what_the_tagger_hears() -> None:
    import numpy as np

    from musitui.analysis.tag_words import TAG_NAMES
    from musitui.words.audio_words import search_words

    column = {t: i for i, t in enumerate(TAG_NAMES)}
    probabilities = np.full((10, len(TAG_NAMES)), 0.02, dtype=np.float32)
    probabilities[0, column["jazz"]] = probabilities[0, column["blues"]] = 0.6  # piano-like
    probabilities[1:5, column["electronic"]] = 0.7
    probabilities[5, column["female vocalists"]] = 0.8
    found = np.ones(10, dtype=bool)
    found[9] = False  # not tagged: no words
    words = search_words(probabilities, found)
    assert "piano" in words[0].split() and "piano" not in words[1].split()
    assert "female vocals" in words[5] and words[9] == ""


def test_audio_words_in_any_language_find_the_same_tracks() -> None:
    from musitui.tui.library_model import LibraryModel
    from musitui.words.lexicon import audio_in_english

    assert audio_in_english("钢琴") == "piano" and audio_in_english("Klavier") == "piano"
    assert audio_in_english("Yesterday") is None
    tracks = [Track(id=i + 1, path=f"/m/{t}.ogg", title=t, artist="A") for i, t in enumerate(["Uno", "Dos", "钢琴小品"])]
    model = LibraryModel(tracks, notes={1: "piano"})  # the tagger hears track 1 as piano
    assert model.matching_ids("piano") == [1]
    assert sorted(model.matching_ids("钢琴")) == [1, 3]  # the heard one and the title that says it
    assert model.matching_ids("klavier") == [1]
