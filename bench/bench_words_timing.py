"""How long prompts take, cold and warm.

1. ``musitui vibe TEXT`` as a fresh process (what a script or a first prompt pays): the very
   first run (the encoder's cache, in the user's cache folder, is written then), then the median of 5 cold
   processes with the cache in place. Same-run baselines: ``musitui --help`` and
   ``python -c "import numpy"``. Goal: <= 1.5 s.
2. A prompt in the player once warm (encoder loaded, as after the prompt box opened): the
   reading (rules + encoder, library words, notes) plus the session's rerank for it, on a
   synthetic library (--tracks, default 10,000), for prompts in 9 languages, each a text the
   encoder has not seen. Same-run baseline: the session's rerank alone. Goal: <= 100 ms.

    PYTHONPATH=$PWD .venv/bin/python bench/bench_words_timing.py [--tracks 10000] --home-corpus DIR
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_rerank import build_home  # noqa: E402

from musitui.config import Config  # noqa: E402
from musitui.core.session import Session  # noqa: E402
from musitui.store.catalog import Catalog  # noqa: E402
from musitui.store.history import History  # noqa: E402
from musitui.words.encoder import default_cache_dir, shared  # noqa: E402
from musitui.words.llm_client import understand  # noqa: E402
from musitui.words.target import library_words  # noqa: E402

PROMPTS = ["calm piano, nothing sad", "来点安静的钢琴曲", "静かなピアノ曲が聴きたい", "조용한 피아노 음악, 메탈은 빼고",
           "ruhige Klaviermusik, kein Metal", "pas de metal, musique calme", "música alegre para bailar",
           "спокойная музыка, но не грустная", "música calma de piano, sem metal"]


CPU: list[float] = []  # each run's CPU seconds (user + sys of the child), beside its wall time


def wall(command: list[str], env: dict[str, str]) -> float:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    began = time.perf_counter()
    subprocess.run(command, capture_output=True, env=env, check=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    CPU.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return time.perf_counter() - began


def cold(home: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "MUSITUI_LLM_URL"}
    vibe = [sys.executable, "-m", "musitui", "--home", str(home), "vibe", "来点安静的钢琴曲"]
    cache = default_cache_dir()
    if cache is not None:
        shutil.rmtree(cache, ignore_errors=True)
    first = wall(vibe, env)
    runs = [wall(vibe, env) for _ in range(5)]
    cpu = statistics.median(CPU[-5:])
    helps = [wall([sys.executable, "-m", "musitui", "--help"], env) for _ in range(5)]
    numpy = [wall([sys.executable, "-c", "import numpy"], env) for _ in range(5)]
    numpy_cpu = statistics.median(CPU[-5:])
    print(f"vibe cold (fresh process, load {os.getloadavg()[0]:.1f}): first run on a home {first:.2f} s "
          f"(writes the encoder cache); then median {statistics.median(runs):.2f} s, max {max(runs):.2f} s "
          f"(goal <= 1.5 s); baselines: musitui --help {statistics.median(helps):.2f} s, "
          f"import numpy {statistics.median(numpy):.2f} s; CPU time (user + sys, what a machine to "
          f"itself would wait, less overlap): vibe {cpu:.2f} s, import numpy {numpy_cpu:.2f} s")


def warm(tracks: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        home, _made, features = build_home(Path(folder), tracks, 2 * tracks)
        catalog = Catalog.open(home)  # from disk, with its columns cache, as the player opens it
        history = History.open(home)
        session = Session(home, Config(), catalog, player=None, history=history, features=features)
        encoder = shared()
        encoder.load()
        understand("warm up", None, encoder=encoder)  # the anchors, once
        reading, total, rerank = [], [], []
        for round_ in range(3):
            for prompt in PROMPTS:
                text = f"{prompt} {'!' * (round_ + 1)}"  # never seen: the encoder runs
                began = time.perf_counter()
                words = library_words(catalog.columns().present(), home)
                vibe, _notice = understand(text, None, encoder=encoder, **words)
                read = time.perf_counter()
                session.set_vibe(vibe)
                done = time.perf_counter()
                reading.append(read - began)
                total.append(done - began)
                began = time.perf_counter()
                session.rerank(notify=False)
                rerank.append(time.perf_counter() - began)
        history.close()
    print(f"a prompt in the player, warm, {tracks} tracks (load {os.getloadavg()[0]:.1f}), {len(total)} prompts "
          f"in 9 languages: reading + rerank median {statistics.median(total) * 1e3:.1f} ms, max "
          f"{max(total) * 1e3:.1f} ms (goal <= 100 ms); the reading alone median "
          f"{statistics.median(reading) * 1e3:.1f} ms; baseline rerank alone median "
          f"{statistics.median(rerank) * 1e3:.1f} ms")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tracks", type=int, default=10000)
    parser.add_argument("--home-corpus", required=True, help="a musitui home with a scanned library")
    args = parser.parse_args()
    cold(Path(args.home_corpus))
    warm(args.tracks)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
