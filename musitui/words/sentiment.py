"""Lyrics sentiment -> a bounded valence shift. English lyrics: VADER (MIT, its lexicon ships
in the wheel, no network; imported lazily). Lyrics in other languages (zh, ja, ko, de, fr, es,
ru, pt...): the multilingual sentence encoder reads each line's pieces (negation included,
musitui.words.multilingual) on the valence axis, and the lines are averaged weighted by how
close each came to a mood word. Chosen on the tune half of bench/lyrics_set.tsv: VADER and
the encoder tie on English there, so English keeps VADER; VADER is near chance elsewhere.

Lyrics are scored line by line (VADER is built for short texts: over a whole song its
compound score saturates at ±1), the lines that carry sentiment are averaged, and the
average is mapped to a shift of at most ±MAX_SHIFT on the valence axis. Arousal is left to
the audio. Text with no sentiment-bearing words gives None: the track is unchanged.
"""

from __future__ import annotations

import functools
import math
import re
from typing import TYPE_CHECKING, Any

from musitui.words.lrc import plain_text

if TYPE_CHECKING:
    from musitui.words.encoder import Encoder

MAX_SHIFT = 0.3
MIN_LINE_SCORE = 0.05  # |compound| below this: a neutral line, not counted
MAX_SCORED_LINES = 400
# Bump when the scoring changes: stored scores of another version are recomputed.
SENTIMENT_VERSION = 2
# Function words that only English lyrics are full of (none is a word of de/es/fr/pt/it).
ENGLISH_WORDS = frozenset([
    "the", "and", "you", "i", "my", "is", "to", "it", "we", "your", "for", "but", "not", "with", "all",
    "be", "this", "that", "are", "was", "at", "of", "our", "what", "when", "can", "just", "don't", "i'm",
    "it's", "love"])
ENGLISH_SHARE = 0.12
_WORD = re.compile(r"[a-z']+")


@functools.cache
def _analyser() -> Any:
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    return SentimentIntensityAnalyzer()


def compound(text: str) -> float:
    """VADER's compound score of one short text, in [-1, 1]."""
    return float(_analyser().polarity_scores(text)["compound"])


def is_english(text: str) -> bool:
    """Mostly English words (by their function words): VADER reads it."""
    words = _WORD.findall(text.lower())
    return bool(words) and sum(w in ENGLISH_WORDS for w in words) / len(words) >= ENGLISH_SHARE


def lyrics_score(lyrics: str | None, encoder: Encoder | None = None) -> float | None:
    """The mean sentiment of the sentiment-bearing lines in [-1, 1], or None when there are
    none. Without ``encoder`` every language goes to VADER (the light path)."""
    if not lyrics or not lyrics.strip():
        return None
    words = plain_text(lyrics) if "[" in lyrics else lyrics
    lines = [line.strip() for line in words.splitlines() if line.strip()][:MAX_SCORED_LINES]
    if encoder is not None and not is_english(" ".join(lines)):
        return _encoder_score(lines, encoder)
    scores = [compound(line) for line in lines]
    scored = [s for s in scores if abs(s) >= MIN_LINE_SCORE]
    if not scored:
        return None
    return sum(scored) / len(scored)


def _encoder_score(lines: list[str], encoder: Encoder) -> float | None:
    """Each line's valence from its pieces (musitui.words.multilingual), weighted by how close
    the line came to a mood word; None when no line says anything."""
    from musitui.words.clauses import pieces
    from musitui.words.encoder import EncoderMissing
    from musitui.words.multilingual import encoder_axes

    total = weight = 0.0
    try:
        for line in lines:
            valence, _arousal, _words, similarity = encoder_axes(pieces(line), encoder)
            if valence is not None and similarity > 0:
                total += similarity * valence
                weight += similarity
    except EncoderMissing:
        return None
    return total / weight if weight else None


def valence_shift(score: float | None) -> float | None:
    """A compound mean mapped to a valence shift in [-MAX_SHIFT, MAX_SHIFT]."""
    if score is None or math.isnan(score):
        return None
    return round(MAX_SHIFT * math.tanh(2.0 * score), 3)


def describe(shift: float | None) -> str | None:
    """The words for a reason or `info`: "sad lyrics", "happy lyrics", or None."""
    if shift is None or abs(shift) < 0.1:
        return None
    return "happy lyrics" if shift > 0 else "sad lyrics"
