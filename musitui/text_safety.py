"""Text from files (tags, file names, playlist lines) made safe to show on a terminal.

A tag may hold escape sequences that retitle the terminal, clear the screen or write the
clipboard (OSC 52). Everything shown to a person goes through ``printable()`` at the edge:
the TUI's widgets and every text line a command prints (the CLI also runs each command with
``SafeStream`` around stdout and stderr). JSON output goes through ``terminal_json``: the
encoder escapes C0 controls, and it escapes C1, bidi and separator characters too. Stored data
is kept as it was read.
"""

from __future__ import annotations

import io
import re
from typing import TextIO

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


def shorten(text: object, limit: int = 80) -> str:
    """``printable(text)`` cut to ``limit`` characters with "…" (a pasted 100 KB prompt is
    echoed as its start, not as one enormous line)."""
    s = printable(text)
    return s if len(s) <= limit else s[: max(1, limit - 1)] + "…"


# In JSON text only strings can hold these: C1 controls, bidi controls, line/paragraph
# separators and lone surrogates. json.dumps(ensure_ascii=False) leaves them raw.
_JSON_UNSAFE = re.compile("[\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def terminal_json(value: object, *, indent: int | None = None) -> str:
    """``json.dumps(value, ensure_ascii=False, indent=indent)`` with every character a terminal
    would act on written as a ``\\uXXXX`` escape: the same JSON to a parser, inert on screen."""
    import json

    text = json.dumps(value, ensure_ascii=False, indent=indent)
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def safe_stream_text(text: str) -> str:
    """What a command's stdout/stderr may carry: ``printable(multiline=True)``, except that a
    carriage return (a progress bar redrawing its line) is kept."""
    if text.isprintable():
        return text
    return "\r".join(printable(part, multiline=True) for part in text.split("\r"))


class SafeStream(io.TextIOBase):
    """A text stream that passes only ``safe_stream_text`` on: the CLI's stdout and stderr
    while a command runs, so no line any command prints (a path, a tag, a server's words)
    can move the cursor, retitle the terminal or reorder text."""

    def __init__(self, stream: TextIO) -> None:
        super().__init__()
        self.stream = stream

    def write(self, text: str) -> int:
        self.stream.write(safe_stream_text(text))
        return len(text)

    def flush(self) -> None:
        self.stream.flush()

    def isatty(self) -> bool:
        return self.stream.isatty()

    def fileno(self) -> int:
        return self.stream.fileno()

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return self.stream.encoding

    @property
    def errors(self) -> str | None:  # type: ignore[override]
        return self.stream.errors

    def writable(self) -> bool:
        return True
