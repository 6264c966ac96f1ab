"""The feature cache on disk: round trip, lookups, damaged files, versioning, load speed."""

from __future__ import annotations

import numpy as np

from musitui.paths import resolve_home
from musitui.store.features import FILE_NAME, FeatureStore

NAMES = ["a", "b", "c"]


def make_store(version: int = 1) -> FeatureStore:
    store = FeatureStore.open(resolve_home())
    store.reset(version, NAMES)
    return store


def test_round_trip_and_lookup() -> None:
    store = make_store()
    store.put_many([5, 9], np.array([[1, 2, 3], [4, 5, 6]], dtype=np.float32))
    store.put(5, np.array([7, 8, 9], dtype=np.float32))  # replace
    store.save()
    again = FeatureStore.open(resolve_home())
    assert again.version == 1 and again.names == NAMES
    assert again.ids.dtype == np.int64 and again.matrix.dtype == np.float32
    rows, mask = again.vectors_for([9, 3, 5])
    assert mask.tolist() == [True, False, True]
    assert rows.tolist() == [[4, 5, 6], [0, 0, 0], [7, 8, 9]]
    assert 5 in again and 3 not in again
    assert again.path.name == FILE_NAME and again.path.suffix == ".npz"


def test_wrong_vector_length_is_refused() -> None:
    store = make_store()
    try:
        store.put(1, np.zeros(4, dtype=np.float32))
    except ValueError as exc:
        assert "vector length" in str(exc)
    else:
        raise AssertionError("a 4-long vector was accepted for 3 names")


def test_damaged_file_is_moved_aside_and_store_starts_empty() -> None:
    home = resolve_home()
    path = home.features_dir / FILE_NAME
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"not a zip file at all")
    store = FeatureStore.open(home)
    assert len(store) == 0 and store.damaged is not None
    assert not path.exists()
    assert list(home.backups_dir.glob(f"{FILE_NAME}.damaged-*"))


def test_version_is_stored_and_reset_drops_vectors() -> None:
    store = make_store(version=3)
    store.put(1, np.ones(3, dtype=np.float32))
    store.save()
    loaded = FeatureStore.open(resolve_home())
    assert loaded.version == 3 and len(loaded) == 1
    loaded.reset(4, NAMES + ["d"])
    loaded.save()
    fresh = FeatureStore.open(resolve_home())
    assert fresh.version == 4 and len(fresh) == 0 and fresh.names == NAMES + ["d"]


def test_50k_tracks_round_trip() -> None:
    """(How fast: bench/bench_features.py; no wall-clock bound here.)"""
    home = resolve_home()
    store = FeatureStore.open(home)
    names = [f"f{i}" for i in range(100)]
    store.reset(1, names)
    rng = np.random.default_rng(0)
    store.ids = np.arange(1, 50_001, dtype=np.int64)
    store.matrix = rng.standard_normal((50_000, 100)).astype(np.float32)
    store.save()
    loaded = FeatureStore.open(home)
    rows, mask = loaded.vectors_for(range(1, 50_001))
    assert mask.all() and rows.shape == (50_000, 100)
    assert np.array_equal(rows, store.matrix)


def test_rows_with_nan_are_dropped_on_load_with_a_notice() -> None:
    home = resolve_home()
    store = make_store()
    store.put_many([1, 2, 3], np.array([[1, 2, 3], [np.nan, 0, 0], [0, np.inf, 0]], dtype=np.float32))
    store.save()
    loaded = FeatureStore.open(home)
    assert loaded.ids.tolist() == [1] and 2 not in loaded and 3 not in loaded
    assert loaded.notice is not None and "2 track(s)" in loaded.notice
    assert loaded.damaged is None
