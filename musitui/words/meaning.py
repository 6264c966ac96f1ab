"""What a prompt in any language means, through the multilingual sentence encoder
(musitui.words.encoder): each piece of the prompt (musitui.words.clauses) is placed on the
valence/arousal plane by its nearest mood words.

The anchors are the English rule lexicon's own words (musitui.words.prompt MOOD_WORDS and
STYLE_MOOD) with their valence/arousal: the encoder carries "ruhig", "安静", "спокойно" to
"calm" without a word list per language. Choices (bench/bench_prompts.py, tune half):
- embeddings are centred on the anchors' mean (the part every music word shares);
- filler words ("music", "Musik", "音乐", "곡", articles) are taken out of a piece before it is
  encoded (a piece of filler and style names only, "musique de piano", takes the styles' moods);
- a piece reads as the similarity-weighted mean of its K nearest anchors (softmax, TAU);
- a piece whose nearest anchor is further than MIN_SIMILARITY says nothing (never a guess);
  UNDERSTOOD is the similarity a prompt needs, without any other word understood, to count.
"""

from __future__ import annotations

import functools
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from musitui.words.encoder import Encoder

K = 5
TAU = 0.05
MIN_SIMILARITY = 0.22
UNDERSTOOD = 0.3
FILLER_PATTERN = (
    r"(?<!\w)(?:music|musik|musique|música|musica|музыка|музыку|музыки|songs?|lieder|liedern|chansons?|"
    r"canciones|canções|cancoes|músicas|песни|песен|tracks?|stücke|morceaux|temas|"
    r"the|a|an|of|some|de|du|des|la|le|les|el|los|las|un|una|une|der|die|das|ein|eine|do|da|um|uma|"
    r"в|на|из)(?!\w)"
    r"|音乐|音樂|音楽|歌曲|曲子|的歌|歌|曲|곡|음악|노래")


@functools.cache
def _filler() -> re.Pattern[str]:
    return re.compile(FILLER_PATTERN)


@dataclass(frozen=True)
class Reading:
    valence: float | None
    arousal: float | None
    similarity: float  # to the nearest anchor (centred cosine)
    nearest: str  # that anchor's word, for the explanation


def strip_filler(text: str) -> str:
    """The text without filler words ("" when it was only filler)."""
    return " ".join(_filler().sub(" ", text).split())


class MoodSpace:
    """The anchors, embedded once per process (thread-safe)."""

    def __init__(self, encoder: Encoder,
                 table: dict[str, tuple[float | None, float | None]] | None = None) -> None:
        from musitui.words.prompt import MOOD_WORDS, STYLE_MOOD

        if table is None:
            table = {**MOOD_WORDS, **{k: v for k, v in STYLE_MOOD.items() if k not in MOOD_WORDS}}
        self.encoder = encoder
        self.words = list(table)
        self.values = np.array([[np.nan if v is None else v, np.nan if a is None else a]
                                for v, a in table.values()], dtype=np.float64)
        self._anchors: np.ndarray | None = None
        self._mean: np.ndarray | None = None
        self._lock = threading.Lock()

    def _centred(self, rows: np.ndarray) -> np.ndarray:
        assert self._mean is not None
        moved = rows - self._mean
        return moved / np.maximum(np.linalg.norm(moved, axis=-1, keepdims=True), 1e-9)

    def _ready(self) -> np.ndarray:
        with self._lock:
            if self._anchors is None:
                raw = self.encoder.encode(self.words).astype(np.float64)
                self._mean = raw.mean(axis=0)
                self._anchors = self._centred(raw)
            return self._anchors

    def read(self, texts: Sequence[str]) -> list[Reading]:
        if not texts:
            return []
        anchors = self._ready()
        stripped = [strip_filler(t) for t in texts]
        queries = self._centred(self.encoder.encode([t or " " for t in stripped]).astype(np.float64))
        out = []
        for text, sims in zip(stripped, queries @ anchors.T, strict=True):
            if not text:
                out.append(Reading(None, None, 0.0, ""))
                continue
            best = int(np.argmax(sims))
            axes: list[float | None] = []
            for axis in (0, 1):
                known = ~np.isnan(self.values[:, axis])
                if not known.any():  # a table without this axis (the feel words: valence only)
                    axes.append(None)
                    continue
                s, values = sims[known], self.values[known, axis]
                top = np.argsort(-s)[:K]
                weights = np.exp((s[top] - s[top].max()) / TAU)
                axes.append(float(np.dot(weights, values[top]) / weights.sum()))
            similarity = float(sims[best])
            if similarity < MIN_SIMILARITY:
                out.append(Reading(None, None, similarity, self.words[best]))
            else:
                valence, arousal = (None if x is None else round(x, 3) for x in axes)
                out.append(Reading(valence, arousal, similarity, self.words[best]))
        return out


_SPACES: dict[tuple[int, str], MoodSpace] = {}
_SPACES_LOCK = threading.Lock()
# What a listener says of a track, for a note's feel (valence = warm +1 / cold -1).
FEEL_WORDS: dict[str, tuple[float | None, float | None]] = {
    **{w: (1.0, None) for w in ("love this", "great song", "beautiful", "my favourite", "perfect",
                                "amazing", "wonderful", "so good", "brilliant", "I like it", "lovely",
                                "gives me chills", "a masterpiece", "never gets old")},
    **{w: (-1.0, None) for w in ("boring", "annoying", "hate this", "terrible", "awful", "too loud",
                                 "too long", "skip it", "not my thing", "I don't like it", "irritating",
                                 "bad song", "gets on my nerves", "overplayed")},
    # Notes that say where or when, not how it feels.
    **{w: (0.0, None) for w in ("for running", "for work", "in the car", "at night", "from the film",
                                "live version", "reminds me of school", "heard it on the radio",
                                "my sister's song", "when studying", "the second album", "for the party")},
}


def mood_space(encoder: Encoder, kind: str = "mood") -> MoodSpace:
    """The anchors of ``kind``: "mood" (the rule lexicon's words) or "feel" (FEEL_WORDS)."""
    with _SPACES_LOCK:
        space = _SPACES.get((id(encoder), kind))
        if space is None:
            table = FEEL_WORDS if kind == "feel" else None
            space = _SPACES[(id(encoder), kind)] = MoodSpace(encoder, table)
        return space
