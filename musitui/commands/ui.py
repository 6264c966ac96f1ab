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
    import sys

    from musitui.store.catalog import Catalog

    home, config = ctx.home, ctx.config
    notices: list[str] = []
    if config.problem:
        notices.append(config.problem)
    catalog = Catalog.open(home)
    if catalog.damaged is not None:
        notices.append(str(catalog.damaged))
    folders, problem = choose_folders(args.folder, list(catalog.folders),
                                      list(config.get("library", "folders", []) or []),
                                      Path.home() / "Music")
    if problem:
        print(f"musitui: {problem}", file=sys.stderr)
        return 2
    if args.folder:
        catalog.remember_folder(folders[0])
        catalog.save()
    if args.no_scan:
        folders = []

    session, player, more = build_session(home, config, catalog, device=args.device)
    notices += more

    from musitui.tui.app import MusituiApp
    from musitui.tui.jobs import BackgroundJobs

    jobs = BackgroundJobs(home, catalog, session, folders=folders, analyze=not args.no_analyze)
    if not args.no_analyze:
        # Analysis workers use the "spawn" context, whose resource tracker passes
        # sys.stderr.fileno() to its child; under Textual sys.stderr is a capture object
        # without a usable descriptor ("bad value(s) in fds_to_keep"). Start it now.
        from multiprocessing import resource_tracker

        resource_tracker.ensure_running()
    app = MusituiApp(session, catalog, config=config, home=home, jobs=jobs, notices=notices)
    try:
        code = app.run()
    finally:
        jobs.shutdown()
        try:
            session.close()
        finally:
            if player is not None:
                player.close()
    return int(code or 0)


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
                        volume=int(config.get("playback", "volume", 80)))
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
