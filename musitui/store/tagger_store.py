"""The audio tagger's cache: per track, musicnn's 200-value embedding and 50 tag probabilities.

``<data>/features/tagger.npz`` (beside the feature store, versioned on its own): ``ids``
(int64), ``embedding`` (float16, n x 200), ``tags`` (float16, n x 50), ``patches`` (int16:
how many 3 s patches were averaged), ``size`` and ``mtime_ns`` (int64: the file version the
row was made from, so a changed file is tagged again), ``version``. float16 halves a 50k
library's file to ~25 MB; the values are read back as float32. Written atomically; a file
that cannot be read is moved to the backups folder and the cache starts empty.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np

from musitui.paths import Home
from musitui.store.atomic import DamagedFile, atomic_write_with, move_aside

FILE_NAME = "tagger.npz"
TAGGER_VERSION = 1  # bump when the model, its input or the patch plan changes
EMBEDDING_DIM, N_TAGS = 200, 50
_ROWS = ("embedding", "tags", "patches", "size", "mtime_ns")


class TaggerStore:
    def __init__(self, path: Path, *, backups_dir: Path | None = None) -> None:
        self.path = Path(path)
        self.backups_dir = backups_dir
        self.version = TAGGER_VERSION
        self.damaged: DamagedFile | None = None
        self._set_empty()

    def _set_empty(self) -> None:
        self.ids = np.zeros(0, dtype=np.int64)
        self.embedding = np.zeros((0, EMBEDDING_DIM), dtype=np.float16)
        self.tags = np.zeros((0, N_TAGS), dtype=np.float16)
        self.patches = np.zeros(0, dtype=np.int16)
        self.size = np.zeros(0, dtype=np.int64)
        self.mtime_ns = np.zeros(0, dtype=np.int64)
        self._index: dict[int, int] | None = None

    @classmethod
    def open(cls, home: Home) -> TaggerStore:
        store = cls(home.features_dir / FILE_NAME, backups_dir=home.backups_dir)
        store.load()
        return store

    def load(self) -> None:
        try:
            with np.load(self.path, allow_pickle=False) as data:
                version = int(data["version"])
                arrays = {"ids": data["ids"].astype(np.int64, copy=False),
                          **{name: data[name] for name in _ROWS}}
        except FileNotFoundError:
            return
        except (OSError, ValueError, KeyError, TypeError, zipfile.BadZipFile, EOFError) as exc:
            self._move_aside(str(exc).splitlines()[0][:120] if str(exc) else type(exc).__name__)
            return
        n = len(arrays["ids"])
        shapes_ok = (arrays["embedding"].shape == (n, EMBEDDING_DIM) and arrays["tags"].shape == (n, N_TAGS)
                     and all(arrays[k].shape == (n,) for k in ("patches", "size", "mtime_ns")))
        if not shapes_ok:
            self._move_aside("arrays of inconsistent shape")
            return
        if version != TAGGER_VERSION:
            return  # made by another tagger: everything is stale, the next save replaces it
        self.ids = arrays["ids"]
        self.embedding = arrays["embedding"].astype(np.float16, copy=False)
        self.tags = arrays["tags"].astype(np.float16, copy=False)
        self.patches = arrays["patches"].astype(np.int16, copy=False)
        self.size = arrays["size"].astype(np.int64, copy=False)
        self.mtime_ns = arrays["mtime_ns"].astype(np.int64, copy=False)
        self._index = None

    def _move_aside(self, reason: str) -> None:
        backup = move_aside(self.path, self.backups_dir)
        self.damaged = DamagedFile(self.path, backup, reason)

    def save(self) -> None:
        arrays = {"ids": self.ids, "embedding": self.embedding, "tags": self.tags, "patches": self.patches,
                  "size": self.size, "mtime_ns": self.mtime_ns, "version": np.int64(self.version)}

        def write(tmp: Path) -> None:
            with open(tmp, "wb") as handle:
                np.savez(handle, **arrays)

        atomic_write_with(self.path, write)

    def __len__(self) -> int:
        return len(self.ids)

    def __contains__(self, track_id: object) -> bool:
        return isinstance(track_id, int | np.integer) and int(track_id) in self.index

    @property
    def index(self) -> dict[int, int]:
        if self._index is None:
            self._index = {int(t): row for row, t in enumerate(self.ids.tolist())}
        return self._index

    def is_current(self, track_id: int, size: int, mtime_ns: int) -> bool:
        """Tagged from this very version of the file."""
        row = self.index.get(int(track_id))
        return row is not None and int(self.size[row]) == int(size) and int(self.mtime_ns[row]) == int(mtime_ns)

    def put_many(self, ids: list[int], embedding: np.ndarray, tags: np.ndarray, patches: list[int],
                 sizes: list[int], mtimes: list[int]) -> None:
        if not ids:
            return
        new = {"embedding": np.asarray(embedding, dtype=np.float16).reshape(len(ids), EMBEDDING_DIM),
               "tags": np.asarray(tags, dtype=np.float16).reshape(len(ids), N_TAGS),
               "patches": np.asarray(patches, dtype=np.int16), "size": np.asarray(sizes, dtype=np.int64),
               "mtime_ns": np.asarray(mtimes, dtype=np.int64)}
        index = self.index
        rows = np.array([index.get(int(i), -1) for i in ids], dtype=np.int64)
        known = rows >= 0
        for name, values in new.items():
            getattr(self, name)[rows[known]] = values[known]
        if not known.all():
            fresh = np.flatnonzero(~known)
            for offset, position in enumerate(fresh.tolist()):
                index[int(ids[position])] = len(self.ids) + offset
            self.ids = np.concatenate([self.ids, np.asarray(ids, dtype=np.int64)[fresh]])
            for name, values in new.items():
                setattr(self, name, np.concatenate([getattr(self, name), values[fresh]]))

    def remove(self, ids: list[int]) -> None:
        drop = {int(i) for i in ids}
        keep = np.array([int(t) not in drop for t in self.ids.tolist()], dtype=bool)
        self.ids = self.ids[keep]
        for name in _ROWS:
            setattr(self, name, getattr(self, name)[keep])
        self._index = None

    def rows_for(self, ids) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(embedding float32 (n, 200), tags float32 (n, 50), found mask) for ``ids`` in order;
        zeros where a track has not been tagged."""
        ids = [int(i) for i in ids]
        rows = np.array([self.index.get(i, -1) for i in ids], dtype=np.int64)
        mask = rows >= 0
        embedding = np.zeros((len(ids), EMBEDDING_DIM), dtype=np.float32)
        tags = np.zeros((len(ids), N_TAGS), dtype=np.float32)
        if mask.any():
            embedding[mask] = self.embedding[rows[mask]]
            tags[mask] = self.tags[rows[mask]]
        return embedding, tags, mask
