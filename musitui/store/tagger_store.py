"""The audio tagger's cache: per track, musicnn's 200-value embedding and 50 tag probabilities.

``<data>/features/tagger.npz`` (beside the feature store, versioned on its own): ``ids``
(int64), ``embedding`` (float16, n x 200), ``tags`` (float16, n x 50), ``patches`` (int16:
how many 3 s patches were averaged), ``size`` and ``mtime_ns`` (int64: the file stamp of the
row, so a changed file is tagged again), ``version``. float16 halves a 50k library's file to
~25 MB; the values are read back as float32. A ``TrackArrays`` (``track_arrays.py``): saved
atomically, a damaged file moved to the backups folder; a file made by another tagger version
is stale as a whole (the store starts empty, nothing is reported damaged).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt

from musitui.paths import Home
from musitui.store.track_arrays import Column, ColumnView, ScalarView, TrackArrays

FILE_NAME = "tagger.npz"
TAGGER_VERSION = 1  # bump when the model, its input or the patch plan changes
EMBEDDING_DIM, N_TAGS = 200, 50
COLUMNS = (Column("embedding", np.float16, EMBEDDING_DIM), Column("tags", np.float16, N_TAGS),
           Column("patches", np.int16))


class TaggerStore(TrackArrays):
    version = ScalarView("version")
    embedding, tags, patches = ColumnView("embedding"), ColumnView("tags"), ColumnView("patches")
    size, mtime_ns = ColumnView("size"), ColumnView("mtime_ns")  # the file stamp

    def __init__(self, path: Path, *, backups_dir: Path | None = None) -> None:
        super().__init__(path, COLUMNS, backups_dir=backups_dir, scalars={"version": TAGGER_VERSION},
                         stamped=True)

    @classmethod
    def open(cls, home: Home) -> TaggerStore:
        return cls.opened(cls(home.features_dir / FILE_NAME, backups_dir=home.backups_dir))

    def load(self) -> bool:
        if not super().load():
            return False
        if self.version != TAGGER_VERSION:  # made by another tagger: everything is stale
            self.version = TAGGER_VERSION
            self.clear()
            return False
        return True

    def put_many(self, ids: Sequence[int], embedding: npt.ArrayLike, tags: npt.ArrayLike,
                 patches: Sequence[int], sizes: Sequence[int], mtimes: Sequence[int]) -> None:
        self.put_rows(ids, {"embedding": embedding, "tags": tags, "patches": patches,
                            "size": sizes, "mtime_ns": mtimes})

    def rows_for(self, ids: Iterable[int]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(embedding float32 (n, 200), tags float32 (n, 50), found mask) for ``ids`` in order;
        zeros where a track has not been tagged."""
        rows, mask = self.rows_of(ids)
        return self.gather("embedding", rows, np.float32), self.gather("tags", rows, np.float32), mask
