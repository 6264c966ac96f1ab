"""Derived counts of the listening history, kept incrementally and snapshotted to disk.

Everything the recommender needs from the history, so it never has to read the event log:
play/finish/skip counts per track and per artist, when each track was last played, the
co-play weight of track pairs (time-decayed), and the newest events (the current listening
session). ``apply(event)`` folds one event in; replaying the same events in the same order
always gives the same numbers, which is what makes "snapshot + replay the events since" safe.

Co-play weights decay with a half-life. Instead of decaying every stored pair on every event,
a weight added at time t is stored scaled by ``exp((t - t0) / tau)``; the decayed value at
``now`` is the stored sum times ``exp(-(now - t0) / tau)``. ``t0`` is moved forward (rescaling
everything once) before the exponent gets large.
"""

from __future__ import annotations

import json
import math
from collections import deque
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np

COPLAY_HALF_LIFE_DAYS = 90.0
TAU = COPLAY_HALF_LIFE_DAYS * 86400.0 / math.log(2.0)
RECENT_EVENTS = 400
# A skip right after a finished track says less than a finish does: many skips are "not now".
SKIP_PAIR_WEIGHT = -0.6
# The reverse direction of a positive pair counts for this much.
REVERSE_PAIR_WEIGHT = 0.5
_REBASE_EXPONENT = 40.0

OUTCOMES = ("finish", "skip")


