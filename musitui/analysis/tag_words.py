"""Human words from the tagger's 50 Million Song Dataset tags: for display, search and style.

Pure Python over a probability vector (numpy only), so the parent process and the TUI can
use it without the model. The MSD vocabulary has near-duplicates ("female vocalist" and
"female vocalists", "chill" and "chillout") and decades ("80s"), which describe a record's
era on last.fm rather than its sound: duplicates are merged (the larger probability wins)
and decades are not shown.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

# The model's output order (musicnn's configuration.MSD_LABELS).
TAG_NAMES: tuple[str, ...] = (
    "rock", "pop", "alternative", "indie", "electronic", "female vocalists", "dance", "00s",
    "alternative rock", "jazz", "beautiful", "metal", "chillout", "male vocalists",
    "classic rock", "soul", "indie rock", "Mellow", "electronica", "80s", "folk", "90s",
    "chill", "instrumental", "punk", "oldies", "blues", "hard rock", "ambient", "acoustic",
    "experimental", "female vocalist", "guitar", "Hip-Hop", "70s", "party", "country",
    "easy listening", "sexy", "catchy", "funk", "electro", "heavy metal", "Progressive rock",
    "60s", "rnb", "indie pop", "sad", "House", "happy",
)
SAME_WORD = {"female vocalist": "female vocalists", "chillout": "chill"}
DECADES = {"00s", "90s", "80s", "70s", "60s"}
# The tags that name a genre: a track's style when its file has no genre tag.
GENRES = {
    "rock", "pop", "alternative", "indie", "electronic", "dance", "alternative rock", "jazz",
    "metal", "classic rock", "soul", "indie rock", "electronica", "folk", "punk", "blues",
    "hard rock", "ambient", "experimental", "Hip-Hop", "country", "easy listening", "funk",
    "electro", "heavy metal", "Progressive rock", "rnb", "indie pop", "House", "chillout",
}
SHOWN = 3          # words per track
MIN_PROBABILITY = 0.1


def word(tag: str) -> str:
    """How a tag is shown: lower case, duplicates merged ("Hip-Hop" -> "hip-hop")."""
    return SAME_WORD.get(tag, tag).lower()


def ranked_words(probabilities: Sequence[float] | np.ndarray, *, genres_only: bool = False) -> list[tuple[str, float]]:
    """(word, probability), most probable first, one entry per word, decades left out."""
    best: dict[str, float] = {}
    for tag, p in zip(TAG_NAMES, np.asarray(probabilities, dtype=np.float64).tolist(), strict=True):
        if tag in DECADES or (genres_only and tag not in GENRES):
            continue
        key = word(tag)
        best[key] = max(best.get(key, 0.0), p)
    return sorted(best.items(), key=lambda item: -item[1])


def tag_words(probabilities: Sequence[float] | np.ndarray, n: int = SHOWN) -> str:
    """The ``n`` most probable words with probability >= MIN_PROBABILITY, "a, b, c"."""
    return ", ".join(w for w, p in ranked_words(probabilities)[:n] if p >= MIN_PROBABILITY)


def top_genre(probabilities: Sequence[float] | np.ndarray) -> tuple[str, float]:
    """The most probable genre word and its probability."""
    return ranked_words(probabilities, genres_only=True)[0]


def _word_columns() -> tuple[list[str], np.ndarray]:
    """The distinct shown words and, per word, the tag columns that make it (-1 padded)."""
    members: dict[str, list[int]] = {}
    for column, tag in enumerate(TAG_NAMES):
        if tag not in DECADES:
            members.setdefault(word(tag), []).append(column)
    width = max(len(c) for c in members.values())
    table = np.full((len(members), width), -1, dtype=np.int64)
    for row, columns in enumerate(members.values()):
        table[row, :len(columns)] = columns
    return list(members), table


_WORDS, _WORD_TABLE = _word_columns()


def tag_words_many(probabilities: np.ndarray, n: int = SHOWN) -> list[str]:
    """``tag_words`` for every row of an (tracks, 50) array, vectorised: a 50k-track library
    is summarised at every analysis checkpoint."""
    p = np.asarray(probabilities, dtype=np.float32)
    if len(p) == 0:
        return []
    padded = np.concatenate([p, np.zeros((len(p), 1), np.float32)], axis=1)  # column -1 -> 0
    per_word = padded[:, _WORD_TABLE].max(axis=2)  # (tracks, words)
    top = np.argsort(-per_word, axis=1, kind="stable")[:, :n]
    strong = np.take_along_axis(per_word, top, axis=1) >= MIN_PROBABILITY
    made: dict[tuple[int, ...], str] = {}
    out = []
    for row, keep in zip(top.tolist(), strong.tolist(), strict=True):
        key = tuple(w for w, k in zip(row, keep, strict=True) if k)
        text = made.get(key)
        if text is None:
            text = made[key] = ", ".join(_WORDS[w] for w in key)
        out.append(text)
    return out


_GENRE_COLUMNS = np.array([c for c, tag in enumerate(TAG_NAMES) if tag in GENRES], dtype=np.int64)


def top_genres_many(probabilities: np.ndarray) -> tuple[list[str], np.ndarray]:
    """``top_genre`` for every row: (words, probabilities)."""
    p = np.asarray(probabilities, dtype=np.float32).reshape(-1, len(TAG_NAMES))[:, _GENRE_COLUMNS]
    best = np.argmax(p, axis=1)  # the first of equals, as top_genre's stable sort
    return [word(TAG_NAMES[_GENRE_COLUMNS[b]]) for b in best.tolist()], p[np.arange(len(p)), best]
