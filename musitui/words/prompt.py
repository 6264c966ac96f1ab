"""Free text -> a listening target, offline: a small mood lexicon plus rules for negation,
intensity and contrast, in English. Every language (English included) goes through
musitui.words.multilingual, which keeps these rules where they read English better and
uses the sentence encoder for the rest. No Textual, no network.

``parse_prompt(text, styles=..., titles=..., paths=...) -> Vibe``; ``Vibe.to_dict()`` is the
`musitui vibe --json` object. The valence/arousal plane is musitui's (docs/MOOD.md).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

# word -> (valence, arousal); None = says nothing about that axis.
MOOD_WORDS: dict[str, tuple[float | None, float | None]] = {
    "calm": (0.2, -0.7), "calming": (0.2, -0.7), "relaxing": (0.3, -0.7), "relaxed": (0.3, -0.7),
    "relax": (0.3, -0.7), "chill": (0.3, -0.5), "chilled": (0.3, -0.5), "mellow": (0.2, -0.6),
    "peaceful": (0.4, -0.7), "serene": (0.4, -0.8), "soothing": (0.3, -0.7), "gentle": (0.3, -0.6),
    "soft": (0.2, -0.6), "quiet": (0.1, -0.7), "sleep": (0.1, -0.9), "sleepy": (0.0, -0.8),
    "lullaby": (0.2, -0.9), "dreamy": (0.2, -0.5), "cozy": (0.5, -0.5), "cosy": (0.5, -0.5),
    "tranquil": (0.4, -0.8), "meditative": (0.2, -0.8), "focus": (0.1, -0.4), "study": (0.1, -0.4),
    "studying": (0.1, -0.4), "rainy": (-0.2, -0.4), "rain": (-0.2, -0.4), "evening": (None, -0.3),
    "sunday": (0.3, -0.4), "lazy": (0.1, -0.6), "slow": (None, -0.5),
    "sad": (-0.8, -0.3), "sadness": (-0.8, -0.3), "melancholy": (-0.6, -0.4),
    "melancholic": (-0.6, -0.4), "depressing": (-0.8, -0.4), "depressed": (-0.8, -0.4),
    "gloomy": (-0.6, -0.3), "lonely": (-0.6, -0.4), "heartbreak": (-0.8, -0.3),
    "heartbroken": (-0.8, -0.3), "crying": (-0.8, -0.2), "cry": (-0.8, -0.2), "tears": (-0.7, -0.3),
    "somber": (-0.6, -0.4), "sombre": (-0.6, -0.4), "mournful": (-0.8, -0.4), "grief": (-0.8, -0.3),
    "bleak": (-0.7, -0.2), "blue": (-0.5, -0.3), "moody": (-0.3, -0.1), "bittersweet": (-0.2, -0.2),
    "nostalgic": (0.0, -0.3), "dark": (-0.5, 0.1), "grim": (-0.6, 0.1), "sorrow": (-0.8, -0.3),
    "happy": (0.8, 0.3), "happiness": (0.8, 0.3), "joyful": (0.8, 0.4), "joy": (0.8, 0.4),
    "cheerful": (0.8, 0.4), "upbeat": (0.6, 0.6), "sunny": (0.7, 0.3), "summer": (0.6, 0.4),
    "fun": (0.7, 0.5), "bright": (0.6, 0.3), "uplifting": (0.7, 0.4), "feelgood": (0.8, 0.4),
    "positive": (0.7, 0.2), "optimistic": (0.7, 0.3), "playful": (0.6, 0.4), "romantic": (0.6, -0.2),
    "love": (0.6, -0.1), "euphoric": (0.9, 0.8), "triumphant": (0.6, 0.7), "groovy": (0.5, 0.4),
    "funky": (0.5, 0.5), "cheer": (0.7, 0.4), "smile": (0.7, 0.2),
    "energetic": (0.4, 0.8), "energy": (0.4, 0.8), "hype": (0.4, 0.9), "hyped": (0.4, 0.9),
    "pumped": (0.4, 0.9), "pumpup": (0.4, 0.9), "wakeup": (0.4, 0.6), "workout": (0.3, 0.8),
    "gym": (0.3, 0.8), "running": (0.3, 0.8), "run": (0.3, 0.7), "dance": (0.6, 0.7),
    "dancing": (0.6, 0.7), "danceable": (0.6, 0.7), "party": (0.6, 0.8), "lively": (0.6, 0.6),
    "fast": (None, 0.6), "loud": (None, 0.7), "driving": (0.2, 0.7), "exciting": (0.5, 0.8),
    "excited": (0.5, 0.8), "powerful": (0.1, 0.8), "bouncy": (0.6, 0.6),
    "intense": (-0.3, 0.9), "intensity": (-0.3, 0.9), "aggressive": (-0.5, 0.9), "angry": (-0.7, 0.8),
    "anger": (-0.7, 0.8), "rage": (-0.7, 0.9), "furious": (-0.7, 0.9), "battle": (-0.3, 0.9),
    "fight": (-0.3, 0.9), "fighting": (-0.3, 0.9), "war": (-0.5, 0.8), "epic": (0.1, 0.8),
    "heavy": (-0.3, 0.7), "brutal": (-0.6, 0.9), "fierce": (-0.3, 0.9), "tense": (-0.4, 0.5),
    "scary": (-0.6, 0.4), "creepy": (-0.6, 0.2), "menacing": (-0.6, 0.6), "chaotic": (-0.4, 0.8),
    "boss": (-0.2, 0.8), "wild": (0.2, 0.8), "adrenaline": (0.1, 0.9), "frantic": (-0.2, 0.9),
}
# Style words that also say something about the mood (used only when no mood word is given).
STYLE_MOOD: dict[str, tuple[float | None, float | None]] = {
    "metal": (-0.3, 0.7), "punk": (-0.1, 0.6), "hardcore": (-0.2, 0.7), "techno": (None, 0.5),
    "drum and bass": (None, 0.6), "edm": (0.2, 0.6), "house": (0.3, 0.4), "disco": (0.5, 0.4),
    "ambient": (None, -0.7), "piano": (None, -0.3), "classical": (None, -0.3), "lofi": (0.1, -0.5),
    "lo-fi": (0.1, -0.5), "ballad": (-0.2, -0.5), "blues": (-0.3, -0.1), "reggae": (0.4, -0.1),
    "pop": (0.4, 0.1), "funk": (0.4, 0.3), "jazz": (0.1, -0.2), "folk": (0.1, -0.3),
    "chiptune": (0.3, 0.3), "ska": (0.5, 0.4), "doom": (-0.6, -0.1), "new age": (0.2, -0.6),
}
# Tempo words -> BPM range (and they say something about arousal, in MOOD_WORDS).
TEMPO_WORDS: dict[str, tuple[float, float]] = {
    "slow": (50.0, 95.0), "slower": (50.0, 95.0), "fast": (125.0, 200.0), "faster": (125.0, 200.0),
    "uptempo": (120.0, 190.0), "midtempo": (90.0, 125.0), "moderate": (90.0, 125.0),
    "downtempo": (60.0, 100.0),
}
PHRASES = {  # replaced before tokenising (longest first)
    "anything but": "not", "anything except": "not", "nothing too": "not", "feel good": "feelgood",
    "feel-good": "feelgood", "pump me up": "pumpup", "pump up": "pumpup", "hype me up": "hype",
    "wake me up": "wakeup", "get me going": "energetic", "up-tempo": "uptempo", "up tempo": "uptempo",
    "mid-tempo": "midtempo", "mid tempo": "midtempo", "down-tempo": "downtempo", "lo fi": "lofi",
    "don't want": "not", "do not want": "not", "no more": "not", "rather not": "not",
    "instead of": "not", "rather than": "not", "less": "not",
}
NEGATORS = {"not", "no", "nothing", "without", "never", "dont", "don't", "isnt", "isn't", "avoid",
            "except", "non", "nor", "skip", "hate"}
SOFTENERS = {"bit": 0.5, "little": 0.5, "slightly": 0.5, "somewhat": 0.6, "kinda": 0.6,
             "kind": 0.6, "sort": 0.6, "fairly": 0.7, "mildly": 0.5, "quite": 0.8, "rather": 0.8}
BOOSTERS = {"very": 1.4, "really": 1.3, "super": 1.5, "extremely": 1.6, "so": 1.3, "totally": 1.4,
            "incredibly": 1.6, "most": 1.4, "ultra": 1.6, "too": 1.0, "absolutely": 1.5,
            "properly": 1.3, "seriously": 1.3, "mega": 1.5}
CONTRAST = {"but", "yet", "though", "although", "however", "while"}
BREAKS = {",", ";", ".", "!", "?", "and", "or", "with", "for", "then", "plus"} | CONTRAST
NEGATION_REACH = 4  # tokens a negator reaches forward (within its clause)
NEGATED_PUSH = 0.4  # "not sad" pushes this far to the other side, on the word's main axis
AFTER_CONTRAST = 1.5  # "X but Y": Y counts more
STOP_STYLE_WORDS = {"music", "and", "the", "of", "songs", "song", "tracks", "other", "misc",
                    "various", "unknown", "stuff", "sounds"}
AUDIO_EXT = (".mp3", ".flac", ".ogg", ".opus", ".m4a", ".mp4", ".wav", ".aif", ".aiff", ".wv")
TOKEN = re.compile(r"\d+(?:\.\d+)?\s*bpm|[\w'-]+|[,;.!?]", re.UNICODE)


@dataclass
class Vibe:
    valence: float | None = None
    arousal: float | None = None
    styles: list[str] = field(default_factory=list)
    exclude_styles: list[str] = field(default_factory=list)
    tempo: tuple[float, float] | None = None
    seeds: list[str] = field(default_factory=list)
    audio: list[str] = field(default_factory=list)  # what the audio should be ("piano", "female vocals")
    exclude_audio: list[str] = field(default_factory=list)
    noted: list[int] = field(default_factory=list)  # tracks whose notes share the prompt's words
    source: str = "rules"
    explanation: str = ""
    words: list[str] = field(default_factory=list)  # what was understood, for reasons
    prompt_text: str = ""  # the listener's own text (shown again in the prompt box)

    def to_dict(self) -> dict[str, Any]:
        return {"valence": self.valence, "arousal": self.arousal, "styles": list(self.styles),
                "exclude_styles": list(self.exclude_styles),
                "tempo": None if self.tempo is None else [self.tempo[0], self.tempo[1]],
                "seeds": list(self.seeds), "audio": list(self.audio), "exclude_audio": list(self.exclude_audio),
                "noted": list(self.noted), "source": self.source, "explanation": self.explanation}

    @property
    def label(self) -> str:
        """The prompt's mood words, e.g. "calm, not sad" (styles are quoted per track)."""
        return ", ".join(self.words[:3])

    @property
    def empty(self) -> bool:
        return (self.valence is None and self.arousal is None and not self.styles
                and not self.exclude_styles and self.tempo is None and not self.seeds
                and not self.audio and not self.exclude_audio and not self.noted)


