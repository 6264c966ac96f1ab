"""musicnn's MSD tagger (Pons & Serra 2019) as a numpy forward pass.

The weights come from musicnn 0.1.0's MSD_musicnn checkpoint, converted once by
``scripts/convert_musicnn.py`` into ``musitui/data/musicnn_msd.npz`` (ISC licence:
``musitui/data/MUSICNN_LICENSE``). No TensorFlow at run time: every layer is an im2col and
one float32 matmul (one BLAS thread per analysis worker).

Input: log-mel patches of 187 frames x 96 bands (16 kHz, n_fft 512, hop 256, Slaney mel,
``log10(10000 x + 1)`` in float32). The network: batch-normalised input; a timbral front-end
(204 filters of 7x38 and 7x67 mel bins) and a temporal one (51 filters of 128, 64 and 32
frames), each max-pooled over frequency; a mid-end of three 7-frame convolutions with
residual connections; max and mean over time; dense 200 (the *embedding*, after its batch
norm) and dense 50 (tag logits, sigmoid).

Batch norm at inference is ``a * x + b`` per channel and follows each ReLU. Folding it:
``a * relu(z) + b = s * relu(|a| z) + b`` with ``s = sign(a)``, so ``|a|`` goes into the
kernel. Many ``a`` are negative, so the frequency max-pool that follows is taken on
``s * z'`` (the sign folded into the kernel too, kernel ``a k``): then
``max_f (a relu(z)) = s * relu(s * max_f(a z))``, i.e. the pool runs on the raw matmul
output and the ReLU and the affine step touch only the pooled (time x channels) map.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from musitui.analysis.tag_words import TAG_NAMES  # noqa: F401  (the outputs' names)

WEIGHTS_PATH = Path(__file__).resolve().parent.parent / "data" / "musicnn_msd.npz"
SAMPLE_RATE, N_FFT, HOP, N_MELS, N_FRAMES = 16000, 512, 256, 96, 187
EMBEDDING_DIM, N_TAGS = 200, 50
BN_EPSILON = 1e-3  # tf.compat.v1.layers.batch_normalization's default
BATCH = 2          # patches per matmul: bigger buys little and costs ~40 MB per patch


@dataclass(frozen=True)
class _PooledConv:
    """A convolution whose ReLU + batch norm are folded as described in the module doc."""
    kernel: np.ndarray  # (taps, channels), already times a
    bias: np.ndarray    # (channels,), times a
    sign: np.ndarray    # (channels,) +1 / -1
    shift: np.ndarray   # (channels,) the batch norm's b

    def finish(self, pooled: np.ndarray) -> np.ndarray:
        """From max_f(x @ kernel + bias) to max_f(bn(relu(conv)))."""
        return self.sign * np.maximum(self.sign * pooled, 0.0) + self.shift


@dataclass(frozen=True)
class TaggerOutput:
    tags: np.ndarray       # (patches, 50) probabilities
    embedding: np.ndarray  # (patches, 200) the penultimate layer


class Musicnn:
    def __init__(self, weights: dict[str, np.ndarray]) -> None:
        w = {k: np.asarray(v, dtype=np.float32) for k, v in weights.items() if k not in ("labels", "source")}

        def bn(i: int) -> tuple[np.ndarray, np.ndarray]:
            name = "batch_normalization" + (f"_{i}" if i else "")
            a = w[f"{name}__gamma"] / np.sqrt(w[f"{name}__moving_variance"] + BN_EPSILON)
            return a, w[f"{name}__beta"] - w[f"{name}__moving_mean"] * a

        def pooled(conv: int, norm: int) -> _PooledConv:
            name = "conv2d" + (f"_{conv}" if conv else "")
            kernel = w[f"{name}__kernel"]
            a, b = bn(norm)
            flat = kernel.reshape(-1, kernel.shape[-1]) * a
            return _PooledConv(np.ascontiguousarray(flat), w[f"{name}__bias"] * a,
                               np.where(a < 0, -1.0, 1.0).astype(np.float32), b)

        self.input_scale, self.input_shift = (float(v[0]) for v in bn(0))
        self.timbral = (pooled(0, 1), pooled(1, 2))   # kernels 7x38, 7x67
        self.timbral_widths = (w["conv2d__kernel"].shape[1], w["conv2d_1__kernel"].shape[1])
        temporal = [pooled(2, 3), pooled(3, 4), pooled(4, 5)]  # 128, 64, 32 frames
        # The three temporal kernels as one: TF's "same" padding puts a k-tap kernel at
        # offsets [-(k-1)//2, k//2], so the shorter ones are zero-padded into the 128 taps.
        taps = w["conv2d_2__kernel"].shape[0]
        self.temporal_taps = taps
        stacked = np.zeros((taps, sum(t.kernel.shape[1] for t in temporal)), dtype=np.float32)
        col = 0
        for layer in temporal:
            k = layer.kernel.shape[0]
            start = (taps - 1) // 2 - (k - 1) // 2
            stacked[start:start + k, col:col + layer.kernel.shape[1]] = layer.kernel
            col += layer.kernel.shape[1]
        self.temporal = _PooledConv(stacked, *(np.concatenate([getattr(t, f) for t in temporal])
                                               for f in ("bias", "sign", "shift")))
        self.midend = []
        for conv, norm in ((5, 6), (6, 7), (7, 8)):
            kernel = w[f"conv2d_{conv}__kernel"]
            a, b = bn(norm)
            self.midend.append((np.ascontiguousarray(kernel.reshape(-1, kernel.shape[-1])),
                                w[f"conv2d_{conv}__bias"], a, b))
        a9, b9 = bn(9)
        dense = w["dense__kernel"]
        self.dense = (np.ascontiguousarray(dense * a9[:, None]), b9 @ dense + w["dense__bias"])
        self.dense_bn = bn(10)
        self.output = (w["dense_1__kernel"], w["dense_1__bias"])

    def forward(self, patches: np.ndarray, batch: int = BATCH) -> TaggerOutput:
        """``patches``: (n, 187, 96) log-mel float32 (any length >= 32 frames works: the
        network is convolutional and pools over time)."""
        patches = np.asarray(patches, dtype=np.float32)
        if patches.ndim == 2:
            patches = patches[None]
        tags, embedding = [], []
        for start in range(0, len(patches), batch):
            t, e = self._forward(patches[start:start + batch])
            tags.append(t)
            embedding.append(e)
        if not tags:
            return TaggerOutput(np.zeros((0, N_TAGS), np.float32), np.zeros((0, EMBEDDING_DIM), np.float32))
        return TaggerOutput(np.concatenate(tags), np.concatenate(embedding))

    def _forward(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        n, frames, bands = x.shape
        x = x * np.float32(self.input_scale) + np.float32(self.input_shift)
        front = [self._timbral(x, layer, width) for layer, width in zip(self.timbral, self.timbral_widths, strict=True)]
        front.append(self._temporal(x))
        features = [np.concatenate(front, axis=2)]  # (n, frames, 561)
        previous = None
        for kernel, bias, a, b in self.midend:
            out = _time_conv(features[-1], kernel) + bias
            out = a * np.maximum(out, 0.0) + b
            if previous is not None:
                out += previous
            features.append(out)
            previous = out
        feature_map = np.concatenate(features, axis=2)  # (n, frames, 753)
        # TF flattens (channels, [max, mean]) channel by channel.
        pooled = np.stack([feature_map.max(axis=1), feature_map.mean(axis=1)], axis=2).reshape(n, -1)
        hidden = np.maximum(pooled @ self.dense[0] + self.dense[1], 0.0)
        embedding = self.dense_bn[0] * hidden + self.dense_bn[1]
        logits = embedding @ self.output[0] + self.output[1]
        tags = 1.0 / (1.0 + np.exp(-logits))
        return tags.astype(np.float32), embedding.astype(np.float32)

    @staticmethod
    def _timbral(x: np.ndarray, layer: _PooledConv, width: int) -> np.ndarray:
        n, frames, bands = x.shape
        time_taps = layer.kernel.shape[0] // width
        half = (time_taps - 1) // 2
        padded = np.pad(x, ((0, 0), (half, time_taps - 1 - half), (0, 0)))
        cols = sliding_window_view(padded, (time_taps, width), axis=(1, 2))
        positions = bands - width + 1
        out = cols.reshape(n * frames * positions, time_taps * width) @ layer.kernel
        out = out.reshape(n, frames, positions, -1).max(axis=2) + layer.bias
        return layer.finish(out)

    def _temporal(self, x: np.ndarray) -> np.ndarray:
        n, frames, bands = x.shape
        taps = self.temporal_taps
        padded = np.pad(x, ((0, 0), ((taps - 1) // 2, taps // 2), (0, 0)))
        # (n, frames, bands, taps): time windows for every band.
        cols = sliding_window_view(padded, taps, axis=1)
        out = cols.reshape(n * frames * bands, taps) @ self.temporal.kernel
        out = out.reshape(n, frames, bands, -1).max(axis=2) + self.temporal.bias
        return self.temporal.finish(out)


def _time_conv(x: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """A 7-frame 'same' convolution over (n, frames, channels), all channels at once."""
    n, frames, channels = x.shape
    taps = kernel.shape[0] // channels
    half = (taps - 1) // 2
    padded = np.pad(x, ((0, 0), (half, taps - 1 - half), (0, 0)))
    cols = sliding_window_view(padded, taps, axis=1)  # (n, frames, channels, taps)
    cols = cols.transpose(0, 1, 3, 2).reshape(n * frames, taps * channels)
    return (cols @ kernel).reshape(n, frames, -1)


@cache
def load_model(path: str | None = None) -> Musicnn:
    with np.load(path or WEIGHTS_PATH, allow_pickle=False) as data:
        return Musicnn({k: data[k] for k in data.files})
