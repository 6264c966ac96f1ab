"""Score the lyrics that changed and keep their sentiment (``store/sentiment.py`` holds the
rows: the player reads them there with numpy only, never importing VADER)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from musitui.store.sentiment import FILE_NAME, SentimentRows, digest, load, path_in

__all__ = ["FILE_NAME", "SentimentRows", "digest", "load", "path_in", "update"]


def update(path: Path, ids: Sequence[int], lyrics: Sequence[str | None], feature_version: int,
           backups_dir: Path | None = None,
           on_damaged: Callable[[str], None] | None = None) -> list[float | None]:
    """The valence shift of every track (None: no lyrics / no sentiment), scoring only the
    lyrics not already stored with the same digest and versions; saves when anything
    changed. An unreadable file is moved aside (``on_damaged`` gets the one line saying so).
    Lyrics not in English are read by the multilingual encoder (loaded only if there are any)."""
    from musitui.words.encoder import shared
    from musitui.words.sentiment import SENTIMENT_VERSION, lyrics_score, valence_shift

    encoder = shared()

    old = load(path, backups_dir)
    if old.damaged is not None and on_damaged is not None:
        on_damaged(str(old.damaged))
    current = old.sentiment_version == SENTIMENT_VERSION and old.feature_version == feature_version
    known = {int(i): (int(d), float(sc), float(sh))
             for i, d, sc, sh in zip(old.ids.tolist(), old.digests.tolist(), old.score.tolist(),
                                     old.shift.tolist(), strict=True)} if current else {}
    out: list[float | None] = []
    new_ids, new_digests, new_scores, new_shifts = [], [], [], []
    changed = False
    for track_id, text in zip(ids, lyrics, strict=True):
        if not text or not text.strip():
            out.append(None)
            changed |= int(track_id) in known
            continue
        d = digest(text)
        hit = known.get(int(track_id))
        if hit is not None and hit[0] == d:
            score, shift = hit[1], hit[2]
        else:
            value = lyrics_score(text, encoder)
            score = float("nan") if value is None else value
            moved = valence_shift(value)
            shift = float("nan") if moved is None else moved
            changed = True
        new_ids.append(int(track_id))
        new_digests.append(d)
        new_scores.append(score)
        new_shifts.append(shift)
        out.append(None if np.isnan(shift) else shift)
    if changed or len(new_ids) != len(known):
        rows = SentimentRows(path, backups_dir=backups_dir)
        rows.scalars.update(feature_version=feature_version, sentiment_version=SENTIMENT_VERSION)
        rows.put_rows(new_ids, {"digests": new_digests, "score": new_scores, "shift": new_shifts})
        rows.save()
    return out
