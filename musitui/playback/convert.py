"""Bring decoded blocks to the output's format: channel layout, sample rate, gain."""

from __future__ import annotations

import numpy as np


def map_channels(block: np.ndarray, channels: int) -> np.ndarray:
    have = block.shape[1]
    if have == channels:
        return block
    if have == 1:
        return np.repeat(block, channels, axis=1)
    if channels == 1:
        return block.mean(axis=1, keepdims=True, dtype=np.float32)
    if have > channels:
        return block[:, :channels]
    return np.concatenate([block, np.repeat(block[:, -1:], channels - have, axis=1)], axis=1)


class Resampler:
    """Block-wise resampling with state across blocks (soxr streams; scipy as a fallback)."""

    def __init__(self, in_rate: int, out_rate: int, channels: int) -> None:
        self.in_rate, self.out_rate, self.channels = in_rate, out_rate, channels
        self.identity = in_rate == out_rate
        self._stream = None
        self._scipy: tuple[int, int] | None = None  # (up, down) when soxr is missing
        if not self.identity:
            try:
                import soxr

                self._stream = soxr.ResampleStream(in_rate, out_rate, channels, dtype="float32",
                                                   quality="HQ")
            except ImportError:
                from math import gcd

                g = gcd(in_rate, out_rate)
                self._scipy = (out_rate // g, in_rate // g)

    def process(self, block: np.ndarray, last: bool = False) -> np.ndarray:
        if self.identity:
            return block
        if self._stream is not None:
            return self._stream.resample_chunk(np.ascontiguousarray(block), last=last)
        from scipy.signal import resample_poly  # stateless: tiny edges at block joins

        assert self._scipy is not None  # set whenever the rates differ and soxr is missing
        up, down = self._scipy
        if not len(block):
            return np.zeros((0, self.channels), dtype=np.float32)
        return resample_poly(block, up, down, axis=0).astype(np.float32)


def gain_factor(gain_db: float) -> float:
    return float(10.0 ** (gain_db / 20.0))
