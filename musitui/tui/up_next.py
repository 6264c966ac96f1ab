"""The Up next panel: user-queued tracks first, then the recommended tail with score and reason.

Rows that moved up or arrived in the last rerank are highlighted for a moment, so a skip or a
mood change visibly reorders the list.
"""

from __future__ import annotations

import time
from typing import Any

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from musitui.tui.clicks import ClickToPlay
from musitui.tui.library_model import display_title
from musitui.tui.text import fit, wrap_lines

HIGHLIGHT_SECONDS = 1.5


class UpNextView(ClickToPlay, ScrollView, can_focus=True):
    DEFAULT_CSS = """
    UpNextView { height: 1fr; }
    """
    BINDINGS = [
        Binding("up,k", "cursor(-1)", "Up", show=False),
        Binding("down,j", "cursor(1)", "Down", show=False),
        Binding("home,g", "jump(0)", "Top", show=False),
        Binding("end,G", "jump(-1)", "Bottom", show=False),
    ]
    COMPONENT_CLASSES = {"up-next--cursor", "up-next--cursor-blur", "up-next--dim",
                         "up-next--queued", "up-next--moved", "up-next--reason"}

    cursor = reactive(0, always_update=True, repaint=False)

    class Activated(Message):
        def __init__(self, index: int) -> None:
            super().__init__()
            self.index = index

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.items: list[Any] = []
        self.empty_text = "Nothing queued yet."
        self.moved: dict[int, float] = {}  # track id -> when its highlight ends
        self.show_reasons = True

    @property
    def lines_per_item(self) -> int:
        return 2 if self.show_reasons else 1

    def set_items(self, items: list[Any], *, highlight: bool = True) -> None:
        old_positions = {item.track.id: i for i, item in enumerate(self.items)}
        now = time.monotonic()
        if highlight and self.items:
            for i, item in enumerate(items):
                before = old_positions.get(item.track.id)
                if before is None or before > i:
                    self.moved[item.track.id] = now + HIGHLIGHT_SECONDS
        self.moved = {k: v for k, v in self.moved.items() if v > now}
        self.items = list(items)
        self.cursor = min(self.cursor, max(0, len(self.items) - 1))
        self.virtual_size = Size(0, len(self.items) * self.lines_per_item)
        if self.moved:
            self.set_timer(HIGHLIGHT_SECONDS + 0.05, self._expire_highlight)
        self.refresh()

    def clear_highlight(self) -> None:
        self.moved.clear()
        self.refresh()

    def _expire_highlight(self) -> None:
        now = time.monotonic()
        self.moved = {k: v for k, v in self.moved.items() if v > now}
        self.refresh()

    def selected_index(self) -> int | None:
        return self.cursor if 0 <= self.cursor < len(self.items) else None

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        base = self.rich_style
        dim = base + self.get_component_rich_style("up-next--dim")
        if not self.items:
            lines = wrap_lines(self.empty_text, width - 4)
            text = lines[y - 1] if 1 <= y <= len(lines) else ""
            return Strip([Segment(fit("  " + text, width), dim)], width)
        line = self.scroll_offset.y + y
        index, sub = divmod(line, self.lines_per_item)
        if index >= len(self.items):
            return Strip.blank(width, base)
        item = self.items[index]
        extra = Style()
        if item.track.id in self.moved:
            extra += self.get_component_rich_style("up-next--moved")
        if index == self.cursor:
            name = "up-next--cursor" if self.has_focus else "up-next--cursor-blur"
            extra += self.get_component_rich_style(name)
        if sub == 1:
            reason = item.reason or ("queued by you" if item.user_queued else "")
            reason_style = base + self.get_component_rich_style("up-next--reason") + extra
            return Strip([Segment(fit("    " + reason, width), reason_style)], width)
        number = f"{index + 1:>2} "
        if item.user_queued:
            score = "  you"
            score_style = base + self.get_component_rich_style("up-next--queued")
        else:
            score = f"{item.score:5.2f}"
            score_style = dim
        title = display_title(item.track)
        artist = item.track.artist
        text_w = max(1, width - len(number) - len(score) - 1)
        label = f"{title} · {artist}" if artist else title
        return Strip([Segment(number, dim + extra),
                      Segment(fit(label, text_w) + " ", base + extra),
                      Segment(score, score_style + extra)], width)

    def watch_cursor(self, old: int, new: int) -> None:
        per = self.lines_per_item
        height = max(1, self.scrollable_content_region.height)
        top = self.scroll_offset.y
        if new * per < top:
            self.scroll_to(y=new * per, animate=False, immediate=True)
        elif (new + 1) * per > top + height:
            self.scroll_to(y=(new + 1) * per - height, animate=False, immediate=True)
        self.refresh()

    def action_cursor(self, delta: int) -> None:
        if self.items:
            self.cursor = max(0, min(len(self.items) - 1, self.cursor + delta))

    def action_jump(self, where: int) -> None:
        if self.items:
            self.cursor = 0 if where == 0 else len(self.items) - 1

    def on_resize(self, event: events.Resize) -> None:
        self.virtual_size = Size(0, len(self.items) * self.lines_per_item)

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()

    def on_click(self, event: events.Click) -> None:
        index = (self.scroll_offset.y + event.y) // self.lines_per_item
        if not 0 <= index < len(self.items):
            return
        self.click_row(index, event.chain)
