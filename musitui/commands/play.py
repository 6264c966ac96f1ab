"""``musitui play [--headless] [--device D] FILE...``: play files in order, one JSON line per event."""

from __future__ import annotations

import argparse
import sys
import threading

from musitui.commands import Context
from musitui.decode_reasons import MIN_AUDIO_SECONDS
from musitui.text_safety import terminal_json

HELP = "play files in order through the audio output, printing one JSON line per event"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("files", nargs="+", metavar="FILE", help="audio files, played in order")
    parser.add_argument("--headless", action="store_true",
                        help="no interface, only the event lines (the default for this command)")
    parser.add_argument("--device", metavar="D", default=None,
                        help="output device name or index, 'null' (silent, real time) or "
                             "'null-fast' (silent, as fast as possible); default: the config's")
    parser.add_argument("--volume", type=volume_argument, default=None, metavar="0-100",
                        help="software volume (default: the config's)")
    parser.add_argument("--positions", action="store_true",
                        help="print every position event (default: at most one per second)")


def volume_argument(text: str) -> float:
    """``--volume``: a number from 0 to 100 (0 is silent, and the files still play through)."""
    import math

    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not 0.0 <= value <= 100.0:  # also false for NaN
        raise argparse.ArgumentTypeError(f"{text!r} is not a volume from 0 to 100")
    return value


def run(args: argparse.Namespace, ctx: Context) -> int:
    from musitui.playback import Player

    settings = ctx.config.playback
    device = args.device if args.device is not None else (settings.device if settings.device != "" else None)
    volume = args.volume if args.volume is not None else settings.volume
    player = Player(device=device, replaygain=settings.replaygain, volume=volume,
                    crossfade=settings.crossfade_seconds)
    if not player.available:
        print(f"musitui: {player.problem}", file=sys.stderr)
        return 3
    runner = HeadlessRun(player, [str(path) for path in args.files], every_position=args.positions)
    try:
        runner.start()
        while not runner.done.wait(0.2):
            pass
    except KeyboardInterrupt:
        player.stop()
        runner.done.wait(1.0)
        player.close()
        print("musitui: interrupted", file=sys.stderr)
        return 130
    player.close()
    return 0 if runner.heard or not runner.files else 1


class HeadlessRun:
    """Feeds the files to the player one after another and prints its events."""

    def __init__(self, player, files: list[str], every_position: bool) -> None:
        self.player = player
        self.files = files
        self.every_position = every_position
        self.index = -1  # the file started (or failed) last
        self.heard: set[str] = set()  # files of which some audio was played (position > 0)
        self.done = threading.Event()
        self._last_printed = -1.0
        player.subscribe(self._on_event)

    def start(self) -> None:
        if not self.files:
            self.done.set()
            return
        self.index = 0
        self.player.play(self.files[0])
        if len(self.files) > 1:
            self.player.set_next(self.files[1])

    def _on_event(self, event) -> None:
        kind = event.kind
        if kind == "position":
            if not self.every_position and event.position - self._last_printed < 1.0 \
                    and event.position >= self._last_printed:
                return
            self._last_printed = event.position
        self._print(event)
        if kind in ("position", "end", "stopped", "error") and event.path \
                and event.position >= MIN_AUDIO_SECONDS:
            self.heard.add(event.path)  # a start alone is not: an "end" at 0 played nothing
        if kind in ("start", "error") and event.path in self.files[max(self.index, 0):]:
            self.index = self.files.index(event.path, max(self.index, 0))
            if kind == "start":
                self._last_printed = event.position
                following = self.index + 1
                self.player.set_next(self.files[following] if following < len(self.files)
                                     else None)
        elif kind == "state" and event.message == "stopped":
            following = self.index + 1
            if following < len(self.files) and self.player.state == "stopped":
                self.index = following
                self.player.play(self.files[following])
                if following + 1 < len(self.files):
                    self.player.set_next(self.files[following + 1])
            else:
                self.done.set()

    def _print(self, event) -> None:
        line = {"event": event.kind, "path": event.path, "position": round(event.position, 3),
                "duration": round(event.duration, 3)}
        if event.message:
            line["message"] = event.message
        try:
            sys.stdout.write(terminal_json(line) + "\n")
            sys.stdout.flush()
        except (BrokenPipeError, ValueError):
            self.done.set()
