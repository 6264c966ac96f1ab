"""The action registry: every action of the player declared once — its name (the config's
``[keys]`` name), default keys, description, handler, where the help screen lists it, and
whether the footer and the command palette offer it. The key bindings, the footer, the
command palette and the help screen all read ``ACTIONS`` (the bindings after ``[keys]``:
``resolve_keys``).

``[keys]`` maps an action's name (the help screen's third column) to a key or a
comma-separated list of keys (Textual key names, e.g. ``next = "l"`` or ``quit = "q,ctrl+q"``).
Unknown actions are reported once.

A binding runs ``act('name')`` (``MusituiApp.action_act``), which looks the action up here.
While the library loads, an action runs only if its ``ready`` allows: ``"always"``,
``"browsing"`` (once the list is shown, before the session is ready) or ``"session"``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, replace
from functools import partial
from typing import TYPE_CHECKING, Literal

from musitui.core.moods import ALL_MOODS
from musitui.text_safety import shorten
from musitui.tui import browsing, dialogs, marks, playing
from musitui.tui.bars import mood_label
from musitui.tui.keys import is_key_name

if TYPE_CHECKING:
    from musitui.tui.app import MusituiApp

Handler = Callable[["MusituiApp"], Awaitable[None] | None]
Ready = Literal["always", "browsing", "session"]
# Where an action runs: on the main screen, in the playlists view, or on both.
Scope = Literal["main", "playlists", "any"]


@dataclass(frozen=True)
class Action:
    name: str  # the config's [keys] name, e.g. "seek_forward"
    keys: str  # Textual key names, comma-separated
    description: str  # the help screen's line (the footer shows it up to a parenthesis)
    handler: Handler
    group: str = "Playback"  # the help screen's section
    footer: bool = False  # shown in the footer
    palette: str | None = None  # its entry in the command palette, if it has one
    palette_help: str = ""  # the entry's second line
    ready: Ready = "session"
    scope: Scope = "main"

    @property
    def binding(self) -> str:
        """The Textual action string a key or a click runs."""
        return f"act({self.name!r})"


def _help(app: MusituiApp) -> None:
    from musitui.tui.screens import HelpScreen

    app.push_screen(HelpScreen(app.keys))


def _lyrics(app: MusituiApp) -> None:
    from musitui.tui.lyrics_screen import LyricsScreen

    app.push_screen(LyricsScreen(app.attached))


def _lyrics_pane(app: MusituiApp) -> None:
    from musitui.tui.lyrics_screen import LyricsPanel

    pane = app.query_one("#lyrics-pane", LyricsPanel)
    pane.display = not pane.display
    if pane.display:
        pane.follow()


def _prompt(app: MusituiApp) -> None:
    from musitui.tui.prompt_box import open_prompt_box

    open_prompt_box(app)


def _note(app: MusituiApp) -> None:
    from musitui.tui.note_box import open_note_box

    open_note_box(app)


def _palette(app: MusituiApp) -> None:
    app.action_command_palette()


def _playlists(app: MusituiApp) -> None:
    from musitui.tui.playlists_view import toggle

    toggle(app)


def _rename_playlist(app: MusituiApp) -> None:
    from musitui.tui.playlists_view import rename

    rename(app)


def _delete_in_playlists(app: MusituiApp) -> None:
    from musitui.tui.playlists_view import delete

    delete(app)


def _export_playlist(app: MusituiApp) -> None:
    from musitui.tui.playlists_view import export

    export(app)


def _save_search(app: MusituiApp) -> None:
    from musitui.tui.playlists_view import save_search

    save_search(app)


def _quit(app: MusituiApp) -> None:
    app.leave()


def _mood(mood: str, keys: str) -> Action:
    return Action(f"mood_{mood}", keys, f"Mood: {mood}", partial(playing.set_mood, mood=mood),
                  group="Mood", palette=f"Mood: {mood}", palette_help=mood_label(mood))


LIBRARY, FILES, APP, PLAYLISTS = "Library and queue", "Files", "App", "Playlists view"
ANY: Scope = "any"  # also in the playlists view

ACTIONS: tuple[Action, ...] = (
    Action("play_pause", "space", "Play / pause", playing.play_pause, footer=True,
           palette="Play / pause"),
    Action("next", "n", "Next (a skip when early)", playing.next_track, footer=True,
           palette="Next track", scope=ANY),
    Action("previous", "b", "Previous", playing.previous_track, palette="Previous track",
           scope=ANY),
    Action("seek_back", "left", "Seek back 5 s", partial(playing.seek, seconds=-5), scope=ANY),
    Action("seek_forward", "right", "Seek forward 5 s", partial(playing.seek, seconds=5),
           scope=ANY),
    Action("seek_back_long", "shift+left", "Seek back 30 s", partial(playing.seek, seconds=-30),
           scope=ANY),
    Action("seek_forward_long", "shift+right", "Seek forward 30 s",
           partial(playing.seek, seconds=30), scope=ANY),
    Action("volume_up", "plus,equals_sign", "Volume up", partial(playing.volume, delta=5),
           scope=ANY),
    Action("volume_down", "minus", "Volume down", partial(playing.volume, delta=-5), scope=ANY),
    Action("play_selected", "enter", "Play now / open", playing.play_selected, group=LIBRARY),
    Action("enqueue", "a", "Add to queue", playing.enqueue, group=LIBRARY, footer=True,
           scope=ANY),
    Action("dequeue", "d", "Remove from queue", playing.dequeue, group=LIBRARY),
    Action("queue_down", "J", "Move queued track down", partial(playing.move_in_queue, delta=1),
           group=LIBRARY),
    Action("queue_up", "K", "Move queued track up", partial(playing.move_in_queue, delta=-1),
           group=LIBRARY),
    Action("not_this", "x", "Not this (skip, push similar down)", playing.not_this, footer=True,
           palette="Not this (skip and push similar down)"),
    Action("search", "slash", "Search", browsing.search, group=LIBRARY, footer=True,
           palette="Search the library", ready="browsing"),
    Action("clear_search", "escape", "Clear search", browsing.clear_search, group=LIBRARY,
           ready="browsing", scope=ANY),
    Action("toggle_view", "v", "Tracks / artists view", browsing.toggle_view, group=LIBRARY,
           palette="Switch tracks / artists view", ready="browsing"),
    Action("sort_next", "S", "Sort by the next column", browsing.sort_next, group=LIBRARY,
           ready="browsing"),
    Action("sort_reverse", "R", "Reverse the sort", browsing.sort_reverse, group=LIBRARY,
           ready="browsing"),
    Action("mark", "t", "Mark / unmark the row (a, ctrl+s, A then act on the marked)",
           marks.toggle_mark, group=LIBRARY, palette="Mark / unmark the selected row"),
    Action("visual", "V", "Mark a range: from here to where you move (V again ends it)",
           marks.visual, group=LIBRARY, palette="Mark a range of rows"),
    Action("add_to_playlist", "A", "Add the marked (or selected) tracks to a playlist",
           marks.add_to_playlist, group=LIBRARY, palette="Add to a playlist"),
    Action("queue_results", "ctrl+a", "Add all results: queue every track the search shows",
           marks.queue_results, group=LIBRARY, palette="Add all search results to the queue"),
    Action("jump_to_playing", "i", "Jump to the playing track in the library",
           marks.jump_to_playing, group=LIBRARY, palette="Jump to the playing track"),
    Action("switch_pane", "tab", "Library ↔ Up next", browsing.switch_pane, group=LIBRARY,
           ready="always", scope=ANY),
    *(_mood(mood, str(number)) for number, mood in enumerate(ALL_MOODS) if number),
    _mood(ALL_MOODS[0], "0"),
    Action("cycle_mood", "m", "Next mood", playing.cycle_mood, group="Mood", footer=True,
           scope=ANY),
    Action("correct_mood", "M", "This track's mood is the next one (your correction)",
           playing.correct_mood, group="Mood", palette="Correct the playing track's mood"),
    Action("cycle_play_mode", "r", "Next play mode (radio, in order, shuffle, repeat)",
           playing.cycle_play_mode),
    Action("prompt", "p", "Describe what you want (prompt)", _prompt, group="Mood",
           palette="Describe what you want (prompt)"),
    Action("note", "c", "Write a note on the selected or playing track", _note, group="Mood",
           palette="Write a note on a track", palette_help="what you think of it: warm notes lift it"),
    Action("lyrics", "l", "Lyrics of the playing track", _lyrics,
           palette="Lyrics of the playing track"),
    Action("lyrics_pane", "L", "Lyrics in a pane beside the lists (show / hide)", _lyrics_pane,
           palette="Lyrics pane: show / hide", palette_help="Now playing and the progress stay"),
    Action("save_playlist", "ctrl+s", "Save queue as M3U8", dialogs.save_playlist, group=FILES,
           palette="Save the queue as M3U8"),
    Action("open_playlist", "o", "Open an M3U/M3U8 into the queue", dialogs.open_playlist,
           group=FILES, palette="Open an M3U/M3U8 playlist"),
    Action("playlists", "P", "Playlists: your saved and opened playlists", _playlists,
           group=FILES, palette="Playlists", palette_help="open, rename, delete, edit",
           scope=ANY),
    Action("playlist_rename", "e", "Rename the playlist", _rename_playlist, group=PLAYLISTS,
           scope="playlists"),
    Action("playlist_delete", "delete", "Delete the playlist, or remove the track from it",
           _delete_in_playlists, group=PLAYLISTS, scope="playlists"),
    Action("playlist_export", "E", "Export the smart playlist as M3U8", _export_playlist,
           group=PLAYLISTS, scope="playlists"),
    Action("save_search", "F", "Save the search as a smart playlist", _save_search,
           group=FILES, palette="Save the search as a smart playlist", ready="browsing"),
    Action("scan", "s", "Scan a folder", dialogs.scan, group=FILES, palette="Scan a folder"),
    Action("demo", "D", "Create and open the demo library", dialogs.demo, group=FILES,
           palette="Create and open the demo library"),
    Action("help", "question_mark", "Help (this screen)", _help, group=APP, footer=True,
           palette="Help: all keys", ready="always", scope=ANY),
    Action("command_palette", "ctrl+p", "Command palette", _palette, group=APP, ready="always",
           scope=ANY),
    Action("quit", "q", "Quit", _quit, group=APP, footer=True, palette="Quit", ready="always",
           scope=ANY),
)

BY_NAME: dict[str, Action] = {action.name: action for action in ACTIONS}
# Textual's own actions that work while the library loads (its ctrl+q quits too).
TEXTUAL_ALWAYS = frozenset({"quit", "command_palette"})


def allowed_while_loading(action: str, parameters: tuple[object, ...], library_shown: bool) -> bool:
    """May a Textual action run before the session is ready? ``act('name')`` as its
    registry entry says; Textual's own actions only if in ``TEXTUAL_ALWAYS``."""
    if action != "act":
        return action in TEXTUAL_ALWAYS
    entry = BY_NAME.get(str(parameters[0])) if parameters else None
    if entry is None:
        return False
    return entry.ready == "always" or (entry.ready == "browsing" and library_shown)


