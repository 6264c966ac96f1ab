"""What runs inside an analysis worker process: decode an excerpt, extract its vector.

The worker pays for its imports once (in ``init_worker``), lowers its own priority so playback
wins the CPU, and leaves Ctrl-C to the parent (which stops handing out work and saves).
"""

from __future__ import annotations

import contextlib
import os
import signal
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

@dataclass
class WorkResult:
    track_id: int
    vector: np.ndarray | None  # float32 (DIM,)
    duration: float = 0.0
    error: str | None = None
    decode_seconds: float = 0.0
    extract_seconds: float = 0.0
    peak_rss_mb: float = 0.0  # the worker's peak resident memory so far


def init_worker(nice: int = 10) -> None:
    limit_threads()
    _quiet_c_libraries()
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    with contextlib.suppress(OSError):
        os.nice(nice)
    # Pay for the imports (numpy, scipy.fft, soxr; no librosa: see analysis/dsp.py) and the
    # filter banks once per worker, up front, on a short noise clip.
    import numpy as np

    from musitui.analysis.excerpt import resample
    from musitui.analysis.features import extract

    clip = np.random.default_rng(0).standard_normal(44100).astype(np.float32) * 0.1
    extract(resample(clip, 44100))


def _quiet_c_libraries() -> None:
    """Decoder libraries (libmpg123, FFmpeg) print notes on damaged files straight to fd 2,
    over the progress bar. Every failure comes back to the parent as a result with a reason,
    so the workers' C-level stderr goes to /dev/null."""
    with contextlib.suppress(OSError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 2)
        os.close(devnull)


def limit_threads() -> None:
    """One BLAS/OpenMP thread per worker: the parallelism is across processes."""
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS"):
        os.environ.setdefault(var, "1")


def analyze_file(track_id: int, path: str, excerpt_seconds: float = 30.0) -> WorkResult:
    """Never raises for a bad file: the reason comes back in ``error``."""
    import time

    from musitui.analysis.excerpt import decode_excerpt
    from musitui.analysis.features import extract
    from musitui.decode import DecodeError

    started = time.process_time()
    try:
        y, duration = decode_excerpt(path, excerpt_seconds)
    except DecodeError as exc:
        return WorkResult(track_id, None, error=_reason(path, str(exc)))
    except MemoryError:
        return WorkResult(track_id, None, error="out of memory while decoding")
    except Exception as exc:  # a decoder library bug must not stop the run
        return WorkResult(track_id, None, error=f"decode failed: {type(exc).__name__}: {exc}"[:200])
    decoded = time.process_time()
    try:
        vector = extract(y)
    except Exception as exc:
        return WorkResult(track_id, None, error=f"analysis failed: {type(exc).__name__}: {exc}"[:200])
    return WorkResult(track_id, vector, duration=duration, decode_seconds=decoded - started,
                      extract_seconds=time.process_time() - decoded, peak_rss_mb=peak_rss_mb())


def peak_rss_mb() -> float:
    """This process's peak resident memory, MB.

    VmHWM, not getrusage's ru_maxrss: Linux carries ru_maxrss over fork+exec, so a spawned
    worker would report its parent's size if the parent was bigger.
    """
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024.0
    except (OSError, ValueError):
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def _reason(path: str, message: str) -> str:
    # libsndfile says "does not exist" for files it merely does not recognise.
    if "does not exist" in message and os.path.exists(path):
        return "not a recognised audio file"
    return message
