"""Default key bindings, and their override from the config file's ``[keys]`` section.

``[keys]`` maps an action name to a key or a comma-separated list of keys (Textual key
names, e.g. ``next = "l"`` or ``quit = "q,ctrl+q"``). Unknown actions are reported once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class KeySpec:
    action: str  # the App action, e.g. "play_pause" or "mood('calm')"
    keys: str
    description: str
    show: bool = False  # in the footer
    group: str = "Playback"


DEFAULT_KEYS: list[KeySpec] = [
    KeySpec("play_pause", "space", "Play / pause", True),
    KeySpec("next", "n", "Next (a skip when early)", True),
    KeySpec("previous", "b", "Previous"),
    KeySpec("seek(-5)", "left", "Seek back 5 s"),
    KeySpec("seek(5)", "right", "Seek forward 5 s"),
    KeySpec("seek(-30)", "shift+left", "Seek back 30 s"),
    KeySpec("seek(30)", "shift+right", "Seek forward 30 s"),
    KeySpec("volume(5)", "plus,equals_sign", "Volume up"),
    KeySpec("volume(-5)", "minus", "Volume down"),
    KeySpec("play_selected", "enter", "Play now / open", group="Library and queue"),
    KeySpec("enqueue", "a", "Add to queue", True, group="Library and queue"),
    KeySpec("dequeue", "d", "Remove from queue", group="Library and queue"),
    KeySpec("move_in_queue(1)", "J", "Move queued track down", group="Library and queue"),
    KeySpec("move_in_queue(-1)", "K", "Move queued track up", group="Library and queue"),
    KeySpec("not_this", "x", "Not this (skip, push similar down)", True),
    KeySpec("search", "slash", "Search", True, group="Library and queue"),
    KeySpec("clear_search", "escape", "Clear search", group="Library and queue"),
    KeySpec("toggle_view", "v", "Tracks / artists view", group="Library and queue"),
    KeySpec("sort_next", "S", "Sort by the next column", group="Library and queue"),
    KeySpec("sort_reverse", "R", "Reverse the sort", group="Library and queue"),
    KeySpec("switch_pane", "tab", "Library ↔ Up next", group="Library and queue"),
    KeySpec("mood('happy')", "1", "Mood: happy", group="Mood"),
    KeySpec("mood('energetic')", "2", "Mood: energetic", group="Mood"),
    KeySpec("mood('calm')", "3", "Mood: calm", group="Mood"),
    KeySpec("mood('sad')", "4", "Mood: sad", group="Mood"),
    KeySpec("mood('intense')", "5", "Mood: intense", group="Mood"),
    KeySpec("mood('auto')", "0", "Mood: auto", group="Mood"),
    KeySpec("cycle_mood", "m", "Next mood", True, group="Mood"),
    KeySpec("correct_mood", "M", "This track's mood is the next one (your correction)", group="Mood"),
    KeySpec("cycle_play_mode", "r", "Next play mode (radio, in order, shuffle, repeat)"),
    KeySpec("prompt", "p", "Describe what you want (prompt)", group="Mood"),
    KeySpec("lyrics", "l", "Lyrics of the playing track", group="Playback"),
    KeySpec("save_playlist", "ctrl+s", "Save queue as M3U8", group="Files"),
    KeySpec("open_playlist", "o", "Open an M3U/M3U8 into the queue", group="Files"),
    KeySpec("scan", "s", "Scan a folder", group="Files"),
    KeySpec("demo", "D", "Create and open the demo library", group="Files"),
    KeySpec("help", "question_mark", "Help (this screen)", True, group="App"),
    KeySpec("command_palette", "ctrl+p", "Command palette", group="App"),
    KeySpec("quit", "q", "Quit", True, group="App"),
]

# Config names for the parametrised actions (`[keys] seek_forward = "l"`).
ALIASES: dict[str, str] = {
    "seek_back": "seek(-5)", "seek_forward": "seek(5)",
    "seek_back_long": "seek(-30)", "seek_forward_long": "seek(30)",
    "volume_up": "volume(5)", "volume_down": "volume(-5)",
    "queue_down": "move_in_queue(1)", "queue_up": "move_in_queue(-1)",
    "mood_happy": "mood('happy')", "mood_energetic": "mood('energetic')",
    "mood_calm": "mood('calm')", "mood_sad": "mood('sad')", "mood_intense": "mood('intense')",
    "mood_auto": "mood('auto')",
}


def config_name(action: str) -> str:
    for name, target in ALIASES.items():
        if target == action:
            return name
    return action


def resolve_keys(overrides: dict[str, Any] | None) -> tuple[list[KeySpec], list[str]]:
    """The bindings after the config overrides, and one-line problems to tell the user."""
    by_action = {spec.action: spec for spec in DEFAULT_KEYS}
    problems: list[str] = []
    result = {spec.action: spec for spec in DEFAULT_KEYS}
    for name, keys in (overrides or {}).items():
        action = ALIASES.get(name, name)
        if action not in by_action:
            problems.append(f"config [keys]: unknown action {name!r} ignored")
            continue
        if not isinstance(keys, str) or not keys.strip():
            problems.append(f"config [keys]: {name} needs a key name such as \"n\"; ignored")
            continue
        spec = by_action[action]
        result[action] = KeySpec(spec.action, keys.replace(" ", ""), spec.description, spec.show,
                                 spec.group)
    return list(result.values()), problems


def key_display(keys: str) -> str:
    names = {"space": "space", "slash": "/", "question_mark": "?", "plus": "+",
             "equals_sign": "=", "minus": "-", "escape": "esc", "enter": "enter",
             "left": "←", "right": "→", "shift+left": "shift+←", "shift+right": "shift+→",
             "up": "↑", "down": "↓"}
    return " ".join(names.get(k, k) for k in keys.split(","))
