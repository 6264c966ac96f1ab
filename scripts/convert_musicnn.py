"""Convert musicnn 0.1.0's MSD_musicnn (or MTT_musicnn) TensorFlow-1 checkpoint into numpy weights.

A conversion-time tool only: it runs in a separate environment with TensorFlow (and librosa,
for the reference inputs), never in musitui's own. Run once, from the repository root:

    python3 -m venv /work/tfvenv
    /work/tfvenv/bin/pip install tensorflow-cpu tf-keras numpy librosa
    pip download --no-deps musicnn==0.1.0 -d /tmp/musicnn
    /work/tfvenv/bin/python scripts/convert_musicnn.py /tmp/musicnn/musicnn-0.1.0-py3-none-any.whl
    /work/tfvenv/bin/python scripts/convert_musicnn.py --model MTT_musicnn /tmp/musicnn/musicnn-0.1.0-py3-none-any.whl

(``--model MTT_musicnn``: the MagnaTagATune model of the same package, same licence, whose 50
words name instruments and loudness: piano, strings, choir, quiet / loud, slow / fast ...;
it writes ``musicnn_mtt.npz`` and ``tests/analysis/data/musicnn_mtt_reference.npz`` instead,
for the experiments of bench/patch_embeddings.py. It is not shipped: beside or instead of the
MSD model it did not win out of sample (docs/FEATURES.md), so only the MSD weights are in
the package; the numpy forward pass runs it unchanged, ``load_model(path)``.)

It writes
- ``musitui/data/musicnn_msd.npz``: every trained variable (no optimiser slots), float32,
  named like the checkpoint with ``/`` as ``__``, plus ``labels`` and ``source``;
- ``musitui/data/MUSICNN_LICENSE``: the package's ISC notice;
- ``tests/analysis/data/musicnn_reference.npz``: log-mel patches of a few synthesised clips (computed
  with librosa as musicnn computes them, the log in float32) and what the ORIGINAL graph,
  rebuilt from musicnn's own ``models.py`` with ``tf.compat.v1`` and restored from the
  checkpoint, outputs for them: tag probabilities, the 200-value penultimate layer, and
  the pooled mid-end.

float16 weights would shrink the file to ~0.9 MB (3.0 MB compressed now) but move the tags by
up to 2.4e-3 from the original model (the script prints the figure), more than the 1e-3 the
forward-pass test allows, so the weights stay float32.

``tf.train.load_checkpoint`` on the folder fails (its ``checkpoint`` file names the author's
absolute path), so the variables are read with ``NewCheckpointReader`` on the prefix.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import zipfile
from pathlib import Path

import numpy as np

MODELS = {"MSD_musicnn": ("musicnn_msd.npz", "musicnn_reference.npz", "MSD_LABELS"),
          "MTT_musicnn": ("musicnn_mtt.npz", "musicnn_mtt_reference.npz", "MTT_LABELS")}
SR, N_FFT, HOP, N_MELS, N_FRAMES = 16000, 512, 256, 96, 187
ROOT = Path(__file__).resolve().parent.parent
# tf.compat.v1.layers (musicnn's models.py) exists only with Keras 2 (the tf-keras package).
os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def unpack(wheel_or_folder: Path, into: Path) -> Path:
    """The folder holding the ``musicnn`` package."""
    if wheel_or_folder.is_dir():
        return wheel_or_folder
    with zipfile.ZipFile(wheel_or_folder) as archive:
        archive.extractall(into)
    return into


def read_variables(prefix: str) -> dict[str, np.ndarray]:
    import tensorflow as tf

    reader = tf.compat.v1.train.NewCheckpointReader(prefix)
    names = sorted(reader.get_variable_to_shape_map())
    skip = ("Adam", "beta1_power", "beta2_power", "global_step")
    return {n: reader.get_tensor(n) for n in names if not any(s in n for s in skip)}


def synthesised_clips(seconds: float = N_FRAMES * HOP / SR) -> dict[str, np.ndarray]:
    """A few deterministic, music-like clips at 16 kHz (one 187-frame patch each)."""
    rng = np.random.default_rng(12)
    n = int(round(seconds * SR))
    t = np.arange(n) / SR
    clips: dict[str, np.ndarray] = {}

    def saw(freq: float) -> np.ndarray:
        return 2.0 * ((t * freq) % 1.0) - 1.0

    # A band: kick every 0.5 s, noise snare on the off-beats, hi-hat eighths, saw bass, chords.
    beat = (t % 0.5)
    kick = np.sin(2 * np.pi * (50 + 100 * np.exp(-beat * 30)) * beat) * np.exp(-beat * 12)
    snare = rng.standard_normal(n) * np.exp(-((t + 0.25) % 0.5) * 25) * 0.4
    hat = np.diff(rng.standard_normal(n + 1)) * np.exp(-(t % 0.125) * 80) * 0.15
    chord = sum(saw(f) for f in (220.0, 277.2, 329.6)) * 0.12
    clips["band"] = 0.5 * (kick + snare + hat + 0.3 * saw(55.0) + chord)
    # An ambient pad: slow sine chord with vibrato and a little air.
    vib = 1 + 0.003 * np.sin(2 * np.pi * 5 * t)
    pad = sum(np.sin(2 * np.pi * f * vib * t) for f in (261.6, 329.6, 392.0, 523.3))
    clips["pad"] = 0.08 * pad * (0.6 + 0.4 * np.sin(2 * np.pi * 0.3 * t)) + 0.003 * rng.standard_normal(n)
    # Loud and distorted: clipped square-ish power chord plus noise, at full scale.
    power = np.tanh(6 * (np.sin(2 * np.pi * 82.4 * t) + np.sin(2 * np.pi * 123.5 * t)))
    clips["loud"] = np.clip(0.9 * power + 0.2 * rng.standard_normal(n), -1, 1)
    # A plucked melody (decaying harmonics), the notes of a scale.
    notes = 440.0 * 2 ** (np.array([0, 2, 4, 5, 7, 9, 11, 12]) / 12)
    step = int(0.375 * SR)
    pluck = np.zeros(n)
    for i, start in enumerate(range(0, n, step)):
        seg = np.arange(min(step, n - start)) / SR
        f = notes[i % len(notes)]
        pluck[start:start + len(seg)] = sum(np.sin(2 * np.pi * f * k * seg) / k for k in range(1, 6)) * np.exp(-seg * 6)
    clips["pluck"] = 0.3 * pluck
    # Near silence: the network's bias path.
    clips["quiet"] = 1e-4 * rng.standard_normal(n)
    return {k: v.astype(np.float32) for k, v in clips.items()}


def log_mel_patch(y: np.ndarray) -> np.ndarray:
    """musicnn's input representation, as its extractor.batch_data computes it, except that
    the log is taken in float32 (musicnn casts the mel to float16 first, which overflows on
    loud bins)."""
    import librosa

    mel = librosa.feature.melspectrogram(y=y, sr=SR, hop_length=HOP, n_fft=N_FFT, n_mels=N_MELS).T
    return np.log10(10000 * mel.astype(np.float32) + 1)[:N_FRAMES]


def run_original_graph(package_dir: Path, prefix: str, patches: np.ndarray,
                       variables: dict[str, np.ndarray] | None, model: str) -> dict[str, np.ndarray]:
    """musicnn's graph (its models.py, unchanged) on ``patches``; ``variables`` replace the
    checkpoint's values when given (the float16-rounded ones)."""
    import tensorflow as tf

    sys.path.insert(0, str(package_dir))
    from musicnn import models  # noqa: PLC0415  (from the unpacked wheel)

    tf.compat.v1.disable_eager_execution()
    tf.compat.v1.reset_default_graph()
    with tf.name_scope("model"):
        x = tf.compat.v1.placeholder(tf.float32, [None, N_FRAMES, N_MELS])
        is_training = tf.compat.v1.placeholder(tf.bool)
        logits, _timbral, _temporal, _c1, _c2, _c3, mean_pool, max_pool, penultimate = \
            models.define_model(x, is_training, model, 50)
        tags = tf.nn.sigmoid(logits)
    with tf.compat.v1.Session() as sess:
        sess.run(tf.compat.v1.global_variables_initializer())
        tf.compat.v1.train.Saver().restore(sess, prefix)
        if variables is not None:
            for var in tf.compat.v1.global_variables():
                name = var.op.name
                if name in variables:
                    var.load(variables[name].astype(np.float32), sess)
        out = sess.run([tags, penultimate, mean_pool, max_pool, logits],
                       feed_dict={x: patches, is_training: False})
    return dict(zip(["tags", "embedding", "mean_pool", "max_pool", "logits"], out, strict=True))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("musicnn", type=Path, help="musicnn-0.1.0 wheel, or the folder holding the unpacked musicnn package")
    parser.add_argument("--root", type=Path, default=ROOT, help="repository root to write into")
    parser.add_argument("--model", choices=sorted(MODELS), default="MSD_musicnn")
    args = parser.parse_args()
    weights_name, reference_name, labels_name = MODELS[args.model]

    with tempfile.TemporaryDirectory(prefix="musicnn-") as tmp:
        package_dir = unpack(args.musicnn, Path(tmp))
        prefix = str(package_dir / "musicnn" / args.model) + "/"  # files are <folder>/.index etc.
        variables = read_variables(prefix)
        sys.path.insert(0, str(package_dir))
        from musicnn import configuration  # noqa: PLC0415

        labels = list(getattr(configuration, labels_name))
        half = {k: v.astype(np.float16) for k, v in variables.items()}
        count = sum(v.size for v in variables.values())
        print(f"{len(variables)} variables, {count:,} parameters")

        data = args.root / "musitui" / "data"
        data.mkdir(parents=True, exist_ok=True)
        np.savez_compressed(data / weights_name,
                            labels=np.array(labels, dtype=str),
                            source=np.array(f"musicnn 0.1.0 (PyPI), {args.model} checkpoint; ISC licence, see MUSICNN_LICENSE"),
                            **{k.replace("/", "__"): v.astype(np.float32) for k, v in variables.items()})
        notice = (package_dir / "musicnn-0.1.0.dist-info" / "LICENSE.md").read_text(encoding="utf-8")
        if args.model == "MSD_musicnn":  # the shipped model: its notice goes with it
            (data / "MUSICNN_LICENSE").write_text(
                "musicnn_msd.npz holds the weights of the MSD_musicnn model from musicnn 0.1.0\n"
                "(https://github.com/jordipons/musicnn), converted by scripts/convert_musicnn.py.\n"
                "musicnn is distributed under the ISC licence:\n\n" + notice.strip() + "\n", encoding="utf-8")
        clips = synthesised_clips()
        names = list(clips)
        # The reference inputs are stored as float16; the graph sees exactly those values.
        patches = np.stack([log_mel_patch(clips[n]) for n in names]).astype(np.float16)
        inputs = patches.astype(np.float32)
        shipped = run_original_graph(package_dir, prefix, inputs, None, args.model)
        rounded = run_original_graph(package_dir, prefix, inputs, half, args.model)
        for key in ("tags", "embedding"):
            diff = float(np.abs(rounded[key] - shipped[key]).max())
            print(f"(float16 weights would move {key} by up to {diff:.2e})")
        top = np.argsort(-shipped["tags"], axis=1)[:, :3]
        for name, row in zip(names, top, strict=True):
            print(f"  {name}: " + ", ".join(labels[i] for i in row))
        tests = args.root / "tests" / "analysis" / "data"
        tests.mkdir(parents=True, exist_ok=True)
        np.savez_compressed(tests / reference_name, names=np.array(names), patches=patches,
                            **{k: v.astype(np.float32) for k, v in shipped.items()})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
