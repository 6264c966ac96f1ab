"""Lyrics sentiment -> a bounded valence shift (VADER: MIT, its lexicon ships in the wheel,
no network; importing it and building the analyser costs ~15 ms, done lazily).

Lyrics are scored line by line (VADER is built for short texts: over a whole song its
compound score saturates at ±1), the lines that carry sentiment are averaged, and the
average is mapped to a shift of at most ±MAX_SHIFT on the valence axis. Arousal is left to
the audio. Text with no sentiment-bearing words gives None: the track is unchanged.
"""

from __future__ import annotations

import functools
import math
from typing import Any

from musitui.words.lrc import plain_text

MAX_SHIFT = 0.3
MIN_LINE_SCORE = 0.05  # |compound| below this: a neutral line, not counted
MAX_SCORED_LINES = 400
# Bump when the scoring changes: stored scores of another version are recomputed.
SENTIMENT_VERSION = 1


@functools.cache
def _analyser() -> Any:
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    return SentimentIntensityAnalyzer()


def compound(text: str) -> float:
    """VADER's compound score of one short text, in [-1, 1]."""
    return float(_analyser().polarity_scores(text)["compound"])


def lyrics_score(lyrics: str | None) -> float | None:
    """The mean compound score of the sentiment-bearing lines, or None when there are none."""
    if not lyrics or not lyrics.strip():
        return None
    words = plain_text(lyrics) if "[" in lyrics else lyrics
    lines = [line.strip() for line in words.splitlines() if line.strip()][:MAX_SCORED_LINES]
    scores = [compound(line) for line in lines]
    scored = [s for s in scores if abs(s) >= MIN_LINE_SCORE]
    if not scored:
        return None
    return sum(scored) / len(scored)


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
