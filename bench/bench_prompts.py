"""The offline prompt parser on the labelled prompts of bench/prompts.tsv.

Reports, for the tune half (odd ids) and the held-out report half (even ids), the share of
prompts whose valence and arousal land on the expected side of 0 (Wilson 95 % interval),
style and exclude-style recall, and the parse time per prompt beside a baseline measured
in the same run (tokenising the same prompts with str.split).

    PYTHONPATH=$PWD .venv/bin/python bench/bench_prompts.py
"""

from __future__ import annotations

import math
import statistics
import subprocess
import sys
import time
from pathlib import Path

from musitui.words.prompt import parse_prompt, style_vocabulary

LIBRARY_STYLES = ["Heavy Metal", "Rock", "Piano", "Classical", "Ambient", "Electronic", "Punk",
                  "Jazz", "Folk", "Pop", "Chiptune", "Orchestral"]


def wilson(hits: int, n: int, z: float = 1.96) -> tuple[float, float]:
    if n == 0:
        return 0.0, 0.0
    p = hits / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return centre - half, centre + half


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


def main() -> int:
    rows = load(Path(__file__).with_name("prompts.tsv"))
    vocab = style_vocabulary(LIBRARY_STYLES)
    parse_prompt("warm up", styles=vocab)  # VADER's lexicon is loaded once, on first use
    halves: dict[str, list[tuple[bool, bool, bool, bool]]] = {"tune": [], "report": []}
    misses = []
    for row in rows:
        vibe = parse_prompt(row["prompt"], styles=vocab)
        v_ok, a_ok = sign_ok(vibe.valence, row["valence"]), sign_ok(vibe.arousal, row["arousal"])
        want_styles = {s for s in row["styles"].split("|") if s}
        want_excl = {s for s in row["exclude"].split("|") if s}
        s_ok = want_styles <= set(vibe.styles)
        e_ok = want_excl <= set(vibe.exclude_styles) and not (want_excl & set(vibe.styles))
        half = "tune" if int(row["id"]) % 2 else "report"
        halves[half].append((v_ok, a_ok, s_ok, e_ok))
        if not (v_ok and a_ok and s_ok and e_ok):
            misses.append(f"  [{half}] {row['prompt']!r}: valence {vibe.valence} (want {row['valence']}), "
                          f"arousal {vibe.arousal} (want {row['arousal']}), styles {vibe.styles}, "
                          f"excluded {vibe.exclude_styles}")
    for half, results in halves.items():
        n = len(results)
        print(f"{half} half: {n} prompts")
        for i, name in enumerate(("valence sign", "arousal sign", "styles found", "exclusions found")):
            hits = sum(r[i] for r in results)
            lo, hi = wilson(hits, n)
            print(f"  {name:17} {hits}/{n} = {hits / n:.2f}  (Wilson 95% {lo:.2f}-{hi:.2f})")
    prompts = [row["prompt"] for row in rows]
    runs = []
    base_runs = []
    for _ in range(20):
        start = time.perf_counter()
        for prompt in prompts:
            parse_prompt(prompt, styles=vocab)
        runs.append((time.perf_counter() - start) / len(prompts))
        start = time.perf_counter()
        for prompt in prompts:
            prompt.lower().split()
        base_runs.append((time.perf_counter() - start) / len(prompts))
    print(f"parse time per prompt: median {statistics.median(runs) * 1e3:.3f} ms, "
          f"max {max(runs) * 1e3:.3f} ms (goal < 50 ms); baseline str.split "
          f"{statistics.median(base_runs) * 1e3:.4f} ms")
    cold = subprocess.run([sys.executable, "-c", "import time; t=time.perf_counter();"
                           "from musitui.words.prompt import parse_prompt; parse_prompt('calm but not sad');"
                           "print(time.perf_counter()-t)"], capture_output=True, text=True, check=False)
    print(f"first parse in a fresh process (imports, VADER lexicon): {float(cold.stdout or 'nan') * 1e3:.1f} ms")
    if misses:
        print("misses:")
        print("\n".join(misses))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
