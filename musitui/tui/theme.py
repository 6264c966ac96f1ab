"""The musitui colour theme: dark, calm background; the mood colours carry the accents."""

from __future__ import annotations

import json
from pathlib import Path

from textual.theme import Theme

from musitui.store.atomic import atomic_write_json
from musitui.text_safety import printable

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

DEFAULT_THEME = "musitui"
THEME_FILE = "ui.json"  # in the data folder: {"theme": name}, the theme last chosen


def saved_theme(data_dir: Path | None) -> str | None:
    """The theme last chosen in the command palette, if one was saved and is readable."""
    if data_dir is None:
        return None
    try:
        data = json.loads((Path(data_dir) / THEME_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    theme = data.get("theme") if isinstance(data, dict) else None
    return theme if isinstance(theme, str) and theme else None


def save_theme(data_dir: Path | None, theme: str) -> str | None:
    """Remember the chosen theme; a one-line problem when it could not be written."""
    if data_dir is None:
        return None
    path = Path(data_dir) / THEME_FILE
    try:
        atomic_write_json(path, {"theme": theme})
    except OSError as exc:
        return f"could not save the theme in {path}: {exc.strerror or exc}"
    return None


def startup_theme(available: set[str], configured: str, data_dir: Path | None) -> tuple[str, str | None]:
    """The theme to start with (last chosen, else the config's) and a problem with the config's."""
    chosen = saved_theme(data_dir)
    if chosen in available:
        return chosen, None
    if configured in available:
        return configured, None
    names = ", ".join(sorted(available))
    return DEFAULT_THEME, (f"config.toml: [ui] theme {printable(configured)!r} is not a theme "
                           f"(one of: {names}); using {DEFAULT_THEME}")
