"""`recommend --prompt` on an analysed corpus with corpus.csv labels (e.g. /work/corpus/a):
1. the mean rank of the tracks labelled high-energy (tense/aggressive, energetic...) and calm
   (calm/peaceful...) under "intense battle music" and "calm piano, nothing sad";
2. how many of the top 5 are the corpus's piano pieces (its `style` column says piano) under
   "piano music", "钢琴曲", "Klaviermusik" and "musique de piano" — meant for a copy of the
   corpus with its tags stripped (so only the audio, through the tagger, can tell), with the
   count a random top 5 would have beside it.

    PYTHONPATH=$PWD .venv/bin/python bench/prompt_corpus.py /work/corpus/A --home /tmp/hw-home \
        [--library /tmp/stripped-copy]   # the folder that was scanned, if not corpus/library
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import statistics
import subprocess
import sys

HIGH = ("tense", "aggressive", "energetic", "intense", "upbeat", "driving")
CALM = ("calm", "peaceful", "relax", "gentle", "soothing")
PIANO_PROMPTS = ("piano music", "钢琴曲", "Klaviermusik", "musique de piano")


def recommend(prompt: str, home: str, n: int) -> list[dict]:
    done = subprocess.run([sys.executable, "-m", "musitui", "recommend", "--prompt", prompt, "-n", str(n),
                           "--json", "--home", home], capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("corpus")
    parser.add_argument("--home", required=True)
    parser.add_argument("--library", default=None, help="the scanned folder (default: CORPUS/library)")
    args = parser.parse_args()
    library = os.path.realpath(args.library or os.path.join(args.corpus, "library"))
    moods, styles = {}, {}
    with open(os.path.join(args.corpus, "corpus.csv"), encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            relative = row["path"].removeprefix("library/")
            moods[os.path.join(library, relative)] = row.get("mood_guess", "")
            styles[os.path.join(library, relative)] = row.get("style", "")
    for prompt in ("intense battle music", "calm piano, nothing sad"):
        items = recommend(prompt, args.home, 500)
        high, calm = [], []
        for rank, item in enumerate(items, 1):
            label = moods.get(os.path.realpath(item["path"]), "").lower()
            if any(w in label for w in HIGH):
                high.append(rank)
            elif any(w in label for w in CALM):
                calm.append(rank)
        above = sum(h < c for h in high for c in calm) / max(1, len(high) * len(calm))
        print(f"{prompt!r}: {len(items)} ranked; high-energy mean rank "
              f"{statistics.mean(high or [0]):.1f} (n={len(high)}), calm mean rank {statistics.mean(calm or [0]):.1f} "
              f"(n={len(calm)}); share of (high, calm) pairs with high ranked above: {above:.2f}")
    piano = {p for p, s in styles.items() if "piano" in s.lower()}
    total = len(styles)
    for prompt in PIANO_PROMPTS:
        top = recommend(prompt, args.home, 5)
        hits = [os.path.basename(i["path"]) for i in top if os.path.realpath(i["path"]) in piano]
        print(f"{prompt!r}: {len(hits)} of the top 5 are piano pieces ({', '.join(hits) or '-'}); "
              f"a random 5 would hold {5 * len(piano) / max(1, total):.2f} of the {len(piano)} in {total}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
