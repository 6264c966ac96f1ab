"""On a big library the tracks the listener is likely to meet first are analysed first: the
resumed track's album, then what was played lately, then the folder just opened, then what
was added lately, then the rest by path."""

from __future__ import annotations

import time
from pathlib import Path

from musitui.analysis.priority import Priorities, listener_first, priorities_for
from musitui.core.model import Track
from musitui.paths import Home
from musitui.store.history import History
from musitui.store.state import SessionState, save_state


def track(n: int, path: str, *, album: str = "", artist: str = "A", added_at: float = 0.0,
          track_no: int | None = None) -> Track:
    return Track(id=n, path=path, album=album, artist=artist, added_at=added_at, track_no=track_no)


def test_the_order_puts_the_listeners_tracks_first() -> None:
    now = 1_000_000_000.0
    tracks = [
        track(1, "/m/old/z.flac"),
        track(2, "/m/new/b.flac", added_at=now - 3600),
        track(3, "/m/open/a.flac"),
        track(4, "/m/old/played-long-ago.flac"),
        track(5, "/m/old/played.flac"),
        track(6, "/m/album/02.flac", album="Résumé", artist="X", track_no=2),
        track(7, "/m/album/01.flac", album="resume", artist="x", track_no=1),  # same album, folded
        track(8, "/m/old/played-lately.flac"),
        track(9, "/m/old/a.flac"),
    ]
    hints = Priorities(now_album=("x", "resume"), folders=("/m/open",), now=now,
                       last_played={5: now - 86400 * 2, 8: now - 60, 4: now - 86400 * 90})
    order = [t.id for t in listener_first(tracks, hints)]
    assert order == [7, 6, 8, 5, 3, 2, 9, 4, 1]
    assert [t.id for t in listener_first(tracks, None)] == [t.id for t in tracks]


def test_the_hints_come_from_the_resume_state_and_the_history(tmp_path: Path) -> None:
    home = Home(config_dir=tmp_path, data_dir=tmp_path).ensure()
    tracks = {1: track(1, "/m/a.flac", album="Live", artist="B"), 2: track(2, "/m/b.flac")}
    save_state(home.state_file, SessionState(track_id=1, position=3.0))
    history = History.open(home)
    history.log_listen("finish", tracks[2], position=200.0)
    history.close()
    hints = priorities_for(home, tracks, ["/m"])
    assert hints.now_album == ("b", "live")
    assert set(hints.last_played) == {2} and abs(hints.last_played[2] - time.time()) < 3600
    assert hints.folders == ("/m",)


def test_missing_or_damaged_hints_leave_their_tier_empty(tmp_path: Path) -> None:
    home = Home(config_dir=tmp_path, data_dir=tmp_path).ensure()
    home.state_file.write_text("{not json")
    hints = priorities_for(home, {}, [])
    assert hints.now_album is None and dict(hints.last_played) == {}
