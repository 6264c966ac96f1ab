"""In the session that analysed the library, the Mood column, the `mood:` filter and the Mood
sort are filled as soon as the analysis results are saved (issue 18): no restart needed."""

from __future__ import annotations

from pathlib import Path

from analysis_helpers import calm_piece, energetic_piece, write
from tui_helpers import (
    Opener,
    app_with_jobs,
    build_world,
    run_async,
    scanned_and_analysed,
    wait_for,
)

from musitui.tui.library_view import LibraryView


@run_async
async def test_new_tracks_get_their_mood_in_the_session_that_analysed_them(tmp_path: Path,
                                                                          tui: Opener) -> None:
    world = build_world(tmp_path, per_artist=1, seconds=6.0)
    new = []
    for n in range(4):  # files the player has never seen: scanned, then analysed, in this run
        piece = energetic_piece(6.0) if n % 2 else calm_piece(6.0)
        new.append(write(world.music / f"fresh {n}.flac", piece * (0.3 + 0.15 * n)))
    session, app, jobs = app_with_jobs(world, tui)
    async with app.run_test(size=(120, 40)) as pilot:
        await scanned_and_analysed(pilot, app, jobs, 8)
        fresh = [world.catalog.by_path(str(p)) for p in new]
        assert all(t is not None and t.analysis is not None for t in fresh)
        fresh_ids = {t.id for t in fresh}
        view = app.query_one(LibraryView)
        # The Mood sort shows each row's mood: the new tracks have theirs.
        app.sort_library("mood", False)
        await wait_for(pilot, lambda: any(view.model.row(i).track_id in fresh_ids
                                          for i in range(len(view.model))))
        moods = {view.model.row(i).track_id: view.model.row(i).extra for i in range(len(view.model))}
        assert all(moods.get(i) for i in fresh_ids), moods
        # ... and the `mood:` filter finds them.
        wanted = fresh[0].analysis.mood
        await pilot.press("slash", *f"mood:{wanted}")
        await pilot.pause()
        shown = {view.model.row(i).track_id for i in range(len(view.model))}
        assert fresh[0].id in shown
        assert all(world.catalog.tracks[t].analysis.mood == wanted for t in shown if t is not None)


@run_async
async def test_one_key_corrects_the_playing_tracks_mood_and_it_is_kept(tmp_path: Path, tui: Opener) -> None:
    from musitui.core.mood_fix import next_correction
    from musitui.paths import Home
    from musitui.store.mood_corrections import MoodCorrections

    world = build_world(tmp_path, per_artist=2, seconds=6.0)
    session, app = tui(world, device="null")
    async with app.run_test(size=(120, 40)) as pilot:
        first = session.up_next[0].track
        await pilot.press("enter")  # play the selected library track
        await wait_for(pilot, lambda: session.now_playing is not None)
        track = session.now_playing
        expected = next_correction(track.analysis.mood)
        await pilot.press("M")
        await wait_for(pilot, lambda: track.analysis.mood == expected)
        assert MoodCorrections.open(Home(world.home.data_dir, world.home.data_dir)).moods == {track.id: expected}
        row = session.lib.row(track.id)
        assert session.lib.arousal[row] == track.analysis.arousal
        await pilot.press("M")  # again: the next mood, still one correction
        await wait_for(pilot, lambda: track.analysis.mood == next_correction(expected))
        assert len(MoodCorrections.open(world.home).moods) == 1
        assert first is not None
