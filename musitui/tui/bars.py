"""The always-visible bars: the mood selector (top) and Now playing (bottom)."""

from __future__ import annotations

from dataclasses import dataclass

from rich.cells import cell_len
from rich.text import Text
from textual import events
from textual.message import Message
from textual.widget import Widget

from musitui.core.model import Track
from musitui.core.moods import ALL_MOODS, AUTO, MOODS, mood_colour
from musitui.text_safety import printable
from musitui.tui.library_model import display_title, format_duration
from musitui.tui.text import crop


class MoodBar(Widget):
    """``Mood: ● calm   0 auto  1 happy  2 energetic ...`` plus a status note on the right."""

    DEFAULT_CSS = "MoodBar { height: 1; }"

    class Picked(Message):
        def __init__(self, mood: str) -> None:
            super().__init__()
            self.mood = mood

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.mood = AUTO
        self.effective = ""  # what "auto" currently resolves to, when the session says
        self.prompt = ""  # the words of a prompt in force (it replaces the mood)
        self.status = ""
        self._spans: list[tuple[int, int, str]] = []

    def set_mood(self, mood: str, effective: str = "", prompt: str = "") -> None:
        self.mood, self.effective, self.prompt = mood, effective, prompt
        self.refresh()

    def set_status(self, status: str) -> None:
        status = printable(status)
        if status != self.status:
            self.status = status
            self.refresh()

    def render(self) -> Text:
        text = Text(no_wrap=True, overflow="ellipsis")
        colour = mood_colour(self.mood)
        text.append(" Mood ", style="bold")
        name = self.mood if self.mood != AUTO or not self.effective else f"auto→{self.effective}"
        if self.prompt:
            name = f"“{self.prompt[:30]}” (p)"
        text.append(f" ● {name} ", style=f"bold {colour}")
        text.append(" ")
        self._spans = []
        full = sum(len(m) + 4 for m in ALL_MOODS) + len(self.status) + 2
        wide = self.size.width - len(text) >= full
        for number, mood in enumerate(ALL_MOODS):
            key = "0" if mood == AUTO else str(number)
            label = f" {key} {mood} " if wide else f" {key}{mood[:3]} "
            start = len(text)
            if mood == self.mood:
                text.append(label, style=f"bold reverse {mood_colour(mood)}")
            else:
                text.append(label, style=mood_colour(mood))
            self._spans.append((start, len(text), mood))
        if self.status:
            room = self.size.width - len(text) - 1
            if room > 4:
                status = self.status if len(self.status) <= room else self.status[: room - 1] + "…"
                text.append(" " * (room - len(status)) + status + " ", style="dim")
        return text

    def on_click(self, event: events.Click) -> None:
        for start, end, mood in self._spans:
            if start <= event.x < end:
                self.post_message(self.Picked(mood))
                return


@dataclass
class NowPlayingState:
    track: Track | None = None
    position: float = 0.0
    duration: float = 0.0
    state: str = "stopped"  # "playing", "paused", "stopped"
    volume: int = 80
    muted: bool = False
    mood: str = AUTO
    note: str = ""  # e.g. "no audio device"
    replaygain: str = ""  # e.g. "RG track -6.2 dB", "RG off"
    queue_length: int = 0  # Up next: tracks and their total seconds
    queue_seconds: float = 0.0
    mode: str = "radio"  # the play mode
    notes: str = ""  # the listener's latest note on the track


def stream_text(track: Track) -> str:
    """``flac 44.1 kHz ~905 kb/s`` from what the scan read (the bitrate is the file's average)."""
    parts = [track.codec] if track.codec else []
    if track.sample_rate:
        parts.append(f"{track.sample_rate / 1000:g} kHz")
    if track.size and track.duration and track.duration > 0:
        parts.append(f"~{round(track.size * 8 / track.duration / 1000)} kb/s")
    return " ".join(parts)


def replaygain_text(track: Track, mode: str, preamp_db: float = 0.0) -> str:
    """The gain the player applies to ``track`` (as the session computes it), for the status line."""
    if mode == "off":
        return "RG off"
    gains = track.replaygain or {}
    if not gains:
        return "RG none"  # the session applies nothing, not even the preamp
    key = "album_gain" if mode == "album" and "album_gain" in gains else "track_gain"
    source = key.split("_")[0] if key in gains else "preamp"
    return f"RG {source} {float(gains.get(key, 0.0)) + preamp_db:+.1f} dB"


def status_pieces(s: NowPlayingState) -> list[str]:
    """The status line's pieces, most important first (the last ones go when room is short)."""
    queue = f"queue {s.queue_length}" + (f" · {format_duration(s.queue_seconds)}" if s.queue_seconds else "")
    pieces = [queue, s.mode]
    if s.track is not None:
        stream = stream_text(s.track)
        if stream:
            pieces.append(stream)
        if s.replaygain:
            pieces.append(s.replaygain)
    return pieces


def fit_pieces(pieces: list[str], room: int, separator: str = " · ") -> str:
    """As many whole pieces (in order) as fit in ``room`` columns: a piece is never cut."""
    shown = ""
    for piece in pieces:
        candidate = f"{shown}{separator}{piece}" if shown else piece
        if len(candidate) > room:
            break
        shown = candidate
    return shown


