"""Text from files (tags, file names, playlist lines) made safe to show on a terminal.

A tag may hold escape sequences that retitle the terminal, clear the screen or write the
clipboard (OSC 52). Everything shown to a person goes through ``printable()`` at the edge:
the TUI's widgets and every text line a command prints. JSON output needs nothing (its
encoder escapes control characters) and stored data is kept as it was read.
"""

from __future__ import annotations

import re

# Whole escape sequences first, so no parameters are left behind as visible junk:
# CSI (ESC [ ... final, or C1 0x9b), OSC/DCS/SOS/PM/APC strings up to BEL or ST, and two-byte
# ESC sequences.
_SEQUENCES = re.compile(
    r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]?"
    r"|(?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f])[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"
    r"|\x1b[ -/]*[0-~]?"
)
# Left: other C0 and C1 controls, DEL, bidi embeddings/overrides/isolates (they reorder what
# follows), and lone surrogates (undecodable bytes of a file name), which no terminal can encode.
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
_LINE_BREAKS = re.compile(r"\r\n?|[\n\t\v\f\u2028\u2029\x85]")


def printable(text: object, *, multiline: bool = False) -> str:
    """``text`` without control characters or escape sequences.

    One-line (the default): tabs and line breaks become spaces. ``multiline``: newlines and
    tabs are kept (``\\r\\n`` and ``\\r`` become ``\\n``)."""
    s = text if isinstance(text, str) else str(text)
    if s.isprintable():  # the common case: nothing to do
        return s
    s = _SEQUENCES.sub("", s)
    if multiline:
        s = s.replace("\r\n", "\n").replace("\r", "\n")
        s = _CONTROLS.sub(_replace, s)
    else:
        s = _CONTROLS.sub(_replace, _LINE_BREAKS.sub(" ", s))
    return s


def _replace(match: re.Match[str]) -> str:
    return "\ufffd" if "\ud800" <= match.group() <= "\udfff" else ""
