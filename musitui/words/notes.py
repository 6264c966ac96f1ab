"""What a note on a track says: its feel (warm > 0, cold < 0, in [-1, 1]) and its words.

The feel is the sentiment of the note as lyrics are read (musitui.words.sentiment: VADER for
English, the multilingual encoder otherwise; "love this!" warm, "boring, skip" cold, "kein
Metal mehr, nervt" cold). A note's words (3+ letters, or Chinese/Japanese/Korean character
pairs) are what prompts and search match against ("my running songs")."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from musitui.words.encoder import Encoder

_WORD = re.compile(r"[^\W\d_]{3,}", re.UNICODE)
_CJK_RUN = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]+")
STOP = frozenset({"the", "and", "for", "with", "this", "that", "music", "songs", "song", "tracks", "track",
                  "some", "like", "more", "very", "my", "mes", "meine", "mis", "meus", "los", "las",
                  "der", "die", "das", "und", "les", "des", "una", "uma", "musik", "musique", "música"})
NEUTRAL = 0.05  # |feel| below this: the note says nothing warm or cold


def note_feel(text: str, encoder: Encoder | None = None) -> float | None:
    """The note's sentiment in [-1, 1], or None when it says nothing warm or cold: VADER for
    English (and without the encoder), else each piece's nearest like/dislike phrase
    (musitui.words.meaning.FEEL_WORDS), a negated piece ("nicht schlecht") turned half over."""
    from musitui.words.sentiment import compound, is_english

    if encoder is None or is_english(text):
        score: float | None = compound(text)
    else:
        score = _encoder_feel(text, encoder)
    if score is None or abs(score) < NEUTRAL:
        return None
    return round(max(-1.0, min(1.0, score)), 3)


def _encoder_feel(text: str, encoder: Encoder) -> float | None:
    from musitui.words.clauses import pieces
    from musitui.words.encoder import EncoderMissing
    from musitui.words.meaning import mood_space

    parts = pieces(text)
    try:
        readings = mood_space(encoder, "feel").read([p.text for p in parts])
    except EncoderMissing:
        return None
    total = weight = 0.0
    for piece, reading in zip(parts, readings, strict=True):
        if reading.valence is None:
            continue
        value = -0.5 * reading.valence if piece.negated else reading.valence
        total += piece.weight * reading.similarity * value
        weight += piece.weight * reading.similarity
    return total / weight if weight else None


def note_words(text: str) -> set[str]:
    """The words a prompt or a search may match: lowercased words of 3+ letters (stop words
    left out) and every pair of neighbouring CJK characters."""
    lowered = text.lower()
    words = {w for w in _WORD.findall(lowered) if w not in STOP and not _CJK_RUN.fullmatch(w)}
    for run in _CJK_RUN.findall(lowered):
        words.update(run[i:i + 2] for i in range(len(run) - 1))
    return words


def matching(prompt: str, notes: Mapping[int, Iterable[str]]) -> dict[int, set[str]]:
    """Track id -> the words its notes share with ``prompt`` (tracks sharing none left out)."""
    wanted = note_words(prompt)
    if not wanted:
        return {}
    out: dict[int, set[str]] = {}
    for track_id, texts in notes.items():
        shared = set().union(*(note_words(t) for t in texts)) & wanted
        if shared:
            out[track_id] = shared
    return out