def style_vocabulary(values: Iterable[str]) -> set[str]:
    """The style words of a library: each genre/style text lowercased, and its words."""
    vocab: set[str] = set()
    for value in values:
        text = (value or "").strip().lower()
        if not text or len(text) > 60:
            continue
        for part in re.split(r"\s*[/,;|&]\s*", text):
            part = part.strip()
            if len(part) >= 2 and part not in STOP_STYLE_WORDS:
                vocab.add(part)
            for word in re.findall(r"[\w-]+", part):
                if len(word) >= 3 and word not in STOP_STYLE_WORDS:
                    vocab.add(word)
    return vocab


def _normalise(text: str) -> str:
    text = " " + text.lower().replace("’", "'") + " "
    for phrase in sorted(PHRASES, key=len, reverse=True):
        text = re.sub(rf"(?<![\w-]){re.escape(phrase)}(?![\w-])", f" {PHRASES[phrase]} ", text)
    return text


def _clip(value: float) -> float:
    return max(-1.0, min(1.0, value))


def parse_prompt(text: str, *, styles: Iterable[str] = (), titles: Mapping[str, str] | None = None,
                 paths: Iterable[str] = (), sentiment_fallback: bool = True) -> Vibe:
    """The target for ``text``. ``styles``: the library's style words (style_vocabulary);
    ``titles``: lowercased title -> path; ``paths``: catalogued paths a prompt may name;
    ``sentiment_fallback``: VADER's reading of the sentence when no mood word is known."""
    text = (text or "")[:500]
    vocab = set(styles)
    vibe = Vibe(prompt_text=text)
    vibe.seeds = _seeds(text, titles or {}, set(paths))
    norm = _normalise(text)
    # Multi-word styles of the library become one token.
    multi = sorted((s for s in vocab | set(STYLE_MOOD) if " " in s), key=len, reverse=True)
    for phrase in multi:
        norm = re.sub(rf"(?<![\w-]){re.escape(phrase)}(?![\w-])", " " + phrase.replace(" ", "_") + " ", norm)
    tokens = TOKEN.findall(norm)
    sums = {"v": [0.0, 0.0], "a": [0.0, 0.0]}  # axis -> [weighted sum, weight]
    style_pushes: list[tuple[str, float | None, float | None]] = []
    negate_left = 0
    scale = 1.0
    clause_weight = 1.0
    tempos: list[tuple[float, float]] = []
    exact_tempo: tuple[float, float] | None = None
    for token in tokens:
        word = token.replace("_", " ")
        if word in CONTRAST:
            clause_weight = AFTER_CONTRAST
        if word in BREAKS:
            negate_left, scale = 0, 1.0
            continue
        if word in NEGATORS:
            negate_left = NEGATION_REACH
            continue
        if word in SOFTENERS:
            scale *= SOFTENERS[word]
            continue
        if word in BOOSTERS:
            scale *= BOOSTERS[word]
            continue
        bpm = re.match(r"(\d+(?:\.\d+)?)\s*bpm", word)
        negated = negate_left > 0
        negate_left = max(0, negate_left - 1)
        if bpm:
            bpm_value = float(bpm.group(1))
            if 30 <= bpm_value <= 300:
                exact_tempo = (bpm_value - 10.0, bpm_value + 10.0)
            continue
        stem = _known(word)
        if stem in TEMPO_WORDS and not negated:
            tempos.append(TEMPO_WORDS[stem])
        if stem in MOOD_WORDS:
            v, a = MOOD_WORDS[stem]
            weight = clause_weight
            if negated:
                v, a = _negated(v, a)
                vibe.words.append(f"not {word}")
            else:
                v = None if v is None else _clip(v * scale)
                a = None if a is None else _clip(a * scale)
                vibe.words.append(f"{_scale_word(scale)}{word}")
            for axis, value in (("v", v), ("a", a)):
                if value is not None:
                    sums[axis][0] += weight * value
                    sums[axis][1] += weight
            scale = 1.0
            negate_left = 0
            continue
        style = _style(word, vocab)
        if style is not None:
            (vibe.exclude_styles if negated else vibe.styles).append(style)
            if not negated and style in STYLE_MOOD:
                style_pushes.append((style, *STYLE_MOOD[style]))
            negate_left = 0
            scale = 1.0
        elif word in STYLE_MOOD and not negated:
            style_pushes.append((word, *STYLE_MOOD[word]))
    if sums["v"][1] == 0 and sums["a"][1] == 0:
        for name, v, a in style_pushes:
            if name not in vibe.styles:
                vibe.words.append(f"{name}-like")
            for axis, value in (("v", v), ("a", a)):
                if value is not None:
                    sums[axis][0] += value
                    sums[axis][1] += 1.0
    if sums["v"][1] == 0 and sums["a"][1] == 0 and sentiment_fallback:
        fallback = _sentiment_fallback(text)
        if fallback is not None:
            sums["v"] = [fallback, 1.0]
    vibe.valence = None if sums["v"][1] == 0 else round(_clip(sums["v"][0] / sums["v"][1]), 3)
    vibe.arousal = None if sums["a"][1] == 0 else round(_clip(sums["a"][0] / sums["a"][1]), 3)
    vibe.styles = list(dict.fromkeys(s for s in vibe.styles if s not in vibe.exclude_styles))
    vibe.exclude_styles = list(dict.fromkeys(vibe.exclude_styles))
    if exact_tempo is not None:
        vibe.tempo = exact_tempo
    elif tempos:
        vibe.tempo = (min(t[0] for t in tempos), max(t[1] for t in tempos))
    vibe.explanation = explain(vibe)
    return vibe


