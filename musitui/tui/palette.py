"""Command palette provider: jump to a track, artist or album; pick a mood; run actions."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from textual.command import DiscoveryHit, Hit, Hits, Provider

from musitui.core.moods import ALL_MOODS
from musitui.text_safety import printable
from musitui.tui.bars import mood_label
from musitui.tui.library_model import SORT_COLUMNS, display_title

if TYPE_CHECKING:
    from musitui.tui.app import MusituiApp

MAX_TRACK_HITS = 30
MAX_FILTER_VALUES = 2000  # per field, for "Filter: ..." entries (typed "filter" only)
ACTIONS = [
    ("Play / pause", "play_pause"), ("Next track", "next"), ("Previous track", "previous"),
    ("Not this (skip and push similar down)", "not_this"), ("Search the library", "search"),
    ("Save the queue as M3U8", "save_playlist"), ("Open an M3U/M3U8 playlist", "open_playlist"),
    ("Scan a folder", "scan"), ("Create and open the demo library", "demo"),
    ("Lyrics of the playing track", "lyrics"), ("Describe what you want (prompt)", "prompt"),
    ("Switch tracks / artists view", "toggle_view"), ("Help: all keys", "help"), ("Quit", "quit"),
]


class MusituiCommands(Provider):
    @property
    def _app(self) -> MusituiApp:
        return self.app  # type: ignore[return-value]

    async def discover(self) -> Hits:
        for mood in ALL_MOODS:
            yield DiscoveryHit(f"Mood: {mood}", partial(self._app.action_mood, mood),
                               help=mood_label(mood))
        for label, action in ACTIONS:
            yield DiscoveryHit(label, partial(self._app.run_action, action))
        for label, callback in self._sorts_and_filters():
            yield DiscoveryHit(label, callback)

    def _filter_values(self) -> list[tuple[str, list[str]]]:
        """The library's genres/styles and artists, for "Filter: genre:..." entries."""
        coded = self._app.model.shelf.coded
        genres = [g for g in coded["genre_tag"][1] if g] if "genre_tag" in coded else []
        return [("genre", genres), ("artist", self._app.model.artists())]

    def _sorts_and_filters(self) -> list[tuple[str, object]]:
        """"Sort by: year", "Sort by: year, reversed" and "Filter: mood:calm" entries."""
        app = self._app
        entries: list[tuple[str, object]] = []
        for column in SORT_COLUMNS:
            entries.append((f"Sort by: {column}", partial(app.sort_library, column, False)))
            entries.append((f"Sort by: {column}, reversed", partial(app.sort_library, column, True)))
        for mood in ALL_MOODS[1:]:
            entries.append((f"Filter: mood:{mood}", partial(app.filter_library, f"mood:{mood}")))
        return entries

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        app = self._app
        for mood in ALL_MOODS:
            text = f"Mood: {mood}"
            score = matcher.match(text)
            if score > 0:
                yield Hit(score, matcher.highlight(text), partial(app.action_mood, mood),
                          help=mood_label(mood))
        for label, action in ACTIONS:
            score = matcher.match(label)
            if score > 0:
                yield Hit(score, matcher.highlight(label), partial(app.run_action, action))
        for label, callback in self._sorts_and_filters():
            score = matcher.match(label)
            if score > 0:
                yield Hit(score, matcher.highlight(label), callback)
        if "filter" in query.lower():
            for field, values in self._filter_values():
                for value in values[:MAX_FILTER_VALUES]:
                    text = f'Filter: {field}:"{value}"'
                    score = matcher.match(text)
                    if score > 0:
                        yield Hit(score, matcher.highlight(text),
                                  partial(app.filter_library, f'{field}:"{value}"'))
        for artist in app.model.artists():
            text = printable(f"Artist: {artist}")
            score = matcher.match(text)
            if score > 0:
                yield Hit(score, matcher.highlight(text), partial(app.jump_to_group, artist))
        for artist, album in app.model.albums():
            text = printable(f"Album: {album} — {artist}")
            score = matcher.match(text)
            if score > 0:
                yield Hit(score, matcher.highlight(text), partial(app.jump_to_group, artist, album))
        # Tracks: the library's own fast index narrows 50k tracks before the fuzzy matcher.
        index = app.model.index
        positions = (index.search(query) or []) if index.ready else []
        for position in positions[:MAX_TRACK_HITS]:
            track = app.model.track_for_position(position)
            if track is None:
                continue
            text = printable(f"Track: {display_title(track)} — {track.artist}")
            score = max(matcher.match(text), 0.1)
            yield Hit(score, matcher.highlight(text), partial(app.jump_to_track, track.id),
                      help=printable(track.album))
