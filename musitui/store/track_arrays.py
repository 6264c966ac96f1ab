"""Per-track arrays on disk: one ``.npz`` of rows keyed by track id, with versions.

Every per-track cache the analysis writes (the feature vectors, the tagger's outputs, the
lyrics sentiment; the next per-track data too) is a ``TrackArrays``: an ``ids`` array
(int64) and named columns with one row per id (a value, or a fixed-width vector), integer
scalars (the versions the rows were made with) and string lists (e.g. the feature names).
A store can carry a *file stamp* per row (``size`` and ``mtime_ns`` of the audio file the
row was made from) so a changed file is recomputed (``is_current``).

Saved atomically (``atomic.atomic_write_with``: a kill leaves the old or the new file). A
file that cannot be read, or whose arrays disagree in length or width, is moved to the
backups folder (``damaged``: a ``DamagedFile`` whose text is the one line for the user) and
the store starts empty: every row is recomputed from the audio. The typed views
(``features.FeatureStore``, ``tagger_store.TaggerStore``, ``sentiment.SentimentRows``)
declare their columns and add their own lookups.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import numpy as np
import numpy.typing as npt

from musitui.store.atomic import DamagedFile, atomic_write_with, move_aside

T = TypeVar("T", bound="TrackArrays")
STAMP_COLUMNS = ("size", "mtime_ns")  # the file version a stamped row was made from
_READ_ERRORS = (OSError, ValueError, KeyError, TypeError, zipfile.BadZipFile, EOFError)


@dataclass(frozen=True)
class Column:
    """One per-track column: ``width`` 0 is one value per track, else a vector of that
    width; ``width=None`` takes the width from the file (e.g. one per feature name)."""

    name: str
    dtype: npt.DTypeLike
    width: int | None = 0

    def empty(self, width: int = 0) -> np.ndarray:
        fixed = self.width if self.width is not None else width
        shape = (0,) if fixed == 0 else (0, fixed)
        return np.zeros(shape, dtype=self.dtype)


class ColumnView:
    """A view's typed attribute for one of its columns: ``embedding = ColumnView("embedding")``."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __get__(self, store: TrackArrays, owner: type | None = None) -> np.ndarray:
        return store.arrays[self.name]


