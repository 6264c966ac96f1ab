"""The one-line live filter box.

Textual's Input changes its virtual size on every keystroke, which forces a layout of the
whole screen (tens of ms); this box only repaints its own line, so a keystroke costs the
filter plus the visible rows of the list.
"""

from __future__ import annotations

from rich.text import Text
from textual import events
from textual.message import Message
from textual.widget import Widget


class SearchBox(Widget, can_focus=True):
    DEFAULT_CSS = """
    SearchBox { height: 1; padding: 0 1; }
    """

    class Changed(Message):
        def __init__(self, box: SearchBox, value: str) -> None:
            super().__init__()
            self.box = box
            self.value = value

        @property
        def control(self) -> SearchBox:
            return self.box

    class Done(Message):
        """Enter (keep the filter) or escape (clear it) was pressed."""

        def __init__(self, box: SearchBox, keep: bool) -> None:
            super().__init__()
            self.box = box
            self.keep = keep

    def __init__(self, placeholder: str = "", *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.placeholder = placeholder
        self._value = ""

    @property
    def value(self) -> str:
        return self._value

    @value.setter
    def value(self, text: str) -> None:
        if text != self._value:
            self._value = text
            self.refresh()
            self.post_message(self.Changed(self, text))

    def render(self) -> Text:
        text = Text(no_wrap=True, overflow="ellipsis")
        text.append("/ ", style="bold")
        if self._value:
            text.append(self._value)
        elif not self.has_focus:
            text.append(self.placeholder, style="dim")
        if self.has_focus:
            text.append("▏", style="bold")
            if not self._value:
                text.append(self.placeholder, style="dim")
        return text

    def on_key(self, event: events.Key) -> None:
        if event.key == "backspace":
            self.value = self._value[:-1]
        elif event.key == "ctrl+u":
            self.value = ""
        elif event.key in ("enter", "down", "tab"):
            self.post_message(self.Done(self, keep=True))
        elif event.key == "escape":
            self.post_message(self.Done(self, keep=False))
        elif event.is_printable and event.character:
            self.value = self._value + event.character
        else:
            return
        event.stop()
        event.prevent_default()

    def on_paste(self, event: events.Paste) -> None:
        self.value = self._value + " ".join(event.text.split())
        event.stop()

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()
