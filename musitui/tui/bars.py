"""The always-visible bars: the mood selector (top) and Now playing (bottom)."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import events
from textual.message import Message
from textual.widget import Widget

from musitui.model import Track
from musitui.moods import ALL_MOODS, AUTO, MOODS, mood_colour
from musitui.tui.library_model import display_title, format_duration


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
        self.status = ""
        self._spans: list[tuple[int, int, str]] = []

    def set_mood(self, mood: str, effective: str = "") -> None:
        self.mood, self.effective = mood, effective
        self.refresh()

    def set_status(self, status: str) -> None:
        if status != self.status:
            self.status = status
            self.refresh()

    def render(self) -> Text:
        text = Text(no_wrap=True, overflow="ellipsis")
        colour = mood_colour(self.mood)
        text.append(" Mood ", style="bold")
        name = self.mood if self.mood != AUTO or not self.effective else f"auto→{self.effective}"
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
    play_mode: str = "radio"  # the session's play mode (musitui/play_modes.py)


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
        mode = f"{play_mode_label(s.play_mode)}  " if s.play_mode != "radio" else ""
        right = f"  {mode}{volume}  ● {s.mood} "
        if s.track is None:
            left = f" {icon} {s.note or 'Nothing playing · enter plays the selected track'}"
            text.append(left[: max(0, width - len(right))].ljust(max(0, width - len(right))),
                        style="bold")
        else:
            title = display_title(s.track)
            rest = f" — {s.track.artist}" + (f" · {s.track.album}" if s.track.album else "")
            words = getattr(s.track.analysis, "tags", "") if s.track.analysis else ""
            if words:  # the audio tagger's words, "electronic, ambient"
                rest += f" · {words}"
            room = max(0, width - len(right) - 3)
            head = title[:room]
            tail = rest[: max(0, room - len(head))]
            text.append(f" {icon} ", style="bold")
            text.append(head, style="bold")
            text.append(tail, style="dim")
            text.append(" " * max(0, room - len(head) - len(tail)))
        text.append(f"  {mode}{volume}  ", style="dim")
        text.append(f"● {s.mood} ", style=f"bold {mood_colour(s.mood)}")
        text.append("\n")
        elapsed = format_duration(s.position) if s.track else "--:--"
        total = format_duration(s.duration) if s.track else "--:--"
        if s.track is None:
            elapsed = total = "--:--"
        bar_w = max(4, width - len(elapsed) - len(total) - 4)
        frac = 0.0 if not s.duration else max(0.0, min(1.0, s.position / s.duration))
        filled = int(round(bar_w * frac))
        text.append(f" {elapsed} ", style="bold")
        text.append("━" * filled, style=f"bold {mood_colour(s.mood)}")
        text.append("─" * (bar_w - filled), style="dim")
        text.append(f" {total} ", style="bold")
        return text


def play_mode_label(mode: str) -> str:
    return {"in order": "→ in order", "shuffle": "⤮ shuffle", "repeat one": "↻1 repeat one",
            "repeat all": "↻ repeat all"}.get(mode, mode)


def mood_label(mood: str) -> str:
    found = MOODS.get(mood)
    return f"{mood} ({found.description})" if found else "auto (follows what you finished)"


class PaneTitle(Widget):
    """A one-line pane title. Updating it repaints one line: no layout pass (unlike Label)."""

    DEFAULT_CSS = "PaneTitle { height: 1; }"

    def __init__(self, text: str = "", *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.text = text

    def update(self, text: str) -> None:
        if text != self.text:
            self.text = text
            self.refresh()

    def render(self) -> Text:
        return Text(self.text, no_wrap=True, overflow="ellipsis")
