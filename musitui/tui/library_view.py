"""The library pane: a virtual list (Textual's Line API) over ``LibraryModel``.

Only the rows on screen are formatted, in ``render_line``; the widget holds no child per track.
"""

from __future__ import annotations

from collections.abc import Callable, Container

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widget import Widget

from musitui.core.model import Track
from musitui.tui.clicks import ClickToPlay
from musitui.tui.library_model import EXTRA_COLUMNS, FLAT, LibraryModel, format_duration
from musitui.tui.text import fit, wrap_lines


def column_widths(width: int, extra: bool) -> tuple[int, int, int, int]:
    """Title, artist, album and extra (sorted-on) column widths of a flat row; the marker (2)
    and the duration (7) take the rest."""
    rest = max(0, width - 2 - 7)
    extra_w = 0
    if extra:
        extra_w = 11 if rest >= 50 else 6 if rest >= 30 else 0
        rest -= extra_w
    if rest < 60:  # narrow: title and artist only
        title_w = max(8, rest * 60 // 100)
        return title_w, max(0, rest - title_w), 0, extra_w
    title_w = max(8, rest * 45 // 100)
    artist_w = max(6, rest * 27 // 100)
    return title_w, artist_w, max(0, rest - title_w - artist_w), extra_w


SORT_LABELS = {"artist": "Artist", "album": "Album", "title": "Title", "year": "Year",
               "genre": "Genre", "duration": "Time", "plays": "Plays",
               "last played": "Last played", "mood": "Mood"}


def header_text(model: LibraryModel, width: int) -> list[tuple[str, bool]]:
    """The column header of the flat list, with ▲/▼ on the sorted column: (text, sorted)."""
    if not model.track_count:
        return [("", False)]
    if model.mode != FLAT and not model.filtered:
        return [(fit("  Artist → album → track   (S sorts the track list)", width), False)]
    arrow = "▼" if model.reverse else "▲"
    sort = model.sort
    title_w, artist_w, album_w, extra_w = column_widths(width, sort in EXTRA_COLUMNS)

    def cell(column: str, cell_width: int, right: bool = False) -> tuple[str, bool]:
        if cell_width <= 0:
            return "", False
        label = SORT_LABELS[column]
        if column == sort:  # the arrow always shows; a long name is cut instead
            label = fit(label, min(len(label), max(1, cell_width - 3))).rstrip() + f" {arrow}"
        text = label.rjust(cell_width - 1) if right else fit(label, cell_width - 1)
        return fit(text, cell_width - 1) + " ", column == sort

    cells = [("  ", False), cell("title", title_w), cell("artist", artist_w), cell("album", album_w)]
    if extra_w:
        cells.append(cell(sort, extra_w))
    cells.append(cell("duration", 7, right=True))
    if sort not in {"title", "artist", "album", "duration"} and not extra_w:
        # Too narrow for the extra column: the sort is still named.
        cells = [(fit(f"  sorted by {sort} {arrow}", width), True)]
    return cells


class LibraryHeader(Widget):
    """The one-line column header above the library list: which column it is sorted by."""

    DEFAULT_CSS = "LibraryHeader { height: 1; }"

    def __init__(self, view: LibraryView, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.view = view
        view.header = self

    def render(self) -> Text:
        width = self.view.scrollable_content_region.width or self.size.width
        text = Text(no_wrap=True, overflow="crop")
        for piece, sorted_on in header_text(self.view.model, width):
            text.append(piece, style="bold" if sorted_on else "dim")
        return text


class LibraryView(ClickToPlay, ScrollView, can_focus=True):
    DEFAULT_CSS = """
    LibraryView { height: 1fr; }
    """
    BINDINGS = [
        Binding("up,k", "cursor(-1)", "Up", show=False),
        Binding("down,j", "cursor(1)", "Down", show=False),
        Binding("pageup", "page(-1)", "Page up", show=False),
        Binding("pagedown", "page(1)", "Page down", show=False),
        Binding("home,g", "jump_top", "Top", show=False),
        Binding("end,G", "jump_bottom", "Bottom", show=False),
    ]
    COMPONENT_CLASSES = {"library-view--cursor", "library-view--group", "library-view--dim",
                         "library-view--playing", "library-view--cursor-blur"}

    cursor = reactive(0, always_update=True, repaint=False)

    class Activated(Message):
        """Enter or a double click on a row."""

        def __init__(self, index: int) -> None:
            super().__init__()
            self.index = index

    def __init__(self, model: LibraryModel, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.model = model
        self.playing_id: int | None = None
        self.empty_text = ""
        self.header: Widget | None = None  # the LibraryHeader, repainted with the rows
        self.marks: Container[int] = ()  # marked track ids (musitui.tui.marks), shown with ●
        self.cursor_moved: Callable[[int], None] | None = None

    # -- data changes ---------------------------------------------------------------
    def refresh_rows(self, keep_track: int | None = None) -> None:
        if keep_track is not None:
            index = self.model.index_of_track(keep_track)
            if index is not None:
                self.cursor = index
        self.virtual_size = Size(0, len(self.model))
        self.cursor = min(self.cursor, max(0, len(self.model) - 1))
        self._scroll_cursor_into_view()
        self.refresh()
        if self.header is not None:
            self.header.refresh()

    def empty_message(self) -> str:
        """What an empty list says: a search that matched nothing says so."""
        model = self.model
        if model.track_count and model.query:
            return f"No tracks match “{model.query}” · esc clears the search"
        return self.empty_text

    def selected_track(self) -> Track | None:
        return self.model.track_at(self.cursor)

    def set_playing(self, track_id: int | None) -> None:
        if track_id != self.playing_id:
            self.playing_id = track_id
            self.refresh()

    # -- drawing --------------------------------------------------------------------
    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        index = self.scroll_offset.y + y
        base = self.rich_style
        if not len(self.model):
            lines = wrap_lines(self.empty_message(), width - 4)
            text = lines[y - 1] if 1 <= y <= len(lines) else ""
            return Strip([Segment(fit("  " + text, width), base + self.get_component_rich_style(
                "library-view--dim"))], width)
        if index >= len(self.model):
            return Strip.blank(width, base)
        row = self.model.row(index)
        extra = Style()
        if row.kind != "track":
            extra += self.get_component_rich_style("library-view--group")
        if row.track_id is not None and row.track_id == self.playing_id:
            extra += self.get_component_rich_style("library-view--playing")
        if index == self.cursor:
            name = "library-view--cursor" if self.has_focus else "library-view--cursor-blur"
            extra += self.get_component_rich_style(name)
        dim = base + self.get_component_rich_style("library-view--dim")
        return Strip([Segment(text, (dim if muted else base) + extra)
                      for text, muted in self._cells(row, width)], width)

    def _cells(self, row, width: int) -> list[tuple[str, bool]]:
        """The row's text pieces, each with whether it is secondary (dimmed) text."""
        playing = row.track_id is not None and row.track_id == self.playing_id
        marker = "▶ " if playing else "● " if row.track_id in self.marks else "  "
        if row.kind == "artist":
            opened = (row.artist,) in self.model.expanded
            return [(fit(f"{'▾' if opened else '▸'} {row.label}", width), False)]
        if row.kind == "album":
            opened = (row.artist, row.album) in self.model.expanded
            return [(fit(f"  {'▾' if opened else '▸'} {row.label}", width), False)]
        duration = format_duration(row.duration)
        if row.depth:  # inside the tree: title only, indented
            number = f"{row.track_no:>2}. " if row.track_no else ""
            left = fit(f"    {marker}{number}{row.label}", max(0, width - 7))
            return [(left, False), (fit(duration.rjust(6), 7), True)]
        title_w, artist_w, album_w, extra_w = column_widths(width, self.model.sort in EXTRA_COLUMNS)
        return [
            (marker, False),
            (fit(row.label, title_w - 1) + " ", False),
            (fit(row.artist, artist_w - 1) + " ", True),
            (fit(row.album, album_w - 1) + " " if album_w else "", True),
            (fit(row.extra, extra_w - 1) + " " if extra_w else "", True),
            (fit(duration.rjust(6), 7), True),
        ]

    # -- movement -------------------------------------------------------------------
    def watch_cursor(self, old: int, new: int) -> None:
        self._scroll_cursor_into_view()
        self.refresh()
        if self.cursor_moved is not None and old != new:
            self.cursor_moved(new)

    def _scroll_cursor_into_view(self) -> None:
        height = max(1, self.scrollable_content_region.height)
        top = self.scroll_offset.y
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False, immediate=True)
        elif self.cursor >= top + height:
            self.scroll_to(y=self.cursor - height + 1, animate=False, immediate=True)

    def _move_to(self, index: int) -> None:
        if len(self.model):
            self.cursor = max(0, min(len(self.model) - 1, index))

    def action_cursor(self, delta: int) -> None:
        self._move_to(self.cursor + delta)

    def action_page(self, direction: int) -> None:
        self._move_to(self.cursor + direction * max(1, self.scrollable_content_region.height - 1))

    def action_jump_top(self) -> None:
        self._move_to(0)

    def action_jump_bottom(self) -> None:
        self._move_to(len(self.model) - 1)

    def on_resize(self, event: events.Resize) -> None:
        self.virtual_size = Size(0, len(self.model))

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()

    def on_click(self, event: events.Click) -> None:
        index = self.scroll_offset.y + event.y
        if not 0 <= index < len(self.model):
            return
        self.click_row(index, event.chain)
