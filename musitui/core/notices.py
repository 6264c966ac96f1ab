"""What the session tells its shells: changes (to subscribers) and messages (one line each).

``notify("queue", "now_playing")`` calls every subscriber once per change, from whichever
thread the change happened on; a subscriber that raises costs a message, never playback.
``say(text)`` adds a user-facing line (the newest ``MAX_MESSAGES`` are kept) and notifies
"message".
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable

MAX_MESSAGES = 50


class Notices:
    def __init__(self, lock: threading.RLock, messages: Iterable[str] = (), *,
                 on_change: Callable[[tuple[str, ...]], None]) -> None:
        self._lock = lock
        self.messages: list[str] = list(messages)
        self._subscribers: list[Callable[[str], None]] = []
        self._on_change = on_change  # resume's debounced save

    def subscribe(self, callback: Callable[[str], None]) -> None:
        self._subscribers.append(callback)

    def notify(self, *changes: str) -> None:
        self._on_change(changes)
        for change in dict.fromkeys(changes):
            for callback in list(self._subscribers):
                try:
                    callback(change)
                except Exception as exc:  # a broken listener must not break playback
                    self.add(f"a display update failed: {exc}")

    def add(self, text: str) -> None:
        with self._lock:
            self.messages.append(text)
            del self.messages[:-MAX_MESSAGES]

    def say(self, text: str) -> None:
        self.add(text)
        self.notify("message")

    def say_once(self, text: str) -> None:
        """Said once per problem (a full disk fails every write until it is not full)."""
        if not self.messages or self.messages[-1] != text:
            self.say(text)
