"""Command-line subcommands: each module has HELP, add_arguments(parser) and run(args, ctx).

Modules here must import nothing heavy at the top (no librosa, scikit-learn, Textual,
sounddevice): ``musitui --help`` builds every parser and must start in well under 0.3 s. A
run imports only its own subcommand's module (``cli.build_parser(command)``).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the config module (tomllib) is imported when a command asks for it
    from musitui.config import Config
    from musitui.paths import Home
    from musitui.store.catalog import Catalog


@dataclass
class Context:
    home: Home
    warnings: list[str] = field(default_factory=list)

    @cached_property
    def config(self) -> Config:
        from musitui.config import load_config

        config = load_config(self.home)
        for problem in config.problems:
            warn(problem)
        return config


    def open_catalog(self, *, write: bool = False) -> Catalog:
        """The catalog; a damaged file has been moved aside, and the user is told where.
        ``write=True`` for commands that change it: they wait for another writer first."""
        from musitui.store.catalog import Catalog

        catalog = Catalog.open(self.home, write=write, on_wait=warn)
        if catalog.damaged is not None:
            warn(str(catalog.damaged))
        return catalog


def warn(message: str) -> None:
    from musitui.text_safety import printable

    print(f"musitui: {printable(message, multiline=True)}", file=sys.stderr)
