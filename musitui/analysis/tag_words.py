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
