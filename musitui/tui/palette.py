"""Command palette provider: the registry's actions (``musitui/tui/actions.py``: moods,
playback, files), sorts and filters, and jumps to a track, artist or album."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, cast

from textual.command import DiscoveryHit, Hit, Hits, Provider

from musitui.core.moods import ALL_MOODS
from musitui.text_safety import printable
from musitui.tui.actions import ACTIONS
from musitui.tui.library_model import SORT_COLUMNS, display_title

if TYPE_CHECKING:
    from musitui.tui.app import MusituiApp

MAX_TRACK_HITS = 30
MAX_FILTER_VALUES = 2000  # per field, for "Filter: ..." entries (typed "filter" only)
Entry = tuple[str, Callable[[], object], str]  # label, what it runs, its second line


class MusituiCommands(Provider):
    @property
    def _app(self) -> MusituiApp:
        return cast("MusituiApp", self.app)  # the provider of this app's palette only

    def _actions(self) -> list[Entry]:
        """The registry's palette entries; each runs as its key does (checked the same way)."""
        app = self._app
        return [(action.palette, partial(app.run_action, action.binding), action.palette_help)
                for action in ACTIONS if action.palette is not None]

    async def discover(self) -> Hits:
        for label, callback, help_text in self._actions():
            yield DiscoveryHit(label, callback, help=help_text or None)
        for label, callback in self._sorts_and_filters():
            yield DiscoveryHit(label, callback)

    def _filter_values(self) -> list[tuple[str, list[str]]]:
        """The library's genres/styles and artists, for "Filter: genre:..." entries."""
        coded = self._app.model.shelf.coded
        genres = [g for g in coded["genre_tag"][1] if g] if "genre_tag" in coded else []
        return [("genre", genres), ("artist", self._app.model.artists())]

    def _sorts_and_filters(self) -> list[tuple[str, Callable[[], object]]]:
        """"Sort by: year", "Sort by: year, reversed" and "Filter: mood:calm" entries."""
        app = self._app
        entries: list[tuple[str, Callable[[], object]]] = []
        for column in SORT_COLUMNS:
            entries.append((f"Sort by: {column}", partial(app.sort_library, column, False)))
            entries.append((f"Sort by: {column}, reversed", partial(app.sort_library, column, True)))
        for mood in ALL_MOODS[1:]:
            entries.append((f"Filter: mood:{mood}", partial(app.filter_library, f"mood:{mood}")))
        return entries

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        app = self._app
        for label, callback, help_text in self._actions():
            score = matcher.match(label)
            if score > 0:
                yield Hit(score, matcher.highlight(label), callback, help=help_text or None)
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
