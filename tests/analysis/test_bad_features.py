"""A NaN in features.npz never breaks `analyze`: the row is analysed again, with a message."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from cli_helpers import musitui
from library_helpers import make_track


def test_nan_vectors_are_analysed_again(tmp_path: Path) -> None:
    for n in range(3):
        make_track(tmp_path / "music", f"t{n}.wav", "wav", seconds=3.0, freq=300.0 + 100 * n)
    home = tmp_path / "home"
    first = musitui("scan", "--jobs", "1", str(tmp_path / "music"), home=home)
    assert first.returncode == 0, first.stderr
    path = home / "features" / "features.npz"
    with np.load(path, allow_pickle=False) as data:
        arrays = {name: data[name] for name in data.files}
    arrays["matrix"][1, 0] = np.nan
    with open(path, "wb") as handle:
        np.savez(handle, **arrays)
    again = musitui("analyze", "--jobs", "1", "--json", home=home)
    assert again.returncode == 0 and "Traceback" not in again.stderr, again.stderr
    assert "damaged feature vectors" in again.stderr
    assert json.loads(again.stdout)["analyzed"] == 1
    with np.load(path, allow_pickle=False) as data:
        assert len(data["ids"]) == 3 and np.isfinite(data["matrix"]).all()
