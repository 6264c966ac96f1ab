"""musitui vibe "TEXT": what musitui understands from a description of the music you want.

Offline rules by default; the local model of the config's [llm] section (or
$MUSITUI_LLM_URL) when one is set, with the rules as the fallback.
"""

from __future__ import annotations

import argparse
import sys

from musitui.commands import Context
from musitui.text_safety import printable, terminal_json

HELP = 'turn a description ("calm but not sad, no metal") into a mood/style/tempo target'


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("text", help='what you want to hear, e.g. "hype me up, no metal"')
    parser.add_argument("--json", action="store_true", help="print the target as one JSON object")


def understand_in_library(text: str, ctx):
    """(Vibe, notice) for ``text`` with the catalog's style words, titles and paths; the
    multilingual encoder loads in a thread meanwhile (its weights' read overlaps the catalog's)."""
    from musitui.words.encoder import shared
    from musitui.words.llm_client import understand
    from musitui.words.target import library_words

    encoder = shared()
    encoder.start()
    catalog = ctx.open_catalog()
    words = library_words(catalog.columns().present(), ctx.home)
    vibe, notice = understand(text, ctx.config, encoder=encoder, **words)
    if notice is None and encoder.problem:
        notice = f"{encoder.problem}; English rules only"
    return vibe, notice


def run(args: argparse.Namespace, ctx: Context) -> int:
    if not args.text.strip():
        print("musitui: say what you want to hear, e.g. musitui vibe \"calm piano\"", file=sys.stderr)
        return 2
    vibe, notice = understand_in_library(args.text, ctx)
    if notice:
        print(printable(f"musitui: {notice}"), file=sys.stderr)
    if args.json:
        print(terminal_json(vibe.to_dict()))
        return 0
    data = vibe.to_dict()
    for key in ("valence", "arousal", "styles", "exclude_styles", "audio", "exclude_audio", "tempo", "seeds",
                "source"):
        value = data[key]
        shown = "-" if value is None or value == [] else (", ".join(map(str, value)) if isinstance(value, list) else value)
        print(printable(f"{key:>15}  {shown}"))
    print(printable(f"{'explanation':>15}  {vibe.explanation}"))
    return 0
