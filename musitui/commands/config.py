"""musitui config: print the effective configuration and where it is read from."""

from __future__ import annotations

import argparse
import json

from musitui.commands import Context
from musitui.text_safety import printable, terminal_json

HELP = "show the effective configuration and where files live"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print JSON")


def run(args: argparse.Namespace, ctx: Context) -> int:
    config = ctx.config
    home = ctx.home
    where = {
        "config_file": str(home.config_file),
        "catalog": str(home.catalog_file),
        "features": str(home.features_dir),
        "history": str(home.history_dir),
        "state": str(home.state_file),
    }
    if args.json:
        print(terminal_json({"paths": where, "config": config.to_dict()}, indent=2))
        return 0
    for key, value in where.items():
        print(f"{key:12} {value}")
    print()
    for section, values in config.to_dict().items():
        print(f"[{section}]")
        for key, value in values.items():
            print(printable(f"{key} = {json.dumps(value, ensure_ascii=False)}"))
        print()
    return 0
