"""The lyrics view (key `l`): synced LRC follows playback and highlights the line being
sung; plain lyrics scroll; "no lyrics for this track" otherwise. Nothing is fetched.

Reading and parsing the lyrics, and wrapping them to the view's width, happen on a thread:
the UI thread only swaps the finished rows in. The text is drawn line by line
(``LyricsLines.render_line``): a new line being sung repaints the two rows that changed, not
the whole text, so a sidecar of 50,000 stamps costs the UI no more than one of 50. Every
line, and the title, goes through ``printable`` (a lyric may hold escape sequences).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from musitui.core.contracts import SessionControl
    from musitui.core.model import Track

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.geometry import Size
from textual.screen import ModalScreen
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widgets import Label

from musitui.text_safety import printable
from musitui.words.lyrics import Lyrics, lyrics_for

FOLLOW_SECONDS = 0.2
NO_LYRICS = "no lyrics for this track"
CURRENT = Style(bold=True, reverse=True)
SUNG = Style(dim=True)


def wrap_rows(lines: list[str], width: int) -> tuple[list[tuple[int, str]], list[int]]:
    """(rows, first row of each line): ``lines`` made printable and cut into rows of at most
    ``width`` cells (wide CJK characters count two)."""
    width = max(4, width)
    rows: list[tuple[int, str]] = []
    first: list[int] = []
    for index, raw in enumerate(lines):
        first.append(len(rows))
        text = printable(raw) or " "
        if cell_len(text) <= width:
            rows.append((index, text))
            continue
        row: list[str] = []
        used = 0
        for char in text:
            cells = cell_len(char)
            if used + cells > width:
                rows.append((index, "".join(row)))
                row, used = [], 0
            row.append(char)
            used += cells
        rows.append((index, "".join(row)))
    return rows, first


class LyricsLines(ScrollView, can_focus=True):
    """The rows of the lyrics, drawn one line at a time."""

    DEFAULT_CSS = "LyricsLines { height: 1fr; }"
    BINDINGS = [Binding("up", "scroll_up", show=False), Binding("down", "scroll_down", show=False),
                Binding("pageup", "page_up", show=False), Binding("pagedown", "page_down", show=False)]

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.rows: list[tuple[int, str]] = []
        self.first: list[int] = []
        self.synced = False
        self.current: int | None = None

    def show(self, rows: list[tuple[int, str]], first: list[int], synced: bool) -> None:
        self.rows, self.first, self.synced, self.current = rows, first, synced, None
        width = max((cell_len(text) for _, text in rows[:20000]), default=0)
        self.virtual_size = Size(width, len(rows))
        self.scroll_to(y=0, animate=False)
        self.refresh()

    def highlight(self, line: int | None) -> None:
        """Move the highlight: only the rows of the old and the new line are repainted."""
        old, self.current = self.current, line
        for index in (old, line):
            if index is not None and index < len(self.first):
                start = self.first[index]
                end = self.first[index + 1] if index + 1 < len(self.first) else len(self.rows)
                self.refresh_lines(start, end - start)
        if line is not None and line < len(self.first):
            self.scroll_to(y=max(0, self.first[line] - self.size.height // 2), animate=False)

    def render_line(self, y: int) -> Strip:
        row = self.scroll_offset.y + y
        width = self.size.width
        if row >= len(self.rows):
            return Strip.blank(width, self.rich_style)
        index, text = self.rows[row]
        style = CURRENT if index == self.current else (SUNG if self.synced else Style())
        strip = Strip([Segment(text, self.rich_style + style)], cell_len(text))
        return strip.crop_extend(self.scroll_offset.x, self.scroll_offset.x + width, self.rich_style)


class LyricsPanel(Vertical):
    """The lyrics of the playing track: a title, the lines, a hint. It follows playback
    while it is shown: in the full-screen view (``LyricsScreen``) or as a pane beside the
    lists (key `L`), where Now playing and the progress stay in sight."""

    DEFAULT_CSS = """
    LyricsPanel { height: 1fr; }
    LyricsPanel .lyrics-title { text-style: bold; width: 100%; }
    LyricsPanel .lyrics-hint { color: $text-muted; }
    """

    def __init__(self, session_of: Callable[[], SessionControl | None], hint: str, *,
                 id: str | None = None) -> None:
        super().__init__(id=id)
        self.session_of = session_of
        self.hint = hint
        self.track_id: int | None = None
        self.lyrics: Lyrics | None = None
        self.current: int | None = None
        self.shown = ""  # the text on screen (plain), for tests and screen readers
        self._loading = 0  # the number of the newest load: an older one finishing is dropped
        self._width = 0
        self._title = "Lyrics"

    def compose(self) -> ComposeResult:
        yield Label("", classes="lyrics-title")
        yield LyricsLines()
        yield Label(self.hint, classes="lyrics-hint")

    def on_mount(self) -> None:
        self.follow()
        self.set_interval(FOLLOW_SECONDS, self.follow)

    def on_resize(self) -> None:
        lines = self.query_one(LyricsLines)
        # Once loaded (``_width`` set; a load in flight is not replaced), re-wrap to the new width.
        if self._width and lines.size.width and lines.size.width != self._width:
            self._start_load(self.track_id, self.lyrics, None)

    def _start_load(self, track_id: int | None, lyrics: Lyrics | None, track: Track | None) -> None:
        """Read (when ``track`` is given), parse and wrap on a thread; ``_loaded`` swaps in."""
        self._loading += 1
        number, width = self._loading, self.query_one(LyricsLines).size.width or 76
        path = None if track is None else str(track.path)
        stored = None if track is None else track.lyrics

        def work() -> None:
            try:
                found = lyrics if path is None else lyrics_for(path, stored)
                shown = [NO_LYRICS] if found is None else found.lrc.lines
                rows, first = wrap_rows(shown, width)
                self.app.call_from_thread(self._loaded, number, track_id, found, rows, first, width)
            except Exception:  # the app closed meanwhile, or an unreadable file: nothing to show
                return

        threading.Thread(target=work, name="lyrics", daemon=True).start()

    def _loaded(self, number: int, track_id: int | None, lyrics: Lyrics | None,
                rows: list[tuple[int, str]], first: list[int], width: int) -> None:
        if number != self._loading or not self.is_mounted:
            return
        title = self.query_one(".lyrics-title", Label)
        self.track_id, self.lyrics, self.current, self._width = track_id, lyrics, None, width
        self.shown = NO_LYRICS if lyrics is None else "\n".join(printable(line) for line in lyrics.lrc.lines)
        synced = lyrics is not None and lyrics.synced
        title.update(self._title + (" · synced" if synced else ""))
        self.query_one(LyricsLines).show(rows, first, synced)
        self.follow()

    def _load(self, track: Track | None) -> None:
        title = self.query_one(".lyrics-title", Label)
        if track is None:
            self._loading += 1
            self.track_id, self.lyrics, self.current = None, None, None
            title.update("Lyrics")
            self.shown = "nothing is playing"
            self.query_one(LyricsLines).show([(0, self.shown)], [0], False)
            return
        self.track_id = track.id  # asked for: not reloaded on every tick while it loads
        self.lyrics, self._width = None, 0
        self._title = printable(f"{track.artist} – {track.title}")
        title.update(self._title)
        self._start_load(track.id, None, track)

    def follow(self) -> None:
        """Reload on a track change; move the highlight to the line at the play position
        (nothing while hidden)."""
        session = self.session_of()
        if session is None or not self.display:
            return
        track = session.now_playing
        track_id = None if track is None else track.id
        if track_id != self.track_id or (track is None and self.shown != "nothing is playing"):
            self._load(track)
            return
        if self.lyrics is None or not self.lyrics.synced:
            return
        line = self.lyrics.lrc.index_at(float(session.position))
        if line != self.current:
            self.current = line
            self.query_one(LyricsLines).highlight(line)

    @property
    def current_line(self) -> str | None:
        if self.lyrics is None or self.current is None:
            return None
        return printable(self.lyrics.lrc.lines[self.current])



class LyricsScreen(ModalScreen[None]):
    """The full-screen lyrics view (key `l`)."""

    BINDINGS = [Binding("escape,l,q", "close", "Close")]
    DEFAULT_CSS = """
    LyricsScreen { align: center middle; }
    #lyrics-box { width: 80%; height: 80%; border: round $accent; background: $surface; padding: 0 1; }
    """

    def __init__(self, session: SessionControl) -> None:
        super().__init__()
        self.session = session

    def compose(self) -> ComposeResult:
        with Vertical(id="lyrics-box"):
            yield LyricsPanel(lambda: self.session, "↑ ↓ pgup pgdn scroll · esc / l to close")

    def on_mount(self) -> None:
        self.query_one(LyricsLines).focus()

    @property
    def panel(self) -> LyricsPanel:
        return self.query_one(LyricsPanel)

    @property
    def shown(self) -> str:
        return self.panel.shown

    @property
    def lyrics(self) -> Lyrics | None:
        return self.panel.lyrics

    @property
    def current(self) -> int | None:
        return self.panel.current

    @property
    def current_line(self) -> str | None:
        return self.panel.current_line

    def action_close(self) -> None:
        self.dismiss(None)
