"""musitui history: what you played, finished and skipped; export/import as JSON lines."""

from __future__ import annotations

import argparse
import json
import sys
import time

from musitui.commands import Context
from musitui.text_safety import printable

HELP = "show the listening history, or export/import it (JSON lines)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("action", nargs="?", choices=["show", "export", "import"], default="show",
                        help="show (default), export FILE or import FILE")
    parser.add_argument("file", nargs="?", metavar="FILE", help="the JSON-lines file to export/import")
    parser.add_argument("--json", action="store_true", help="print JSON lines, newest first")
    parser.add_argument("--limit", type=int, default=50, metavar="N",
                        help="show the newest N events (default 50; 0 = all)")


def run(args: argparse.Namespace, ctx: Context) -> int:
    from musitui.store.history import History, HistoryError

    if args.action in ("export", "import") and not args.file:
        print(f"musitui: history {args.action} needs a FILE", file=sys.stderr)
        return 2
    if args.limit < 0:
        print("musitui: --limit must be 0 or more", file=sys.stderr)
        return 2
    try:
        history = History.open(ctx.home, ctx.config)
    except OSError as exc:
        print(f"musitui: cannot read the history in {ctx.home.history_dir}: {exc.strerror or exc}",
              file=sys.stderr)
        return 1
    told = _tell(history, 0)
    try:
        if args.action == "export":
            try:
                count = history.export_jsonl(args.file)
            except OSError as exc:
                print(f"musitui: cannot write {args.file}: {exc.strerror or exc}", file=sys.stderr)
                return 1
            print(f"exported {count} events to {args.file}")
            return 0
        if args.action == "import":
            return _import(history, args.file, ctx)
        return _show(history, args)
    except HistoryError as exc:
        print(f"musitui: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"musitui: cannot write the history in {ctx.home.history_dir}: "
              f"{exc.strerror or exc}", file=sys.stderr)
        return 1
    finally:
        history.close()
        _tell(history, told)  # what reading the shards found, said after the output


def _tell(history, already: int) -> int:
    """Print the history's messages from ``already`` on; returns how many there are now."""
    for message in history.messages[already:]:
        print(f"musitui: {message}", file=sys.stderr)
    return len(history.messages)


def _import(history, path: str, ctx) -> int:

    catalog = ctx.open_catalog()
    by_tags = {(t.artist, t.title): t.id for t in catalog if t.title}

    def relink(event: dict) -> int | None:
        track = catalog.by_path(str(event.get("path") or ""))
        if track is not None:
            return track.id
        return by_tags.get((event.get("artist"), event.get("title")))

    added, skipped = history.import_jsonl(path, resolve_track=relink)
    print(f"imported {added} events from {path}" + (f" ({skipped} already there)" if skipped else ""))
    return 0


def _show(history, args: argparse.Namespace) -> int:
    events = history.events(limit=args.limit or None)
    if args.json:
        for event in events:
            print(json.dumps(event, ensure_ascii=False))
        return 0
    if not events:
        print("no listening history yet")
        return 0
    for event in events:
        when = time.strftime("%Y-%m-%d %H:%M", time.localtime(float(event["ts"])))
        what = event["kind"]
        who = " – ".join(x for x in (event.get("artist"), event.get("title")) if x)
        if not who and event.get("path"):
            who = event["path"]
        detail = ""
        if what == "skip" and event.get("listened") is not None:
            detail = f" at {float(event['listened']):.0f} s"
        elif what == "mood":
            detail = f" → {event.get('mood')}"
        print(printable(f"{when}  {what:7} {who}{detail}"))
    return 0
