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

Two ways in, with the same result: ``apply`` one event at a time (logging, journal replay),
and ``Aggregates.from_events`` for a full rebuild from the shards, which does the same
arithmetic in numpy over all events at once (100k events in ~0.1 s instead of ~1 s). Pair
weights loaded from a snapshot stay in sorted arrays (``_PackedPairs``) and are only turned
into dicts when someone asks for ``pairs``, so opening with a snapshot is cheap too.
"""

from __future__ import annotations

import json
import math
from collections import deque
from collections.abc import Callable, Mapping
from itertools import repeat
from typing import TYPE_CHECKING, Any

import orjson

from musitui.core.coplay_rules import (
    COPLAY_HALF_LIFE_DAYS,
    REVERSE_PAIR_WEIGHT,
    SKIP_PAIR_WEIGHT,
)

if TYPE_CHECKING:
    import numpy as np

# The weights are the recommender's rules (core/coplay_rules.py); this module keeps count.
TAU = COPLAY_HALF_LIFE_DAYS * 86400.0 / math.log(2.0)
RECENT_EVENTS = 400
_REBASE_EXPONENT = 40.0

OUTCOMES = ("finish", "skip")
_KIND_CODE = {"play": 0, "finish": 1, "skip": 2}
_PLAY, _FINISH, _SKIP, _OTHER = 0, 1, 2, 3


class Aggregates:
    def __init__(self) -> None:
        self.seq = 0
        # track id -> [plays, finishes, skips, last_played_ts]
        self.tracks: dict[int, list[float]] = {}
        # artist -> [plays, finishes, skips]
        self.artists: dict[str, list[int]] = {}
        # Co-play weights (scaled, see the module docstring): the pairs loaded from a snapshot
        # or a rebuild stay packed in arrays; pairs first seen later go into ``_rows``
        # (track id -> {other track id: weight}). A pair lives in exactly one of the two.
        self._packed: _PackedPairs | None = None
        self._rows: dict[int, dict[int, float]] = {}
        self.t0 = 0.0
        self.events = 0
        self.last_ts = 0.0
        self.session = 0
        # (track id, kind, ts, session) of the newest finish/skip, for co-play pairs.
        self.last_outcome: tuple[int, str, float, int] | None = None
        self.recent: deque[dict[str, Any]] = deque(maxlen=RECENT_EVENTS)

    @property
    def pairs(self) -> dict[int, dict[int, float]]:
        """Every co-play weight as track id -> {other track id: scaled weight}.

        Unpacks the arrays into dicts (tens of ms at 100k events): the recommender uses
        ``coplay_row``, which does not need this.
        """
        packed, self._packed = self._packed, None
        if packed is not None:
            for a, row in packed.rows():
                row.update(self._rows.get(a, {}))
                self._rows[a] = row
        return self._rows

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
        if self._packed is not None and self._packed.add(a, b, weight):
            return
        row = self._rows.setdefault(a, {})
        row[b] = row.get(b, 0.0) + weight

    def _rebase(self, new_t0: float) -> None:
        factor = math.exp(-(new_t0 - self.t0) / TAU)
        if self._packed is not None:
            self._packed.w *= factor
        for row in self._rows.values():
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
        factor = self.decay_factor(now)
        found = self._packed.row(track_id, factor) if self._packed is not None else {}
        row = self._rows.get(track_id)
        if row:
            # A copy first (one C call): the session ranks while a writer may add a pair.
            found.update({other: weight * factor for other, weight in row.copy().items()})
        return found

    def session_events(self, now: float, gap_seconds: float) -> list[dict[str, Any]]:
        """The events of the listening session still going on at ``now`` (oldest first)."""
        if not self.recent or now - self.last_ts > gap_seconds:
            return []
        current = self.session
        return [e for e in self.recent if int(e.get("session") or 0) == current]

    def track_table(self) -> tuple[np.ndarray, np.ndarray]:
        """``tracks`` as arrays: ids (int64, n) and [plays, finishes, skips, last_ts] (float64, n x 4)."""
        import numpy as np

        items = list(self.tracks.items())  # one C call: a writer may add a track meanwhile
        ids = np.fromiter((k for k, _ in items), dtype=np.int64, count=len(items))
        stats = np.array([v for _, v in items], dtype=np.float64).reshape(-1, 4)
        return ids, stats

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
        pair_a, pair_b, pair_w = self._pair_arrays()
        return {
            "meta": np.array(json.dumps(meta)),
            "recent": np.array(json.dumps(list(self.recent), ensure_ascii=False)),
            "tracks": tracks,
            "artist_names": np.array(artist_names, dtype=str),
            "artists": artists,
            "pair_a": pair_a, "pair_b": pair_b, "pair_w": pair_w,
        }

    def _pair_arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Every pair as (a, b, weight) arrays, sorted by (a, b)."""
        import numpy as np

        count = sum(len(row) for row in self._rows.values())
        pair_a = np.empty(count, dtype=np.int64)
        pair_b = np.empty(count, dtype=np.int64)
        pair_w = np.empty(count, dtype=np.float64)
        at = 0
        for a, row in self._rows.items():
            size = len(row)
            pair_a[at:at + size] = a
            pair_b[at:at + size] = np.fromiter(row.keys(), dtype=np.int64, count=size)
            pair_w[at:at + size] = np.fromiter(row.values(), dtype=np.float64, count=size)
            at += size
        if self._packed is not None:
            packed = self._packed
            pair_a = np.concatenate([packed.a, pair_a])
            pair_b = np.concatenate([packed.b, pair_b])
            pair_w = np.concatenate([packed.w, pair_w])
        order = np.lexsort((pair_b, pair_a))
        return pair_a[order], pair_b[order], pair_w[order]

    @classmethod
    def from_arrays(cls, data: Mapping[str, np.ndarray]) -> Aggregates:
        import numpy as np

        agg = cls()
        meta = orjson.loads(str(data["meta"]))
        agg.seq = int(meta["seq"])
        agg.events = int(meta.get("events", 0))
        agg.t0 = float(meta.get("t0", 0.0))
        agg.last_ts = float(meta.get("last_ts", 0.0))
        agg.session = int(meta.get("session", 0))
        last = meta.get("last_outcome")
        agg.last_outcome = (int(last[0]), str(last[1]), float(last[2]), int(last[3])) if last else None
        tracks = np.asarray(data["tracks"], dtype=np.float64).reshape(-1, 5)
        counts: list[list[float]] = tracks[:, 1:4].astype(np.int64).tolist()
        for row, last_ts in zip(counts, tracks[:, 4].tolist(), strict=True):
            row.append(last_ts)
        agg.tracks = dict(zip(tracks[:, 0].astype(np.int64).tolist(), counts, strict=True))
        artists = np.asarray(data["artists"], dtype=np.float64).reshape(-1, 3)
        agg.artists = dict(zip(data["artist_names"].tolist(), artists.astype(np.int64).tolist(),
                               strict=True))
        pair_a = np.asarray(data["pair_a"], dtype=np.int64)
        if len(pair_a):
            agg._packed = _PackedPairs(pair_a, np.asarray(data["pair_b"], dtype=np.int64),
                                       np.asarray(data["pair_w"], dtype=np.float64))
        agg.recent.extend(_loads(str(data["recent"])))
        return agg

    # -- full rebuild ----------------------------------------------------------------------
    @classmethod
    def from_events(cls, events: list[dict[str, Any]]) -> Aggregates:
        """The aggregates of ``events`` (any order): the same numbers as ``apply``-ing them
        one by one in seq order, computed column-wise. Events of unusual shape (a seq that is
        not an int, a missing timestamp, ...) take the one-by-one path."""
        columns = EventColumns.of(events)
        if columns is None:
            return cls.replay(events)
        return cls.from_columns(columns, lambda rows: [events[row] for row in rows])

    @classmethod
    def from_columns(cls, columns: EventColumns,
                     fetch: Callable[[list[int]], list[dict[str, Any]]]) -> Aggregates:
        """``from_events`` from the events' columns; ``fetch(rows)`` returns the events at
        those rows (for ``recent``, the newest few hundred only)."""
        return _rebuild(cls(), columns, fetch)

    @classmethod
    def replay(cls, events: list[dict[str, Any]]) -> Aggregates:
        """The straightforward rebuild: ``apply`` every event in seq order."""
        agg = cls()
        for event in sorted(events, key=lambda e: int(e.get("seq", 0))):
            agg.apply(event)
        return agg


