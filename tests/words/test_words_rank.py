"""The prompt target in the ranker (pure numpy): mood term replaced, styles excluded, tempo
and style bias, lyrics reasons that agree with what was asked."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np

from musitui.recommend.arrays import build_library
from musitui.recommend.engine import Listening, Weights, rank
from musitui.recommend.prompt_target import PromptTarget

# title, genre, valence, arousal
ROWS = [("Tears", "Ballad", -0.6, -0.4), ("Storm", "Metal", -0.3, 0.8), ("Sun", "Pop", 0.6, 0.4),
        ("Mist", "Piano", 0.2, -0.6), ("Rain", "Piano", -0.5, -0.5)]


def library():
    tracks = [SimpleNamespace(id=i + 1, path=f"/m/{t}.ogg", title=t, artist=f"A{i}", genre=g,
                              analysis=SimpleNamespace(valence=v, arousal=a))
              for i, (t, g, v, a) in enumerate(ROWS)]
    lib = build_library(tracks)
    lib.lyrics_shift = np.array([-0.25, 0.0, 0.2, 0.0, -0.2], dtype=np.float32)
    return lib


def titles(picks, lib):
    return [lib.titles[p.row] for p in picks]


def test_prompt_replaces_the_mood_and_excludes_styles() -> None:
    lib = library()
    metal = np.array([g == "Metal" for _, g, _, _ in ROWS])
    calm = PromptTarget(valence=0.3, arousal=-0.7, excluded=metal, label="calm, not sad")
    picks = rank(lib, Listening(now=0.0, prompt=calm), Weights(artist_spacing=0), 5)
    order = titles(picks, lib)
    assert order[0] == "Mist" and "Storm" not in order
    assert picks[0].reason.startswith("calm, not sad, as you asked")
    energetic = rank(lib, Listening(now=0.0, prompt=PromptTarget(arousal=0.9, label="hype")),
                     Weights(artist_spacing=0), 5)
    assert titles(energetic, lib)[0] == "Storm"  # only arousal asked: valence does not matter


def test_style_and_tempo_bias_and_lyrics_reasons_follow_the_ask() -> None:
    lib = library()
    piano = np.array([g == "Piano" for _, g, _, _ in ROWS], dtype=np.float32)
    sad_piano = PromptTarget(valence=-0.6, arousal=-0.4, style_match=piano, label="sad", styles=("piano",))
    picks = rank(lib, Listening(now=0.0, prompt=sad_piano), Weights(artist_spacing=0), 5)
    assert titles(picks, lib)[0] == "Rain"  # sad and piano beats sad alone (Tears)
    reasons = {lib.titles[p.row]: p.reason for p in picks}
    assert "sad lyrics" in reasons["Rain"]
    assert reasons["Rain"].startswith("piano, sad, as you asked")  # the style only where it is
    assert reasons["Tears"].startswith("sad, as you asked")
    happy = rank(lib, Listening(now=0.0, prompt=PromptTarget(valence=0.7, arousal=0.3, label="happy")),
                 Weights(artist_spacing=0), 5)
    happy_reasons = {lib.titles[p.row]: p.reason for p in happy}
    assert "happy lyrics" in happy_reasons["Sun"]
    assert all("sad lyrics" not in r for r in happy_reasons.values())
    slow = PromptTarget(tempo=(60.0, 80.0), row_tempo=np.array([70, 170, 100, 150, 150], np.float32),
                        label="slow")
    picks = rank(lib, Listening(now=0.0, prompt=slow), Weights(artist_spacing=0), 5)
    fit = {lib.titles[p.row]: p.parts["mood"] for p in picks}
    assert titles(picks, lib)[0] == "Tears"  # 70 BPM: in the range
    assert fit["Tears"] > fit["Sun"] > fit["Mist"] == fit["Storm"] == 0.0  # fading with the distance
