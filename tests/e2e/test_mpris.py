"""The MPRIS adapter on a private session bus: remote calls run the session's own methods,
properties read the session, and changes are announced (PropertiesChanged)."""

from __future__ import annotations

import asyncio
import os
import shutil
from pathlib import Path

import pytest
from test_e2e_mpris import SessionBus
from tui_helpers import Opener, build_world

pytestmark = [pytest.mark.dbus, pytest.mark.skipif(shutil.which("dbus-run-session") is None,
                                                   reason="needs dbus-run-session")]
PLAYER = "org.mpris.MediaPlayer2.Player"


@pytest.fixture
def bus_address(monkeypatch):
    bus = SessionBus()
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", bus.address)
    yield bus.address
    bus.close()


def playing_id(session) -> int | None:
    """The playing track's id; None between tracks (a hand-over leaves a moment with none)."""
    track = session.now_playing
    return None if track is None else track.id


async def until(condition, timeout: float = 10.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        assert loop.time() < deadline, "timed out"
        await asyncio.sleep(0.02)


def test_remote_control_runs_the_session(tmp_path: Path, bus_address: str, tui: Opener) -> None:
    from dbus_fast.aio import MessageBus

    from musitui.library.demo_art import cover_image
    from musitui.mpris import start_mpris
    from musitui.mpris.service import BUS_NAME, OBJECT_PATH

    world = build_world(tmp_path, seconds=30.0)
    (world.music / "Still Water" / "Quiet Hours" / "cover.png").write_bytes(cover_image("calm"))
    session, _ = tui.session(world, device="null")

    async def scenario() -> None:
        service = await start_mpris(session, world.home.data_dir)
        assert service.problem is None and service.bus_name == BUS_NAME
        client = await MessageBus().connect()
        introspection = await client.introspect(BUS_NAME, OBJECT_PATH)
        proxy = client.get_proxy_object(BUS_NAME, OBJECT_PATH, introspection)
        player = proxy.get_interface(PLAYER)
        props = proxy.get_interface("org.freedesktop.DBus.Properties")
        changes: list[dict] = []
        seeks: list[int] = []
        player.on_seeked(seeks.append)
        props.on_properties_changed(lambda iface, changed, _inv: changes.append(
            {k: v.value for k, v in changed.items()}))

        assert await player.get_playback_status() == "Stopped"
        assert await player.get_can_go_next() is True
        head = session.up_next[0].track
        await player.call_play_pause()
        await until(lambda: any(c.get("PlaybackStatus") == "Playing" for c in changes))
        assert session.now_playing.id == head.id
        meta = await player.get_metadata()
        assert meta["mpris:trackid"].value == f"/org/musitui/track/{head.id}"
        assert meta["xesam:title"].value == head.title
        assert meta["xesam:artist"].value == [head.artist]
        assert meta["xesam:album"].value == head.album
        assert meta["mpris:length"].value == pytest.approx(head.duration * 1e6, rel=0.01)

        # Next is the n key's session.next(): the head of Up next plays, the early stop is a skip
        following = session.up_next[0].track
        await player.call_next()
        await until(lambda: playing_id(session) == following.id)
        assert head.id in [track_id for track_id, _ in session.skipped]
        await until(lambda: any(c.get("Metadata", {}).get("xesam:title") is not None
                                and c["Metadata"]["xesam:title"].value == following.title
                                for c in changes))

        # a track with a cover beside it gets a file:// artUrl of the cached picture
        calm = next(t for t in world.catalog.tracks.values() if t.album == "Quiet Hours")
        seeks_before = len(seeks)
        session.play_track(calm.id)

        async def art() -> str:
            found = (await player.get_metadata()).get("mpris:artUrl")
            return found.value if found is not None else ""
        url = ""
        for _ in range(200):
            url = await art()
            if url:
                break
            await asyncio.sleep(0.02)
        assert url.startswith("file://") and Path(url.removeprefix("file://")).is_file()
        assert len(seeks) == seeks_before  # a new track starting at 0 is not a seek

        await player.call_pause()
        await until(lambda: session.paused)
        await player.call_set_position(f"/org/musitui/track/{calm.id}", 5_000_000)
        await until(lambda: abs(session.position - 5.0) < 0.2)
        assert abs(await player.get_position() - 5_000_000) < 200_000
        await player.call_set_position("/org/musitui/track/999999", 1_000_000)  # stale: ignored
        await asyncio.sleep(0.1)
        assert abs(session.position - 5.0) < 0.2

        assert seeks and abs(seeks[-1] - 5_000_000) < 1000  # SetPosition announced Seeked

        # a seek made in the TUI (the session's seek_to, as the → key) is announced too
        session.seek_to(10.0)
        await until(lambda: abs(seeks[-1] - 10_000_000) < 300_000)

        await player.set_volume(0.25)
        await until(lambda: session.volume == 25)
        await until(lambda: any(c.get("Volume") == 0.25 for c in changes))

        await player.call_stop()
        await until(lambda: session.now_playing is None)
        await until(lambda: any(c.get("PlaybackStatus") == "Stopped" for c in changes))
        client.disconnect()
        service.close()

    asyncio.run(scenario())


def test_no_session_bus_means_one_quiet_line(tmp_path: Path, monkeypatch, caplog,
                                             tui: Opener) -> None:
    from musitui.mpris import start_mpris

    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", f"unix:path={tmp_path / 'no-bus'}")
    world = build_world(tmp_path, seconds=5.0)
    session, _ = tui.session(world, device="null")
    try:
        with caplog.at_level("INFO", logger="musitui.mpris"):
            service = asyncio.run(start_mpris(session, world.home.data_dir))
        assert service.problem and service.problem.startswith("MPRIS off: no D-Bus session bus")
        assert [r.getMessage() for r in caplog.records] == [service.problem]
        assert session.play_track(session.up_next[0].track.id)  # the player works as before
    finally:
        session.close()
    assert os.environ["DBUS_SESSION_BUS_ADDRESS"].endswith("no-bus")


def test_the_app_without_a_bus_writes_one_line_and_shows_nothing(tmp_path: Path,
                                                                 tui: Opener) -> None:
    from tui_helpers import make_app, run_async, wait_for

    world = build_world(tmp_path, seconds=5.0)  # conftest points D-Bus at a missing socket
    session, config = tui.session(world, device="null")
    assert config.ui.mpris is True
    app = make_app(world, session, config)
    log = world.home.data_dir / "musitui.log"

    @run_async
    async def run() -> None:
        async with app.run_test(size=(120, 40)) as pilot:
            await wait_for(pilot, lambda: getattr(app, "mpris", None) is not None)
            assert not app._notifications  # nothing on screen about it
            session.play_track(session.up_next[0].track.id)  # and the player works as before
            await wait_for(pilot, lambda: session.now_playing is not None)

    try:
        run()
    finally:
        session.close()
    lines = log.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 1 and "MPRIS off: no D-Bus session bus" in lines[0]
