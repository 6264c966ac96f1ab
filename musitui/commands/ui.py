"""musitui [FOLDER]: open the player (the default command).

FOLDER is scanned and remembered; without one, the remembered folders are rescanned, else
~/Music, else the app offers the demo library. Heavy imports (Textual, the player) happen
inside ``run`` so ``musitui --help`` stays fast.
"""

from __future__ import annotations

import argparse
import threading
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from musitui.commands import Context
    from musitui.config import Config
    from musitui.core.session import Session
    from musitui.paths import Home
    from musitui.playback import Player
    from musitui.store.catalog import Catalog
    from musitui.tui.loader import Loaded, OpenedCatalog
    from musitui.tui.shelf import Shelf

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


def run(args: argparse.Namespace, ctx: Context) -> int:
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
    opener = LibraryOpener(home, config, args)
    opener.prefetch()  # the catalog loads while Textual is imported and paints

    from musitui.tui.cover_art import prepare, renderer_choice

    prepare(renderer_choice(config))  # asks the terminal for its image protocols, before Textual

    from musitui.tui.app import MusituiApp
    from musitui.tui.signals import EXIT_AFTER_SECONDS

    app = MusituiApp(config=config, home=home, loader=opener)
    app.signals.exit_after = EXIT_AFTER_SECONDS  # a closed terminal never leaves it running
    try:
        code = app.run()
    finally:
        app.signals.returned()
        for loaded in opener.opened:
            if loaded.jobs is not None:
                loaded.jobs.shutdown()
            loaded.session.close()  # closes the player too
    for problem in app.exit_problems:
        print(f"musitui: {problem}", file=sys.stderr)
    return int(code or 0) or (1 if app.exit_problems else 0)


class LibraryOpener:
    """The app's staged loader (runs in its loader thread): the catalog first, so the library
    list shows at once, then the session and the background jobs."""

    def __init__(self, home: Home, config: Config, args: argparse.Namespace) -> None:
        self.home, self.config, self.args = home, config, args
        self.notices: list[str] = list(config.problems)
        self.folders: list[str] = []
        self.watch_folders: list[str] = []
        self.opened: list[Loaded] = []  # handed to the app, to close on exit
        self._prefetch: threading.Thread | None = None
        self._prefetched: tuple[Catalog, Shelf] | None = None  # sorted for display ahead
        self._problem: Exception | None = None

    def prefetch(self) -> None:
        """Start opening the catalog and sorting the library now, in a thread: at 50k tracks
        that overlaps with importing Textual and painting the first frame."""
        self._prefetch = threading.Thread(target=self._prefetch_run, name="musitui-prefetch",
                                          daemon=True)
        self._prefetch.start()

    def _prefetch_run(self) -> None:
        from musitui.tui.library_model import build_shelf, library_source
        from musitui.tui.quiet_gc import gc_paused

        try:
            with gc_paused():
                catalog = self._open_catalog()
                self._prefetched = catalog, build_shelf(library_source(catalog), catalog.get)
        except Exception as exc:  # noqa: BLE001 - handed to the app, which says it in one line
            self._problem = exc

    def open_catalog(self) -> Catalog | OpenedCatalog:
        """The catalog, with the library sorted when it was prefetched (``StagedLoader``)."""
        if self._prefetch is not None:
            from musitui.tui.loader import OpenedCatalog

            self._prefetch.join()
            self._prefetch = None
            if self._problem is not None:
                raise self._problem
            if self._prefetched is not None:
                return OpenedCatalog(*self._prefetched)
        return self._open_catalog()

    def _open_catalog(self) -> Catalog:
        from musitui.store.catalog import Catalog

        catalog = Catalog.open(self.home)
        if catalog.damaged is not None:
            self.notices.append(str(catalog.damaged))
        folders, _ = choose_folders(self.args.folder, list(catalog.folders),
                                    list(self.config.library.folders),
                                    Path.home() / "Music")
        if self.args.folder:
            from musitui.store.catalog import CatalogChanged

            catalog.remember_folder(folders[0])
            try:
                catalog.save()
            except CatalogChanged as exc:  # the folder's scan remembers it anyway
                self.notices.append(str(exc))
        self.folders = [] if self.args.no_scan else folders
        self.watch_folders = folders if self.config.library.watch else []
        return catalog

    def open_session(self, catalog: Catalog) -> Loaded:
        from musitui.tui.jobs import BackgroundJobs
        from musitui.tui.loader import Loaded

        session, _player, more = build_session(self.home, self.config, catalog, device=self.args.device)
        jobs = BackgroundJobs(self.home, catalog, session, folders=self.folders,
                              analyze=not self.args.no_analyze, watch_folders=self.watch_folders)
        # The catalog lives as long as the app: keep its objects out of every later GC pass,
        # so collections stay short and never stall a frame.
        import gc

        from musitui.tui.quiet_gc import retire

        gc.freeze()
        catalog.retire = session.retire = retire  # replaced structures are freed in steps
        loaded = Loaded(session=session, catalog=catalog, jobs=jobs, notices=self.notices + more)
        self.opened.append(loaded)
        return loaded


def build_session(home: Home, config: Config, catalog: Catalog, *,
                  device: str | None) -> tuple[Session, Player | None, list[str]]:
    """The player, history, feature store and session; problems become notices, not errors."""
    from musitui.core.session import Session
    from musitui.store.features import FeatureStore
    from musitui.store.history import History

    notices: list[str] = []
    settings = config.playback
    chosen = device if device is not None else (settings.device if settings.device != "" else None)
    player = None
    try:
        from musitui.playback import Player

        player = Player(device=chosen, replaygain=settings.replaygain, volume=settings.volume,
                        crossfade=settings.crossfade_seconds)
    except Exception as exc:  # noqa: BLE001 - no audio must never stop the app from opening
        notices.append(f"audio output unavailable: {str(exc).splitlines()[0] if str(exc) else exc}")
    history = History.open(home, config)
    features = FeatureStore.open(home)
    session = Session(home, config, catalog, player=player, history=history, features=features)
    session.restore_state()
    return session, player, notices
