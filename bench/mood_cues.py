"""Arousal with the tagger's mood-bearing outputs as cues, chosen on corpus A, reported on B.

    PYTHONPATH=. .venv/bin/python bench/mood_cues.py --home /tmp/A-home --corpus /work/corpus/A \
        --patches /tmp/patches_a.npz --report-home /tmp/B-home --report-corpus /work/corpus/B \
        --report-patches /tmp/patches_b.npz

**The labelled sets.** Arousal levels from the games' own names for their pieces, fixed in
this file before any score was computed (``HIGH_WORDS``/``LOW_WORDS``/``MID_WORDS``, matched in
the file name; a file matching none is unlabelled):
- corpus A: ``corpus.csv``'s ``mood_guess`` (itself from file-name keywords, 23 of 57 files),
  read as levels as bench/mood_table.py does; used to choose;
- corpus B (never used for a choice): the keyword levels below (battle/war/chaos/fear ... high,
  dark/dungeon/halloween middle, sorrow/farewell/contemplation/blues ... low).
Pairwise accuracy = the share of pairs on different levels ordered the same way (0.5 =
chance), with a 95% bootstrap interval over tracks (2000 resamples of the labelled tracks).

**Candidates.** The shipped audio cues (analysis/mood.py), plus one derived tagger cue at a
weight relative to the audio cues' total (1, 2.5, 5) or alone: MSD's mood words
(``msd_energy``: party, dance, hard rock, heavy metal, metal, punk, electro minus Mellow, chill,
chillout, easy listening, ambient, beautiful), ``Mellow`` alone (negated), and MagnaTagATune's
(``mtt_energy``: fast, loud, drums, beat, techno, rock, metal, dance minus slow, quiet, soft,
ambient, new age, classical). Each is a probability sum over the track's patches' mean, turned
into a library-relative rank like every cue.
"""

from __future__ import annotations

import argparse
import itertools
import re
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from mood_table import AROUSAL_LEVEL  # noqa: E402

from musitui.analysis import mood  # noqa: E402
from musitui.analysis.tag_words import TAG_NAMES  # noqa: E402
from musitui.paths import Home  # noqa: E402
from musitui.store.catalog import Catalog  # noqa: E402
from musitui.store.features import FeatureStore  # noqa: E402
from musitui.store.tagger_store import TaggerStore  # noqa: E402

HIGH_WORDS = ("battle", "boss", "attack", "war", "strike", "fight", "chaos", "beast", "insanity",
              "crazy", "pursuit", "cruelty", "misanthrop", "armygeddon", "fear", "march", "enemy",
              "brainsukker", "hunting")
MID_WORDS = ("dark", "dungeon", "halloween", "underground", "ghost", "cave", "night")
LOW_WORDS = ("sorrow", "farewell", "contemplation", "blues", "love", "calm", "dream", "lucid",
             "menu", "slow", "breeze", "peace", "credits", "orphanage", "sad")
BOOTSTRAP = 2000

MSD_PLUS = ("party", "dance", "hard rock", "heavy metal", "metal", "punk", "electro")
MSD_MINUS = ("Mellow", "chill", "chillout", "easy listening", "ambient", "beautiful")
MTT_PLUS = ("fast", "loud", "drums", "beat", "techno", "rock", "metal", "dance")
MTT_MINUS = ("slow", "quiet", "soft", "ambient", "new age", "classical")
MTT_NAMES = ['guitar', 'classical', 'slow', 'techno', 'strings', 'drums', 'electronic', 'rock',
             'fast', 'piano', 'ambient', 'beat', 'violin', 'vocal', 'synth', 'female', 'indian',
             'opera', 'male', 'singing', 'vocals', 'no vocals', 'harpsichord', 'loud', 'quiet',
             'flute', 'woman', 'male vocal', 'no vocal', 'pop', 'soft', 'sitar', 'solo', 'man',
             'classic', 'choir', 'voice', 'new age', 'dance', 'male voice', 'female vocal',
             'beats', 'harp', 'cello', 'no voice', 'weird', 'country', 'metal', 'female voice',
             'choral']


def keyword_level(path: str) -> int | None:
    name = re.sub(r"[_\-.]", " ", Path(path).stem.casefold())
    for words, level in ((HIGH_WORDS, 2), (MID_WORDS, 0), (LOW_WORDS, -1)):
        if any(w in name for w in words):
            return level
    return None


def derived(probabilities: np.ndarray, names: list[str], plus: tuple[str, ...],
            minus: tuple[str, ...]) -> np.ndarray:
    col = {n: i for i, n in enumerate(names)}
    out = np.zeros(len(probabilities))
    for word in plus:
        out += probabilities[:, col[word]]
    for word in minus:
        out -= probabilities[:, col[word]]
    return out


