"""The playback and queue actions (handlers of the registry in ``musitui/tui/actions.py``):
play, skip, seek, volume, queue, moods and play modes. Each runs its session command on the
session thread (``app.in_session``), never on the event loop.

They run only once the session is attached (``check_action``): ``app.attached`` is it.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from musitui.core.moods import ALL_MOODS
from musitui.tui.library_view import LibraryView
from musitui.tui.playlist_io import queued_message
from musitui.tui.up_next import UpNextView

if TYPE_CHECKING:
    from musitui.tui.app import MusituiApp


def playback_problem(app: MusituiApp) -> str | None:
    """Why nothing can play, in one line (no player, no device), or None."""
    player = app.session.player if app.session is not None else None
    if player is None:
        return "no player could be started."
    if player.available:
        return None
    return player.problem or "no audio device."


def can_play(app: MusituiApp) -> bool:
    problem = playback_problem(app)
    if problem:
        app.notify(f"Cannot play: {problem}", severity="warning", timeout=4)
        return False
    return True


def focused_up_next(app: MusituiApp) -> bool:
    return isinstance(app.focused, UpNextView)


def play_source(app: MusituiApp) -> list[int] | None:
    """Outside radio, the list the mode follows: a search's matches as shown, else []
    (the session then follows the playing track's album). None in radio."""
    if app.attached.play_mode == "radio":
        return None
    model = app.model
    rows = model.track_rows if model.filtered else None
    ids = model.shelf.ids
    return [int(ids[p]) for p in rows] if rows is not None else []


async def activate_library_row(app: MusituiApp, index: int) -> None:
    """Enter or a click on a library row: open a group, or play the track."""
    if app.model.toggle(index):
        app.query_one(LibraryView).refresh_rows()
        return
    track = app.model.track_at(index)
    if track is not None and can_play(app):
        session = app.attached
        source = play_source(app)
        if source is not None:
            await app.in_session(session.set_play_source, source)
        await app.in_session(session.play_track, track.id)


async def play_up_next(app: MusituiApp, index: int) -> None:
    session = app.attached
    items = session.up_next
    if 0 <= index < len(items) and can_play(app):
        item = items[index]
        if item.user_queued:
            await app.in_session(session.remove_from_queue, index)
        await app.in_session(session.play_track, item.track.id)


# -- the registry's handlers --------------------------------------------------------------
async def play_pause(app: MusituiApp) -> None:
    if not can_play(app):
        return
    session = app.attached
    if session.now_playing is None:
        track = app.query_one(LibraryView).selected_track()
        if focused_up_next(app) or track is None:
            if session.up_next:
                await app.in_session(session.play_next_in_queue)
            return
        await app.in_session(session.play_track, track.id)
        return
    await app.in_session(session.toggle_pause)


async def next_track(app: MusituiApp) -> None:
    if can_play(app):
        await app.in_session(app.attached.next)


async def previous_track(app: MusituiApp) -> None:
    if can_play(app):
        await app.in_session(app.attached.previous)


async def seek(app: MusituiApp, seconds: float) -> None:
    if can_play(app) and app.attached.now_playing is not None:
        await app.in_session(app.attached.seek_by, float(seconds))


async def volume(app: MusituiApp, delta: int) -> None:
    await app.in_session(app.attached.change_volume, int(delta))
    app.screen_sync.now_playing()


async def play_selected(app: MusituiApp) -> None:
    if focused_up_next(app):
        index = app.query_one(UpNextView).selected_index()
        if index is not None:
            await play_up_next(app, index)
        return
    await activate_library_row(app, app.query_one(LibraryView).cursor)


async def enqueue(app: MusituiApp) -> None:
    from musitui.tui.playlists_view import shown

    playlists = shown(app)
    if playlists is not None:
        await playlists.enqueue_selected()
        return
    from musitui.tui.marks import queue_marked

    if await queue_marked(app):
        return
    session = app.attached
    if focused_up_next(app):
        index = app.query_one(UpNextView).selected_index()
        if index is not None:
            item = session.up_next[index]
            if not item.user_queued:
                await app.in_session(session.enqueue, item.track.id)
        return
    view = app.query_one(LibraryView)
    tracks = app.model.tracks_at(view.cursor)
    if len(tracks) == 1:
        name = tracks[0].title or Path(tracks[0].path).name
        if await app.in_session(session.enqueue, tracks[0].id):
            app.notify(f"Queued: {name}", timeout=2)
        else:
            app.notify(f"Already queued: {name}", timeout=2)
    elif tracks:  # an album or an artist: never the track playing now
        result = await app.in_session(session.enqueue_many, [t.id for t in tracks])
        if result is not None:
            app.notify(queued_message(result), timeout=3)
    if view.model.track_rows is not None or tracks and len(tracks) == 1:
        view.action_cursor(1)


async def dequeue(app: MusituiApp) -> None:
    session = app.attached
    items = session.up_next
    index: int | None
    if focused_up_next(app):
        index = app.query_one(UpNextView).selected_index()
    else:
        track = app.query_one(LibraryView).selected_track()
        index = next((i for i, item in enumerate(items)
                      if track is not None and item.track.id == track.id and item.user_queued), None)
    if index is None or index >= len(items):
        app.notify("Select a queued track in Up next (tab) to remove it", timeout=3)
        return
    # A recommendation removed is a "not now": the session drops it from the tail.
    await app.in_session(session.remove_from_queue, index)


async def move_in_queue(app: MusituiApp, delta: int) -> None:
    if not focused_up_next(app):
        app.notify("Focus Up next (tab) to move queued tracks", timeout=3)
        return
    session = app.attached
    view = app.query_one(UpNextView)
    index = view.selected_index()
    items = session.up_next
    if index is None or not items[index].user_queued:
        app.notify("Only tracks you queued can be moved", timeout=3)
        return
    queued = sum(1 for item in items if item.user_queued)
    target = index + int(delta)
    if not 0 <= target < queued:
        return
    await app.in_session(session.move_in_queue, index, int(delta))
    view.cursor = target


async def not_this(app: MusituiApp) -> None:
    if app.attached.now_playing is None:
        app.notify("Nothing is playing", timeout=2)
        return
    if can_play(app):
        await app.in_session(app.attached.not_this)


async def set_mood(app: MusituiApp, mood: str) -> None:
    if mood in ALL_MOODS:
        await app.in_session(app.attached.set_mood, mood)


async def cycle_mood(app: MusituiApp) -> None:
    await app.in_session(app.attached.cycle_mood)


async def correct_mood(app: MusituiApp) -> None:
    """The playing track's mood is the next one: the listener's correction, kept across
    rescans and re-analysis; the background job moves similar tracks with it."""
    from musitui.core.mood_fix import correct_mood as keep_correction
    from musitui.core.session import Session

    track = app.attached.now_playing
    session = app.session
    if track is None or app.home is None or not isinstance(session, Session):
        app.notify("Play a track first: this key corrects the playing track's mood", timeout=3)
        return
    mood = await app.in_session(keep_correction, app.home, session, track)
    if mood is None:
        return
    app.notify(f"{track.title or Path(track.path).name}: {mood} (your correction, kept; "
               "similar tracks follow)", timeout=4)
    if app.jobs is not None:
        app.jobs.refresh_moods(app)
    app.reload_library()


async def cycle_play_mode(app: MusituiApp) -> None:
    await app.in_session(app.attached.cycle_play_mode)
    app.notify(f"play mode: {app.attached.play_mode}", timeout=2)
