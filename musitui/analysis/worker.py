"""What runs inside an analysis worker process: decode an excerpt, extract its vector.

The worker pays for its imports and first-call set-up once (``warm_up``), lowers its own
priority so playback wins the CPU, and leaves Ctrl-C to the parent (which stops handing out
work and saves). The workers fork from a warmed forkserver (``worker_context``), so that
cost is paid once per process instead of once per worker.
"""

from __future__ import annotations

import atexit
import contextlib
import multiprocessing
import multiprocessing.util
import os
import signal
import threading
from collections.abc import Iterator
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


PRELOAD_MODULE = "musitui.analysis.worker_preload"  # importing it runs warm_up()
_warm = False


def init_worker(nice: int = 10) -> None:
    die_with_parent()
    limit_threads()
    _quiet_c_libraries()
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    with contextlib.suppress(OSError):
        os.nice(nice)
    warm_up()


PR_SET_PDEATHSIG = 1
_main_pid: int | None = None  # set in the forkserver (worker_preload): the process it serves


def die_with_parent() -> None:
    """End this worker as soon as the process it works for dies (``kill -9`` included).

    Without it a killed ``musitui analyze`` left its forkserver, resource tracker and workers
    (~285 MB) running: every worker is handed a copy of the server's "parent alive" pipe and
    a write end of its own task queue, so neither the server nor the workers ever see the
    parent go. A worker forked from the server watches the server's parent (a pidfd, else a
    poll); a spawned one also asks the kernel for SIGKILL when its parent dies."""
    main = _main_pid if _main_pid is not None else os.getppid()
    if _main_pid is None:
        with contextlib.suppress(OSError, AttributeError):
            import ctypes
            import ctypes.util

            libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
            libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    try:
        os.kill(main, 0)
    except ProcessLookupError:
        os._exit(1)
    except PermissionError:
        pass
    threading.Thread(target=_watch, args=(main,), name="musitui-watch-parent", daemon=True).start()


def _watch(pid: int) -> None:
    import select
    import time

    try:
        fd = os.pidfd_open(pid)
    except (OSError, AttributeError):
        fd = None
    if fd is not None:
        select.select([fd], [], [])  # readable once the process has ended
        os._exit(1)
    while True:
        time.sleep(1.0)
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            os._exit(1)
        except PermissionError:
            pass


def mark_server() -> None:
    """Called in the forkserver: its workers watch the process that started it, and the
    server removes that process's multiprocessing folder (``/tmp/pymp-*``, the server's
    socket) once it has ended: a ``kill -9`` skips the finalizer that would have."""
    global _main_pid
    _main_pid = os.getppid()
    folder = os.environ.get(TEMP_DIR_ENV, "")
    if os.path.basename(folder).startswith("pymp-"):
        # A daemon, so that a process which imported this by mistake (a child that inherited
        # the variable) never waits for its still-living parent; the server's own exit comes
        # when its parent is gone, and then waits a moment for the removal (at exit).
        tidy = threading.Thread(target=_remove_when_gone, args=(_main_pid, folder),
                                name="musitui-tidy-tempdir", daemon=True)
        tidy.start()
        atexit.register(_finish_tidying, tidy, _main_pid)


TEMP_DIR_ENV = "MUSITUI_MP_TEMP_DIR"


def _finish_tidying(tidy: threading.Thread, pid: int) -> None:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        tidy.join(timeout=TIDY_SECONDS)  # the parent is gone: the folder is being removed
    except PermissionError:
        pass


TIDY_SECONDS = 5.0


def _remove_when_gone(pid: int, folder: str) -> None:
    import select
    import shutil
    import time

    try:
        fd: int | None = os.pidfd_open(pid)
    except (OSError, AttributeError):
        fd = None
    if fd is not None:
        select.select([fd], [], [])
    else:
        while True:
            time.sleep(1.0)
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                break
            except PermissionError:
                pass
    shutil.rmtree(folder, ignore_errors=True)


