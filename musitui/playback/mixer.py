"""The audio callback: copy frames out of the ring and apply the gain ramp. Nothing else.

It runs on PortAudio's thread (or the null output's clock thread) and must never wait:
no locks, no I/O, no decoding, no buffer allocation (scratch arrays are made up front).
Volume, mute and pause all move one gain; it slides to its target over ``ramp_seconds``
so no change ever makes a step in the waveform (a click).
"""

from __future__ import annotations

import threading
from typing import Any

import numpy as np

from musitui.core.volume import clamp_volume
from musitui.playback.ring import Ring


def volume_gain(volume: float) -> float:
    """0..100 to a linear factor; squared so the scale feels even (100 -> exactly 1.0)."""
    v = clamp_volume(volume, 0.0) / 100.0
    return v * v


class Mixer:
    def __init__(self, ring: Ring, samplerate: int, blocksize: int, ramp_seconds: float = 0.02):
        self.ring = ring
        self.samplerate = samplerate
        self.gain = 0.0  # applied now (owned by the callback)
        self.target = 0.0  # wanted (written by the control thread)
        # Paused: once the gain has ramped down to 0 the ring is left alone (time stands
        # still). Not paused, a gain of 0 (volume 0, muted) still consumes frames: silence
        # moves the position on like sound does.
        self.paused = True
        self.max_step = 1.0 / max(1, int(ramp_seconds * samplerate))  # per frame
        self.underruns = 0
        self.xruns = 0  # PortAudio reported output underflows
        self.calls = 0
        self.thread_id: int | None = None  # the audio thread, so the player can raise its priority
        self._size = max(blocksize, 1) * 4
        self._ramp = np.zeros(self._size, dtype=np.float32)
        self._steps = np.arange(1, self._size + 1, dtype=np.float32)

    def jump_gain(self) -> None:
        """Start at the target without a ramp (playback starting from silence)."""
        self.gain = self.target

    def __call__(self, outdata: np.ndarray, frames: int, time_info: Any = None,
                 status: Any = None) -> int:  # PortAudio's time and status (sounddevice)
        """Fill ``outdata``; returns how many frames came from the ring (PortAudio ignores it)."""
        if self.thread_id is None:
            self.thread_id = threading.get_native_id()
        self.calls += 1
        if status is not None and getattr(status, "output_underflow", False):
            self.xruns += 1
        ring = self.ring
        if ring.skip_to > ring.r:
            ring.r = ring.skip_to
        gain, target = self.gain, self.target
        if ring.hold or (self.paused and gain == 0.0 and target == 0.0):  # held, or paused at rest
            outdata.fill(0.0)
            return 0
        n = min(frames, ring.readable())
        if n:
            ring.read_into(outdata, n)
        if n < frames:
            outdata[n:].fill(0.0)
            end = ring.end_w
            if ring.primed and (end is None or ring.r < end):
                self.underruns += 1
        if gain == target:
            if gain != 1.0:
                outdata *= gain
            return n
        if frames > self._size:  # never with a fixed block size; stay correct anyway
            outdata *= target
            self.gain = target
            return n
        delta = target - gain
        span = frames * self.max_step
        end_gain = target if abs(delta) <= span else gain + (span if delta > 0 else -span)
        ramp = self._ramp[:frames]
        np.multiply(self._steps[:frames], (end_gain - gain) / frames, out=ramp)
        ramp += gain
        outdata *= ramp[:, None]
        self.gain = end_gain
        return n
