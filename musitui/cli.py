"""The ``musitui`` command line: ``musitui [FOLDER]`` opens the player, subcommands do the rest.

A run imports only the module of the subcommand it runs (``build_parser(command)``); the
top-level ``--help`` imports them all to list them, so they keep heavy imports inside
``run``. Any unexpected error becomes one line on stderr (the traceback goes to a log file
in the data folder), Ctrl-C exits with status 130.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import os
import sys
from collections.abc import Iterator
from types import ModuleType
from typing import TYPE_CHECKING

from musitui import __version__

if TYPE_CHECKING:
    from musitui.commands import Context
    from musitui.paths import Home

# name -> module; order is the order shown in --help.
COMMANDS: dict[str, str] = {
    "ui": "musitui.commands.ui",
    "scan": "musitui.commands.scan",
    "analyze": "musitui.commands.analyze",
    "tracks": "musitui.commands.tracks",
    "info": "musitui.commands.info",
    "play": "musitui.commands.play",
    "devices": "musitui.commands.devices",
    "recommend": "musitui.commands.recommend",
    "mix": "musitui.commands.mix",
    "evaluate": "musitui.commands.evaluate",
    "moods": "musitui.commands.moods",
    "mood": "musitui.commands.mood",
    "vibe": "musitui.commands.vibe",
    "history": "musitui.commands.history",
    "event": "musitui.commands.event",
    "note": "musitui.commands.note",
    "demo": "musitui.commands.demo",
    "config": "musitui.commands.config",
}

DESCRIPTION = """\
A keyboard-driven terminal music player for your local music folder that learns what to
play next.

  musitui [FOLDER]        open the player (scans FOLDER and remembers it)
  musitui COMMAND --help  help on one command
"""


def _common_options(suppress: bool) -> argparse.ArgumentParser:
    default = argparse.SUPPRESS if suppress else None
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--home", metavar="DIR", default=default,
                        help="keep config, catalog, features and history under DIR "
                             "(default: $MUSITUI_HOME, else your XDG folders)")
    return common


def build_parser(command: str | None = None) -> tuple[argparse.ArgumentParser, dict[str, ModuleType]]:
    """The parser and the subcommand modules it needed: only ``command``'s when that names a
    subcommand (what running one needs), else every one (``musitui --help`` lists them)."""
    parser = argparse.ArgumentParser(
        prog="musitui", description=DESCRIPTION, parents=[_common_options(False)],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"musitui {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    modules: dict[str, ModuleType] = {}
    names = [command] if command in COMMANDS else list(COMMANDS)
    for name in names:
        module = importlib.import_module(COMMANDS[name])
        modules[name] = module
        command_parser = sub.add_parser(name, help=module.HELP, description=module.HELP,
                                        parents=[_common_options(True)])
        module.add_arguments(command_parser)
    return parser, modules


def _command_of(argv: list[str]) -> str | None:
    """The subcommand ``argv`` runs (after ``_with_default_command``), or None."""
    index = 0
    while index < len(argv):
        token = argv[index]
        if token == "--home":
            index += 2
            continue
        if token.startswith("-"):
            index += 1
            continue
        return token if token in COMMANDS else None
    return None


def _with_default_command(argv: list[str]) -> list[str]:
    """Insert ``ui`` when the first positional word is not a command (``musitui ~/Music``)."""
    takes_value = {"--home"}
    index = 0
    while index < len(argv):
        token = argv[index]
        if token in ("-h", "--help", "--version"):
            return argv
        if token in takes_value:
            index += 2
            continue
        if token.startswith("-"):
            # An option of the player itself (e.g. --device null): the ui command owns it.
            return argv[:index] + ["ui"] + argv[index:]
        if token in COMMANDS:
            return argv
        return argv[:index] + ["ui"] + argv[index:]
    return argv + ["ui"]


_exit_at_once = False


def entry() -> None:
    """The program (console script and ``python -m musitui``): run, then exit.

    Commands that mark themselves ``EXIT_AT_ONCE`` (short, scripted ones whose files are
    closed and synced when run() returns) skip the interpreter's teardown of numpy and the
    rest: ~40 ms of a ~0.4 s command.
    """
    status = main()
    if _exit_at_once:
        with contextlib.suppress(Exception):
            sys.stdout.flush()
            sys.stderr.flush()
        os._exit(status)
    raise SystemExit(status)


def main(argv: list[str] | None = None) -> int:
    # Reranks are small matrix-vector products: BLAS threads only add hand-off cost (see
    # ranking.limit_blas_threads). Set before numpy loads, it costs nothing; a user's own
    # setting wins. Analysis workers set their own.
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    argv = _with_default_command(list(sys.argv[1:] if argv is None else argv))
    parser, modules = build_parser(_command_of(argv))
    args = parser.parse_args(argv)
    from musitui.commands import Context
    from musitui.paths import resolve_home

    try:
        home = resolve_home(args.home).ensure()
    except OSError as exc:
        print(f"musitui: cannot use data folder: {exc}", file=sys.stderr)
        return 2
    context = Context(home=home)
    with _safe_output():
        return _run(modules[args.command], args, context, home)


@contextlib.contextmanager
def _safe_output() -> Iterator[None]:
    """stdout and stderr pass only printable text while a command runs (see text_safety)."""
    from musitui.text_safety import SafeStream

    saved = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = SafeStream(saved[0]), SafeStream(saved[1])
    try:
        yield
    finally:
        with contextlib.suppress(Exception):
            sys.stdout.flush()
            sys.stderr.flush()
        sys.stdout, sys.stderr = saved


def _run(module: ModuleType, args: argparse.Namespace, context: Context, home: Home) -> int:
    global _exit_at_once
    try:
        status = int(module.run(args, context) or 0)
        _exit_at_once = bool(getattr(module, "EXIT_AT_ONCE", False))
        return status
    except KeyboardInterrupt:
        print("\nmusitui: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # e.g. `musitui tracks | head`: the reader left; not an error worth a message.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except Exception as exc:  # the last line of defence: one line, never a traceback
        where = _log_crash(home)
        print(f"musitui: error: {describe_error(exc)} ({where})", file=sys.stderr)
        return 1


def describe_error(exc: BaseException) -> str:
    """One line (printable, at most 300 characters): for a failed file operation, what failed
    and where."""
    from musitui.text_safety import shorten

    if isinstance(exc, OSError) and exc.strerror:
        target = exc.filename if exc.filename is not None else None
        return shorten(f"{exc.strerror}: {target}" if target else exc.strerror, 300)
    text = str(exc).strip()
    return shorten(text.splitlines()[0] if text else type(exc).__name__, 300)


def _log_crash(home: Home) -> str:
    """Append the traceback to crash.log; where it went, for the user's one line. If the
    log cannot be written (a full or read-only disk), the line says so and no empty log is
    left behind: a traceback never reaches the terminal."""
    import traceback

    details = traceback.format_exc() + "\n"
    path = home.data_dir / "crash.log"
    existed = path.exists()
    try:
        with open(path, "a", encoding="utf-8") as handle:
            handle.write(details)
            handle.flush()
            os.fsync(handle.fileno())
    except OSError as error:
        if not existed:
            with contextlib.suppress(OSError):
                if path.stat().st_size == 0:
                    path.unlink()
        return f"no details kept: {path} could not be written either: {error.strerror or error}"
    return f"details in {path}"


if __name__ == "__main__":
    raise SystemExit(main())
