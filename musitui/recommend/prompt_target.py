"""A listener's prompt as numbers the ranker uses (pure numpy: the text was parsed elsewhere,
musitui.words.prompt). It replaces the mood term: closeness to the asked valence/arousal
(only the axes the prompt spoke of), plus the asked styles, what the audio should sound
like (the tagger's reading, musitui.words.audio_words) and tempo; excluded styles are never
offered; seed tracks join the session profile."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

STYLE_WEIGHT = 0.8  # a track of an asked style gains this much on the mood term (a named style is a strong ask)
TEMPO_WEIGHT = 0.3  # ... and this much at the asked tempo (fading over TEMPO_FADE BPM)
TEMPO_FADE = 30.0
AUDIO_WEIGHT = 0.8  # a track that sounds as asked ("piano", "female vocals"): up to this much


@dataclass(frozen=True)
class PromptTarget:
    valence: float | None = None
    arousal: float | None = None
    style_match: np.ndarray | None = None  # float32 (n,): 1 = the track has an asked style
    excluded: np.ndarray | None = None  # bool (n,): the track has an excluded style
    tempo: tuple[float, float] | None = None
    row_tempo: np.ndarray | None = None  # float32 (n,) BPM, NaN = unknown
    seeds: tuple[int, ...] = ()  # rows
    label: str = ""  # the prompt's own mood words, quoted in reasons
    styles: tuple[str, ...] = ()  # the asked styles, quoted for the tracks that have one
    audio_match: np.ndarray | None = None  # float32 (n,) in [-1, 1]: sounds as asked (+) / as refused (-)
    audio: tuple[str, ...] = ()  # the asked audio words, quoted for the tracks that match
    key: tuple = field(default=(), compare=False)  # cache key of the arrays' source


def prompt_part(valence: np.ndarray, arousal: np.ndarray, has_va: np.ndarray,
                target: PromptTarget) -> np.ndarray:
    """The mood term under a prompt, per row (float32)."""
    n = len(valence)
    out = np.zeros(n, dtype=np.float64)
    axes = [(valence, target.valence), (arousal, target.arousal)]
    asked = [(values, goal) for values, goal in axes if goal is not None]
    if asked:
        squared = sum((values.astype(np.float64) - goal) ** 2 for values, goal in asked)
        distance = np.sqrt(squared) * (1.0 if len(asked) == 2 else 1.2)
        out += np.where(has_va, np.clip(1.0 - distance, -1.0, 1.0), 0.0)
    if target.style_match is not None and len(target.style_match) == n:
        out += STYLE_WEIGHT * target.style_match
    if target.audio_match is not None and len(target.audio_match) == n:
        out += AUDIO_WEIGHT * target.audio_match
    if target.tempo is not None and target.row_tempo is not None and len(target.row_tempo) == n:
        lo, hi = target.tempo
        bpm = target.row_tempo.astype(np.float64)
        gap = _gap(bpm, lo, hi)
        fit = np.where(np.isnan(bpm), 0.0, np.clip(1.0 - gap / TEMPO_FADE, 0.0, 1.0))
        out += TEMPO_WEIGHT * fit
    return out.astype(np.float32)


def _gap(bpm: np.ndarray, lo: float, hi: float) -> np.ndarray:
    return np.where(bpm < lo, lo - bpm, np.where(bpm > hi, bpm - hi, 0.0))
