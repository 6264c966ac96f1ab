"""Words for what the audio is ("piano", "female vocals", "no vocals", "strings", "choir")
matched to what the tagger hears: its 50 Million Song Dataset tags
(musitui.analysis.tag_words.TAG_NAMES). Works for files without any tags of their own.

A word the tagger has (``instrumental``, ``female vocalists``, ``guitar``, ``acoustic``) is
that tag. A word it has not (the MSD's 50 have no "piano", "strings", "choir") is a profile
over the tags that go with it in the listening data the tags come from — piano with jazz,
blues, easy listening and instrumental, away from electronic, metal and dance — written
once, a priori, and checked on the development corpus (bench/prompt_corpus.py). A track's
match is its profile score as a rank in the library, 0..1, so the best-matching tracks of
*this* library come up whatever the tagger's absolute probabilities.
Pure numpy.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from musitui.analysis.tag_words import TAG_NAMES

_E = {"electronic": -0.3, "electronica": -0.2, "electro": -0.2, "House": -0.2, "dance": -0.2}
_LOUD = {"metal": -0.3, "heavy metal": -0.3, "hard rock": -0.2, "punk": -0.3}
PROFILES: dict[str, dict[str, float]] = {
    "instrumental": {"instrumental": 1.0, "female vocalists": -0.5, "female vocalist": -0.5,
                     "male vocalists": -0.5, "Hip-Hop": -0.3, "rnb": -0.3, "soul": -0.2},
    "vocals": {"female vocalists": 0.5, "female vocalist": 0.5, "male vocalists": 0.5, "instrumental": -0.8},
    "female vocals": {"female vocalists": 1.0, "female vocalist": 1.0, "male vocalists": -0.5,
                      "instrumental": -0.5},
    "male vocals": {"male vocalists": 1.0, "female vocalists": -0.5, "female vocalist": -0.5,
                    "instrumental": -0.5},
    "piano": {"jazz": 0.5, "blues": 0.35, "instrumental": 0.3, "easy listening": 0.3, "Mellow": 0.2,
              "beautiful": 0.15, "oldies": 0.1, **_E, **_LOUD, "Hip-Hop": -0.2, "experimental": -0.1},
    "guitar": {"guitar": 1.0, "acoustic": 0.3, "rock": 0.2, "folk": 0.2, "blues": 0.2, **_E},
    "acoustic guitar": {"acoustic": 0.8, "guitar": 0.6, "folk": 0.4, "country": 0.2, **_E, **_LOUD},
    "acoustic": {"acoustic": 1.0, "folk": 0.3, "guitar": 0.2, **_E},
    "strings": {"instrumental": 0.4, "beautiful": 0.3, "ambient": 0.2, "Mellow": 0.2, "easy listening": 0.1,
                **_E, **_LOUD, "rock": -0.2},
    "violin": {"instrumental": 0.4, "beautiful": 0.3, "folk": 0.2, "Mellow": 0.2, **_E, **_LOUD},
    "choir": {"beautiful": 0.3, "ambient": 0.3, "instrumental": 0.1, "experimental": 0.1, **_E, **_LOUD},
    "drums": {"rock": 0.2, "dance": 0.2, "Hip-Hop": 0.2, "punk": 0.2, "ambient": -0.3, "easy listening": -0.2},
    "synth": {"electronic": 0.6, "electronica": 0.4, "electro": 0.4, "80s": 0.2, "acoustic": -0.4,
              "folk": -0.3},
    "saxophone": {"jazz": 0.6, "soul": 0.3, "blues": 0.2, "easy listening": 0.2, **_E, **_LOUD},
}
_COLUMN = {tag: i for i, tag in enumerate(TAG_NAMES)}


def tag_vector(word: str) -> np.ndarray | None:
    """Weights over the tagger's 50 outputs for one word (a profile, or the tag itself)."""
    weights = PROFILES.get(word)
    if weights is None:
        columns = [i for tag, i in _COLUMN.items() if tag.lower() == word.lower()]
        if not columns:
            return None
        weights = {TAG_NAMES[columns[0]]: 1.0}
    out = np.zeros(len(TAG_NAMES), dtype=np.float64)
    for tag, weight in weights.items():
        out[_COLUMN[tag]] = weight
    return out


def known(word: str) -> bool:
    return tag_vector(word) is not None


def match(words: Sequence[str], probabilities: np.ndarray, found: np.ndarray) -> np.ndarray | None:
    """0..1 per row: how well each tagged row fits the words (its rank among the tagged
    rows of the profile score; rows without tagger output 0). None when no word is known."""
    vectors = [v for v in (tag_vector(w) for w in words) if v is not None]
    if not vectors:
        return None
    p = np.asarray(probabilities, dtype=np.float64)
    score = p @ np.mean(vectors, axis=0)
    out = np.zeros(len(p), dtype=np.float32)
    rows = np.flatnonzero(found)
    if len(rows) >= 2:
        order = np.argsort(np.argsort(score[rows], kind="stable"), kind="stable")
        out[rows] = (order / (len(rows) - 1)).astype(np.float32) ** 2
    elif len(rows) == 1:
        out[rows] = 1.0
    return out


SEARCH_SHARE = 0.15  # a track is found by an audio word when it is in the library's top 15 % for it


def search_words(probabilities: np.ndarray, found: np.ndarray) -> list[str]:
    """Per row, the audio words (PROFILES' names) it is found by in search: those for which
    it ranks in the library's top SEARCH_SHARE of tagged tracks with a positive profile
    score ("piano" finds the tracks that sound most like piano, tags or none)."""
    p = np.asarray(probabilities, dtype=np.float64)
    rows = np.flatnonzero(found)
    out = [""] * len(p)
    if len(rows) < 2:
        return out
    hits: list[list[str]] = [[] for _ in range(len(p))]
    for word in PROFILES:
        vector = tag_vector(word)
        if vector is None:
            continue
        score = p[rows] @ vector
        cut = np.quantile(score, 1.0 - SEARCH_SHARE)
        for row in rows[(score >= cut) & (score > 0)].tolist():
            hits[row].append(word)
    return [" ".join(words) for words in hits]
