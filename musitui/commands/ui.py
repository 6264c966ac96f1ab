"""musitui [FOLDER]: open the player (the default command).

FOLDER is scanned and remembered; without one, the remembered folders are rescanned, else
~/Music, else the app offers the demo library. Heavy imports (Textual, the player) happen
inside ``run`` so ``musitui --help`` stays fast.
"""

from __future__ import annotations

import argparse
from pathlib import Path

HELP = "open the player (the default: `musitui [FOLDER]`)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("folder", nargs="?", help="music folder to scan, open and remember")
    parser.add_argument("--device", metavar="D",
                        help='audio output: PortAudio name or index, "null" for silent '
                             "real-time output (default: the config's playback.device)")
    parser.add_argument("--no-scan", action="store_true",
                        help="do not rescan folders at start (use the catalog as it is)")
    parser.add_argument("--no-analyze", action="store_true",
                        help="do not analyse new tracks in the background")


def choose_folders(args_folder: str | None, remembered: list[str], configured: list[str],
                   music_dir: Path) -> tuple[list[str], str | None]:
    """Folders to scan at start, and a one-line problem when FOLDER is unusable."""
    if args_folder:
        folder = Path(args_folder).expanduser()
        if not folder.is_dir():
            return [], f"{folder} is not a folder"
        return [str(folder.resolve())], None
    folders = list(dict.fromkeys([*remembered, *configured]))
    if folders:
        return folders, None
    if music_dir.is_dir():
        return [str(music_dir)], None
    return [], None


def run(args: argparse.Namespace, ctx) -> int:
    """Paint first, load second: the catalog (seconds at 50k tracks) and the session are opened
    in a worker thread while the app already shows "Loading your library…"."""
    import sys

    home, config = ctx.home, ctx.config
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        print("musitui: the player needs a terminal (stdin and stdout are not one); "
              "see `musitui --help` for the commands that work without one", file=sys.stderr)
        return 2
    if args.folder and not Path(args.folder).expanduser().is_dir():
        print(f"musitui: {Path(args.folder).expanduser()} is not a folder", file=sys.stderr)
        return 2
    if not args.no_analyze:
        # Analysis workers use the "spawn" context, whose resource tracker passes
        # sys.stderr.fileno() to its child; under Textual sys.stderr is a capture object
        # without a usable descriptor ("bad value(s) in fds_to_keep"). Start it now.
        from multiprocessing import resource_tracker

        resource_tracker.ensure_running()

    from musitui.tui.app import MusituiApp

    opened: list = []

    def load():
        loaded = open_library(home, config, args)
        opened.append(loaded)
        return loaded

    app = MusituiApp(config=config, home=home, loader=load)
    try:
        code = app.run()
    finally:
        for loaded in opened:
            loaded.jobs.shutdown()
            loaded.session.close()  # closes the player too
    return int(code or 0)


def open_library(home, config, args):
    """Catalog, folders to scan, session and background jobs (runs in the app's loader thread)."""
    from musitui.store.catalog import Catalog
    from musitui.tui.app import Loaded
    from musitui.tui.jobs import BackgroundJobs

    notices: list[str] = [config.problem] if config.problem else []
    catalog = Catalog.open(home)
    if catalog.damaged is not None:
        notices.append(str(catalog.damaged))
    folders, _ = choose_folders(args.folder, list(catalog.folders),
                                list(config.get("library", "folders", []) or []),
                                Path.home() / "Music")
    if args.folder:
        catalog.remember_folder(folders[0])
        catalog.save()
    if args.no_scan:
        folders = []
    session, _player, more = build_session(home, config, catalog, device=args.device)
    jobs = BackgroundJobs(home, catalog, session, folders=folders, analyze=not args.no_analyze)
    # The catalog lives as long as the app: keep its objects out of every later GC pass,
    # so collections stay short and never stall a frame.
    import gc

    gc.freeze()
    return Loaded(session=session, catalog=catalog, jobs=jobs, notices=notices + more)


def build_session(home, config, catalog, *, device: str | None):
    """The player, history, feature store and session; problems become notices, not errors."""
    from musitui.session import Session
    from musitui.store.features import FeatureStore
    from musitui.store.history import History

    notices: list[str] = []
    chosen = device if device is not None else (config.get("playback", "device", "") or None)
    player = None
    try:
        from musitui.playback import Player

        player = Player(device=chosen, replaygain=config.get("playback", "replaygain", "track"),
                        volume=int(config.get("playback", "volume", 80)),
                        crossfade=float(config.get("playback", "crossfade_seconds", 0.0) or 0.0))
    except Exception as exc:  # noqa: BLE001 - no audio must never stop the app from opening
        notices.append(f"audio output unavailable: {str(exc).splitlines()[0] if str(exc) else exc}")
    history = History.open(home)
    damaged = getattr(history, "damaged", None)
    if damaged:
        notices.append(str(damaged))
    features = FeatureStore.open(home)
    session = Session(home, config, catalog, player=player, history=history, features=features)
    restore = getattr(session, "restore_state", None)
    if callable(restore):
        restore()
    return session, player, notices
