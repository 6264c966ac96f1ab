"""Playback cost and robustness on the real corpus.

    .venv/bin/python bench/bench_playback.py [CORPUS_LIBRARY] [--seconds 24] [--output null|pulse|both]

Three measurements, each in a fresh process, all in this run:
  1. baseline: an idle process (same imports, a time.sleep loop) -> its CPU use;
  2. the player playing one file of each format in turn (a few seconds each, opened at 10 s,
     i.e. with a seek) -> CPU use in % of one core (target < 5 %), underruns;
  3. the same while `musitui --home TMP scan CORPUS` analyses the whole library on all cores
     -> underruns (target 0).
Outputs: "null" (the paced null output: same callback, same block size, clock thread) and
"pulse" (real PortAudio through ALSA's pulse plugin into a private PulseAudio null sink).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = Path("/root/musitui-corpus/library")
FORMATS = (".ogg", ".mp3", ".opus", ".m4a", ".flac", ".wav")


def pick_files(corpus: Path) -> list[str]:
    """One decodable file per format, at least 20 s long."""
    import soundfile  # noqa: F401  (warm import; the decoder uses it)

    from musitui.decode import DecodeError, open_audio

    chosen: dict[str, str] = {}
    for path in sorted(corpus.rglob("*")):
        ext = path.suffix.lower()
        if ext not in FORMATS or ext in chosen:
            continue
        try:
            source = open_audio(path)
        except DecodeError:
            continue
        long_enough = source.duration >= 20
        source.close()
        if long_enough:
            chosen[ext] = str(path)
    return [chosen[ext] for ext in FORMATS if ext in chosen]


# -- the measured processes --------------------------------------------------------------
def worker(mode: str, device: str, seconds: float, files: list[str]) -> None:
    import numpy  # noqa: F401  same imports as the player process
    import soundfile  # noqa: F401

    from musitui.playback import Player

    if mode == "idle":
        start_cpu, start = time.process_time(), time.monotonic()
        while time.monotonic() - start < seconds:
            time.sleep(0.05)
        print(json.dumps({"cpu": time.process_time() - start_cpu,
                          "wall": time.monotonic() - start}))
        return
    player = Player(device=device or None, volume=80)
    if not player.available:
        print(json.dumps({"error": player.problem}))
        return
    counts = {"position": 0, "start": 0, "error": 0, "device_lost": 0}

    def on_event(event) -> None:
        if event.kind in counts:
            counts[event.kind] += 1


    player.subscribe(on_event)
    time.sleep(0.5)  # let the output settle before measuring
    start_cpu, start = time.process_time(), time.monotonic()
    slice_seconds = seconds / len(files)
    for path in files:
        player.play(path, start=10.0)
        end = start + slice_seconds * (files.index(path) + 1)
        while time.monotonic() < end:
            time.sleep(0.05)
    cpu, wall = time.process_time() - start_cpu, time.monotonic() - start
    result = {"cpu": cpu, "wall": wall, "underruns": player.underruns,
              "xruns": player._mixer.xruns, "callbacks": player._mixer.calls,
              "output": player.output.name,
              **{f"n_{kind}": n for kind, n in counts.items()}}
    player.close()
    print(json.dumps(result))


def measure(mode: str, device: str, seconds: float, files: list[str], env: dict) -> dict:
    command = [sys.executable, __file__, "--worker", mode, "--device", device,
               "--seconds", str(seconds), *files]
    out = subprocess.run(command, capture_output=True, text=True, env=env, timeout=seconds + 60)
    lines = out.stdout.strip().splitlines()
    if out.returncode or not lines:
        raise SystemExit(f"worker failed: {out.stderr.strip()[-500:]}")
    return json.loads(lines[-1])


def start_scan(corpus: Path, env: dict) -> tuple[subprocess.Popen, Path]:
    home = Path(tempfile.mkdtemp(prefix="musitui-bench-home-"))
    # stderr to a file, not a pipe: the analysis workers inherit it and may outlive the scan.
    log = open(home / "scan.log", "w")  # noqa: SIM115  (closed with the process)
    process = subprocess.Popen([sys.executable, "-m", "musitui", "--home", str(home), "scan",
                                str(corpus)], stdout=subprocess.DEVNULL, stderr=log, env=env)
    log.close()
    return process, home


def run_output(name: str, device: str, env: dict, corpus: Path, files: list[str],
               seconds: float) -> None:
    print(f"\n== output: {name} ==")
    idle = measure("idle", device, seconds, files, env)
    play = measure("play", device, seconds, files, env)
    if "error" in play:
        print(f"  player unavailable: {play['error']}")
        return
    idle_pct = 100 * idle["cpu"] / idle["wall"]
    play_pct = 100 * play["cpu"] / play["wall"]
    print(f"  baseline idle process : {idle_pct:5.2f} % of one core ({idle['cpu']:.2f} s CPU "
          f"in {idle['wall']:.1f} s)")
    print(f"  player playing        : {play_pct:5.2f} % of one core ({play['cpu']:.2f} s CPU "
          f"in {play['wall']:.1f} s; {play['n_start']} tracks, {play['n_position']} position "
          f"events)  target < 5 %  -> {'OK' if play_pct < 5 else 'OVER'}")
    print(f"  underruns idle machine: {play['underruns']} (PortAudio xruns {play['xruns']}, "
          f"{play['callbacks']} callbacks, {play['n_error']} errors)")

    scan, home = start_scan(corpus, env)
    time.sleep(2.0)  # let the workers spin up
    scan_started = time.monotonic()
    loaded = measure("play", device, seconds, files, env)
    overlap = time.monotonic() - scan_started
    still_running = scan.poll() is None
    if still_running:
        scan.send_signal(signal.SIGINT)  # Ctrl-C: the scan stops its workers itself
    try:
        scan.wait(timeout=30)
    except subprocess.TimeoutExpired:
        scan.kill()
        scan.wait()
    err = (home / "scan.log").read_text(errors="replace")
    shutil.rmtree(home, ignore_errors=True)
    load_pct = 100 * loaded["cpu"] / loaded["wall"]
    state = "ran through the whole window" if still_running else "FINISHED before the window ended"
    print(f"  with `musitui scan` on all cores ({state}, {overlap:.1f} s): underruns "
          f"{loaded['underruns']} (PortAudio xruns {loaded['xruns']}), player CPU "
          f"{load_pct:.2f} %  target 0 -> {'OK' if loaded['underruns'] == 0 else 'FAIL'}")
    if scan.returncode not in (0, 130, -2) and err.strip():
        print(f"  (scan said: {err.strip().splitlines()[-1]})")


def main() -> int:
    sys.stdout.reconfigure(line_buffering=True)
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("corpus", nargs="?", default=str(DEFAULT_CORPUS))
    parser.add_argument("--seconds", type=float, default=24.0)
    parser.add_argument("--output", choices=["null", "pulse", "both"], default="both")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--device", default="null", help=argparse.SUPPRESS)
    args, rest = parser.parse_known_args()
    if args.worker:
        worker(args.worker, args.device, args.seconds, [args.corpus, *rest])
        return 0
    corpus = Path(args.corpus)
    if not corpus.is_dir():
        print(f"bench_playback: no corpus at {corpus} (see ../shared/corpus/README.md)",
              file=sys.stderr)
        return 2
    sys.path.insert(0, str(ROOT))
    files = pick_files(corpus)
    print(f"corpus {corpus}: playing {len(files)} files, {args.seconds / len(files):.1f} s each: "
          + ", ".join(Path(f).name for f in files))
    print(f"machine: {os.cpu_count()} cores; timings are noisy on a shared machine")
    env = dict(os.environ)
    if args.output in ("null", "both"):
        run_output("null (paced clock thread)", "null", env, corpus, files, args.seconds)
    if args.output in ("pulse", "both"):
        sys.path.insert(0, str(ROOT / "tests"))
        from pulse_helpers import PulseUnavailable, start_pulse

        try:
            server = start_pulse(Path(tempfile.mkdtemp(prefix="musitui-bench-pulse-")))
        except PulseUnavailable as exc:
            print(f"\n== output: pulse == skipped: {exc}")
            return 0
        try:
            run_output("PortAudio -> ALSA pulse -> PulseAudio null sink", "", server.env,
                       corpus, files, args.seconds)
        finally:
            server.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
