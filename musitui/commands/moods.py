"""musitui moods: the selectable moods and their valence/arousal targets."""

from __future__ import annotations

import argparse

from musitui.commands import Context
from musitui.text_safety import terminal_json

HELP = "list the moods you can pick and their valence/arousal targets"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print JSON")


def run(args: argparse.Namespace, ctx: Context) -> int:
    from musitui.core.moods import AUTO, MOOD_ORDER, MOODS

    rows: list[dict[str, str | float | None]] = [{"name": AUTO, "valence": None, "arousal": None,
             "description": "follows the centre of the tracks you recently finished"}]
    for name in MOOD_ORDER:
        mood = MOODS[name]
        rows.append({"name": name, "valence": mood.valence, "arousal": mood.arousal,
                     "description": mood.description})
    if args.json:
        print(terminal_json(rows, indent=2))
        return 0
    print(f"{'mood':10} {'valence':>7} {'arousal':>7}  description")
    for row in rows:
        valence = "" if row["valence"] is None else f"{row['valence']:+.2f}"
        arousal = "" if row["arousal"] is None else f"{row['arousal']:+.2f}"
        print(f"{row['name']:10} {valence:>7} {arousal:>7}  {row['description']}")
    return 0