def load(home_dir: Path, corpus: Path, patches: Path | None, use_guess: bool):
    home = Home(home_dir, home_dir)
    catalog = Catalog.open(home)
    store = FeatureStore.open(home)
    tagger = TaggerStore.open(home)
    root = str(corpus.resolve()) + "/"
    tracks = sorted((t for t in catalog.present() if t.id in store and t.id in tagger), key=lambda t: t.path)
    rel = [t.path[len(root):] for t in tracks]
    matrix, _ = store.vectors_for([t.id for t in tracks])
    _, msd, _ = tagger.rows_for([t.id for t in tracks])
    mtt = np.zeros((len(tracks), 50))
    if patches is not None:
        data = np.load(patches)
        where = {str(p): i for i, p in enumerate(data["paths"])}
        offsets = data["offsets"]
        for row, p in enumerate(rel):
            if p in where:
                k = where[p]
                mtt[row] = data["mtt_tags"][offsets[k]:offsets[k + 1]].mean(axis=0)
    if use_guess:
        import csv

        with open(corpus / "corpus.csv", encoding="utf-8", newline="") as handle:
            guess = {r["path"]: r["mood_guess"] for r in csv.DictReader(handle)}
        levels = [AROUSAL_LEVEL.get(guess.get(p, "")) for p in rel]
    else:
        levels = [keyword_level(p) for p in rel]
    genres = [t.genre or "" for t in tracks]
    return matrix, list(store.names), genres, msd, mtt, levels, rel


def arousal(matrix: np.ndarray, names: list[str], genres: list[str], cue: np.ndarray | None,
            weight: float | None) -> np.ndarray:
    """Shipped arousal with ``cue`` added at ``weight`` x the audio cues' total (None: alone)."""
    cues = dict(mood.AROUSAL_CUES)
    total = sum(abs(w) for w in cues.values())
    if cue is not None:
        matrix = np.hstack([matrix, cue[:, None]])
        names = [*names, "tagger_cue"]
        cues = {"tagger_cue": 1.0} if weight is None else {**cues, "tagger_cue": weight * total}
    values = mood.axis_score(matrix, names, cues)
    return values + np.array([mood.genre_delta(g)[1] for g in genres])


def pairwise(levels: list[int | None], values: np.ndarray, rows: np.ndarray | None = None) -> float:
    index = [i for i in (range(len(levels)) if rows is None else rows.tolist()) if levels[i] is not None]
    right = total = 0
    for i, j in itertools.combinations(index, 2):
        if levels[i] == levels[j]:
            continue
        total += 1
        right += (values[i] > values[j]) == (levels[i] > levels[j])  # type: ignore[operator]
    return right / total if total else float("nan")


def interval(levels: list[int | None], values: np.ndarray) -> str:
    labelled = np.array([i for i, v in enumerate(levels) if v is not None])
    rng = np.random.default_rng(0)
    draws = [pairwise(levels, values, rng.choice(labelled, len(labelled))) for _ in range(BOOTSTRAP)]
    draws = [d for d in draws if d == d]
    return (f"{pairwise(levels, values):.3f} [{np.percentile(draws, 2.5):.3f}, "
            f"{np.percentile(draws, 97.5):.3f}]")


def candidates(matrix, names, genres, msd, mtt) -> dict[str, np.ndarray]:
    msd_names = list(TAG_NAMES)
    cues = {"msd_energy": derived(msd, msd_names, MSD_PLUS, MSD_MINUS),
            "-Mellow": -msd[:, msd_names.index("Mellow")],
            "mtt_energy": derived(mtt, MTT_NAMES, MTT_PLUS, MTT_MINUS)}
    out = {"shipped (audio cues + genre)": arousal(matrix, names, genres, None, None)}
    for name, cue in cues.items():
        if not np.any(cue):
            continue
        for weight in (1.0, 2.5, 5.0, None):
            label = f"{name} alone" if weight is None else f"shipped + {name} x{weight:g}"
            out[label] = arousal(matrix, names, genres, cue, weight)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", type=Path, required=True)
    parser.add_argument("--corpus", type=Path, required=True)
    parser.add_argument("--patches", type=Path, default=None)
    parser.add_argument("--report-home", type=Path, default=None)
    parser.add_argument("--report-corpus", type=Path, default=None)
    parser.add_argument("--report-patches", type=Path, default=None)
    args = parser.parse_args()
    a = load(args.home, args.corpus, args.patches, use_guess=True)
    table_a = candidates(*a[:5])
    levels_a = a[5]
    print(f"corpus {args.corpus.name}: {sum(v is not None for v in levels_a)} labelled tracks "
          "(mood_guess levels); arousal pairwise accuracy, 95% bootstrap over tracks")
    scores = {k: pairwise(levels_a, v) for k, v in table_a.items()}
    for name, values in table_a.items():
        print(f"  {name:40} {interval(levels_a, values)}")
    chosen = max(scores, key=lambda k: (round(scores[k], 9), -list(scores).index(k)))
    print(f"  chosen on {args.corpus.name}: {chosen}")
    if args.report_home is None or args.report_corpus is None:
        return 0
    b = load(args.report_home, args.report_corpus, args.report_patches, use_guess=False)
    table_b = candidates(*b[:5])
    levels_b = b[5]
    print(f"\ncorpus {args.report_corpus.name}: {sum(v is not None for v in levels_b)} labelled tracks "
          "(keyword levels), never used for a choice")
    for name, values in table_b.items():
        mark = "  <- chosen on A" if name == chosen else ""
        print(f"  {name:40} {interval(levels_b, values)}{mark}")
    print("  labelled:", ", ".join(f"{Path(p).stem}={lv}" for p, lv in zip(b[6], levels_b, strict=True)
                                  if lv is not None))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
