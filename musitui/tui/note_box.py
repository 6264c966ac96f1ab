"""The note box (key `c`): a note on the selected track (library or Up next) or, when none is
selected, the playing one — "perfect for running", "zu laut", "太吵了". The note's feel is
read and the ranking redone on the session thread (the multilingual encoder starts loading in
a daemon thread when the box opens, never on this one)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from musitui.core.model import Track
from musitui.tui.library_view import LibraryView
from musitui.tui.playing import focused_up_next
from musitui.tui.screens import PromptScreen
from musitui.tui.up_next import UpNextView

if TYPE_CHECKING:
    from musitui.tui.app import MusituiApp

PLACEHOLDER = "what you think of it: perfect for running · too loud · 太好听了"


def note_target(app: MusituiApp) -> Track | None:
    """The track a note is about: Up next's or the library's selected track, else the one playing."""
    session = app.attached
    if focused_up_next(app):
        index = app.query_one(UpNextView).selected_index()
        items = list(session.up_next)
        if index is not None and 0 <= index < len(items):
            return items[index].track
    elif isinstance(app.focused, LibraryView):
        track = app.query_one(LibraryView).selected_track()
        if track is not None:
            return track
    return session.now_playing


def open_note_box(app: MusituiApp) -> None:
    from musitui.words.encoder import shared

    track = note_target(app)
    if track is None:
        app.notify("Select or play a track to write a note on it", timeout=3)
        return
    shared().start()
    name = track.title or track.path
    notes = app.attached.notes_on(track.id)
    question = f"A note on {name}" + (f" (now: {notes[-1]})" if notes else "")
    app.push_screen(PromptScreen(question, placeholder=PLACEHOLDER),
                    lambda answer: _answered(app, track, answer))


def _answered(app: MusituiApp, track: Track, answer: str | None) -> None:
    if answer:
        app.run_worker(_write(app, track, answer), group="note")


async def _write(app: MusituiApp, track: Track, text: str) -> None:
    message = await app.in_session(app.attached.add_note, track.id, text)
    if message:
        app.notify(message, timeout=4)
    app.model.set_notes(app.attached.search_words())
    app.rebuilder.start_search_index()
