"""musitui note PATH [TEXT]: write a note on a track (what you think of it, in any language),
or show its notes. An empty TEXT ("") clears them. A warm note lifts the track and the
tracks like it in Up next, a cold one sinks them; prompts and search match a note's words."""

from __future__ import annotations

import argparse
import json
import sys

from musitui.commands import Context
from musitui.text_safety import printable

HELP = "write a note on a track (or show its notes)"
EXIT_AT_ONCE = True  # the note is fsynced before run() returns


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("path", metavar="PATH", help="the track's file (as scanned), or its id")
    parser.add_argument("text", nargs="?", default=None, metavar="TEXT",
                        help='the note ("perfect for running", "zu laut"); "" clears; none: show the notes')
    parser.add_argument("--json", action="store_true", help="print the track's notes as JSON")


def describe_feel(feel: float | None) -> str:
    if feel is None:
        return "neutral"
    return f"warm ({feel:+.2f})" if feel > 0 else f"cold ({feel:+.2f})"


def run(args: argparse.Namespace, ctx: Context) -> int:
    from musitui.commands.lookup import find_catalogued
    from musitui.store.notes import NoteError, Notes

    catalog = ctx.open_catalog()
    track = find_catalogued(catalog, args.path)
    if track is None:
        print(f"musitui: {printable(args.path)} is not in the catalog (run `musitui scan FOLDER` first)",
              file=sys.stderr)
        return 1
    notes = Notes.open(ctx.home)
    for message in notes.messages:
        print(f"musitui: {printable(message)}", file=sys.stderr)
    if args.text is not None:
        feel = None
        if args.text.strip():
            from musitui.words.encoder import shared
            from musitui.words.notes import note_feel

            feel = note_feel(args.text, shared())
        try:
            notes.add(track, args.text, feel)
        except NoteError as exc:
            print(f"musitui: {printable(exc)}", file=sys.stderr)
            return 1
    current = notes.for_track(track.id)
    if args.json:
        print(json.dumps({"id": track.id, "path": track.path, "notes": [n.public_dict() for n in current]},
                         ensure_ascii=False))
        return 0
    if args.text is not None and not args.text.strip():
        print(printable(f"notes cleared: {track.title or track.path}"))
        return 0
    if args.text is not None:
        print(printable(f"noted, {describe_feel(current[-1].feel)}: {track.title or track.path}"))
        return 0
    if not current:
        print(printable(f"no notes on {track.title or track.path}"))
    for note in current:
        print(printable(f"{note.text}  ({describe_feel(note.feel)})"))
    return 0
