"""The musitui colour theme: dark, calm background; the mood colours carry the accents."""

from __future__ import annotations

from textual.theme import Theme

MUSITUI_THEME = Theme(
    name="musitui",
    primary="#3bb273",
    secondary="#4d9de0",
    accent="#f2c14e",
    warning="#f78154",
    error="#e15554",
    success="#3bb273",
    foreground="#d8dee9",
    background="#14171c",
    surface="#1b1f26",
    panel="#232833",
    dark=True,
)