def warm_up() -> None:
    """Pay for the imports (numpy, scipy.fft, soxr, av, soundfile; no librosa: see
    analysis/dsp.py) and the first extraction's set-up (FFT plans, filter banks: ~0.3 s of
    CPU) on a short noise clip. A no-op in a worker forked from a warmed forkserver."""
    global _warm
    if _warm:
        return
    import av  # noqa: F401  (the decoders: imported here, not on the first file)
    import numpy as np
    import soundfile  # noqa: F401

    from musitui.analysis.excerpt import resample
    from musitui.analysis.features import extract

    clip = np.random.default_rng(0).standard_normal(44100).astype(np.float32) * 0.1
    extract(resample(clip, 44100))
    _warm = True


_server_lock = threading.Lock()
_server_started = False  # this process has started its forkserver (see server_starting)


def worker_context() -> multiprocessing.context.BaseContext:
    """The context the analysis workers start from: ``forkserver``, its server warmed by
    importing PRELOAD_MODULE (so each worker starts ready), else ``spawn``. The server itself
    starts with the first worker of the process's first pool (``server_starting``)."""
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload([PRELOAD_MODULE])
    return context


@contextlib.contextmanager
def server_starting(context: multiprocessing.context.BaseContext) -> Iterator[None]:
    """Around a pool's ``submit`` (the first starts the first worker, and with it the
    forkserver): the server inherits one BLAS thread and /dev/null as its stdout and stderr
    (``_standard_streams_closed``). A no-op once this process's server has started, and for
    other start methods."""
    global _server_started
    with _server_lock:
        if _server_started or context.get_start_method() != "forkserver":
            yield
            return
        # The server learns the folder its socket is in (see mark_server); only the server:
        # left in this process's environment, every later child (a test's probe importing
        # worker_preload, say) would wait for this process to end before it could exit.
        previous = os.environ.get(TEMP_DIR_ENV)
        os.environ[TEMP_DIR_ENV] = multiprocessing.util.get_temp_dir()
        try:
            with single_threaded_children(), _standard_streams_closed():
                yield
        finally:
            if previous is None:
                os.environ.pop(TEMP_DIR_ENV, None)
            else:
                os.environ[TEMP_DIR_ENV] = previous
        _server_started = True


@contextlib.contextmanager
def _standard_streams_closed() -> Iterator[None]:
    """The server (and the workers forked from it) get /dev/null as stdout and stderr: it
    outlives this process by a moment, and must not hold a caller's pipe open (``musitui
    analyze --json | jq`` would wait for it). Workers report everything as results."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    saved = [os.dup(1), os.dup(2)]
    try:
        for fd in (1, 2):
            os.dup2(devnull, fd)
        yield
    finally:
        for fd, copy in zip((1, 2), saved, strict=True):
            os.dup2(copy, fd)
            os.close(copy)
        os.close(devnull)


def _quiet_c_libraries() -> None:
    """Decoder libraries (libmpg123, FFmpeg) print notes on damaged files straight to fd 2,
    over the progress bar. Every failure comes back to the parent as a result with a reason,
    so the workers' C-level stderr goes to /dev/null."""
    with contextlib.suppress(OSError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 2)
        os.close(devnull)


THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS")


def limit_threads() -> None:
    """One BLAS/OpenMP thread per worker: the parallelism is across processes."""
    for var in THREAD_VARS:
        os.environ.setdefault(var, "1")


@contextlib.contextmanager
def single_threaded_children() -> Iterator[None]:
    """Processes started inside inherit one BLAS/OpenMP thread each (limit_threads); this
    process's own environment is restored afterwards."""
    saved = {name: os.environ.get(name) for name in THREAD_VARS}
    limit_threads()
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def analyze_file(track_id: int, path: str, excerpt_seconds: float = 30.0,
                 known_duration: float = 0.0) -> WorkResult:
    """Never raises for a bad file: the reason comes back in ``error``. ``known_duration``:
    the catalog's (decodable) duration, which keeps the excerpt inside a cut file's audio."""
    import time

    from musitui.analysis.excerpt import decode_excerpt
    from musitui.analysis.features import extract
    from musitui.decode_reasons import reason_for

    started = time.process_time()
    try:
        y, duration = decode_excerpt(path, excerpt_seconds, known_duration)
    except Exception as exc:  # DecodeError, or a decoder library bug: it must not stop the run
        return WorkResult(track_id, None, error=reason_for(exc, path))
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
