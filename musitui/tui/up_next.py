"""The Up next panel, in play order: user-queued tracks first, then the recommended tail.

Each row: number, title · artist and a label (``you`` = queued by you, ``explore`` = an
exploration slot), then its reason. The selected row shows its whole reason, wrapped over
as many lines as it needs (up to MAX_DETAIL_LINES). Rows that moved up or arrived in the last
rerank are highlighted for a moment, so a skip or a mood change visibly reorders the list.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Container
from typing import TYPE_CHECKING

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

if TYPE_CHECKING:
    from musitui.core.queue import QueueItem

HIGHLIGHT_SECONDS = 1.5
MAX_DETAIL_LINES = 6
EXPLORE_PREFIX = "exploring"  # musitui.recommend.reasons.EXPLORE_LABEL


def label_of(item: QueueItem) -> str:
    """The short label at the end of a row: who put it there, or that it explores."""
    if item.user_queued:
        return "you"
    if (item.reason or "").startswith(EXPLORE_PREFIX):
        return "explore"
    return ""


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
        self.items: list[QueueItem] = []
        self.empty_text = "Nothing queued yet."
        self.moved: dict[int, float] = {}  # track id -> when its highlight ends
        self.show_reasons = True
        self.marks: Container[int] = ()  # marked track ids (musitui.tui.marks), shown with ●
        self.cursor_moved: Callable[[int], None] | None = None

    @property
    def lines_per_item(self) -> int:
        return 2 if self.show_reasons else 1

    def _reason_of(self, item: QueueItem) -> str:
        return item.reason or ("queued by you" if item.user_queued else "")

    def _detail_lines(self) -> list[str]:
        """The selected row's whole reason, wrapped."""
        if not 0 <= self.cursor < len(self.items):
            return []
        width = max(8, self.scrollable_content_region.width - 4)
        lines = wrap_lines(self._reason_of(self.items[self.cursor]), width)
        return lines[:MAX_DETAIL_LINES]

    def _cursor_height(self) -> int:
        return max(self.lines_per_item, 1 + len(self._detail_lines()))

    def _total_lines(self) -> int:
        if not self.items:
            return 0
        return len(self.items) * self.lines_per_item + self._cursor_height() - self.lines_per_item

    def _top_of(self, index: int) -> int:
        per = self.lines_per_item
        return index * per + (self._cursor_height() - per if index > self.cursor else 0)

    def _locate(self, line: int) -> tuple[int, int]:
        """(item index, line within the item) of a content line."""
        per = self.lines_per_item
        top = self.cursor * per
        height = self._cursor_height()
        if line < top:
            return divmod(line, per)
        if line < top + height:
            return self.cursor, line - top
        return divmod(line - height + per, per)

    def set_items(self, items: list[QueueItem], *, highlight: bool = True) -> None:
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
        self.virtual_size = Size(0, self._total_lines())
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
        index, sub = self._locate(line)
        if index >= len(self.items):
            return Strip.blank(width, base)
        item = self.items[index]
        extra = Style()
        if item.track.id in self.moved:
            extra += self.get_component_rich_style("up-next--moved")
        if index == self.cursor:
            name = "up-next--cursor" if self.has_focus else "up-next--cursor-blur"
            extra += self.get_component_rich_style(name)
        if sub >= 1:
            reason_style = base + self.get_component_rich_style("up-next--reason") + extra
            if index == self.cursor:
                details = self._detail_lines()
                text = details[sub - 1] if sub - 1 < len(details) else ""
            else:
                text = self._reason_of(item)
            return Strip([Segment(fit("    " + text, width), reason_style)], width)
        number = f"{index + 1:>2}" + ("●" if item.track.id in self.marks else " ")
        score = label_of(item)
        score_style = (base + self.get_component_rich_style("up-next--queued")
                       if item.user_queued else dim)
        title = display_title(item.track)
        artist = item.track.artist
        text_w = max(1, width - len(number) - len(score) - 1)
        label = f"{title} · {artist}" if artist else title
        return Strip([Segment(number, dim + extra),
                      Segment(fit(label, text_w) + " ", base + extra),
                      Segment(score, score_style + extra)], width)

    def watch_cursor(self, old: int, new: int) -> None:
        self.virtual_size = Size(0, self._total_lines())
        height = max(1, self.scrollable_content_region.height)
        top = self.scroll_offset.y
        start = self._top_of(new)
        end = start + self._cursor_height()
        if start < top:
            self.scroll_to(y=start, animate=False, immediate=True)
        elif end > top + height:
            self.scroll_to(y=max(start, end - height), animate=False, immediate=True)
        self.refresh()
        if self.cursor_moved is not None and old != new:
            self.cursor_moved(new)

    def action_cursor(self, delta: int) -> None:
        if self.items:
            self.cursor = max(0, min(len(self.items) - 1, self.cursor + delta))

    def action_jump(self, where: int) -> None:
        if self.items:
            self.cursor = 0 if where == 0 else len(self.items) - 1

    def on_resize(self, event: events.Resize) -> None:
        self.virtual_size = Size(0, self._total_lines())

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()

    def on_click(self, event: events.Click) -> None:
        index, _sub = self._locate(self.scroll_offset.y + event.y)
        if not 0 <= index < len(self.items):
            return
        self.click_row(index, event.chain)
