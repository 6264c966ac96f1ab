"""A prompt in any common language -> a Vibe: the English rules (musitui.words.prompt) where
they read the text, the multilingual pieces (musitui.words.clauses: negation, contrast, style
and audio names in every language) and the sentence encoder (musitui.words.meaning) for the
moods the rules do not know.

``parse_any(text, styles=..., titles=..., paths=..., encoder=...)``; with ``encoder=None``
the moods come from the rules alone (the light path: no encoder is loaded). What decides
(chosen on the tune half of bench/prompts.tsv):
- a seed title ("like Slow and Easy") is taken out of the text first: its words are not moods;
- an axis the rules set from real mood words keeps the rules' value (English: the rules are
  the better reader of "not too", "a bit", "very"); any other axis is the encoder's;
- a negated style or audio word is excluded, never asked for, whatever the rules made of it;
- nothing understood stays nothing understood: no axis is ever guessed from a weak match.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence

from musitui.words import lexicon
from musitui.words.clauses import Piece, pieces
from musitui.words.encoder import Encoder, EncoderMissing
from musitui.words.prompt import (
    STYLE_MOOD,
    TEMPO_WORDS,
    Vibe,
    _clip,
    _negated,
    explain,
    parse_prompt,
)

MAX_TITLE_WORDS = 12


def find_seeds(text: str, titles: Mapping[str, str], paths: Iterable[str]) -> tuple[list[str], str]:
    """(seed paths, the text with the seed titles and paths taken out). A title counts after
    a "like" word (any language) or in quotes; the longest title there wins."""
    paths = set(paths)
    seeds: list[str] = []
    kept = text
    for token in re.findall(r"\S+", text):
        bare = token.strip("\"'(),")
        if bare in paths:
            seeds.append(bare)
            kept = kept.replace(bare, " , ")
    lowered = kept.lower()
    spans: list[tuple[int, int, str]] = []
    starts = [e for _s, e, _w in lexicon.LIKE_MATCH.find(lowered)]
    starts += [m.end() for m in re.finditer(r"[\"'“«「『]", lowered)]
    if not starts or not titles:  # (titles may be built only now: see target.LazyTitles)
        return list(dict.fromkeys(seeds)), kept
    for start in starts:
        best = _longest_title(lowered, start, titles)
        if best is not None:
            spans.append(best)
    for s, e, path in sorted(spans, reverse=True):
        seeds.append(path)
        kept = kept[:s] + " , " + kept[e:]
    return list(dict.fromkeys(seeds)), kept


def _longest_title(lowered: str, start: int, titles: Mapping[str, str]) -> tuple[int, int, str] | None:
    while start < len(lowered) and lowered[start] in " \"'“«「『":
        start += 1
    rest = lowered[start:]
    cjk = lexicon.is_cjk(rest[:1])
    ends = range(len(rest), 0, -1) if cjk else [m.end() for m in re.finditer(r"[^\s\"”»」』,;.!?]+", rest)][::-1]
    for end in list(ends)[: 60 if cjk else MAX_TITLE_WORDS * 4]:
        candidate = rest[:end].strip(" \"”»」』,;.!?")
        path = titles.get(candidate)
        if path is not None and len(candidate) >= 2:
            return start, start + end, path
    return None


def _names(parts: list[Piece], vocab: set[str]) -> tuple[list[str], list[str], list[str], list[str]]:
    styles: list[str] = []
    excluded: list[str] = []
    audio: list[str] = []
    no_audio: list[str] = []
    for piece in parts:
        for name in piece.styles:
            if piece.negated:
                excluded.append(name)
            elif name in vocab:
                styles.append(name)
            else:  # a style the library does not name: the tagger may still hear it
                audio.append(name)
        for name in piece.audio:
            (no_audio if piece.negated else audio).append(name)
            if name in vocab:  # the library also names it ("Piano" as a genre)
                (excluded if piece.negated else styles).append(name)
    return styles, excluded, audio, no_audio


def _tempo(parts: list[Piece]) -> tuple[float, float] | None:
    ranges = [TEMPO_WORDS[name] for piece in parts if not piece.negated
              for _s, _e, name in lexicon.TEMPO_MATCH.find(piece.text)]
    if not ranges:
        return None
    return min(r[0] for r in ranges), max(r[1] for r in ranges)


def _rule_axes(rules: Vibe) -> tuple[bool, bool]:
    """Whether the rules set valence / arousal from real mood words (not a style's mood, not
    VADER's reading of a sentence it does not know)."""
    if not any(not w.endswith("-like") for w in rules.words):
        return False, False
    return rules.valence is not None, rules.arousal is not None


def encoder_axes(parts: list[Piece], encoder: Encoder) -> tuple[float | None, float | None, list[str], float]:
    """(valence, arousal, the anchor words read, the best similarity) of ``parts`` through
    the encoder; Nones for an axis no piece spoke of."""
    from musitui.words.meaning import mood_space, strip_filler

    readable = [p for p in parts if not (p.negated and p.names_only)]
    # A piece that is only names ("jazz", "钢琴曲") has its styles' own moods, on their axes
    # (what the audio is, "piano", says nothing of the mood).
    named = [p for p in readable if p.names_only and not p.negated and not strip_filler(p.rest)]
    spoken = [p for p in readable if p not in named]
    readings = mood_space(encoder).read([p.text for p in spoken])
    sums = {0: [0.0, 0.0], 1: [0.0, 0.0]}
    pushes: dict[int, float] = {}
    words: list[str] = []
    best = 0.0
    for piece in named:
        for name in piece.styles:
            if name in STYLE_MOOD:
                for axis, value in enumerate(STYLE_MOOD[name]):
                    if value is not None:
                        sums[axis][0] += piece.weight * value
                        sums[axis][1] += piece.weight
    for piece, reading in zip(spoken, readings, strict=True):
        if reading.valence is None or reading.arousal is None:
            continue
        best = max(best, reading.similarity)
        v, a = reading.valence, reading.arousal
        if piece.negated:
            v, a = _negated(v, a)  # type: ignore[assignment]
            words.append(f"not {reading.nearest}")
            for axis, value in ((0, v), (1, a)):
                if value is not None:
                    pushes[axis] = value
        else:
            words.append(reading.nearest)
        for axis, value in ((0, v), (1, a)):
            if value is not None:
                sums[axis][0] += piece.weight * value
                sums[axis][1] += piece.weight
    axes = [None if w == 0 else round(_clip(t / w), 3) for t, w in (sums[0], sums[1])]
    # "calm but not sad" is never sad: a "not X" decides the side of its axis.
    for axis, push in pushes.items():
        value = axes[axis]
        if value is not None and value * push <= 0:
            axes[axis] = push
    return axes[0], axes[1], list(dict.fromkeys(words)), best


def parse_any(text: str, *, styles: Iterable[str] = (), titles: Mapping[str, str] | None = None,
              paths: Iterable[str] = (), encoder: Encoder | None = None,
              notes: Mapping[int, Sequence[str]] | None = None) -> Vibe:
    """The target for ``text`` in any language of musitui.words.lexicon; ``notes``: the
    listener's notes (track id -> texts), whose words the prompt may name ("my running songs")."""
    from musitui.words.meaning import UNDERSTOOD

    text = (text or "")[:500]
    vocab = set(styles)
    seeds, rest = find_seeds(text, titles or {}, paths)
    rules = parse_prompt(rest, styles=vocab, sentiment_fallback=False)
    parts = pieces(rest)
    asked, excluded, audio, no_audio = _names(parts, vocab)
    vibe = Vibe(prompt_text=text, seeds=seeds, source="rules")
    vibe.exclude_styles = list(dict.fromkeys(excluded + rules.exclude_styles))
    vibe.styles = [s for s in dict.fromkeys(rules.styles + asked) if s not in vibe.exclude_styles]
    vibe.audio = [a for a in dict.fromkeys(audio) if a not in no_audio and a not in vibe.styles]
    vibe.exclude_audio = list(dict.fromkeys(no_audio))
    vibe.tempo = rules.tempo or _tempo(parts)
    if notes:
        from musitui.words.notes import matching

        vibe.noted = sorted(matching(rest, notes))
    rule_v, rule_a = _rule_axes(rules)
    vibe.valence = rules.valence if rule_v else None
    vibe.arousal = rules.arousal if rule_a else None
    vibe.words = [w for w in rules.words if not w.endswith("-like")] if (rule_v or rule_a) else []
    if encoder is not None and not (rule_v and rule_a):
        try:
            v, a, words, best = encoder_axes(parts, encoder)
        except EncoderMissing:
            v = a = None
            words, best = [], 0.0
        named = bool(vibe.styles or vibe.exclude_styles or vibe.audio or vibe.exclude_audio or rule_v or rule_a)
        if best >= UNDERSTOOD or named:
            if not rule_v and v is not None:
                vibe.valence = v
            if not rule_a and a is not None:
                vibe.arousal = a
            if v is not None or a is not None:
                vibe.words += [w for w in words if w not in vibe.words][:3]
                vibe.source = "rules+encoder" if (rule_v or rule_a) else "encoder"
    if vibe.valence is None and vibe.arousal is None and encoder is None:
        _style_moods(vibe)
    vibe.explanation = explain(vibe)
    return vibe


def _style_moods(vibe: Vibe) -> None:
    """Without the encoder: the asked styles' moods, as the rules do."""
    pushes = [STYLE_MOOD[s] for s in vibe.styles if s in STYLE_MOOD and s not in vibe.audio]
    for axis in (0, 1):
        values = [p[axis] for p in pushes if p[axis] is not None]
        if values:
            mean = round(sum(v for v in values if v is not None) / len(values), 3)
            if axis == 0:
                vibe.valence = mean
            else:
                vibe.arousal = mean
