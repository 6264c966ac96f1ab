"""The prompt parsers on the labelled prompts of bench/prompts.tsv (English and 8 more
languages, labelled before tuning).

For the tune half (odd ids) and the held-out report half (even ids), English and the other
languages apart: the share of prompts whose labelled valence and arousal signs are both right
(Wilson 95 % interval), each axis alone, style and exclusion recall; for three readers, all
measured in this run:
- ``rules``: the English rules alone (musitui.words.prompt.parse_prompt, the old parser);
- ``encoder``: the multilingual pieces and the sentence encoder alone (no rule axes);
- ``parse_any``: what musitui uses (rules where they read real mood words, else the encoder).
Then timing: parse_any per prompt warm, beside str.split in the same run, and a fresh
process's first parse (imports, encoder load) beside a fresh process that only imports numpy.

    PYTHONPATH=$PWD .venv/bin/python bench/bench_prompts.py
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from intervals import wilson

from musitui.words.clauses import pieces
from musitui.words.encoder import shared
from musitui.words.multilingual import encoder_axes, parse_any
from musitui.words.prompt import Vibe, parse_prompt, style_vocabulary

LIBRARY_STYLES = ["Heavy Metal", "Rock", "Piano", "Classical", "Ambient", "Electronic", "Punk",
                  "Jazz", "Folk", "Pop", "Chiptune", "Orchestral"]
NONSENSE = ["asdfgh jkl", "qwerty 123", "lorem ipsum dolor", "explain quantum physics", "tax return form",
            "how are you", "明天下午三点开会", "Wie spät ist es?", "où est la gare", "¿dónde está el baño?",
            "где вокзал", "税金の申告", "세금 신고", "xyz"]


def sign_ok(value: float | None, expected: str) -> bool:
    if expected == "+":
        return value is not None and value > 0
    if expected == "-":
        return value is not None and value < 0
    return True


def load(path: Path) -> list[dict[str, str]]:
    rows = []
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if line and not line.startswith("#")]
    header = lines[0].split("\t")
    for line in lines[1:]:
        cells = line.split("\t") + [""] * len(header)
        rows.append(dict(zip(header, cells[: len(header)], strict=True)))
    return rows


def encoder_only(text: str, vocab: set[str]) -> Vibe:
    vibe = parse_any(text, styles=vocab)
    vibe.valence, vibe.arousal, _words, _best = encoder_axes(pieces(text), shared())
    return vibe


def score(rows: list[dict[str, str]], read: Callable[[str], Vibe], name: str, show_misses: bool) -> None:
    groups: dict[tuple[str, str], list[tuple[bool, bool, bool, bool, bool]]] = {}
    misses = []
    for row in rows:
        vibe = read(row["prompt"])
        v_ok, a_ok = sign_ok(vibe.valence, row["valence"]), sign_ok(vibe.arousal, row["arousal"])
        want_styles = {s for s in row["styles"].split("|") if s}
        want_excl = {s for s in row["exclude"].split("|") if s}
        s_ok = want_styles <= set(vibe.styles) | set(vibe.audio)
        e_ok = want_excl <= set(vibe.exclude_styles) and not (want_excl & set(vibe.styles))
        half = "tune" if int(row["id"]) % 2 else "report"
        lang = "English" if row.get("lang", "en") == "en" else "other 8"
        groups.setdefault((half, lang), []).append((v_ok and a_ok, v_ok, a_ok, s_ok, e_ok))
        if not (v_ok and a_ok and s_ok and e_ok) and half == "tune":
            misses.append(f"  [{half} {row.get('lang')}] {row['prompt']!r}: valence {vibe.valence} (want "
                          f"{row['valence']}), arousal {vibe.arousal} (want {row['arousal']}), styles "
                          f"{vibe.styles + vibe.audio}, excluded {vibe.exclude_styles}")
    print(f"== {name}")
    for (half, lang), results in sorted(groups.items(), key=lambda kv: (kv[0][0] != "tune", kv[0][1])):
        n = len(results)
        cells = []
        for i, label in enumerate(("both signs", "valence", "arousal", "styles", "exclusions")):
            hits = sum(r[i] for r in results)
            lo, hi = wilson(hits, n)
            cells.append(f"{label} {hits}/{n}={hits / n:.2f} [{lo:.2f}-{hi:.2f}]")
        print(f"  {half:6} {lang:8} " + "; ".join(cells))
    if show_misses and misses:
        print("  misses on the tune half (the report half's are not looked at):\n" + "\n".join(misses))


def main() -> int:
    rows = load(Path(__file__).with_name("prompts.tsv"))
    vocab = style_vocabulary(LIBRARY_STYLES)
    encoder = shared()
    parse_any("warm up", styles=vocab, encoder=encoder)  # load the encoder and VADER once
    print(f"load {os.getloadavg()[0]:.2f}; {len(rows)} prompts")
    score(rows, lambda t: parse_prompt(t, styles=vocab), "rules (English rules alone)", False)
    score(rows, lambda t: encoder_only(t, vocab), "encoder (pieces + sentence encoder alone)", False)
    score(rows, lambda t: parse_any(t, styles=vocab, encoder=encoder), "parse_any (musitui)", True)
    junk = [parse_any(t, styles=vocab, encoder=encoder) for t in NONSENSE]
    said = sum(v.empty for v in junk)
    print(f"nonsense said 'nothing understood': {said}/{len(junk)}; "
          + ", ".join(f"{t!r}: {v.explanation}" for t, v in zip(NONSENSE, junk, strict=True) if not v.empty))
    prompts = [row["prompt"] for row in rows]
    runs, base_runs = [], []
    for _ in range(5):
        start = time.perf_counter()
        for prompt in prompts:
            parse_any(prompt + " ", styles=vocab, encoder=encoder)  # a new text: the encoder runs
        runs.append((time.perf_counter() - start) / len(prompts))
        start = time.perf_counter()
        for prompt in prompts:
            prompt.lower().split()
        base_runs.append((time.perf_counter() - start) / len(prompts))
    print(f"parse_any per prompt, warm: median {statistics.median(runs) * 1e3:.2f} ms, max "
          f"{max(runs) * 1e3:.2f} ms (goal <= 100 ms); baseline str.split {statistics.median(base_runs) * 1e3:.4f} ms")
    first = ("import time; t=time.perf_counter(); from musitui.words.multilingual import parse_any;"
             "from musitui.words.encoder import shared; parse_any('来点安静的钢琴曲', encoder=shared());"
             "print(time.perf_counter()-t)")
    base = "import time; t=time.perf_counter(); import numpy; print(time.perf_counter()-t)"
    cold = subprocess.run([sys.executable, "-c", first], capture_output=True, text=True, check=False)
    numpy_only = subprocess.run([sys.executable, "-c", base], capture_output=True, text=True, check=False)
    print(f"first parse in a fresh process (imports, encoder load, anchors): {float(cold.stdout or 'nan'):.2f} s; "
          f"baseline importing numpy alone {float(numpy_only.stdout or 'nan'):.2f} s; load {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