class Aggregates:
    def __init__(self) -> None:
        self.seq = 0
        # track id -> [plays, finishes, skips, last_played_ts]
        self.tracks: dict[int, list[float]] = {}
        # artist -> [plays, finishes, skips]
        self.artists: dict[str, list[float]] = {}
        # track id -> {other track id: scaled co-play weight}
        self.pairs: dict[int, dict[int, float]] = {}
        self.t0 = 0.0
        self.events = 0
        self.last_ts = 0.0
        self.session = 0
        # (track id, kind, ts, session) of the newest finish/skip, for co-play pairs.
        self.last_outcome: tuple[int, str, float, int] | None = None
        self.recent: deque[dict[str, Any]] = deque(maxlen=RECENT_EVENTS)

    # -- folding events in ---------------------------------------------------------------
    def apply(self, event: dict[str, Any]) -> None:
        seq = int(event.get("seq", 0))
        if seq and seq <= self.seq:
            return
        self.seq = max(self.seq, seq)
        self.events += 1
        ts = float(event.get("ts", 0.0))
        if ts >= self.last_ts:  # imported older events do not move "now"
            self.last_ts = ts
            self.session = int(event.get("session", self.session) or self.session)
        self.recent.append(event)
        kind = event.get("kind")
        track_id = event.get("track_id")
        if kind not in ("play", "finish", "skip") or track_id is None:
            return
        track_id = int(track_id)
        stats = self.tracks.setdefault(track_id, [0, 0, 0, 0.0])
        artist = self.artists.setdefault(str(event.get("artist") or ""), [0, 0, 0])
        if kind == "play":
            stats[0] += 1
            artist[0] += 1
            stats[3] = max(stats[3], ts)
            return
        column = 1 if kind == "finish" else 2
        stats[column] += 1
        artist[column] += 1
        stats[3] = max(stats[3], ts)
        self._pair(track_id, kind, ts, int(event.get("session") or 0))

    def _pair(self, track_id: int, kind: str, ts: float, session: int) -> None:
        previous = self.last_outcome
        self.last_outcome = (track_id, kind, ts, session)
        if previous is None or previous[3] != session or previous[1] != "finish":
            return
        before = previous[0]
        if before == track_id:
            return
        if not self.t0:
            self.t0 = ts
        if (ts - self.t0) / TAU > _REBASE_EXPONENT:
            self._rebase(ts)
        scale = math.exp((ts - self.t0) / TAU)
        if kind == "finish":
            self._add(before, track_id, scale)
            self._add(track_id, before, REVERSE_PAIR_WEIGHT * scale)
        else:
            self._add(before, track_id, SKIP_PAIR_WEIGHT * scale)

    def _add(self, a: int, b: int, weight: float) -> None:
        row = self.pairs.setdefault(a, {})
        row[b] = row.get(b, 0.0) + weight

    def _rebase(self, new_t0: float) -> None:
        factor = math.exp(-(new_t0 - self.t0) / TAU)
        for row in self.pairs.values():
            for key in row:
                row[key] *= factor
        self.t0 = new_t0

    # -- reading -------------------------------------------------------------------------
    def decay_factor(self, now: float) -> float:
        """Multiply a stored pair weight by this to get its decayed value at ``now``."""
        if not self.t0:
            return 1.0
        return math.exp(-(now - self.t0) / TAU)

    def coplay_row(self, track_id: int, now: float) -> dict[int, float]:
        row = self.pairs.get(track_id)
        if not row:
            return {}
        factor = self.decay_factor(now)
        return {other: weight * factor for other, weight in row.items()}

    def session_events(self, now: float, gap_seconds: float) -> list[dict[str, Any]]:
        """The events of the listening session still going on at ``now`` (oldest first)."""
        if not self.recent or now - self.last_ts > gap_seconds:
            return []
        current = self.session
        return [e for e in self.recent if int(e.get("session") or 0) == current]

    # -- snapshot ------------------------------------------------------------------------
    def to_arrays(self) -> dict[str, np.ndarray]:
        """The snapshot as numpy arrays (``np.savez``): loading 100k events' worth takes ms."""
        import numpy as np  # not at the top: logging from a script does not need it

        meta = {"seq": self.seq, "events": self.events, "t0": self.t0, "last_ts": self.last_ts,
                "session": self.session,
                "last_outcome": list(self.last_outcome) if self.last_outcome else None}
        tracks = np.array([[k, *v] for k, v in self.tracks.items()], dtype=np.float64).reshape(-1, 5)
        artist_names = list(self.artists)
        artists = np.array([self.artists[a] for a in artist_names], dtype=np.float64).reshape(-1, 3)
        count = sum(len(row) for row in self.pairs.values())
        pair_a = np.empty(count, dtype=np.int64)
        pair_b = np.empty(count, dtype=np.int64)
        pair_w = np.empty(count, dtype=np.float64)
        at = 0
        for a, row in self.pairs.items():
            size = len(row)
            pair_a[at:at + size] = a
            pair_b[at:at + size] = np.fromiter(row.keys(), dtype=np.int64, count=size)
            pair_w[at:at + size] = np.fromiter(row.values(), dtype=np.float64, count=size)
            at += size
        return {
            "meta": np.array(json.dumps(meta)),
            "recent": np.array(json.dumps(list(self.recent), ensure_ascii=False)),
            "tracks": tracks,
            "artist_names": np.array(artist_names, dtype=str),
            "artists": artists,
            "pair_a": pair_a, "pair_b": pair_b, "pair_w": pair_w,
        }

    @classmethod
    def from_arrays(cls, data: Any) -> Aggregates:
        import numpy as np

        agg = cls()
        meta = json.loads(str(data["meta"]))
        agg.seq = int(meta["seq"])
        agg.events = int(meta.get("events", 0))
        agg.t0 = float(meta.get("t0", 0.0))
        agg.last_ts = float(meta.get("last_ts", 0.0))
        agg.session = int(meta.get("session", 0))
        last = meta.get("last_outcome")
        agg.last_outcome = (int(last[0]), str(last[1]), float(last[2]), int(last[3])) if last else None
        tracks = data["tracks"]
        agg.tracks = {int(row[0]): [int(row[1]), int(row[2]), int(row[3]), row[4]]
                      for row in tracks.tolist()}
        agg.artists = {name: [int(x) for x in row] for name, row in
                       zip(data["artist_names"].tolist(), data["artists"].tolist(), strict=True)}
        pairs: dict[int, dict[int, float]] = {}
        pair_a = data["pair_a"]
        b_list, w_list = data["pair_b"].tolist(), data["pair_w"].tolist()
        # pair_a comes grouped by row: cut at the row boundaries and build each dict at once.
        cuts = [0, *(np.flatnonzero(np.diff(pair_a)) + 1).tolist(), len(b_list)] if len(b_list) else [0]
        for start, end in zip(cuts, cuts[1:], strict=False):
            pairs[int(pair_a[start])] = dict(zip(b_list[start:end], w_list[start:end], strict=True))
        agg.pairs = pairs
        agg.recent.extend(json.loads(str(data["recent"])))
        return agg
