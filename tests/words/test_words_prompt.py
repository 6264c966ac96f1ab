"""The offline prompt parser: negation, intensity, contrast, styles, tempo, seeds."""

from __future__ import annotations

from musitui.words.prompt import parse_prompt, style_vocabulary

VOCAB = style_vocabulary(["Heavy Metal", "Piano", "Classical", "Electronic", "Rock"])


def test_negation_flips_the_push_and_excludes_styles() -> None:
    sad = parse_prompt("sad", styles=VOCAB)
    not_sad = parse_prompt("not sad", styles=VOCAB)
    assert sad.valence < 0 < not_sad.valence
    assert not_sad.arousal is None  # says nothing about energy
    hype = parse_prompt("hype me up, no metal", styles=VOCAB)
    assert hype.exclude_styles == ["metal"] and "metal" not in hype.styles
    assert hype.valence > 0 and hype.arousal > 0.5
    assert parse_prompt("nothing too intense").arousal < 0
    assert parse_prompt("anything but calm").arousal > 0


def test_contrast_keeps_both_sides() -> None:
    vibe = parse_prompt("calm but not sad, for a rainy evening", styles=VOCAB)
    assert vibe.arousal < 0 and vibe.valence > 0
    assert "not sad" in vibe.explanation
    gloomy_fast = parse_prompt("sad but not slow")
    assert gloomy_fast.valence < 0 and gloomy_fast.arousal > 0


def test_intensity_words_scale() -> None:
    assert parse_prompt("a bit sad").valence > parse_prompt("sad").valence > parse_prompt("very sad").valence
    assert parse_prompt("slightly energetic").arousal < parse_prompt("energetic").arousal


def test_styles_only_from_the_library_and_tempo_words() -> None:
    vibe = parse_prompt("calm piano, nothing sad", styles=VOCAB)
    assert vibe.styles == ["piano"] and vibe.valence > 0 and vibe.arousal < 0
    assert parse_prompt("calm piano", styles=set()).styles == []  # not in this library
    assert parse_prompt("slow songs").tempo == (50.0, 95.0)
    assert parse_prompt("something at 128 bpm").tempo == (118.0, 138.0)


def test_unknown_text_says_nothing_and_seeds_come_from_the_library() -> None:
    vibe = parse_prompt("xyzzy plugh")
    assert vibe.valence is None and vibe.arousal is None and vibe.empty
    assert set(vibe.to_dict()) == {"valence", "arousal", "styles", "exclude_styles", "tempo", "seeds",
                                   "source", "explanation", "audio", "exclude_audio", "noted"}
    seeded = parse_prompt("more like blue monday, but calm", titles={"blue monday": "/m/bm.mp3"},
                          paths={"/m/x.ogg"})
    assert seeded.seeds == ["/m/bm.mp3"] and seeded.arousal < 0
    assert parse_prompt("play /m/x.ogg and similar", paths={"/m/x.ogg"}).seeds == ["/m/x.ogg"]
