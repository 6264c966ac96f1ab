"""musitui event play|finish|skip PATH: log a listening event from a script.

The same code path as the player's events in the session: ``History.log_listen``.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from musitui.commands import Context
from musitui.text_safety import printable

if TYPE_CHECKING:
    from musitui.core.model import Track
    from musitui.store.catalog import Catalog

HELP = "log a play, finish or skip of a track (for scripts)"
EXIT_AT_ONCE = True  # see musitui.cli.entry: the event is synced and the history closed by then


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("kind", choices=["play", "finish", "skip"], help="what happened")
    parser.add_argument("path", metavar="PATH", help="the track's file (as scanned)")
    parser.add_argument("--at", type=float, metavar="SECONDS", default=None,
                        help="position in the track: where a skip happened, where a play started")
    parser.add_argument("--mood", default=None, help="the mood selected at the time")


def find_track(catalog: Catalog, path: str) -> Track | None:
    """The catalog track for ``path`` as typed, absolute, or with symlinks resolved."""
    candidates = [path, os.path.abspath(os.path.expanduser(path))]
    with contextlib.suppress(OSError):  # e.g. a symlink loop: the other spellings remain
        candidates.append(str(Path(path).expanduser().resolve()))
    for candidate in candidates:
        track = catalog.by_path(candidate)
        if track is not None:
            return track
    return None


def run(args: argparse.Namespace, ctx: Context) -> int:
    from musitui.store.history import History, HistoryError

    if args.at is not None and args.at < 0:
        print("musitui: --at must be 0 or more seconds", file=sys.stderr)
        return 2
    catalog = ctx.open_catalog()
    track = find_track(catalog, args.path)
    if track is None:
        print(f"musitui: {args.path} is not in the catalog (run `musitui scan FOLDER` first)",
              file=sys.stderr)
        return 1
    history = History.open_for_append(ctx.home, ctx.config)
    for message in history.messages:
        print(f"musitui: {message}", file=sys.stderr)
    mood = args.mood or ctx.config.ui.mood
    try:
        event = history.log_listen(args.kind, track, position=args.at, mood=mood)
    except HistoryError as exc:
        print(f"musitui: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:  # e.g. a full disk: say what was not saved, and where
        where = exc.filename or ctx.home.history_dir
        print(printable(f"musitui: the {args.kind} of {track.artist} – {track.title or Path(track.path).name} "
                        f"was not saved: {exc.strerror or exc}: {where}; the history is unchanged"),
              file=sys.stderr)
        return 1
    finally:
        history.close()
    print(printable(f"logged {event['kind']} of {track.artist} – "
                    f"{track.title or Path(track.path).name}"))
    return 0
