"""`recommend --prompt` on an analysed corpus with corpus.csv labels (e.g. /work/corpus/a):
the mean rank of the tracks labelled high-energy (tense/aggressive, energetic...) and calm
(calm/peaceful...) under "intense battle music" and "calm piano, nothing sad".

    PYTHONPATH=$PWD .venv/bin/python bench/prompt_corpus.py /work/corpus/a --home /tmp/hw-home
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


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("corpus")
    parser.add_argument("--home", required=True)
    args = parser.parse_args()
    labels = {}
    with open(os.path.join(args.corpus, "corpus.csv"), encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            labels[os.path.join(args.corpus, row["path"])] = row.get("mood_guess", "")
    for prompt in ("intense battle music", "calm piano, nothing sad"):
        done = subprocess.run([sys.executable, "-m", "musitui", "recommend", "--prompt", prompt, "-n", "500",
                               "--json", "--home", args.home], capture_output=True, text=True, check=True)
        items = json.loads(done.stdout)
        high, calm = [], []
        for rank, item in enumerate(items, 1):
            label = labels.get(item["path"], "").lower()
            if any(w in label for w in HIGH):
                high.append(rank)
            elif any(w in label for w in CALM):
                calm.append(rank)
        above = sum(h < c for h in high for c in calm) / max(1, len(high) * len(calm))
        print(f"{prompt!r}: {len(items)} ranked; high-energy mean rank "
              f"{statistics.mean(high):.1f} (n={len(high)}), calm mean rank {statistics.mean(calm):.1f} "
              f"(n={len(calm)}); share of (high, calm) pairs with high ranked above: {above:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
