"""Quitting never waits for the local model: the app finishes while a prompt's answer is still
on its way (the answer runs on a daemon thread of its own, not in the loop's executor, which
exit joins), and nothing that answer does can end the app."""

from __future__ import annotations

import threading

import pytest
from tui_helpers import Opener, World, run_async, wait_for

from musitui.words import llm_client


@run_async
async def test_the_app_quits_while_the_model_is_still_answering(world: World, tui: Opener,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    asked = threading.Event()
    answer = threading.Event()
    threads: list[threading.Thread] = []

    def slow_understand(*args: object, **kwargs: object) -> tuple[object, str | None]:
        threads.append(threading.current_thread())
        asked.set()
        answer.wait(30)  # a server dripping a byte a second
        raise RuntimeError("a hostile reply")  # and then worse than an LlmError

    monkeypatch.setattr(llm_client, "understand", slow_understand)
    session, app = tui(world, device=None)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("p")
        await pilot.pause()
        for key in "calm":
            await pilot.press(key)
        await pilot.press("enter")
        await wait_for(pilot, asked.is_set)
        prompt = threads[0]
        # A daemon: the interpreter's exit does not join it (the loop's executor threads,
        # where Textual's thread workers run, are joined: quitting waited 80 s for one).
        assert prompt.daemon
        app.exit(0)
    # The app has finished; the model has not answered yet.
    assert not answer.is_set() and prompt.is_alive()
    answer.set()
    prompt.join(10)
    assert app.return_code == 0
