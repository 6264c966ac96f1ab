"""musicnn embeddings and tag probabilities for every audio file of a folder, saved as .npz.

    PYTHONPATH=. .venv/bin/python bench/tagger_embeddings.py /work/corpus/a --out /tmp/tagger_a.npz
        [--patches 16] [--jobs 2]

For evaluation scripts (not the player: the player stores them in its feature cache). With
a ``corpus.csv`` in the folder its ``path`` column gives the files (and the order); otherwise
every audio file under the folder. The .npz holds ``paths`` (relative to the folder, as in
corpus.csv), ``embedding`` (n x 200 float32: the mean over the track's patches of musicnn's
penultimate layer), ``tags`` (n x 50 mean probabilities), ``tag_names``, ``patches`` (how many
patches each track got) and ``errors`` (paths that could not be decoded, left out).
From Python: ``embed_folder(folder, patches=16, jobs=2)`` returns the same arrays as a dict.
"""

from __future__ import annotations

import argparse
import csv
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")  # one BLAS thread per worker, like the analysis workers

import numpy as np  # noqa: E402

from musitui.analysis.tagger import TAG_NAMES  # noqa: E402
from musitui.analysis.tagging import DEFAULT_PATCHES, TagResult, tag_file  # noqa: E402
from musitui.library.formats import audio_kind  # noqa: E402


def folder_files(folder: Path) -> list[str]:
    listing = folder / "corpus.csv"
    if listing.exists():
        with open(listing, newline="", encoding="utf-8") as handle:
            return [row["path"] for row in csv.DictReader(handle)]
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file() and audio_kind(p.name))


def _quiet() -> None:
    """Decoder libraries print notes on damaged files to fd 2; errors come back as results."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    os.close(devnull)


def _tag(args: tuple[int, str, int]) -> TagResult:
    return tag_file(*args)


def embed_folder(folder: str | Path, patches: int = DEFAULT_PATCHES, jobs: int = 2,
                 verbose: bool = False) -> dict[str, np.ndarray]:
    folder = Path(folder)
    files = folder_files(folder)
    tasks = [(i, str(folder / rel), patches) for i, rel in enumerate(files)]
    results: list[TagResult] = []
    with ProcessPoolExecutor(max_workers=max(1, jobs), initializer=_quiet) as pool:
        for result in pool.map(_tag, tasks, chunksize=1):
            results.append(result)
            if verbose:
                print(f"\r{len(results)}/{len(files)}", end="", file=sys.stderr, flush=True)
    if verbose:
        print(file=sys.stderr)
    good = [r for r in results if r.embedding is not None]
    return {
        "paths": np.array([files[r.track_id] for r in good]),
        "embedding": np.stack([r.embedding for r in good]) if good else np.zeros((0, 200), np.float32),
        "tags": np.stack([r.tags for r in good]) if good else np.zeros((0, 50), np.float32),
        "tag_names": np.array(TAG_NAMES),
        "patches": np.array([r.patches for r in good], dtype=np.int64),
        "errors": np.array([f"{files[r.track_id]}: {r.error}" for r in results if r.embedding is None]),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folder", type=Path)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--patches", type=int, default=DEFAULT_PATCHES)
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    started = time.monotonic()
    data = embed_folder(args.folder, args.patches, args.jobs, verbose=True)
    np.savez(args.out, **data)
    print(f"{len(data['paths'])} tracks, {len(data['errors'])} errors, {time.monotonic() - started:.1f} s -> {args.out}")
    for error in data["errors"]:
        print("  error:", error)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
