"""Writing the listener's note on a track: its feel read with the multilingual encoder (slow:
call it off the UI thread), then stored; the session reranks with it."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from musitui.core.model import Track
    from musitui.paths import Home


def write_note(home: Home, track: Track, text: str) -> tuple[bool, str]:
    """Write ``text`` as the note on ``track`` (empty: clear its notes); (written, one line
    saying what was noted or why it was not)."""
    from musitui.store.notes import NoteError, Notes
    from musitui.words.encoder import shared
    from musitui.words.notes import note_feel

    feel = note_feel(text, shared()) if text.strip() else None
    try:
        Notes.open(home).add(track, text, feel)
    except NoteError as exc:
        return False, str(exc)
    name = track.title or track.path
    if not text.strip():
        return True, f"Notes cleared: {name}"
    kind = "a warm note" if (feel or 0) > 0 else "a cold note" if (feel or 0) < 0 else "a note"
    return True, f"Noted ({kind}): {name}"
