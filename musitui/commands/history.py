"""musitui history: what you played, finished and skipped; import the history other services
and players kept (ListenBrainz, Last.fm, Spotify, .scrobbler.log); export it as JSON lines,
a .scrobbler.log or a ListenBrainz import."""

from __future__ import annotations

import argparse
import sys
import time
from typing import TYPE_CHECKING, Any

from musitui.commands import Context
from musitui.imports.export import FORMATS as EXPORT_FORMATS
from musitui.text_safety import printable, terminal_json

if TYPE_CHECKING:
    from musitui.store.history import History


HELP = ("show the listening history; import it from ListenBrainz, Last.fm, Spotify or a "
        ".scrobbler.log; export it")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    _show_options(parser)
    parser.set_defaults(action="show", file=None, format="musitui")
    actions = parser.add_subparsers(dest="action", metavar="ACTION",
                                    help="show (default), export FILE, import FILE|FOLDER")
    _show_options(actions.add_parser("show", help="the newest events"))
    export = actions.add_parser("export", help="write the history to a file")
    export.add_argument("file", metavar="FILE", help="the file to write")
    export.add_argument("--format", choices=["musitui", *EXPORT_FORMATS], default="musitui",
                        help="musitui's JSON lines (default), a .scrobbler.log (scrobbler) or "
                             "a ZIP as ListenBrainz exports and imports (listenbrainz)")
    add = actions.add_parser("import", help="add the listening history in a file or folder")
    add.add_argument("file", metavar="FILE", help="a ListenBrainz export (ZIP or JSON lines), a "
                     "Last.fm CSV, Spotify streaming history (JSON or the ZIP), a .scrobbler.log, "
                     "a musitui export, or a folder of them")
    add.add_argument("--json", action="store_true", help="print one JSON object with the summary")


def _show_options(parser: argparse.ArgumentParser) -> None:
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
                count = (_export_listens(history, args.file, args.format, ctx)
                         if args.format != "musitui" else history.export_jsonl(args.file))
            except OSError as exc:
                print(f"musitui: cannot write {args.file}: {exc.strerror or exc}", file=sys.stderr)
                return 1
            what = "events" if args.format == "musitui" else "listens"
            print(printable(f"exported {count} {what} to {args.file}"))
            return 0
        if args.action == "import":
            return _import(history, args.file, ctx, json_out=args.json)
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


def _tell(history: History, already: int) -> int:
    """Print the history's messages from ``already`` on; returns how many there are now."""
    for message in history.messages[already:]:
        print(f"musitui: {message}", file=sys.stderr)
    return len(history.messages)


def _import(history: History, path: str, ctx: Context, *, json_out: bool = False) -> int:
    from pathlib import Path

    from musitui.imports import sources
    from musitui.imports.importer import Importer, library_of

    catalog = ctx.open_catalog()
    columns = catalog.columns().present()
    by_tags = {key: int(i) for key, i in zip(zip(columns.artist, columns.title, strict=True),
                                             columns.ids.tolist(), strict=True) if key[1]}

    def relink(event: dict[str, Any]) -> int | None:
        """A musitui export's event to this machine's file: by path, else by tags."""
        track = catalog.by_path(str(event.get("path") or ""))
        if track is not None:
            return track.id
        return by_tags.get((str(event.get("artist") or ""), str(event.get("title") or "")))

    importer = Importer(history, library_of(columns), ctx.config.history,
                        relink=relink, show_progress=not json_out)
    try:
        importer.read(Path(path))
    except KeyboardInterrupt:
        print("musitui: import interrupted; nothing was imported", file=sys.stderr)
        return 130
    report = importer.commit()
    if not report.files and not report.problems:
        report.problems.append(f"found no listening history in {path} ({sources.KNOWN})")
    for problem in report.problems:
        print(printable(f"musitui: {problem}"), file=sys.stderr)
    if json_out:
        print(terminal_json(report.summary()))
    else:
        for line in report.lines():
            print(printable(line))
    if report.interrupted:
        print("musitui: interrupted once the import was written; all of it is in", file=sys.stderr)
        return 130
    return 1 if report.problems and not report.files else 0


def _export_listens(history: History, path: str, kind: str, ctx: Context) -> int:
    from pathlib import Path

    from musitui.imports import export
    from musitui.store.atomic import atomic_write_bytes

    columns = ctx.open_catalog().columns()
    tracks = {int(i): export.TrackInfo(album, int(number) if number > 0 else None, float(length))
              for i, album, number, length in zip(columns.ids.tolist(), columns.album,
                                                   columns.track_no.tolist(),
                                                   columns.duration.tolist(), strict=True)}
    played = export.listens(history.events(kinds=["finish", "skip"], newest_first=False), tracks)
    data = export.scrobbler_log(played) if kind == "scrobbler" else export.listenbrainz(played)
    atomic_write_bytes(Path(path), data)
    return len(played) if kind == "scrobbler" else sum(p.listened for p in played)


def _show(history: History, args: argparse.Namespace) -> int:
    events = history.events(limit=args.limit or None)
    if args.json:
        for event in events:
            print(terminal_json(event))
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
