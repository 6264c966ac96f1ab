"""Where samples go: a PortAudio stream, or a null output that calls the same callback.

``sounddevice`` is imported here only, and only when a real device is asked for: without
the PortAudio library the rest of musitui keeps working and the player says why it is
silent in one sentence.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import numpy as np

NULL_DEVICES = ("null", "null-fast")
DEFAULT_RATE = 44100

# PortAudio's stream callback: (outdata, frames, time_info, status); the mixer returns how many
# frames came from the ring (PortAudio ignores it, the null output records only those).
Callback = Callable[[np.ndarray, int, Any, Any], int | None]


class NoOutput(Exception):
    """No usable output; the message is one sentence saying what is missing and what to do."""


def load_sounddevice() -> Any:
    try:
        import sounddevice
    except OSError:
        raise NoOutput("no audio output: PortAudio library not found "
                       "(install it: sudo apt install libportaudio2)") from None
    except ImportError:
        raise NoOutput("no audio output: the sounddevice package is missing "
                       "(install it: pip install sounddevice)") from None
    return sounddevice


_alsa_quiet: Any = None


def quiet_alsa() -> None:
    """Stop libasound printing "ALSA lib ..." lines on the terminal (they would tear through
    the TUI while a lost device is retried); errors still reach us through PortAudio."""
    global _alsa_quiet
    if _alsa_quiet is not None:
        return
    try:
        import ctypes
        import ctypes.util

        name = ctypes.util.find_library("asound")
        if not name:
            _alsa_quiet = False
            return
        handler_type = ctypes.CFUNCTYPE(None, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p,
                                        ctypes.c_int, ctypes.c_char_p)
        _alsa_quiet = handler_type(lambda *_: None)  # kept referenced: C holds the pointer
        ctypes.CDLL(name).snd_lib_error_set_handler(_alsa_quiet)
    except (OSError, AttributeError):
        _alsa_quiet = False


def list_devices() -> list[dict[str, Any]]:
    """PortAudio output devices: index, name, hostapi, channels, samplerate, default."""
    sd = load_sounddevice()
    try:
        devices = sd.query_devices()
        hostapis = sd.query_hostapis()
        default = sd.default.device[1]
    except Exception as exc:  # PortAudioError
        raise NoOutput(f"no audio output: PortAudio failed ({exc})") from None
    rows = []
    for info in devices:
        if info["max_output_channels"] <= 0:
            continue
        rows.append({
            "index": info["index"],
            "name": info["name"],
            "hostapi": hostapis[info["hostapi"]]["name"],
            "channels": info["max_output_channels"],
            "samplerate": int(info["default_samplerate"]),
            "default": info["index"] == default,
        })
    return rows


def _resolve(sd: Any, device: str | int | None) -> dict[str, Any]:
    if device is None or device == "":
        try:
            info = sd.query_devices(kind="output")
        except Exception:
            info = None
        if not info or info.get("max_output_channels", 0) <= 0:
            raise NoOutput("no audio output: no output device found (is a sound server such "
                           "as PulseAudio running? `musitui devices` lists what PortAudio sees)")
        return info
    if isinstance(device, str) and device.strip().isdigit():
        device = int(device)
    try:
        info = sd.query_devices(device, kind="output")
    except Exception:
        raise NoOutput(f"no audio output: no output device matching {device!r} "
                       "(`musitui devices` lists them)") from None
    if info.get("max_output_channels", 0) <= 0:
        raise NoOutput(f"no audio output: device {device!r} has no output channels")
    return info


class PortAudioOutput:
    def __init__(self, device: str | int | None, callback: Callback, blocksize: int) -> None:
        sd = load_sounddevice()
        quiet_alsa()
        info = _resolve(sd, device)
        self.name = str(info["name"])
        self.index = int(info["index"])
        self.samplerate = int(info["default_samplerate"]) or DEFAULT_RATE
        self.channels = min(2, int(info["max_output_channels"]))
        self.blocksize = blocksize
        self._callback = callback
        self._finished = threading.Event()
        try:
            self._stream = sd.OutputStream(
                device=self.index, samplerate=self.samplerate, channels=self.channels,
                dtype="float32", blocksize=blocksize, latency="high",
                callback=callback, finished_callback=self._finished.set,
            )
            self._stream.start()
        except Exception as exc:
            raise NoOutput(f"no audio output: cannot open {self.name!r} "
                           f"({str(exc).splitlines()[0] if str(exc) else type(exc).__name__})") from None

    def alive(self) -> bool:
        return not self._finished.is_set() and bool(self._stream.active)

    def close(self) -> None:
        try:
            if self.alive():
                self._stream.stop()  # lets the last buffered audio play out
            else:
                self._stream.abort()
            self._stream.close()
        except Exception:
            pass


class NullOutput:
    """Silent output. Paced: a clock thread calls the callback once per block in real time.
    Fast: it calls it as soon as ``ready()`` says there is something to play (tests).
    With ``record`` every block handed out is kept (``recorded()``)."""

    def __init__(self, callback: Callback, blocksize: int, *, fast: bool,
                 samplerate: int = DEFAULT_RATE, channels: int = 2,
                 ready: Callable[[], bool] | None = None, record: bool = False) -> None:
        self.name = "null-fast" if fast else "null"
        self.index = -1
        self.samplerate = samplerate
        self.channels = channels
        self.blocksize = blocksize
        self._callback = callback
        self._fast = fast
        self._ready = ready or (lambda: True)
        self._record = record
        self._blocks: list[np.ndarray] = []
        self._closed = threading.Event()
        self.failing = False  # set by tests: the "device" is gone until cleared
        self._thread = threading.Thread(target=self._run, name=f"musitui-{self.name}",
                                        daemon=True)
        self._thread.start()

    def _run(self) -> None:
        out = np.zeros((self.blocksize, self.channels), dtype=np.float32)
        period = self.blocksize / self.samplerate
        due = time.monotonic()
        while not self._closed.is_set():
            if self.failing:
                return
            if self._fast:
                if not self._ready():
                    self._closed.wait(0.002)
                    continue
            else:
                due += period
                delay = due - time.monotonic()
                if delay > 0:
                    self._closed.wait(delay)
                elif delay < -0.5:  # suspended or starved of CPU: do not try to catch up
                    due = time.monotonic()
            consumed = self._callback(out, self.blocksize, None, None)
            if self._record:
                # Fast: only what came out of the ring (no pause/flush filler); paced: all of it.
                keep = consumed if self._fast and consumed is not None else self.blocksize
                if keep:
                    self._blocks.append(out[:keep].copy())

    def recorded(self) -> np.ndarray:
        if not self._blocks:
            return np.zeros((0, self.channels), dtype=np.float32)
        return np.concatenate(self._blocks)

    def alive(self) -> bool:
        return self._thread.is_alive() and not self.failing

    def close(self) -> None:
        self._closed.set()
        if self._thread is not threading.current_thread():
            self._thread.join(timeout=2)