def _loads(text: str) -> Any:
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:  # e.g. NaN, which json writes and orjson refuses
        return json.loads(text)


class _PackedPairs:
    """Co-play weights as arrays sorted by (a, b), with each row's span for lookups."""

    __slots__ = ("a", "b", "w", "spans")

    def __init__(self, a: np.ndarray, b: np.ndarray, w: np.ndarray) -> None:
        import numpy as np

        if len(a) > 1:
            da, db = np.diff(a), np.diff(b)
            if not bool(np.all((da > 0) | ((da == 0) & (db > 0)))):  # an older snapshot
                order = np.lexsort((b, a))
                a, b, w = a[order], b[order], w[order]
        self.a, self.b = a, b
        self.w = np.array(w, dtype=np.float64)  # a writable copy: _add changes it in place
        cuts = (np.flatnonzero(np.diff(a)) + 1).tolist()
        starts, ends = [0, *cuts], [*cuts, len(a)]
        self.spans: dict[int, tuple[int, int]] = dict(
            zip(a[starts].tolist(), zip(starts, ends, strict=True), strict=True))

    def add(self, a: int, b: int, weight: float) -> bool:
        """Add to the pair (a, b) if it is stored here; False if it is not."""
        span = self.spans.get(a)
        if span is None:
            return False
        start, end = span
        at = start + int(self.b[start:end].searchsorted(b))
        if at < end and int(self.b[at]) == b:
            self.w[at] += weight
            return True
        return False

    def row(self, a: int, factor: float) -> dict[int, float]:
        span = self.spans.get(a)
        if span is None:
            return {}
        start, end = span
        return dict(zip(self.b[start:end].tolist(), (self.w[start:end] * factor).tolist(),
                        strict=True))

    def rows(self) -> list[tuple[int, dict[int, float]]]:
        b, w = self.b.tolist(), self.w.tolist()
        return [(a, dict(zip(b[start:end], w[start:end], strict=True)))
                for a, (start, end) in self.spans.items()]


