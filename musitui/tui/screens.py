"""Modal screens: help (every binding), and the one-line prompts for playlists and folders."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.table import Table
from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.css.query import NoMatches
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from musitui.text_safety import printable
from musitui.tui.keys import key_display

if TYPE_CHECKING:
    from musitui.tui.actions import Action

UP_NEXT = [
    ("order", "Up next is the play order: the top row plays next"),
    ("row", "number · title · artist, then why it is there"),
    ("you", "a track you queued (a, J/K to move it)"),
    ("explore", "an exploration slot (at most one in five, never the next track): "
                "unlike what this session played, so musitui learns your taste"),
    ("selected row", "shows its whole reason"),
    ("reasons", "what it shares and with which track: sounds like X · same album as X · "
                "fits 'mood' · you often play it after X · you finished 3 of 4 by an artist"),
]

NAVIGATION = [
    ("↑ ↓  j k", "Move in the list"),
    ("g G  home end", "First / last row"),
    ("pgup pgdn", "Page up / down"),
    ("click", "Select; click again or double-click plays"),
]


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,q,question_mark", "dismiss", "Close")]

    def __init__(self, keys: list[Action]) -> None:
        super().__init__()
        self.keys = keys

    def compose(self) -> ComposeResult:
        with Vertical(id="help-box"):
            yield Label(Text("musitui keys · esc closes"), id="help-title")
            with VerticalScroll(id="help-scroll"):
                yield Static(self.binding_table(), id="help-table")

    def binding_table(self) -> Table:
        table = Table(show_header=False, box=None, expand=True, padding=(0, 1))
        table.add_column("key", style="bold", no_wrap=True, min_width=18)
        table.add_column("action", ratio=1)
        table.add_column("config name", style="dim", no_wrap=True)
        groups: dict[str, list[tuple[str, str, str]]] = {
            "Navigation": [(key, text, "") for key, text in NAVIGATION],
            "Up next": [(key, text, "") for key, text in UP_NEXT]}
        for action in self.keys:
            groups.setdefault(action.group, []).append(
                (key_display(action.keys), action.description, action.name))
        groups["Your keys"] = [("[keys]", 'config.toml: name = "key", e.g. next = "l"', "")]
        for group, rows in groups.items():
            table.add_row(Text(group, style="bold underline"), "", "")
            for key, description, name in rows:
                table.add_row(key, description, name)
        return table


class PromptScreen(ModalScreen[str | None]):
    """A one-line question; dismisses with the text, or None on escape."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, question: str, value: str = "", placeholder: str = "") -> None:
        super().__init__()
        self.question = question
        self.value = value
        self.placeholder = placeholder

    def compose(self) -> ComposeResult:
        with Vertical(id="prompt-box"):
            yield Label(Text(printable(self.question)), id="prompt-question")
            yield Input(value=self.value, placeholder=self.placeholder, id="prompt-input")
            yield Label("enter to confirm · esc to cancel", id="prompt-hint")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value.strip() or None)

    def on_key(self, event: events.Key) -> None:
        """Keys typed before the input has the focus (a fast typist right after the key that
        opened the prompt, a loaded machine) go into it, never to the player's keys behind."""
        try:
            field = self.query_one("#prompt-input", Input)
        except NoMatches:
            return
        if self.focused is field or event.key in ("escape", "tab"):
            return
        field.focus()
        if event.key == "enter":
            self.dismiss(field.value.strip() or None)
        elif event.key == "backspace":
            field.action_delete_left()
        elif event.key == "ctrl+u":
            field.action_delete_left_all()
        elif event.is_printable and event.character:
            field.insert_text_at_cursor(event.character)
        event.stop()
        event.prevent_default()

    def action_cancel(self) -> None:
        self.dismiss(None)


class PathPromptScreen(PromptScreen):
    """A prompt for a file or folder path: `tab` completes it (``musitui.path_complete``);
    when several names match, the hint lists them."""

    BINDINGS = [Binding("tab", "complete", "Complete the path", show=False, priority=True)]
    HINT = "tab completes the path · enter to confirm · esc to cancel"

    def on_mount(self) -> None:
        self.query_one("#prompt-hint", Label).update(self.HINT)

    def action_complete(self) -> None:
        from musitui.path_complete import complete_path

        field = self.query_one("#prompt-input", Input)
        done = complete_path(field.value)
        field.value = done.text
        field.cursor_position = len(done.text)
        hint = self.query_one("#prompt-hint", Label)
        if len(done.matches) > 1:
            hint.update(Text(printable("  ".join(done.matches)), overflow="ellipsis"))
        elif not done.matches:
            hint.update(Text("no match · " + self.HINT))
        else:
            hint.update(self.HINT)