def _known(word: str) -> str:
    """The lexicon form of a word: itself, or without a plain English ending."""
    if word in MOOD_WORDS or word in TEMPO_WORDS:
        return word
    for ending in ("ly", "ness", "er", "est", "s"):
        if word.endswith(ending) and word[: -len(ending)] in MOOD_WORDS:
            return word[: -len(ending)]
    return word


def _negated(v: float | None, a: float | None) -> tuple[float | None, float | None]:
    """"not sad": a push to the other side of the word's main axis, nothing on the other."""
    if a is None or (v is not None and abs(v) >= abs(a)):
        return (NEGATED_PUSH if (v or 0) < 0 else -NEGATED_PUSH), None
    return None, (NEGATED_PUSH if a < 0 else -NEGATED_PUSH)


def _scale_word(scale: float) -> str:
    if scale < 0.9:
        return "a bit "
    if scale > 1.1:
        return "very "
    return ""


def _style(word: str, vocab: set[str]) -> str | None:
    if word in vocab:
        return word
    if word.endswith("s") and word[:-1] in vocab:
        return word[:-1]
    return None


def _seeds(text: str, titles: Mapping[str, str], paths: set[str]) -> list[str]:
    seeds: list[str] = []
    for token in re.findall(r"\S+", text):
        token = token.strip("\"'(),")
        if ("/" in token or token.lower().endswith(AUDIO_EXT)) and token in paths:
            seeds.append(token)
    if titles:
        lowered = text.lower()
        for match in re.finditer(r"\blike\s+[\"']?(.+?)[\"']?\s*(?:[,;.!?]|$|\bbut\b|\band\b)", lowered):
            wanted = match.group(1).strip()
            if wanted in titles:
                seeds.append(titles[wanted])
    return list(dict.fromkeys(seeds))


