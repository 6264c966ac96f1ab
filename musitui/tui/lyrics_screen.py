"""The lyrics view (key `l`): synced LRC follows playback and highlights the line being
sung; plain lyrics scroll; "no lyrics for this track" otherwise. Nothing is fetched."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Label, Static

from musitui.words.lyrics import Lyrics, lyrics_for

FOLLOW_SECONDS = 0.2
NO_LYRICS = "no lyrics for this track"


class LyricsScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,l,q", "close", "Close")]
    DEFAULT_CSS = """
    LyricsScreen { align: center middle; }
    #lyrics-box { width: 80%; height: 80%; border: round $accent; background: $surface; padding: 0 1; }
    #lyrics-title { text-style: bold; width: 100%; }
    #lyrics-scroll { height: 1fr; }
    #lyrics-hint { color: $text-muted; }
    """

    def __init__(self, session: Any) -> None:
        super().__init__()
        self.session = session
        self.track_id: int | None = None
        self.lyrics: Lyrics | None = None
        self.current: int | None = None
        self.shown = ""  # the text on screen (plain), for tests and screen readers

    def compose(self) -> ComposeResult:
        with Vertical(id="lyrics-box"):
            yield Label("", id="lyrics-title")
            with VerticalScroll(id="lyrics-scroll"):
                yield Static("", id="lyrics-text")
            yield Label("↑ ↓ pgup pgdn scroll · esc / l to close", id="lyrics-hint")

    def on_mount(self) -> None:
        self.query_one("#lyrics-scroll", VerticalScroll).focus()
        self.follow()
        self.set_interval(FOLLOW_SECONDS, self.follow)

    def _load(self, track: Any) -> None:
        self.track_id = None if track is None else track.id
        self.current = None
        title = self.query_one("#lyrics-title", Label)
        if track is None:
            self.lyrics = None
            title.update("Lyrics")
            self.shown = "nothing is playing"
            self.query_one("#lyrics-text", Static).update(self.shown)
            return
        self.lyrics = lyrics_for(track.path, getattr(track, "lyrics", None))
        kind = "" if self.lyrics is None else (" · synced" if self.lyrics.synced else "")
        title.update(Text(f"{track.artist} – {track.title}{kind}"))
        self._show_lines()

    def _show_lines(self) -> None:
        text = self.query_one("#lyrics-text", Static)
        if self.lyrics is None:
            self.shown = NO_LYRICS
            text.update(NO_LYRICS)
            return
        out = Text()
        for i, line in enumerate(self.lyrics.lrc.lines):
            style = "bold reverse" if i == self.current else ("dim" if self.lyrics.synced else "")
            out.append((line or " ") + "\n", style=style)
        self.shown = out.plain
        text.update(out)

    def follow(self) -> None:
        """Reload on a track change; move the highlight to the line at the play position."""
        track = self.session.now_playing
        track_id = None if track is None else track.id
        if track_id != self.track_id or (track is None and self.lyrics is not None):
            self._load(track)
        if self.lyrics is None or not self.lyrics.synced:
            return
        line = self.lyrics.lrc.index_at(float(self.session.position))
        if line != self.current:
            self.current = line
            self._show_lines()
            if line is not None:
                scroll = self.query_one("#lyrics-scroll", VerticalScroll)
                scroll.scroll_to(y=max(0, line - scroll.size.height // 2), animate=False)

    @property
    def current_line(self) -> str | None:
        if self.lyrics is None or self.current is None:
            return None
        return self.lyrics.lrc.lines[self.current]

    def action_close(self) -> None:
        self.dismiss(None)
