"""musitui info PATH: everything known about one file (read live when it is not catalogued)."""

from __future__ import annotations

import argparse
import os
import sys
import time
from typing import TYPE_CHECKING

from musitui.commands import Context
from musitui.commands.lookup import find_catalogued
from musitui.text_safety import printable, terminal_json

if TYPE_CHECKING:
    pass

HELP = "show everything known about one file (or track id)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("path", help="a music file, or a track id from `musitui tracks`")
    parser.add_argument("--json", action="store_true", help="print one JSON object")


def run(args: argparse.Namespace, ctx: Context) -> int:
    from musitui.commands import warn

    catalog = ctx.open_catalog()
    track = find_catalogued(catalog, args.path)
    if track is not None:
        data = {"in_catalog": True, **track.public_dict(), "cover": _cover(track.path),
                **_lyrics_mood(ctx, track.id), **_mood_correction(ctx, track.id),
                "notes": _notes(ctx, track.id)}
        _emit(data, args.json)
        return 0
    path = os.path.abspath(os.path.expanduser(args.path))
    try:
        os.stat(path)
    except PermissionError:  # e.g. inside a folder that cannot be read
        warn(f"{args.path}: cannot read: permission denied")
        return 1
    except OSError:
        warn(f"{args.path}: no such file, and no track with that id in the catalog")
        return 1
    from musitui.library.formats import audio_kind
    from musitui.library.tags import read_tags
    from musitui.library.tags_error import TagError

    kind = audio_kind(path)
    if kind is None or not os.path.isfile(path):
        warn(f"{args.path}: not a music file musitui reads (mp3, flac, ogg, opus, m4a, wav, aiff)")
        return 1
    stem = os.path.splitext(path)[0]
    lyrics_file = stem + ".lrc" if os.path.isfile(stem + ".lrc") else None
    try:
        fields = read_tags(path, kind, lyrics_file)
    except TagError as exc:
        warn(f"{args.path}: {printable(exc)}")
        return 1
    if not args.json:
        print("(not in the catalog: tags read from the file now)", file=sys.stderr)
    _emit({"in_catalog": False, "path": path, **fields, "cover": _cover(path)}, args.json)
    return 0


def _lyrics_mood(ctx: Context, track_id: int) -> dict[str, object]:
    """The stored lyrics sentiment of a catalogued track (written at analysis time)."""
    from musitui.store import sentiment
    from musitui.words.sentiment import describe

    rows = sentiment.load(sentiment.path_in(ctx.home.features_dir), ctx.home.backups_dir)
    score, shift = rows.lookup(track_id)
    if score is None and shift is None:
        return {}
    return {"lyrics_sentiment": None if score is None else round(score, 3),
            "lyrics_valence_shift": shift, "lyrics_mood": describe(shift) or "neutral lyrics",
            "lyrics_feature_version": rows.feature_version}


def _mood_correction(ctx: Context, track_id: int) -> dict[str, object]:
    """The listener's own word on the track's mood (musitui mood, `M` in the player)."""
    from musitui.store.mood_corrections import MoodCorrections

    corrected = MoodCorrections.open(ctx.home).moods.get(track_id)
    return {} if corrected is None else {"mood_corrected_by_you": corrected}


def _notes(ctx: Context, track_id: int) -> list[dict]:
    """The listener's notes on the track (musitui note, `c` in the player)."""
    from musitui.store.notes import Notes

    notes = Notes.open(ctx.home)
    for message in notes.messages:
        print(f"musitui: {printable(message)}", file=sys.stderr)
    return [n.public_dict() for n in notes.for_track(track_id)]


def _cover(path: str) -> str | None:
    """Where the cover comes from: "embedded", "folder" or None."""
    from musitui.library.cover import cover_kind

    return cover_kind(path)


def _emit(data: dict, as_json: bool) -> None:
    if as_json:
        print(terminal_json(data))
        return
    from musitui.commands.tracks import format_duration

    lyrics = data.pop("lyrics", None)
    replaygain = data.pop("replaygain", None) or {}
    notes = data.pop("notes", None) or []
    for key, value in data.items():
        if value is None or value == "":
            continue
        if key == "duration":
            value = f"{format_duration(value)} ({value:.2f} s)"
        elif key in ("added_at", "mtime_ns"):
            seconds = value / 1e9 if key == "mtime_ns" else value
            value = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(seconds))
            key = "added" if key == "added_at" else "modified"
        elif isinstance(value, float):
            value = f"{value:.3f}"
        print(f"{printable(key):>16}  {printable(value)}")
    for key, value in replaygain.items():
        print(f"{'replaygain ' + printable(key):>16}  {printable(value)}")
    for number, note in enumerate(notes):
        from musitui.commands.note import describe_feel

        print(f"{'notes' if number == 0 else '':>16}  {printable(note['text'])}  ({describe_feel(note['feel'])})")
    if lyrics:
        print(f"{'lyrics':>16}  {len(lyrics.splitlines())} lines")
        for line in lyrics.splitlines()[:40]:
            print(f"{'':>16}  {printable(line)}")
