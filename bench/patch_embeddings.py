"""Per-patch musicnn outputs (the MSD and the MagnaTagATune model) for every file of a corpus.

    PYTHONPATH=. .venv/bin/python bench/patch_embeddings.py /work/corpus/A --out /tmp/patches_a.npz
        [--patches 16] [--jobs 2]

For the similarity experiments of bench/similarity_pooling.py: the tagger pass keeps only the
mean of a track's patches; this keeps every patch, so pooling statistics (mean, spread),
patch counts (every other patch of the 16 is an 8-patch plan shifted by a quarter step) and
whitening by the within-track scatter can be compared without decoding again. The .npz holds
``paths`` (relative to the corpus, as in corpus.csv), ``offsets`` (track i's patches are rows
offsets[i]:offsets[i+1]), ``msd_embedding``/``mtt_embedding`` (patches x 200), ``msd_tags``/
``mtt_tags`` (patches x 50), ``decode_seconds``/``msd_seconds``/``mtt_seconds`` (worker CPU per
track) and ``errors``.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from tagger_embeddings import _quiet, folder_files  # noqa: E402

# musicnn's MagnaTagATune model, converted by ``scripts/convert_musicnn.py --model MTT_musicnn``
# (not shipped: it did not win out of sample, docs/FEATURES.md).
MTT_WEIGHTS_PATH = Path(__file__).resolve().parents[1] / "musitui" / "data" / "musicnn_mtt.npz"


def _one(task: tuple[str, int]) -> dict[str, object]:
    from musitui.analysis.patches import decode_patches
    from musitui.analysis.tagger import load_model

    path, count = task
    started = time.process_time()
    try:
        mels, _duration = decode_patches(path, count)
    except Exception as exc:  # a damaged file: reported, left out
        return {"error": f"{type(exc).__name__}: {exc}"[:160]}
    decoded = time.process_time()
    msd = load_model().forward(mels)
    msd_done = time.process_time()
    mtt = load_model(str(MTT_WEIGHTS_PATH)).forward(mels)
    return {"msd_embedding": msd.embedding, "msd_tags": msd.tags, "mtt_embedding": mtt.embedding,
            "mtt_tags": mtt.tags, "decode_seconds": decoded - started,
            "msd_seconds": msd_done - decoded, "mtt_seconds": time.process_time() - msd_done}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folder", type=Path)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--patches", type=int, default=16)
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    if not MTT_WEIGHTS_PATH.exists():
        print(f"no {MTT_WEIGHTS_PATH.name}: run scripts/convert_musicnn.py --model MTT_musicnn first",
              file=sys.stderr)
        return 2
    started = time.monotonic()
    files = folder_files(args.folder)
    tasks = [(str(args.folder / rel), args.patches) for rel in files]
    keep: list[str] = []
    rows: dict[str, list[np.ndarray]] = {k: [] for k in ("msd_embedding", "msd_tags", "mtt_embedding", "mtt_tags")}
    times: dict[str, list[float]] = {k: [] for k in ("decode_seconds", "msd_seconds", "mtt_seconds")}
    errors: list[str] = []
    with ProcessPoolExecutor(max_workers=max(1, args.jobs), initializer=_quiet) as pool:
        for rel, result in zip(files, pool.map(_one, tasks, chunksize=1), strict=True):
            if "error" in result:
                errors.append(f"{rel}: {result['error']}")
                continue
            keep.append(rel)
            for key, values in rows.items():
                values.append(np.asarray(result[key], dtype=np.float32))
            for key, values in times.items():
                values.append(float(result[key]))  # type: ignore[arg-type]
    offsets = np.concatenate([[0], np.cumsum([len(e) for e in rows["msd_embedding"]])]).astype(np.int64)
    np.savez(args.out, paths=np.array(keep), offsets=offsets, errors=np.array(errors),
             **{k: np.concatenate(v) for k, v in rows.items()}, **{k: np.array(v) for k, v in times.items()})
    print(f"{len(keep)} tracks, {offsets[-1]} patches, {len(errors)} errors, "
          f"{time.monotonic() - started:.1f} s -> {args.out}")
    for key, values in times.items():
        print(f"  worker CPU per track, {key}: {np.mean(values):.3f} s")
    for error in errors:
        print("  error:", error)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