class EventColumns:
    """What the aggregates use of each event, as arrays in the order of the events.

    ``artist`` holds codes into ``artist_names``. Kept beside each shard (``to_arrays``) so a
    rebuild does not have to parse the JSON of months that did not change.
    """

    FIELDS = ("seq", "ts", "kind", "has_track", "track", "session", "artist")

    def __init__(self, arrays: dict[str, np.ndarray], artist_names: list[str]) -> None:
        self.seq, self.ts, self.kind = arrays["seq"], arrays["ts"], arrays["kind"]
        self.has_track, self.track = arrays["has_track"], arrays["track"]
        self.session, self.artist = arrays["session"], arrays["artist"]
        self.artist_names = artist_names

    def __len__(self) -> int:
        return len(self.seq)

    @classmethod
    def of(cls, events: list[dict[str, Any]]) -> EventColumns | None:
        """None when an event has a field of an unusual type (left to ``apply``)."""
        import numpy as np

        count = len(events)

        # map(dict.get, ...) runs in C: no Python bytecode per event and field.
        def field(name: str, default: Any = None) -> list[Any]:
            return list(map(dict.get, events, repeat(name, count), repeat(default, count)))

        try:
            arrays: dict[str, np.ndarray] = {
                      "seq": np.fromiter(field("seq", 0), dtype=np.int64, count=count),
                      "ts": np.fromiter(field("ts", 0.0), dtype=np.float64, count=count)}
            if not bool(np.isfinite(arrays["ts"]).all()):
                return None
            arrays["kind"] = np.fromiter(map(_KIND_CODE.get, field("kind"), repeat(_OTHER, count)),
                                         dtype=np.int8, count=count)
            tracks = np.array(field("track_id"), dtype=object).reshape(count)
            none = np.array(None, dtype=object)  # compared element-wise, in C
            arrays["has_track"] = np.not_equal(tracks, none).astype(bool)
            tracks[~arrays["has_track"]] = 0
            arrays["track"] = tracks.astype(np.int64)
            sessions = np.array(field("session"), dtype=object).reshape(count)
            sessions[np.equal(sessions, none)] = 0  # apply(): ``event.get("session") or 0``
            arrays["session"] = sessions.astype(np.int64)
            artists = field("artist", "")
            if not set(map(type, artists)) <= {str}:  # apply() keys on ``str(artist or "")``
                artists = [str(a) if a else "" for a in artists]
            codes: dict[str, int] = {}
            first = np.fromiter(map(codes.setdefault, artists, range(count)), dtype=np.int64,
                                count=count)
        except (TypeError, ValueError, OverflowError, AttributeError):
            return None
        unique, arrays["artist"] = np.unique(first, return_inverse=True)
        return cls(arrays, [artists[row] for row in unique.tolist()])

    @classmethod
    def concat(cls, parts: list[EventColumns]) -> EventColumns:
        import numpy as np

        codes: dict[str, int] = {}
        artist = []
        for part in parts:
            remap = np.fromiter((codes.setdefault(name, len(codes)) for name in part.artist_names),
                                dtype=np.int64, count=len(part.artist_names))
            artist.append(remap[part.artist] if len(part) else part.artist)
        if not parts:
            return cls.of([])  # type: ignore[return-value]  # never None for no events
        arrays = {name: np.concatenate([getattr(p, name) for p in parts])
                  for name in cls.FIELDS if name != "artist"}
        arrays["artist"] = np.concatenate(artist)
        return cls(arrays, list(codes))

    def to_arrays(self) -> dict[str, np.ndarray]:
        import numpy as np

        arrays = {name: getattr(self, name) for name in self.FIELDS}
        arrays["artist_names"] = np.array(json.dumps(self.artist_names))
        return arrays

    @classmethod
    def from_arrays(cls, data: Mapping[str, np.ndarray]) -> EventColumns:
        """Raises KeyError/ValueError on arrays that do not fit together."""
        arrays = {name: data[name] for name in cls.FIELDS}
        names = json.loads(str(data["artist_names"]))
        if not isinstance(names, list) or not all(isinstance(name, str) for name in names):
            raise ValueError("artist names are not a list of strings")
        count = len(arrays["seq"])
        kinds = "".join(arrays[name].dtype.kind for name in cls.FIELDS)
        if kinds != "ifibiii" or any(a.ndim != 1 or len(a) != count for a in arrays.values()) or (
                count and (int(arrays["artist"].min()) < 0 or int(arrays["artist"].max()) >= len(names))):
            raise ValueError("columns that do not fit together")
        return cls(arrays, names)


