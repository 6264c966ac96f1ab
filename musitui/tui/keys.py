"""How a key is written on screen (the footer, the help screen)."""

from __future__ import annotations

from musitui.text_safety import shorten

MAX_KEY_NAME = 32  # "ctrl+shift+question_mark" is 24

NAMES = {"space": "space", "slash": "/", "question_mark": "?", "plus": "+",
         "equals_sign": "=", "minus": "-", "escape": "esc", "enter": "enter",
         "left": "←", "right": "→", "shift+left": "shift+←", "shift+right": "shift+→",
         "up": "↑", "down": "↓"}


def key_display(keys: str) -> str:
    """``"plus,equals_sign"`` → ``"+ ="`` (at most 30 characters: the help table's column)."""
    return shorten(" ".join(NAMES.get(k, k) for k in keys.split(",")), 30)


def is_key_name(key: str) -> bool:
    """What a Textual key name can be: 1 to MAX_KEY_NAME printable characters, no spaces."""
    return 0 < len(key) <= MAX_KEY_NAME and key.isprintable() and " " not in key
