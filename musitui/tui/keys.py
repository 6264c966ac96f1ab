"""How a key is written on screen (the footer, the help screen)."""

from __future__ import annotations

NAMES = {"space": "space", "slash": "/", "question_mark": "?", "plus": "+",
         "equals_sign": "=", "minus": "-", "escape": "esc", "enter": "enter",
         "left": "←", "right": "→", "shift+left": "shift+←", "shift+right": "shift+→",
         "up": "↑", "down": "↓"}


def key_display(keys: str) -> str:
    """``"plus,equals_sign"`` → ``"+ ="``."""
    return " ".join(NAMES.get(k, k) for k in keys.split(","))
