"""The feature cache: one float32 vector per track id, on disk as a single ``.npz``.

``features.npz`` holds ``ids`` (int64), ``matrix`` (float32, n x d), ``names`` (unicode
array, no pickle) and ``version`` (the extractor version the vectors were made with). It is
written atomically; loading 50,000 tracks is one uncompressed read (well under 0.5 s). A file
that cannot be read is moved to the backups folder and the store starts empty.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np

from musitui.paths import Home
from musitui.store.atomic import DamagedFile, atomic_write_with, move_aside

FILE_NAME = "features.npz"


class FeatureStore:
    def __init__(self, path: Path, *, version: int = 0, names: list[str] | None = None,
                 backups_dir: Path | None = None) -> None:
        self.path = Path(path)
        self.backups_dir = backups_dir
        self.version = version
        self.names: list[str] = list(names or [])
        self.ids = np.zeros(0, dtype=np.int64)
        self.matrix = np.zeros((0, len(self.names)), dtype=np.float32)
        self.damaged: DamagedFile | None = None
        self.notice: str | None = None  # e.g. vectors dropped on load, for the user
        self._index: dict[int, int] | None = None

    @classmethod
    def open(cls, home: Home) -> FeatureStore:
        store = cls(home.features_dir / FILE_NAME, backups_dir=home.backups_dir)
        store.load()
        return store

    def load(self) -> None:
        try:
            with np.load(self.path, allow_pickle=False) as data:
                ids = data["ids"].astype(np.int64, copy=False)
                matrix = data["matrix"].astype(np.float32, copy=False)
                names = [str(n) for n in data["names"]]
                version = int(data["version"])
        except FileNotFoundError:
            return
        except (OSError, ValueError, KeyError, zipfile.BadZipFile, EOFError) as exc:
            backup = move_aside(self.path, self.backups_dir)
            self.damaged = DamagedFile(self.path, backup, str(exc).splitlines()[0][:120] if str(exc) else type(exc).__name__)
            return
        if matrix.ndim != 2 or len(ids) != len(matrix) or matrix.shape[1] != len(names):
            backup = move_aside(self.path, self.backups_dir)
            self.damaged = DamagedFile(self.path, backup, "arrays of inconsistent shape")
            return
        finite = np.isfinite(matrix).all(axis=1) if matrix.size else np.ones(len(ids), dtype=bool)
        if not finite.all():
            dropped = int((~finite).sum())
            ids, matrix = ids[finite], matrix[finite]
            self.notice = (f"{self.path}: {dropped} track(s) had damaged feature vectors (NaN or "
                           "infinite values); they will be analysed again")
        self.ids, self.matrix, self.names, self.version = ids, matrix, names, version
        self._index = None

    def save(self) -> None:
        ids, matrix = self.ids, self.matrix
        names = np.array(self.names, dtype=str)
        version = np.int64(self.version)

        def write(tmp: Path) -> None:
            with open(tmp, "wb") as handle:
                np.savez(handle, ids=ids, matrix=matrix, names=names, version=version)

        atomic_write_with(self.path, write)

    def __len__(self) -> int:
        return len(self.ids)

    def __contains__(self, track_id: object) -> bool:
        return isinstance(track_id, int | np.integer) and int(track_id) in self.index

    @property
    def index(self) -> dict[int, int]:
        """track id -> row."""
        if self._index is None:
            self._index = {int(t): row for row, t in enumerate(self.ids.tolist())}
        return self._index

    def reset(self, version: int, names: list[str]) -> None:
        """Drop every vector (the extractor changed): the next save replaces the file."""
        self.version = version
        self.names = list(names)
        self.ids = np.zeros(0, dtype=np.int64)
        self.matrix = np.zeros((0, len(self.names)), dtype=np.float32)
        self._index = None

    def put_many(self, ids: list[int], rows: np.ndarray) -> None:
        """Insert or replace the vectors of ``ids`` (rows in the same order)."""
        if not ids:
            return
        rows = np.asarray(rows, dtype=np.float32).reshape(len(ids), -1)
        if rows.shape[1] != len(self.names):
            raise ValueError(f"vector length {rows.shape[1]} != {len(self.names)} feature names")
        index = self.index
        new_ids, new_rows = [], []
        for track_id, row in zip(ids, rows, strict=True):
            at = index.get(int(track_id))
            if at is None:
                index[int(track_id)] = len(self.ids) + len(new_ids)
                new_ids.append(int(track_id))
                new_rows.append(row)
            else:
                self.matrix[at] = row
        if new_ids:
            self.ids = np.concatenate([self.ids, np.array(new_ids, dtype=np.int64)])
            self.matrix = np.concatenate([self.matrix, np.stack(new_rows)])

    def put(self, track_id: int, vector: np.ndarray) -> None:
        self.put_many([track_id], np.asarray(vector)[None, :])

    def remove(self, ids: list[int]) -> None:
        drop = {int(i) for i in ids}
        keep = np.array([int(t) not in drop for t in self.ids.tolist()], dtype=bool)
        self.ids, self.matrix = self.ids[keep], self.matrix[keep]
        self._index = None

    def vector(self, track_id: int) -> np.ndarray | None:
        row = self.index.get(int(track_id))
        return None if row is None else self.matrix[row]

    def vectors_for(self, ids) -> tuple[np.ndarray, np.ndarray]:
        """(matrix rows for ``ids`` in order, zeros where missing; bool mask of found ids)."""
        ids = [int(i) for i in ids]
        rows = np.array([self.index.get(i, -1) for i in ids], dtype=np.int64)
        mask = rows >= 0
        out = np.zeros((len(ids), len(self.names)), dtype=np.float32)
        if mask.any():
            out[mask] = self.matrix[rows[mask]]
        return out, mask

    def column(self, name: str) -> np.ndarray:
        return self.matrix[:, self.names.index(name)]
