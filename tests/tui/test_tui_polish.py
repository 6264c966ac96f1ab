"""Day-one polish seen in a newcomer's run: seeking before the start while paused shows 0:00."""

from __future__ import annotations

from tui_helpers import Opener, World, run_async, wait_for

from musitui.tui.bars import NowPlaying

SIZE = (120, 40)


@run_async
async def test_seeking_before_the_start_while_paused_shows_zero(world: World, tui: Opener) -> None:
    session, app = tui(world)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter")
        await wait_for(pilot, lambda: session.now_playing is not None and session.position > 0.2)
        await pilot.press("space")  # pause
        await wait_for(pilot, lambda: session.paused)
        await pilot.press("left", "left")  # 10 s back from under a second in
        await wait_for(pilot, lambda: session.position == 0)
        await pilot.pause(0.3)
        rendered = str(app.query_one(NowPlaying).render())
        assert " 0:00 " in rendered and "--:--" not in rendered.split("\n")[1][:8], rendered
