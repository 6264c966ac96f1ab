"""``musitui devices``: the audio outputs PortAudio can see, plus the null outputs."""

from __future__ import annotations

import argparse
import sys

from musitui.commands import Context
from musitui.text_safety import terminal_json

HELP = "list audio output devices (use a name or index with --device or in the config)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="one JSON object per line")


def run(args: argparse.Namespace, ctx: Context) -> int:

    from musitui.playback import NoOutput, list_devices

    try:
        devices = list_devices()
        problem = None if devices else ("no audio output: PortAudio sees no output device "
                                        "(is a sound server such as PulseAudio running?)")
    except NoOutput as exc:
        devices, problem = [], str(exc)
    extra = [
        {"index": None, "name": "null", "hostapi": "musitui", "channels": 2,
         "samplerate": 44100, "default": False, "note": "silent, paced in real time"},
        {"index": None, "name": "null-fast", "hostapi": "musitui", "channels": 2,
         "samplerate": 44100, "default": False, "note": "silent, as fast as possible"},
    ]
    for row in devices + extra:
        if args.json:
            print(terminal_json(row))
            continue
        mark = "*" if row["default"] else " "
        index = "-" if row["index"] is None else str(row["index"])
        detail = row.get("note") or f"{row['hostapi']}, {row['channels']} ch, {row['samplerate']} Hz"
        print(f"{mark} {index:>3}  {row['name']}  ({detail})")
    if problem:  # the silent outputs above are still listed, and usable
        print(f"musitui: {problem}; --device null plays silently", file=sys.stderr)
    return 0
