"""MPRIS Play and Pause set the state (sent twice at once, they still leave it playing or
paused), and a Volume of NaN leaves the volume alone, as the player's own rule says."""

from __future__ import annotations

import asyncio
import math
import shutil
from pathlib import Path

import pytest
from test_mpris import PLAYER, bus_address, until  # noqa: F401 - bus_address is a fixture
from tui_helpers import Opener, build_world

pytestmark = pytest.mark.skipif(shutil.which("dbus-run-session") is None,
                                reason="needs dbus-run-session")


def test_play_and_pause_are_idempotent_and_nan_volume_is_ignored(tmp_path: Path, bus_address: str,  # noqa: F811
                                                                 tui: Opener) -> None:
    from dbus_fast.aio import MessageBus

    from musitui.mpris import start_mpris
    from musitui.mpris.service import BUS_NAME, OBJECT_PATH

    world = build_world(tmp_path, seconds=30.0)
    session, _ = tui.session(world, device="null")

    async def scenario() -> None:
        service = await start_mpris(session, world.home.data_dir)
        client = await MessageBus().connect()
        introspection = await client.introspect(BUS_NAME, OBJECT_PATH)
        player = client.get_proxy_object(BUS_NAME, OBJECT_PATH, introspection).get_interface(PLAYER)
        await player.call_play()
        await until(lambda: session.now_playing is not None and not session.paused)
        for _ in range(5):
            await asyncio.gather(player.call_pause(), player.call_pause())
            await until(lambda: session.player.state == "paused")
            assert session.paused
            await asyncio.gather(player.call_play(), player.call_play())
            await until(lambda: session.player.state == "playing")
            assert not session.paused
            await asyncio.gather(player.call_play(), player.call_pause(), player.call_pause())
            await until(lambda: session.player.state == "paused")
            await player.call_play()
            await until(lambda: session.player.state == "playing")
        assert await player.get_playback_status() == "Playing"

        await player.set_volume(0.4)
        await until(lambda: session.volume == 40)
        await player.set_volume(math.nan)
        await asyncio.sleep(0.2)
        assert session.volume == 40  # not 0
        await player.set_volume(7.5)
        await until(lambda: session.volume == 100)
        await player.set_volume(-3.0)
        await until(lambda: session.volume == 0)
        client.disconnect()
        service.close()

    asyncio.run(scenario())