def allowed_on_screen(action: str, parameters: tuple[object, ...], in_playlists: bool) -> bool:
    """Does ``act('name')`` run on the screen shown? The playlists view's own actions only
    there; the main screen's (those that act on its lists) not there; ``any`` on both."""
    if action != "act":
        return True
    entry = BY_NAME.get(str(parameters[0])) if parameters else None
    if entry is None or entry.scope == "any":
        return True
    return (entry.scope == "playlists") == in_playlists


def resolve_keys(overrides: Mapping[str, object] | None) -> tuple[list[Action], list[str]]:
    """The actions with their keys after the config's overrides, and one-line problems."""
    problems: list[str] = []
    result = dict(BY_NAME)
    for name, keys in (overrides or {}).items():
        if name not in BY_NAME:
            problems.append(f"config [keys]: unknown action {shorten(name, 40)!r} ignored")
            continue
        if not isinstance(keys, str) or not all(is_key_name(k) for k in keys.replace(" ", "").split(",")):
            problems.append(f"config [keys]: {name} needs a key name such as \"n\" (or \"q,ctrl+q\"); "
                            "ignored")
            continue
        result[name] = replace(BY_NAME[name], keys=keys.replace(" ", ""))
    return _without_conflicts([result[action.name] for action in ACTIONS], problems), problems


def _without_conflicts(actions: list[Action], problems: list[str]) -> list[Action]:
    """A key bound to two actions stays with the earlier one (in the registry's order): the
    later loses it, and one line says so."""
    owner: dict[str, str] = {}
    kept: list[Action] = []
    for action in actions:
        keys = [k for k in action.keys.split(",") if k]
        free = [k for k in keys if k not in owner]
        for key in keys:
            if key in owner:
                problems.append(f"config [keys]: {key!r} is bound to both {owner[key]} and "
                                f"{action.name}; kept for {owner[key]}")
        owner.update(dict.fromkeys(free, action.name))
        kept.append(action if free == keys else replace(action, keys=",".join(free)))
    return kept
