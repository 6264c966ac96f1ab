"""A prompt cut into pieces that each say one thing, in any language of musitui.words.lexicon:
clauses (punctuation, "and", contrast words), and inside a clause the negated stretch
("kein Metal", "pas de metal", "不要金属", "メタル以外", "메탈은 빼고") apart from the rest.

``pieces(text) -> list[Piece]``: each piece's text without its negator, whether it is
negated, its clause's weight (after "but": more), and the style and audio names found in it.
Pure Python (re); no encoder here.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from musitui.words import lexicon

AFTER_CONTRAST = 1.5


@dataclass
class Piece:
    text: str
    negated: bool = False
    weight: float = 1.0
    styles: list[str] = field(default_factory=list)
    audio: list[str] = field(default_factory=list)
    rest: str = ""  # the text without its style and audio names

    @property
    def names_only(self) -> bool:
        """The piece is only style/audio names (and filler): its mood is not its own."""
        return bool(self.styles or self.audio)


def _cuts(text: str) -> list[tuple[int, int, bool]]:
    """(start, end, contrast) of the clause separators in ``text``."""
    cuts = [(i, i + 1, False) for i, ch in enumerate(text) if ch in lexicon.PUNCTUATION]
    cuts += [(s, e, True) for s, e, _ in lexicon.CONTRAST_MATCH.find(text)]
    cuts += [(s, e, False) for s, e, _ in lexicon.BREAK_MATCH.find(text)]
    cuts.sort()
    kept: list[tuple[int, int, bool]] = []
    for cut in cuts:
        if kept and cut[0] < kept[-1][1]:
            continue
        kept.append(cut)
    return kept


def _clauses(text: str) -> list[tuple[str, float]]:
    out = []
    weight = 1.0
    start = 0
    for s, e, contrast in [*_cuts(text), (len(text), len(text), False)]:
        part = text[start:s].strip()
        if part:
            out.append((part, weight))
        if contrast:
            weight = AFTER_CONTRAST
        start = e
    return out


def _overlaps(span: tuple[int, int], spans: list[tuple[int, int, str]]) -> bool:
    return any(span[0] < e and s < span[1] for s, e, _ in spans)


def _split_clause(clause: str, weight: float) -> list[Piece]:
    names = lexicon.STYLE_MATCH.find(clause) + lexicon.AUDIO_MATCH.find(clause)
    protected = names + lexicon.NOT_NEGATION_MATCH.find(clause)
    before = [(s, e) for s, e, _ in lexicon.NEGATE_BEFORE_MATCH.find(clause) if not _overlaps((s, e), protected)]
    after = [(s, e) for s, e, _ in lexicon.NEGATE_AFTER_MATCH.find(clause) if not _overlaps((s, e), protected)]
    # Stretches: (start, end, negated). A negator before reaches to the clause's end; one
    # after reaches back to the clause's start (or the previous negator).
    stretches: list[tuple[int, int, bool]] = []
    if before and (not after or before[0][0] <= after[0][0]):
        s, e = before[0]
        stretches = [(0, s, False), (e, len(clause), True)]
    elif after:
        s, e = after[0]
        stretches = [(0, s, True), (e, len(clause), False)]
    else:
        stretches = [(0, len(clause), False)]
    pieces = []
    for start, end, negated in stretches:
        text = clause[start:end].strip()
        if not text:
            continue
        inside = [(s - start, e - start, n) for s, e, n in names if s >= start and e <= end]
        piece = Piece(text, negated, weight)
        rest = clause[start:end]
        for s, e, _n in sorted(inside, reverse=True):
            rest = rest[:s] + " " + rest[e:]
        piece.rest = " ".join(rest.split())
        for _s, _e, name in sorted(inside):
            target = piece.audio if name in lexicon.AUDIO_NAMES else piece.styles
            if name not in target:
                target.append(name)
        pieces.append(piece)
    return pieces


def pieces(text: str) -> list[Piece]:
    """The prompt's pieces, in order (text lowercased)."""
    lowered = " ".join((text or "").lower().replace("’", "'").split())
    out: list[Piece] = []
    for clause, weight in _clauses(lowered):
        out.extend(_split_clause(clause, weight))
    return out
