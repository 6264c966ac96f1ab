"""A style label per track: genre tag, else the audio tagger's genre word (once the second
analysis pass has tagged the track), else a classifier trained on the library's tags, else
unsupervised clusters (KMeans) over the feature vectors.

scikit-learn is imported lazily, only when there is something to learn: this module is
used by the analysis runner, never by ``tracks``/``info`` (they read the stored labels).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import orjson

from musitui.recommend.content import embed

MIN_TAGGED = 8        # tagged tracks needed to train the classifier
MIN_PER_CLASS = 2     # a genre with fewer examples is not learned
MAX_CLUSTERS = 8


@dataclass(frozen=True)
class Style:
    label: str
    confidence: float
    source: str  # "tag", "classifier", "cluster" or "" (nothing known)


def clean_genre(genre: str | None) -> str:
    return " ".join((genre or "").split())


def assign_styles(genres: list[str], matrix: np.ndarray, names: list[str], *, seed: int = 0) -> list[Style]:
    n = len(genres)
    if n == 0:
        return []
    tags = [clean_genre(g) for g in genres]
    styles: list[Style | None] = [Style(t, 1.0, "tag") if t else None for t in tags]
    untagged = [i for i, s in enumerate(styles) if s is None]
    if not untagged:
        return [s for s in styles if s is not None]
    emb = embed(matrix, names)
    counts: dict[str, int] = {}
    for t in tags:
        if t:
            counts[t] = counts.get(t, 0) + 1
    train = [i for i, t in enumerate(tags) if t and counts[t] >= MIN_PER_CLASS]
    classes = {tags[i] for i in train}
    if len(train) >= MIN_TAGGED and len(classes) >= 2:
        for i, style in zip(untagged, _classify(emb, tags, train, untagged, seed), strict=True):
            styles[i] = style
    else:
        for i, style in zip(untagged, _cluster(emb, matrix, names, untagged, seed), strict=True):
            styles[i] = style
    return [s if s is not None else Style("", 0.0, "") for s in styles]


def _classify(emb: np.ndarray, tags: list[str], train: list[int], targets: list[int], seed: int) -> list[Style]:
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression(max_iter=2000, C=2.0, random_state=seed)
    model.fit(emb[train], [tags[i] for i in train])
    proba = model.predict_proba(emb[targets])
    best = proba.argmax(axis=1)
    return [Style(str(model.classes_[b]), round(float(p[b]), 3), "classifier") for b, p in zip(best, proba, strict=True)]


def _cluster(emb: np.ndarray, matrix: np.ndarray, names: list[str], targets: list[int], seed: int) -> list[Style]:
    """Cluster every track (so clusters are stable as tags come and go), label the targets."""
    n = len(emb)
    k = int(min(MAX_CLUSTERS, max(1, round(np.sqrt(n / 2)))))
    if k <= 1:
        labels = np.zeros(n, dtype=int)
        centres = emb.mean(axis=0, keepdims=True)
    else:
        from sklearn.cluster import KMeans

        model = KMeans(n_clusters=k, n_init=4, random_state=seed).fit(emb)
        labels, centres = model.labels_, model.cluster_centers_
    names_of = {c: f"cluster {c + 1}: {_describe(matrix[labels == c], matrix, names)}" for c in range(len(centres))}
    dists = np.linalg.norm(emb[:, None, :] - centres[None, :, :], axis=2)
    result = []
    for i in targets:
        d = np.sort(dists[i])
        confidence = 1.0 if len(d) < 2 else float(1.0 - d[0] / max(d[1], 1e-9))
        result.append(Style(names_of[int(labels[i])], round(max(0.0, confidence), 3), "cluster"))
    return result


def _describe(members: np.ndarray, everything: np.ndarray, names: list[str]) -> str:
    """Two words: pace (tempo x pulse) and colour (spectral centroid), relative to the library."""
    def word(name: str, low: str, mid: str, high: str) -> str:
        if name not in names or len(members) == 0:
            return mid
        col = names.index(name)
        value = float(np.median(members[:, col]))
        lo, hi = np.percentile(everything[:, col], [33, 67])
        return low if value < lo else high if value > hi else mid

    return f"{word('onset_rate', 'slow', 'steady', 'fast')} {word('centroid', 'dark', 'warm', 'bright')}"


# -- in a child process, through files --------------------------------------------------
# The TUI fits the models in a short-lived child (scikit-learn never loads in the UI process).
# Inputs and results go through files, not pickles: pickling 50k genres and unpickling 50k
# Style objects are single C calls that held the UI process's GIL for 30-80 ms each.
MATRIX_FILE, INPUTS_FILE, RESULTS_FILE = "matrix.npy", "inputs.json", "styles.json"


def write_style_inputs(folder: Path, genres: list[str], matrix: np.ndarray, names: list[str]) -> None:
    np.save(folder / MATRIX_FILE, np.ascontiguousarray(matrix), allow_pickle=False)
    (folder / INPUTS_FILE).write_bytes(orjson.dumps({"genres": genres, "names": names}))


def assign_styles_in_folder(folder: str) -> None:
    """The child's job: read the inputs, fit, write one label code, confidence and source
    per track (labels and sources as small lookup lists)."""
    where = Path(folder)
    inputs = orjson.loads((where / INPUTS_FILE).read_bytes())
    matrix = np.load(where / MATRIX_FILE, allow_pickle=False)
    styles = assign_styles(inputs["genres"], matrix, inputs["names"])
    labels: dict[str, int] = {}
    sources: dict[str, int] = {}
    result = {
        "label_code": [labels.setdefault(s.label, len(labels)) for s in styles],
        "source_code": [sources.setdefault(s.source, len(sources)) for s in styles],
        "confidence": [s.confidence for s in styles],
        "labels": list(labels), "sources": list(sources),
    }
    (where / RESULTS_FILE).write_bytes(orjson.dumps(result))


def read_style_results(folder: Path) -> list[Style]:
    result = orjson.loads((folder / RESULTS_FILE).read_bytes())
    labels, sources = result["labels"], result["sources"]
    made: dict[tuple[int, int, float], Style] = {}  # tags repeat: share one Style per value
    out = []
    for key in zip(result["label_code"], result["source_code"], result["confidence"], strict=True):
        style = made.get(key)
        if style is None:
            style = made[key] = Style(labels[key[0]], key[2], sources[key[1]])
        out.append(style)
    return out


def styles_from_tagger(styles: list[Style], genres: list[str], probabilities: np.ndarray,
                       tagged: np.ndarray) -> list[Style]:
    """A track whose file has no genre tag takes the audio tagger's most probable genre word
    (source "tagger", confidence = its probability) instead of a classifier's guess or a
    cluster name: the tagger was trained on a million tracks' tags, and its words ("rock",
    "ambient", "jazz") mean something to a person, which "cluster 3: slow dark" does not."""
    from musitui.analysis.tag_words import top_genres_many

    out = list(styles)
    rows = [i for i, (genre, found) in enumerate(zip(genres, np.asarray(tagged).tolist(), strict=True))
            if found and not clean_genre(genre)]
    if rows:
        labels, best = top_genres_many(np.asarray(probabilities)[rows])
        for i, label, probability in zip(rows, labels, best.tolist(), strict=True):
            out[i] = Style(label, round(float(probability), 3), "tagger")
    return out