def _sentiment_fallback(text: str) -> float | None:
    """VADER's reading of the whole prompt, halved, when no mood word set the valence."""
    from musitui.words.sentiment import compound

    score = compound(text)
    return round(0.5 * score, 3) if abs(score) >= 0.3 else None


def explain(vibe: Vibe) -> str:
    bits = []
    if vibe.words:
        bits.append(", ".join(vibe.words))
    axes = []
    if vibe.valence is not None:
        axes.append(f"valence {vibe.valence:+.2f}")
    if vibe.arousal is not None:
        axes.append(f"arousal {vibe.arousal:+.2f}")
    if axes:
        bits.append(" / ".join(axes))
    if vibe.styles:
        bits.append("styles " + ", ".join(vibe.styles))
    if vibe.exclude_styles:
        bits.append("no " + ", ".join(vibe.exclude_styles))
    if vibe.audio:
        bits.append("sounding like " + ", ".join(vibe.audio))
    if vibe.exclude_audio:
        bits.append("no " + ", ".join(vibe.exclude_audio))
    if vibe.tempo is not None:
        bits.append(f"tempo {vibe.tempo[0]:.0f}-{vibe.tempo[1]:.0f} BPM")
    if vibe.seeds:
        bits.append(f"{len(vibe.seeds)} seed track(s)")
    if vibe.noted:
        bits.append(f"{len(vibe.noted)} track(s) whose notes say so")
    return "; ".join(bits) if bits else "nothing understood: ranking as usual"
