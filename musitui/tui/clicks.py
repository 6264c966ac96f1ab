"""Mouse clicks on a row list (the library and Up next): what selects and what plays."""

from __future__ import annotations

from typing import Any


class ClickToPlay:
    """For a focusable list widget with ``cursor`` and an ``Activated(index)`` message.

    A first click into the pane only selects; a click on the selected row of the focused
    pane plays it, and so does a double click (once).
    """

    _click_played = False

    def click_row(self: Any, index: int, chain: int) -> None:
        focused = self.has_focus
        self.focus()
        if chain == 1:
            self._click_played = focused and index == self.cursor
            self.cursor = index
            if self._click_played:
                self.post_message(self.Activated(index))
        elif chain == 2 and not self._click_played and index == self.cursor:
            self._click_played = True
            self.post_message(self.Activated(index))
