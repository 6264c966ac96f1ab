"""Replay the listener's own history: would musitui have guessed the next finished track?

For every listening session (events split by ``session``, else by a silence of
``session_gap`` seconds) and every finished track after the first finish of that session, the
rankers see only what happened before it (the counts, co-play pairs and the session so far)
and list 10 tracks; the hidden next finished track is a hit when it is among them, and
NDCG@10 rewards it by its position (1/log2(position + 1)). Rankers:
- ``recommender``: the full engine (rank()) with the given weights;
- ``content``: the content term alone (similarity to the session's finished tracks);
- ``popularity``: the tracks finished most often so far.
Pure numpy over a Library built *without* history aggregates (they would hold the future).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from musitui.recommend.arrays import Library
from musitui.recommend.engine import Listening, Weights, rank

K = 10
RANKERS = ("recommender", "content", "popularity")


@dataclass
class ReplayReport:
    sessions: int = 0
    cases: int = 0
    hits: dict[str, float] = field(default_factory=lambda: dict.fromkeys(RANKERS, 0.0))
    gains: dict[str, float] = field(default_factory=lambda: dict.fromkeys(RANKERS, 0.0))

    def hit_rate(self, name: str) -> float:
        return self.hits[name] / self.cases if self.cases else 0.0

    def ndcg(self, name: str) -> float:
        return self.gains[name] / self.cases if self.cases else 0.0

    def summary(self) -> dict[str, Any]:
        return {"sessions": self.sessions, "cases": self.cases, "k": K,
                "rankers": {name: {"hit_rate": round(self.hit_rate(name), 4),
                                   "ndcg": round(self.ndcg(name), 4)} for name in RANKERS}}


def content_only(weights: Weights) -> Weights:
    return replace(weights, w_cf=0.0, w_mood=0.0, w_mood_auto=0.0, w_pref=0.0, w_taste=0.0,
                   w_skip=0.0, w_recent=0.0, explore_every=0, artist_spacing=0)


def split_sessions(events: Iterable[dict[str, Any]], gap: float) -> list[list[dict[str, Any]]]:
    ordered = sorted(events, key=lambda e: (float(e.get("ts", 0.0)), int(e.get("seq", 0))))
    sessions: list[list[dict[str, Any]]] = []
    last_ts, last_key = None, None
    for event in ordered:
        ts = float(event.get("ts", 0.0))
        key = event.get("session")
        new = (last_ts is None or (key is not None and key != last_key)
               or (key is None and ts - last_ts > gap))
        if new:
            sessions.append([])
        sessions[-1].append(event)
        last_ts, last_key = ts, key
    return sessions


def replay(lib: Library, events: Iterable[dict[str, Any]], weights: Weights, *,
           session_gap: float = 1800.0, max_cases: int | None = None) -> ReplayReport:
    """Replay ``events`` (history dicts: kind, track_id, ts, artist, session) over ``lib``.
    ``lib`` is changed in place (its counts follow the replay)."""
    report = ReplayReport()
    coplay: dict[int, dict[int, float]] = {}
    plain = content_only(weights)
    for session in split_sessions([e for e in events if e.get("kind") in ("finish", "skip")],
                                  session_gap):
        finished: list[tuple[int, float]] = []
        skipped: list[tuple[int, float]] = []
        counted = False
        for event in session:
            row = lib.row(int(event.get("track_id", -1)))
            if row is None:
                continue
            ts = float(event["ts"])
            if event["kind"] == "finish":
                if finished and (max_cases is None or report.cases < max_cases):
                    _score_case(lib, report, row, ts, finished, skipped, coplay, weights, plain)
                    counted = True
                if finished:
                    previous = int(lib.ids[finished[-1][0]])
                    pairs = coplay.setdefault(previous, {})
                    pairs[int(lib.ids[row])] = pairs.get(int(lib.ids[row]), 0.0) + 1.0
                finished.append((row, ts))
                lib.note(int(lib.ids[row]), lib.artists[row], "finish", ts)
            else:
                skipped.append((row, ts))
                lib.note(int(lib.ids[row]), lib.artists[row], "skip", ts)
        report.sessions += counted
    return report


def _score_case(lib: Library, report: ReplayReport, target: int, ts: float,
                finished: list[tuple[int, float]], skipped: list[tuple[int, float]],
                coplay: dict[int, dict[int, float]], weights: Weights, plain: Weights) -> None:
    ctx = Listening(now=ts - 1.0, finished=list(finished), skipped=list(skipped),
                    coplay=lambda track_id: dict(coplay.get(track_id, {})))
    lists = {
        "recommender": [p.row for p in rank(lib, ctx, weights, K)],
        "content": [p.row for p in rank(lib, replace(ctx, coplay=None), plain, K)],
        "popularity": _popular(lib, K),
    }
    report.cases += 1
    for name, rows in lists.items():
        if target in rows:
            report.hits[name] += 1.0
            report.gains[name] += 1.0 / math.log2(rows.index(target) + 2)


def _popular(lib: Library, k: int) -> list[int]:
    count = lib.finishes.astype(np.float64) + 1e-9 * (len(lib) - np.arange(len(lib)))
    return np.argsort(-count, kind="stable")[:k].tolist()
