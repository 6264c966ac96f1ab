"""Lyrics valence in many languages on identical audio: for every language of
bench/lyrics_set.tsv (original short lyrics labelled happy + or sad - before tuning), the
share of (happy, sad) pairs whose valence after the lyrics shift orders them right, the
audio being the same (so only the shift decides; a tie counts half). Tune half (odd ids) and
report half (even ids) apart, with a 95 % bootstrap interval (songs resampled), for VADER
alone (the old scorer: baseline, same run) and for musitui's scorer.

    PYTHONPATH=$PWD .venv/bin/python bench/bench_lyrics.py
"""

from __future__ import annotations

import itertools
import os
import random
from collections.abc import Callable
from pathlib import Path

from musitui.words.encoder import shared
from musitui.words.sentiment import lyrics_score, valence_shift

AUDIO_VALENCE = 0.1  # the same for every song: only the lyrics differ


def load() -> list[tuple[int, str, str, str]]:
    lines = [line for line in Path(__file__).with_name("lyrics_set.tsv").read_text(encoding="utf-8").splitlines()
             if line and not line.startswith("#")]
    rows = []
    for line in lines[1:]:
        ident, lang, label, text = line.split("\t")
        rows.append((int(ident), lang, label, text.replace(" / ", "\n")))
    return rows


def pairwise(happy: list[float], sad: list[float]) -> float:
    pairs = list(itertools.product(happy, sad))
    return sum(1.0 if h > s else 0.5 if h == s else 0.0 for h, s in pairs) / max(1, len(pairs))


def interval(happy: list[float], sad: list[float], rounds: int = 2000) -> tuple[float, float]:
    rng = random.Random(7)
    values = sorted(pairwise(rng.choices(happy, k=len(happy)), rng.choices(sad, k=len(sad)))
                    for _ in range(rounds))
    return values[int(0.025 * rounds)], values[int(0.975 * rounds) - 1]


def report(rows: list[tuple[int, str, str, str]], score: Callable[[str], float | None], name: str) -> None:
    print(f"== {name}")
    for half in ("tune", "report"):
        groups: dict[str, tuple[list[float], list[float]]] = {}
        for ident, lang, label, text in rows:
            if (ident % 2 == 1) != (half == "tune"):
                continue
            valence = AUDIO_VALENCE + (valence_shift(score(text)) or 0.0)
            happy, sad = groups.setdefault(lang, ([], []))
            (happy if label == "+" else sad).append(valence)
        cells = []
        for lang, (happy, sad) in groups.items():
            lo, hi = interval(happy, sad)
            cells.append(f"{lang} {pairwise(happy, sad):.2f} [{lo:.2f}-{hi:.2f}]")
        within = [pairwise(*groups[lang]) for lang in groups if lang != "en"]
        print(f"  {half:6} " + "; ".join(cells)
              + f"; non-English mean {sum(within) / len(within):.2f}")


def main() -> int:
    rows = load()
    encoder = shared()
    encoder.load()
    print(f"load {os.getloadavg()[0]:.2f}; {len(rows)} lyrics, pairs within each language")
    report(rows, lambda text: lyrics_score(text), "VADER alone (the old scorer)")
    report(rows, lambda text: lyrics_score(text, encoder), "musitui (VADER for English, the encoder otherwise)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
