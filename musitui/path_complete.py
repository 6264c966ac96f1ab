"""Shell-like completion of a file path typed in a prompt (`tab` in the player's save, open
and scan prompts): the typed text's last component is completed against its folder's
entries — to the one match (a folder gets a ``/``), or to the matches' common prefix.
``~`` is expanded to look, and kept in the text. Hidden entries are offered only when the
typed part starts with a dot."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

MAX_LISTED = 200  # names kept for the hint (a huge folder is not listed whole)


@dataclass(frozen=True)
class Completion:
    text: str  # the prompt's new text (the typed text when nothing completes)
    matches: list[str]  # the candidate names (folders end with "/"), sorted


def complete_path(text: str) -> Completion:
    head, _, partial = text.rpartition("/")
    typed_folder = head + "/" if _ else ""
    folder = Path(os.path.expanduser(typed_folder or "."))
    try:
        with os.scandir(folder) as found:
            names = []
            for entry in found:
                if not entry.name.startswith(partial):
                    continue
                if entry.name.startswith(".") and not partial.startswith("."):
                    continue
                try:
                    is_dir = entry.is_dir()
                except OSError:
                    is_dir = False
                names.append(entry.name + ("/" if is_dir else ""))
                if len(names) >= MAX_LISTED:
                    break
    except OSError:
        return Completion(text, [])
    names.sort()
    if not names:
        return Completion(text, [])
    if len(names) == 1:
        return Completion(typed_folder + names[0], names)
    common = os.path.commonprefix([name.rstrip("/") for name in names])
    return Completion(typed_folder + max(common, partial, key=len), names)