class NowPlaying(Widget):
    DEFAULT_CSS = "NowPlaying { height: 2; }"

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.state = NowPlayingState()

    def update_state(self, state: NowPlayingState) -> None:
        self.state = state
        self.refresh()

    def render(self) -> Text:
        s = self.state
        width = max(20, self.size.width)
        icon = {"playing": "▶", "paused": "‖"}.get(s.state, "■")
        text = Text(no_wrap=True, overflow="ellipsis")
        volume = "muted" if s.muted else f"vol {s.volume}%"
        right = f"  {volume}  ● {s.mood} "
        if s.track is None:
            left = printable(f" {icon} {s.note or 'Nothing playing · enter plays the selected track'}")
            room = max(0, width - cell_len(right))
            shown = crop(left, room)
            text.append(shown + " " * (room - cell_len(shown)), style="bold")
        else:
            title = printable(display_title(s.track))
            rest = f" — {s.track.artist}" + (f" · {s.track.album}" if s.track.album else "")
            words = s.track.analysis.tags if s.track.analysis else ""
            if words:  # the audio tagger's words, "electronic, ambient"
                rest += f" · {words}"
            if s.notes:  # the listener's own note on it
                rest += f" · ✎ {s.notes}"
            # Cells, not characters: a CJK title is twice as wide as its length, and a first
            # line one cell too long wraps and pushes the progress line out of sight.
            rest = printable(rest)
            room = max(0, width - cell_len(right) - 3)
            head = crop(title, room)
            tail = crop(rest, room - cell_len(head))
            text.append(f" {icon} ", style="bold")
            text.append(head, style="bold")
            text.append(tail, style="dim")
            text.append(" " * max(0, room - cell_len(head) - cell_len(tail)))
        text.append(f"  {volume}  ", style="dim")
        text.append(f"● {s.mood} ", style=f"bold {mood_colour(s.mood)}")
        text.append("\n")
        # Playing or paused at (or sought before) the start is 0:00, not "unknown".
        elapsed = (format_duration(s.position) if s.position > 0 else "0:00") if s.track else "--:--"
        total = format_duration(s.duration) if s.track else "--:--"
        if s.track is None:
            elapsed = total = "--:--"
        clock = len(elapsed) + len(total) + 4
        # The status pieces take what the bar (at least a fifth of the line) leaves over.
        status = fit_pieces(status_pieces(s), max(0, width - clock - max(10, width // 5) - 2))
        bar_w = max(4, width - clock - (len(status) + 2 if status else 0))
        frac = 0.0 if not s.duration else max(0.0, min(1.0, s.position / s.duration))
        filled = int(round(bar_w * frac))
        text.append(f" {elapsed} ", style="bold")
        text.append("━" * filled, style=f"bold {mood_colour(s.mood)}")
        text.append("─" * (bar_w - filled), style="dim")
        text.append(f" {total} ", style="bold")
        if status:
            text.append(f" {status} ", style="dim")
        return text


def mood_label(mood: str) -> str:
    found = MOODS.get(mood)
    return f"{mood} ({found.description})" if found else "auto (follows what you finished)"


class PaneTitle(Widget):
    """A one-line pane title. Updating it repaints one line: no layout pass (unlike Label)."""

    DEFAULT_CSS = "PaneTitle { height: 1; }"

    def __init__(self, text: str = "", *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.text = printable(text)

    def update(self, text: str) -> None:
        text = printable(text)
        if text != self.text:
            self.text = text
            self.refresh()

    def render(self) -> Text:
        return Text(self.text, no_wrap=True, overflow="ellipsis")


def short_description(description: str) -> str:
    """A key's footer label: its description up to any parenthesis ("Next (a skip...)" -> "Next")."""
    return description.split(" (")[0].strip()


class KeyHints(Widget):
    """The footer: the shown keys as ``key label`` hints. Only whole hints are drawn (one
    that does not fit is left out, never cut), and help stays when room is short."""

    DEFAULT_CSS = "KeyHints { height: 1; dock: bottom; }"

    class Chosen(Message):
        """A hint was clicked: run the action of that name (``musitui/tui/actions.py``)."""

        def __init__(self, name: str) -> None:
            super().__init__()
            self.name = name

    def __init__(self, hints: list[tuple[str, str, str]], *, id: str | None = None) -> None:
        """``hints``: (key as shown, label, action name) in order."""
        super().__init__(id=id)
        self.hints = hints
        self._spans: list[tuple[int, int, str]] = []

    def shown(self, width: int) -> list[tuple[str, str, str]]:
        """The hints drawn at ``width``: in order while they fit, help kept last if needed."""
        def size(hint: tuple[str, str, str]) -> int:
            return len(hint[0]) + len(hint[1]) + 3  # " key label "

        help_hint = next((h for h in self.hints if h[2] == "help"), None)
        chosen: list[tuple[str, str, str]] = []
        used = 0
        reserve = size(help_hint) if help_hint is not None else 0
        for hint in self.hints:
            if hint is help_hint:
                continue
            if used + size(hint) + reserve > width:
                break
            chosen.append(hint)
            used += size(hint)
        if help_hint is not None and used + reserve <= width:
            at = self.hints.index(help_hint)
            chosen.insert(sum(1 for h in chosen if self.hints.index(h) < at), help_hint)
        return chosen

    def render(self) -> Text:
        text = Text(no_wrap=True, overflow="crop")
        self._spans = []
        for key, label, action in self.shown(self.size.width):
            start = len(text)
            text.append(f" {key} ", style="bold reverse")
            text.append(f"{label} ", style="dim")
            self._spans.append((start, len(text), action))
        return text

    def on_click(self, event: events.Click) -> None:
        for start, end, name in self._spans:
            if start <= event.x < end:
                self.post_message(self.Chosen(name))
                return