def _rebuild(agg: Aggregates, c: EventColumns,
             fetch: Callable[[list[int]], list[dict[str, Any]]]) -> Aggregates:
    """``Aggregates.from_events``: each step mirrors one part of ``apply``/``_pair``."""
    import numpy as np

    # Seq order; an event whose seq is not above every seq before it is a duplicate (seq 0:
    # unnumbered, always taken), as in apply().
    order = np.argsort(c.seq, kind="stable")
    seq = c.seq[order]
    if not len(seq):
        return agg
    before = np.maximum(np.concatenate(([0], np.maximum.accumulate(seq)[:-1])), 0)
    order = order[(seq == 0) | (seq > before)]
    agg.seq = max(0, int(seq[-1]))
    agg.events = len(order)
    if not len(order):
        return agg

    # "Now" and the session: set by every event not older than the newest so far.
    ts, session = c.ts[order], c.session[order]
    newest_before = np.maximum(np.concatenate(([0.0], np.maximum.accumulate(ts)[:-1])), 0.0)
    moves = ts >= newest_before
    if moves.any():
        agg.last_ts = float(ts[moves][-1])
    with_session = moves & (session != 0)
    if with_session.any():
        agg.session = int(session[with_session][-1])
    agg.recent.extend(fetch(order[-RECENT_EVENTS:].tolist()))

    # Per-track and per-artist counts over play/finish/skip events of a track.
    kind = c.kind[order]
    listen = c.has_track[order] & (kind != _OTHER)
    rows = order[listen]
    track, kind, ts, session = c.track[rows], kind[listen], ts[listen], session[listen]
    if not len(rows):
        return agg
    agg.tracks = _counts_by_key(track, kind, ts)
    names = c.artist_names
    agg.artists = {names[code]: [int(n) for n in counts[:3]]
                   for code, counts in _counts_by_key(c.artist[rows], kind, None).items()}

    # Co-play: each finish/skip after a finish of another track in the same session.
    outcome = kind != _PLAY
    track, kind, ts, session = track[outcome], kind[outcome], ts[outcome], session[outcome]
    if not len(track):
        return agg
    agg.last_outcome = (int(track[-1]), "finish" if kind[-1] == _FINISH else "skip",
                        float(ts[-1]), int(session[-1]))
    paired = np.flatnonzero((session[:-1] == session[1:]) & (kind[:-1] == _FINISH)
                            & (track[:-1] != track[1:])) + 1
    if len(paired):
        _rebuild_pairs(agg, track[paired - 1], track[paired], kind[paired] == _FINISH,
                       ts[paired].tolist())
    return agg


