"""The prompt box (key `p`): "calm but not sad, no metal", "ruhige Klaviermusik, kein Metal",
"来点安静的钢琴曲" reranks Up next by that target (the offline rules and the multilingual
encoder, or the configured local model, in a worker thread; the encoder starts loading in a
daemon thread when the box opens); an empty line clears it.

The answer is asked for on a daemon thread of its own, not a Textual worker: quitting never
waits for it (Textual's thread workers run in the loop's executor, which exit joins), and
nothing the answer does can end the app (a worker's error would, with ``exit_on_error``).
"""

from __future__ import annotations

import itertools
import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from musitui.tui.app import MusituiApp

from textual.widgets import Input

from musitui.text_safety import printable, shorten
from musitui.tui.screens import PromptScreen

QUESTION = "Describe what you want to hear (empty: back to the mood)"
PLACEHOLDER = "calm but not sad, for a rainy evening · hype me up, no metal"


class PromptBox(PromptScreen):
    """Like PromptScreen, but an empty line answers "" (clear) and esc answers None."""

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.prevent_default()  # not PromptScreen's handler too (it would dismiss twice)
        event.stop()
        self.dismiss(event.value.strip())


def open_prompt_box(app: MusituiApp) -> None:
    session = app.session
    if session is None:
        app.notify("The library is still loading", severity="warning")
        return
    from musitui.words.encoder import shared

    # Loads in a daemon thread while the listener types (never on this one).
    shared().start()
    current = session.vibe
    value = current.prompt_text if current is not None else ""
    app.push_screen(PromptBox(QUESTION, value=value, placeholder=PLACEHOLDER),
                    lambda answer: _answered(app, answer))


def _answered(app: MusituiApp, answer: str | None) -> None:
    if answer is None:
        return
    if not answer:
        app.run_in_session(app.attached.set_vibe, None)  # a rerank: not on the event loop
        app.notify("Prompt cleared: Up next follows the mood again", timeout=4)
        return
    # The local model may take seconds: never on the UI thread, and never waited for.
    number = next(_asked)
    _latest[id(app)] = number
    threading.Thread(target=_understand_quietly, args=(app, answer, number), name="prompt",
                     daemon=True).start()


_asked = itertools.count(1)
_latest: dict[int, int] = {}  # id(app) -> the number of the prompt that counts (the last one)


def _understand_quietly(app: MusituiApp, text: str, number: int) -> None:
    try:
        _understand(app, text, number)
    except Exception:  # the app quit meanwhile (call_from_thread refuses), or worse: stay quiet
        return


def _understand(app: MusituiApp, text: str, number: int = 0) -> None:
    from musitui.words.encoder import shared
    from musitui.words.llm_client import understand
    from musitui.words.target import library_words

    session = app.attached
    vibe, notice = understand(text, app.config, encoder=shared(),
                              **library_words(session.catalog.columns().present(), app.home))
    if number and _latest.get(id(app)) != number:
        return  # a newer prompt was asked meanwhile: its answer counts
    vibe.prompt_text = text
    if vibe.empty:
        app.call_from_thread(app.notify, printable(f"Nothing understood in {shorten(text)!r}"),
                             severity="warning", timeout=6)
        return
    session.set_vibe(vibe)
    message = f"Up next: {vibe.explanation} ({vibe.source})"
    app.call_from_thread(app.notify, printable(message if notice is None else f"{notice}\n{message}",
                                               multiline=True), timeout=8)
