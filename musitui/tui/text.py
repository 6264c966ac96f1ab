"""Small text helpers for line-based widgets: fit a string into an exact cell width."""

from __future__ import annotations

from rich.cells import cell_len, set_cell_size

from musitui.text_safety import printable


def fit(text: str, width: int) -> str:
    """``text`` padded or cut (with an ellipsis) to exactly ``width`` cells; control
    characters and escape sequences (hostile tags, file names) are removed first."""
    if width <= 0:
        return ""
    if not text.isprintable():  # checked inline: this runs for every cell of every row drawn
        text = printable(text)
    if text.isascii() and len(text) <= width:
        return text.ljust(width)
    if cell_len(text) <= width:
        return set_cell_size(text, width)
    return set_cell_size(text, width - 1) + "…" if width > 1 else set_cell_size(text, width)


def crop(text: str, width: int) -> str:
    """The longest start of ``text`` at most ``width`` cells wide (a wide CJK character counts
    two; no ellipsis, no padding)."""
    if width <= 0:
        return ""
    if text.isascii() or cell_len(text) <= width:
        return text[:width] if text.isascii() else text
    used = 0
    for index, char in enumerate(text):
        used += cell_len(char)
        if used > width:
            return text[:index]
    return text


def wrap_lines(text: str, width: int) -> list[str]:
    import textwrap

    return textwrap.wrap(text, max(10, width)) if text else []


def shown_path(path: object) -> str:
    """A path as the screen shows it: the home folder as ``~``, escapes removed."""
    import os

    text = str(path)
    home = os.path.expanduser("~")
    if home not in ("", "/") and (text == home or text.startswith(home + os.sep)):
        text = "~" + text[len(home):]
    return printable(text)