class ScalarView:
    """A view's typed attribute for one of its integer scalars (e.g. a version)."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __get__(self, store: TrackArrays, owner: type | None = None) -> int:
        return store.scalars[self.name]

    def __set__(self, store: TrackArrays, value: int) -> None:
        store.scalars[self.name] = int(value)


class TrackArrays:
    """Rows keyed by track id in one ``.npz`` file (see the module's docstring)."""

    def __init__(self, path: Path, columns: Sequence[Column], *, backups_dir: Path | None = None,
                 scalars: Mapping[str, int] | None = None, labels: Sequence[str] = (),
                 stamped: bool = False) -> None:
        self.path = Path(path)
        self.backups_dir = backups_dir
        self.columns = tuple(columns) + tuple(Column(n, np.int64) for n in STAMP_COLUMNS if stamped)
        self.stamped = stamped
        self.scalars: dict[str, int] = dict(scalars or {})
        self.labels: dict[str, list[str]] = {name: [] for name in labels}
        self.damaged: DamagedFile | None = None
        self.arrays: dict[str, np.ndarray] = {}
        self._ids = np.zeros(0, dtype=np.int64)
        self._index: dict[int, int] | None = None
        self.clear()

    # -- reading and writing ----------------------------------------------------------
    def load(self) -> bool:
        """Read the file; False when it is missing or was damaged (then moved aside, and the
        store is empty)."""
        try:
            with np.load(self.path, allow_pickle=False) as data:
                ids = data["ids"].astype(np.int64, copy=False)
                arrays = {c.name: np.asarray(data[c.name]) for c in self.columns}
                scalars = {name: int(data[name]) for name in self.scalars}
                labels = {name: [str(v) for v in data[name]] for name in self.labels}
        except FileNotFoundError:
            return False
        except _READ_ERRORS as exc:
            self._move_aside(str(exc).splitlines()[0][:120] if str(exc) else type(exc).__name__)
            return False
        problem = self._shape_problem(ids, arrays) or self.check(ids, arrays, scalars, labels)
        if problem is not None:
            self._move_aside(problem)
            return False
        self._ids = ids
        self.arrays = {c.name: arrays[c.name].astype(c.dtype, copy=False) for c in self.columns}
        self.scalars, self.labels = scalars, labels
        self._index = None
        return True

    def _shape_problem(self, ids: np.ndarray, arrays: dict[str, np.ndarray]) -> str | None:
        n = len(ids)
        for column in self.columns:
            shape = arrays[column.name].shape
            expected_ndim = 1 if column.width == 0 else 2
            if len(shape) != expected_ndim or shape[0] != n or (column.width and shape[1] != column.width):
                return "arrays of inconsistent shape"
        return None

    def check(self, ids: np.ndarray, arrays: dict[str, np.ndarray], scalars: dict[str, int],
              labels: dict[str, list[str]]) -> str | None:
        """A view's own test of what it read: a reason when the file is damaged, else None."""
        return None

    def _move_aside(self, reason: str) -> None:
        backup = move_aside(self.path, self.backups_dir)
        self.damaged = DamagedFile(self.path, backup, reason)

    def save(self) -> None:
        arrays: dict[str, np.ndarray] = {"ids": self._ids, **self.arrays}
        arrays.update({name: np.int64(value) for name, value in self.scalars.items()})  # type: ignore[misc]
        arrays.update({name: np.array(values, dtype=str) for name, values in self.labels.items()})

        def write(tmp: Path) -> None:
            with open(tmp, "wb") as handle:
                np.savez(handle, **arrays)  # type: ignore[arg-type]  # the stub reads **arrays as allow_pickle

        atomic_write_with(self.path, write)

    @classmethod
    def opened(cls: type[T], store: T) -> T:
        """``store``, loaded from its file."""
        store.load()
        return store

    # -- rows ----------------------------------------------------------------------------
    @property
    def ids(self) -> np.ndarray:
        return self._ids

    @ids.setter
    def ids(self, value: np.ndarray) -> None:
        self._ids = np.asarray(value, dtype=np.int64)
        self._index = None

    def __len__(self) -> int:
        return len(self._ids)

    def __contains__(self, track_id: object) -> bool:
        return isinstance(track_id, int | np.integer) and int(track_id) in self.index

    @property
    def index(self) -> dict[int, int]:
        """track id -> row."""
        if self._index is None:
            self._index = {int(t): row for row, t in enumerate(self._ids.tolist())}
        return self._index

    def width(self, name: str) -> int:
        array = self.arrays[name]
        return int(array.shape[1]) if array.ndim == 2 else 0

    def clear(self, width: int = 0) -> None:
        """No rows (``width``: of the columns whose width comes from the data)."""
        self._ids = np.zeros(0, dtype=np.int64)
        self.arrays = {c.name: c.empty(width) for c in self.columns}
        self._index = None

    def rows_of(self, ids: Iterable[int]) -> tuple[np.ndarray, np.ndarray]:
        """(row per id, -1 where missing; the found mask)."""
        index = self.index
        rows = np.array([index.get(int(i), -1) for i in ids], dtype=np.int64)
        return rows, rows >= 0

    def gather(self, name: str, rows: np.ndarray, dtype: npt.DTypeLike | None = None) -> np.ndarray:
        """Column ``name`` at ``rows`` (from ``rows_of``), zeros where a row is -1."""
        array = self.arrays[name]
        out = np.zeros((len(rows), *array.shape[1:]), dtype=dtype or array.dtype)
        found = rows >= 0
        if found.any():
            out[found] = array[rows[found]]
        return out

    def put_rows(self, ids: Sequence[int], values: Mapping[str, npt.ArrayLike]) -> None:
        """Insert or replace the rows of ``ids``: every column's values in the same order."""
        if not len(ids):
            return
        new = {c.name: self._as_rows(c, values[c.name], len(ids)) for c in self.columns}
        index = self.index
        rows, known = self.rows_of(ids)
        for name, column_values in new.items():
            self.arrays[name][rows[known]] = column_values[known]
        if known.all():
            return
        fresh = np.flatnonzero(~known)
        for offset, position in enumerate(fresh.tolist()):
            index[int(ids[position])] = len(self._ids) + offset
        self._ids = np.concatenate([self._ids, np.asarray(ids, dtype=np.int64)[fresh]])
        for name, column_values in new.items():
            self.arrays[name] = np.concatenate([self.arrays[name], column_values[fresh]])

    def _as_rows(self, column: Column, values: npt.ArrayLike, n: int) -> np.ndarray:
        array = np.asarray(values, dtype=column.dtype)
        if column.width == 0:
            return array.reshape(n)
        width = column.width or self.width(column.name)
        array = array.reshape(n, -1)
        if array.shape[1] != width:
            raise ValueError(f"vector length {array.shape[1]} != {width} for {column.name}")
        return array

    def remove(self, ids: Iterable[int]) -> None:
        drop = {int(i) for i in ids}
        self.keep(np.array([int(t) not in drop for t in self._ids.tolist()], dtype=bool))

    def keep(self, mask: np.ndarray) -> None:
        """Keep only the rows where ``mask`` is True."""
        self._ids = self._ids[mask]
        self.arrays = {name: array[mask] for name, array in self.arrays.items()}
        self._index = None

    # -- file stamps ---------------------------------------------------------------------
    def is_current(self, track_id: int, size: int, mtime_ns: int) -> bool:
        """Made from this very version of the file (a stamped store)."""
        row = self.index.get(int(track_id))
        return (row is not None and int(self.arrays["size"][row]) == int(size)
                and int(self.arrays["mtime_ns"][row]) == int(mtime_ns))
