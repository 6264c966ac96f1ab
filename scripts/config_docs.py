"""Write docs/CONFIG.md from the config schema (musitui/config.py).

    .venv/bin/python scripts/config_docs.py          # rewrite docs/CONFIG.md
    .venv/bin/python scripts/config_docs.py --check  # exit 1 when it is out of date

tests/core/test_config.py runs the check, so a new key cannot go undocumented.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "CONFIG.md"

INTRO = """\
# Configuration

<!-- Generated from musitui/config.py by scripts/config_docs.py: edit the schema, not this. -->

`config.toml` lives in the config folder (`musitui config` prints where; with `--home DIR` it is
`DIR/config.toml`). Every key is optional; a missing file means all defaults. A file that does
not parse is reported in one line and the defaults are used; the file is left for you to fix.

Each value is checked when musitui starts. A value of the wrong type or out of range is
reported in one line naming the key, and that key keeps its default, e.g.
`config.toml: [playback] volume must be a whole number 0-100, got 'loud'; using 80`.
Unknown keys and sections are reported and ignored.

The defaults, with what each key allows in brackets:

"""


def render() -> str:
    sys.path.insert(0, str(ROOT))
    from musitui.config import config_toml

    return INTRO + "```toml\n" + config_toml() + "```\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only check docs/CONFIG.md")
    args = parser.parse_args()
    text = render()
    if args.check:
        if DOC.read_text(encoding="utf-8") != text:
            print("docs/CONFIG.md is out of date: run scripts/config_docs.py", file=sys.stderr)
            return 1
        return 0
    DOC.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
