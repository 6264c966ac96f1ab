"""`musitui vibe --json` and `musitui recommend --prompt` through the real command line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli_helpers import musitui

from musitui.core.model import Analysis
from musitui.paths import resolve_home
from musitui.store.catalog import Catalog

VIBE_KEYS = {"valence", "arousal", "styles", "exclude_styles", "tempo", "seeds", "source", "explanation",
             "audio", "exclude_audio", "noted"}
TRACKS = [  # title, genre, valence, arousal, tempo
    ("Still Water", "Piano", 0.3, -0.7, 70.0),
    ("Iron Storm", "Heavy Metal", -0.4, 0.85, 170.0),
    ("Sunny Jump", "Pop", 0.7, 0.5, 125.0),
    ("Grey Letters", "Ballad", -0.75, -0.45, 68.0),
    ("Night Drive", "Electronic", 0.2, 0.6, 128.0),
]


@pytest.fixture
def home(tmp_path: Path) -> Path:
    root = tmp_path / "home"
    catalog = Catalog.open(resolve_home(root).ensure())
    for title, genre, valence, arousal, tempo in TRACKS:
        path = tmp_path / "music" / f"{title}.ogg"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"")
        catalog.new_track(str(path), title=title, artist=f"{title} band", genre=genre, duration=200.0,
                          analysis=Analysis(feature_version=2, tempo=tempo, key="C", mode="major",
                                            valence=valence, arousal=arousal, mood="calm"))
    catalog.save()
    return root


def test_vibe_json_shape_uses_the_library_styles(home: Path) -> None:
    done = musitui("vibe", "calm piano, no metal", "--json", home=home)
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert set(data) == VIBE_KEYS
    assert data["source"] == "rules" and data["styles"] == ["piano"] and data["exclude_styles"] == ["metal"]
    assert data["arousal"] < 0 and data["tempo"] is None and data["seeds"] == []
    plain = musitui("vibe", "   ", home=home)
    assert plain.returncode == 2 and "Traceback" not in plain.stderr


def test_recommend_prompt_ranks_by_the_prompt_and_quotes_it(home: Path) -> None:
    done = musitui("recommend", "--prompt", "hype me up, no metal", "--json", "-n", "5", home=home)
    assert done.returncode == 0, done.stderr
    items = json.loads(done.stdout)
    titles = [item["title"] for item in items]
    assert "Iron Storm" not in titles  # excluded style
    assert titles[0] in ("Sunny Jump", "Night Drive")
    assert set(items[0]) >= {"id", "path", "title", "score", "parts", "reason"}
    assert "as you asked" in items[0]["reason"] and "hype" in items[0]["reason"]
    calm = musitui("recommend", "--prompt", "calm piano, nothing sad", "--json", home=home)
    calm_titles = [item["title"] for item in json.loads(calm.stdout)]
    assert calm_titles[0] == "Still Water"
    assert calm_titles.index("Still Water") < calm_titles.index("Iron Storm")
    battle = [i["title"] for i in json.loads(musitui("recommend", "--prompt", "intense battle music",
                                                     "--json", home=home).stdout)]
    assert battle[0] == "Iron Storm" and battle.index("Iron Storm") < battle.index("Still Water")


def test_info_shows_the_stored_lyrics_sentiment(home: Path) -> None:
    from musitui.words import sentiment_store

    catalog = Catalog.open(resolve_home(home))
    track = next(t for t in catalog.tracks.values() if t.title == "Grey Letters")
    sentiment_store.update(sentiment_store.path_in(resolve_home(home).features_dir), [track.id],
                           ["I cry alone tonight\nTears and broken hearts"], 2)
    data = json.loads(musitui("info", track.path, "--json", home=home).stdout)
    assert data["lyrics_mood"] == "sad lyrics" and data["lyrics_valence_shift"] < 0
    assert data["lyrics_feature_version"] == 2
    other = next(t for t in catalog.tracks.values() if t.title == "Sunny Jump")
    assert "lyrics_mood" not in json.loads(musitui("info", other.path, "--json", home=home).stdout)
