"""The honest offline evaluation of the recommender: held-out figures only, with intervals.

    PYTHONPATH=$PWD .venv/bin/python bench/evaluate_offline.py \
        --home /tmp/he-home --corpus /work/corpus/a \
        [--report-home /tmp/he-home-b --report-corpus /work/corpus/b] \
        [--tagger /tmp/tagger_a_8.npz --report-tagger /tmp/tagger_b_8.npz] [--no-listener]

Each home is a corpus analysed once (`musitui scan CORPUS --home HOME`). Labels: the
soundtrack = the folder under ``library/``. The Wesnoth recording shipped twice (.ogg/.mp3)
is hidden from its copy.

1. Same-soundtrack P@5 of "more like X": for each analysed track X, the 5 tracks that
   ``recommend --after X -n 5`` would list (no history, auto mood; the engine's rank() with the
   same Listening the command builds), share from X's soundtrack.
   - The full recommender's free choices (which feature embedding, how much the mood term
     weighs in auto mood) are chosen by **leave-one-soundtrack-out**: for each soundtrack S,
     the configuration with the best P@5 on the *other* soundtracks (S's tracks removed from
     the library) is used for S's queries. Ties go to the plainer configuration (listed first).
   - With ``--report-home``: the configuration chosen on all of the first corpus is scored on
     the second (disjoint) corpus.
   - 95% intervals: bootstrap over soundtracks (resampling whole soundtracks, 2000 times).
   - Baselines in the same run: random (expected), popularity (no history: one fixed list),
     plain z-scored nearest neighbour of the handcrafted features, the musicnn embedding
     alone (with ``--tagger``), and today's constants.
   - "audio only": the same with every tag hidden (no genre, album folder or artist), since
     a corpus folder *is* the soundtrack and the album part of the score would see the label.
2. Listener simulation (the player's Session, cold start, 40 steps): 10 tastes x 5 seeds,
   each liking 1-3 soundtracks (of those with >= 4 tracks); a liked track is finished,
   anything else skipped after 10 s. Skip rate vs shuffle's expected skip rate for the same
   taste; the ratio of the means with a bootstrap interval over listeners. Target <= 0.5.
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from musitui.paths import Home  # noqa: E402
from musitui.recommend import content  # noqa: E402
from musitui.recommend.arrays import Library, build_library  # noqa: E402
from musitui.recommend.engine import Listening, Weights, rank  # noqa: E402
from musitui.store.catalog import Catalog  # noqa: E402
from musitui.store.features import FeatureStore  # noqa: E402

NOW = 1_790_000_000.0
BOOTSTRAP = 2000
# The group weights shipped before issue 12 (tuned in-sample on corpus a) and the hand-set
# ones from before that tuning: kept here so the bench can re-measure them.
TUNED_BEFORE = {"rhythm": 2.0, "dynamics": 0.25, "spectrum": 1.5, "contrast": 1.0, "timbre": 3.0,
                "timbre_motion": 1.5, "harmony": 1.0, "chroma": 0.25}


@dataclass
class Corpus:
    name: str
    home: Path
    tracks: list
    labels: np.ndarray  # soundtrack per row
    rel_paths: list[str]
    matrix: np.ndarray
    names: list[str]
    tagger: np.ndarray | None  # (n, 200) or None
    dup: np.ndarray  # (n, n) bool: the same recording in another format
    pooled: dict[str, np.ndarray] | None = None  # bench/pooling.py's candidates (issue 18)


def load(name: str, home_dir: Path, corpus: Path, tagger_npz: Path | None,
         patches_npz: Path | None = None) -> Corpus:
    home = Home(config_dir=home_dir, data_dir=home_dir)
    catalog = Catalog.open(home)
    store = FeatureStore.open(home)
    root = str(corpus.resolve()) + "/"
    tracks = [t for t in catalog.present() if t.id in store and t.path.startswith(root)]
    tracks.sort(key=lambda t: t.path)
    rel = [t.path[len(root):] for t in tracks]
    matrix, _ = store.vectors_for([t.id for t in tracks])
    tagger = None
    if tagger_npz is not None and tagger_npz.exists():
        data = np.load(tagger_npz)
        where = {str(p): i for i, p in enumerate(data["paths"])}
        keep = [i for i, p in enumerate(rel) if p in where]
        tracks, rel, matrix = [tracks[i] for i in keep], [rel[i] for i in keep], matrix[keep]
        tagger = np.asarray(data["embedding"], dtype=np.float64)[[where[p] for p in rel]]
    labels = np.array([p.split("/")[1] for p in rel])
    stems = np.array([p.rsplit(".", 1)[0] for p in rel])
    dup = stems[:, None] == stems[None, :]
    np.fill_diagonal(dup, False)
    pooled = None
    if patches_npz is not None and patches_npz.exists():
        from pooling import candidates

        pooled = candidates(patches_npz, rel)
    return Corpus(name, home_dir, tracks, labels, rel, np.asarray(matrix, dtype=np.float64),
                  list(store.names), tagger, dup, pooled)


# -- embeddings -------------------------------------------------------------------------------
def unit(x: np.ndarray) -> np.ndarray:
    return x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12)


def zscore(x: np.ndarray) -> np.ndarray:
    sd = x.std(axis=0)
    return (x - x.mean(axis=0)) / np.where(sd > 1e-9, sd, 1.0)


def embeddings(c: Corpus) -> dict[str, np.ndarray]:
    groups = content.GROUPS
    out = {
        "plain z-scored": unit(zscore(c.matrix)),
        "library default (content.embed)": content.embed(c.matrix, c.names).astype(np.float64),
        "equal groups": content.embed(c.matrix, c.names, content.dimension_weights(
            c.names, {g: (1.0, m) for g, (_, m) in groups.items()})).astype(np.float64),
        "tuned before issue 12": content.embed(c.matrix, c.names, content.dimension_weights(
            c.names, {g: (TUNED_BEFORE[g], m) for g, (_, m) in groups.items()})).astype(np.float64),
    }
    session_emb = session_library_embedding(c)
    if session_emb is not None:
        out["session library (features + stored tagger embedding)"] = session_emb
    if c.tagger is not None:
        out["musicnn alone"] = unit(zscore(c.tagger))
        # As the Library joins them (build_library_from_columns with tagger arrays).
        out["handcrafted + musicnn (equal halves)"] = unit(np.hstack([
            out["library default (content.embed)"], out["musicnn alone"]]))
    if c.pooled is not None:
        from pooling import SEARCHED

        for name in SEARCHED:
            out[name] = c.pooled[name]
        for name, matrix in c.pooled.items():
            if name not in SEARCHED:
                out[f"(not searched) {name}"] = matrix
    return out


def session_library_embedding(c: Corpus) -> np.ndarray | None:
    """The vectors the player's Session ranks with when the home holds the tagger pass's
    embeddings (musitui.store.tagger_store), else None."""
    from musitui.core.ranking import tagger_arrays

    ids = np.asarray([t.id for t in c.tracks], dtype=np.int64)
    tagger_ids, tagger_matrix = tagger_arrays(Home(config_dir=c.home, data_dir=c.home), ids)
    if tagger_ids is None:
        return None
    lib = build_library(c.tracks, feature_ids=ids, feature_matrix=c.matrix, feature_names=c.names,
                        tagger_ids=tagger_ids, tagger_matrix=tagger_matrix)
    return lib.emb.astype(np.float64)


# -- P@5 ---------------------------------------------------------------------------------------
def library_for(c: Corpus, emb: np.ndarray, audio_only: bool) -> Library:
    lib = build_library(c.tracks)
    lib.emb = emb.astype(np.float32)
    lib.has_vec = np.ones(len(lib), dtype=bool)
    if audio_only:
        n = len(lib)
        lib.genre_code = np.full(n, -1, dtype=np.int32)
        lib.n_genres = 0
        lib.folder_code = np.arange(n, dtype=np.int32)
        lib.n_folders = n
        lib.artist_code = np.arange(n, dtype=np.int32)
        lib.artist_finishes = np.zeros(n, dtype=np.float32)
        lib.artist_skips = np.zeros(n, dtype=np.float32)
    return lib


def p5_recommender(c: Corpus, lib: Library, weights: Weights, queries: np.ndarray,
                   hidden: np.ndarray) -> np.ndarray:
    """P@5 per query of rank() after X (the `recommend --after X -n 5` Listening)."""
    out = np.zeros(len(queries))
    for k, x in enumerate(queries.tolist()):
        exclude = {x, *np.flatnonzero(c.dup[x]).tolist(), *hidden.tolist()}
        ctx = Listening(now=NOW, finished=[(x, NOW)], exclude=exclude)
        picks = rank(lib, ctx, weights, 5)
        out[k] = np.mean([c.labels[p.row] == c.labels[x] for p in picks]) if picks else 0.0
    return out


def p5_nn(c: Corpus, emb: np.ndarray, queries: np.ndarray) -> np.ndarray:
    sim = emb @ emb.T
    np.fill_diagonal(sim, -np.inf)
    sim[c.dup] = -np.inf
    top = np.argsort(-sim[queries], axis=1)[:, :5]
    return (c.labels[top] == c.labels[queries][:, None]).mean(axis=1)


def p5_random(c: Corpus) -> np.ndarray:
    n = len(c.labels)
    same = (c.labels[:, None] == c.labels[None, :]).sum(axis=1) - 1 - c.dup.sum(axis=1)
    return same / (n - 1 - c.dup.sum(axis=1))


def p5_popularity(c: Corpus) -> np.ndarray:
    """No history: every count is 0, so popularity is one fixed list (catalog order)."""
    out = np.zeros(len(c.labels))
    for x in range(len(c.labels)):
        others = [j for j in range(len(c.labels)) if j != x and not c.dup[x, j]][:5]
        out[x] = np.mean(c.labels[others] == c.labels[x])
    return out


def bootstrap(values: np.ndarray, clusters: np.ndarray, seed: int = 0) -> tuple[float, float, float]:
    """Mean and 95% interval, resampling whole clusters (soundtracks or listeners)."""
    rng = np.random.default_rng(seed)
    names = np.unique(clusters)
    sums = np.array([values[clusters == g].sum() for g in names])
    counts = np.array([(clusters == g).sum() for g in names])
    draws = rng.integers(0, len(names), size=(BOOTSTRAP, len(names)))
    means = sums[draws].sum(axis=1) / counts[draws].sum(axis=1)
    return float(values.mean()), float(np.percentile(means, 2.5)), float(np.percentile(means, 97.5))


def fmt(stat: tuple[float, float, float]) -> str:
    return f"{stat[0]:.3f} [{stat[1]:.3f}, {stat[2]:.3f}]"


MOOD_GRID = (0.0,)  # 19 of 20 folds chose 0 among (0, 0.1, 0.25, 0.7) in issue 12


def configs(embs: dict[str, np.ndarray]) -> list[tuple[str, float]]:
    """(embedding, auto-mood weight), plainest first (ties go to it)."""
    order = [k for k in ("plain z-scored", "session library (features + stored tagger embedding)",
                         "handcrafted + musicnn (equal halves)", "musicnn alone",
                         "equal groups", "library default (content.embed)", "tuned before issue 12")
             if k in embs]
    order += [k for k in embs if k not in order and not k.startswith("(not searched)")]
    return [(e, m) for m in MOOD_GRID for e in order]


def auto_weights(base: Weights, mood: float) -> Weights:
    """Weights whose auto-mood term weighs ``mood`` (the engine's field name for it)."""
    if hasattr(base, "w_mood_auto"):
        return replace(base, w_mood_auto=mood)
    return replace(base, w_mood=mood)


def recommender_table(c: Corpus, embs: dict[str, np.ndarray], audio_only: bool,
                      base: Weights) -> dict[tuple[str, float], np.ndarray]:
    """P@5 per query for every configuration, and per held-out fold the tuning scores."""
    libs = {e: library_for(c, emb, audio_only) for e, emb in embs.items()}
    table: dict[tuple[str, float], np.ndarray] = {}
    everyone = np.arange(len(c.labels))
    for e, m in configs(embs):
        table[(e, m)] = p5_recommender(c, libs[e], auto_weights(base, m), everyone, np.array([], dtype=int))
    return table


def loso(c: Corpus, embs: dict[str, np.ndarray], audio_only: bool,
         base: Weights) -> tuple[np.ndarray, list[str]]:
    """Held-out P@5 per query: each soundtrack scored with the configuration chosen without it."""
    libs = {e: library_for(c, emb, audio_only) for e, emb in embs.items()}
    held = np.zeros(len(c.labels))
    chosen: list[str] = []
    for s in np.unique(c.labels):
        inside = np.flatnonzero(c.labels == s)
        outside = np.flatnonzero(c.labels != s)
        best, best_score = None, -1.0
        for e, m in configs(embs):
            score = p5_recommender(c, libs[e], auto_weights(base, m), outside, inside).mean()
            if score > best_score + 1e-9:
                best, best_score = (e, m), score
        assert best is not None
        held[inside] = p5_recommender(c, libs[best[0]], auto_weights(base, best[1]), inside,
                                      np.array([], dtype=int))
        chosen.append(f"{s}: {best[0]}, auto mood {best[1]}")
    return held, chosen


def choose_on(c: Corpus, embs: dict[str, np.ndarray], audio_only: bool, base: Weights) -> tuple[str, float]:
    table = recommender_table(c, embs, audio_only, base)
    best = max(table, key=lambda k: (round(table[k].mean(), 9), -configs(embs).index(k)))
    return best


def similarity_report(a: Corpus, b: Corpus | None) -> None:
    base = Weights()
    embs_a = embeddings(a)
    print(f"\n== same-soundtrack P@5, corpus {a.name}: {len(a.labels)} tracks, "
          f"{len(set(a.labels))} soundtracks; 95% bootstrap over soundtracks ==")
    rows = [("random (expected)", p5_random(a)), ("popularity (no history: a fixed list)", p5_popularity(a))]
    for e, emb in embs_a.items():
        rows.append((f"nearest neighbour: {e}", p5_nn(a, emb, np.arange(len(a.labels)))))
    for label, values in rows:
        print(f"  {label:58} {fmt(bootstrap(values, a.labels))}")
    print("  (fixed constants, nothing chosen on this corpus except 'tuned before issue 12',"
          " which was tuned on it: in-sample)")
    for name in ("library default (content.embed)", "session library (features + stored tagger embedding)"):
        if name not in embs_a:
            continue
        values = p5_recommender(a, library_for(a, embs_a[name], False), base,
                                np.arange(len(a.labels)), np.array([], dtype=int))
        label = "shipped, handcrafted only" if name.startswith("library") else "shipped, with the tagger store"
        print(f"  {'recommend --after X, ' + label + ' (fixed)':58} {fmt(bootstrap(values, a.labels))}")
    for audio_only in (False, True):
        tag = "audio only" if audio_only else "tags visible"
        held, chosen = loso(a, embs_a, audio_only, base)
        print(f"  {'recommend --after X, LOSO-chosen config, ' + tag:58} {fmt(bootstrap(held, a.labels))}")
        for line in chosen:
            print(f"      chosen without {line}")
    if b is None:
        return
    embs_b = embeddings(b)
    print(f"\n== report set: corpus {b.name}: {len(b.labels)} tracks, {len(set(b.labels))} soundtracks "
          f"(configuration chosen on all of {a.name}) ==")
    rows = [("random (expected)", p5_random(b)), ("popularity (no history: a fixed list)", p5_popularity(b))]
    for e, emb in embs_b.items():
        rows.append((f"nearest neighbour: {e}", p5_nn(b, emb, np.arange(len(b.labels)))))
    for label, values in rows:
        print(f"  {label:58} {fmt(bootstrap(values, b.labels))}")
    for audio_only in (False, True):
        tag = "audio only" if audio_only else "tags visible"
        best = choose_on(a, {k: v for k, v in embs_a.items() if k in embs_b}, audio_only, base)
        lib = library_for(b, embs_b[best[0]], audio_only)
        values = p5_recommender(b, lib, auto_weights(base, best[1]), np.arange(len(b.labels)),
                                np.array([], dtype=int))
        print(f"  {'recommend --after X, ' + tag + f' ({best[0]}, mood {best[1]})':58} "
              f"{fmt(bootstrap(values, b.labels))}")
        for name in ("library default (content.embed)",
                     "session library (features + stored tagger embedding)"):
            if name not in embs_b:
                continue
            shipped_b = p5_recommender(b, library_for(b, embs_b[name], audio_only),
                                       base, np.arange(len(b.labels)), np.array([], dtype=int))
            label = "handcrafted only" if name.startswith("library") else "with the tagger store"
            print(f"  {'recommend --after X, shipped ' + label + ', ' + tag:58} "
                  f"{fmt(bootstrap(shipped_b, b.labels))}")


# -- listener simulation ------------------------------------------------------------------------
def listener_report(c: Corpus, profiles: int = 10, seeds: int = 5, steps: int = 40) -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from bench_listener import listen

    counts = {s: int((c.labels == s).sum()) for s in np.unique(c.labels)}
    eligible = sorted(s for s, k in counts.items() if k >= 4)
    style_of = {str(Path(t.path).resolve()): str(lab) for t, lab in zip(c.tracks, c.labels, strict=True)}
    ours, theirs, who = [], [], []
    back_to_back = early = 0
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "home"
        source.mkdir()
        # Only the analysed tracks of the corpus (the broken files would be error events).
        shutil.copy(c.home / "catalog.json", source / "catalog.json")
        shutil.copytree(c.home / "features", source / "features")
        for seed in range(seeds):
            rng = random.Random(seed)
            for p in range(profiles):
                taste = set(rng.sample(eligible, rng.choice((1, 2, 3))))
                heard = listen(source, style_of, set(), taste, steps, seed)
                back_to_back += heard.back_to_back
                early += heard.early_repeats
                liked = sum(counts[s] for s in taste)
                ours.append(heard.rate)
                theirs.append(1.0 - liked / len(c.labels))
                who.append(seed * profiles + p)
    ours_a, theirs_a = np.array(ours), np.array(theirs)
    rng = np.random.default_rng(0)
    draws = rng.integers(0, len(ours_a), size=(BOOTSTRAP, len(ours_a)))
    ratios = ours_a[draws].mean(axis=1) / theirs_a[draws].mean(axis=1)
    ratio = ours_a.mean() / theirs_a.mean()
    print(f"\n== listener simulation, corpus {c.name}: {len(ours)} listeners ({profiles} tastes x "
          f"{seeds} seeds, 1-3 of {len(eligible)} soundtracks), {steps} steps from cold start ==")
    print(f"  skip rate {ours_a.mean():.3f}, shuffle {theirs_a.mean():.3f}: ratio {ratio:.3f} "
          f"[{np.percentile(ratios, 2.5):.3f}, {np.percentile(ratios, 97.5):.3f}] (target <= 0.4)")
    print(f"  back-to-back repeats {back_to_back}; repeats while a liked track was still unplayed "
          f"{early} (over {len(ours)} listeners x {steps} steps; target 0 and 0)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", type=Path, required=True)
    parser.add_argument("--corpus", type=Path, required=True)
    parser.add_argument("--tagger", type=Path, default=None)
    parser.add_argument("--report-home", type=Path, default=None)
    parser.add_argument("--report-corpus", type=Path, default=None)
    parser.add_argument("--report-tagger", type=Path, default=None)
    parser.add_argument("--patches", type=Path, default=None, help="bench/patch_embeddings.py output")
    parser.add_argument("--report-patches", type=Path, default=None)
    parser.add_argument("--no-listener", action="store_true")
    parser.add_argument("--no-similarity", action="store_true")
    args = parser.parse_args()
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    a = load(args.corpus.name, args.home, args.corpus, args.tagger, args.patches)
    b = None
    if args.report_home is not None and args.report_corpus is not None:
        b = load(args.report_corpus.name, args.report_home, args.report_corpus, args.report_tagger,
                 args.report_patches)
    if not args.no_similarity:
        similarity_report(a, b)
    if not args.no_listener:
        listener_report(a)
        if b is not None:
            listener_report(b)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