def _counts_by_key(keys: np.ndarray, kind: np.ndarray, ts: np.ndarray | None) -> dict[int, list[float]]:
    """key -> [plays, finishes, skips(, newest ts)], keys in order of first appearance."""
    import numpy as np

    unique, first, inverse = np.unique(keys, return_index=True, return_inverse=True)
    counts = np.bincount(inverse * 3 + kind, minlength=3 * len(unique)).reshape(-1, 3)
    order = np.argsort(first, kind="stable")
    table = counts[order].tolist()
    if ts is not None:
        newest = np.zeros(len(unique))
        np.maximum.at(newest, inverse, ts)
        for row, stamp in zip(table, newest[order].tolist(), strict=True):
            row.append(stamp)
    return dict(zip(unique[order].tolist(), table, strict=True))


def _rebuild_pairs(agg: Aggregates, before: np.ndarray, after: np.ndarray, finished: np.ndarray,
                   stamps: list[float]) -> None:
    import numpy as np

    # t0 and its rebases, exactly as _pair moves them (math.exp, so every scale is the same
    # float as one computed event by event).
    t0 = 0.0
    scales: list[float] = []
    rebases: list[tuple[int, float]] = []
    for index, ts in enumerate(stamps):
        if not t0:
            t0 = ts
        if (ts - t0) / TAU > _REBASE_EXPONENT:
            rebases.append((index, math.exp(-(ts - t0) / TAU)))
            t0 = ts
        scales.append(math.exp((ts - t0) / TAU))
    agg.t0 = t0
    scale = np.array(scales)
    # Two entries per pair event in event order, (before, after) then (after, before); the
    # second only counts for a finish.
    count = len(stamps)
    a = np.empty(2 * count, dtype=np.int64)
    b = np.empty(2 * count, dtype=np.int64)
    w = np.empty(2 * count, dtype=np.float64)
    a[0::2], a[1::2] = before, after
    b[0::2], b[1::2] = after, before
    w[0::2] = np.where(finished, scale, SKIP_PAIR_WEIGHT * scale)
    w[1::2] = REVERSE_PAIR_WEIGHT * scale
    keep = np.ones(2 * count, dtype=bool)
    keep[1::2] = finished
    a, b, w = a[keep], b[keep], w[keep]
    ids, dense = np.unique(np.concatenate([a, b]), return_inverse=True)
    key = dense[:len(a)] * len(ids) + dense[len(a):]
    unique, slot = np.unique(key, return_inverse=True)
    if not rebases:
        # bincount adds in input order: the same sums, bit for bit, as adding one by one.
        total: np.ndarray = np.bincount(slot, weights=w, minlength=len(unique))
    else:
        total = np.zeros(len(unique))
        event = np.repeat(np.arange(count), 2)[keep]
        start = 0
        for index, factor in rebases:
            stop = int(np.searchsorted(event, index))
            np.add.at(total, slot[start:stop], w[start:stop])
            total *= factor
            start = stop
        np.add.at(total, slot[start:], w[start:])
    agg._packed = _PackedPairs(ids[unique // len(ids)], ids[unique % len(ids)], total)
