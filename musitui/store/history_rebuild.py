"""The history's month shards as the history reads them: checked, rebuilt from, listed.

A shard whose size differs from what the snapshot recorded is parsed to check it; a shard
that does not parse is moved into the backups folder with a message in ``messages``. Without
a usable snapshot every aggregate is rebuilt column-wise from the shards' column files
(``Aggregates.from_columns``), parsing only the shards whose column file is missing or stale:
100k events in about 0.2 s instead of parsing 22 MB of JSON. Nothing is ever silently
started empty.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

from musitui.store.atomic import move_aside
from musitui.store.history_aggregates import Aggregates, EventColumns
from musitui.store.history_shards import (
    ShardDamaged,
    read_shard,
    remove_orphan_columns,
    shard_columns,
    shard_files,
)

T = TypeVar("T")
Event = dict[str, Any]


class ShardSet:
    def __init__(self, folder: Path, backups_dir: Path | None, messages: list[str]) -> None:
        self.folder = folder
        self.backups_dir = backups_dir
        self.messages = messages  # the history's: one line per problem found
        self._reported: set[str] = set()  # shards whose problems were told already

    def sizes(self) -> dict[str, int]:
        return {p.name: p.stat().st_size for p in shard_files(self.folder)}

    def check(self, known_sizes: dict[str, int]) -> bool:
        """Parse the shards the snapshot does not vouch for (``known_sizes``); move damaged
        ones aside. True when the snapshot cannot be trusted (a shard is gone or damaged)."""
        damaged = False
        present = {p.name: p for p in shard_files(self.folder)}
        missing = sorted(set(known_sizes) - set(present))
        if missing:
            self.messages.append(f"history shard(s) missing: {', '.join(missing)}; "
                                 "counts were rebuilt from the events that are left")
            damaged = True
        for name, path in present.items():
            if known_sizes.get(name) == path.stat().st_size:
                continue
            try:
                self._note_bad_records(path, read_shard)
            except ShardDamaged as exc:
                self._move_damaged(path, exc)
                damaged = True
        return damaged

    def rebuild(self) -> Aggregates:
        """Every aggregate again from the shards, reading each month's column file (see
        ``history_shards``) and parsing only the shards without a current one."""
        import numpy as np

        parts: list[EventColumns] = []
        paths: list[Path] = []
        for path, columns in self._readable(shard_columns, shard_files(self.folder)):
            if columns is None:  # events of unusual shape: the one-by-one rebuild
                return self.rebuild_from_events()
            parts.append(columns)
            paths.append(path)
        remove_orphan_columns(self.folder)
        columns_all = EventColumns.concat(parts)
        offsets = np.cumsum([0, *(len(part) for part in parts)])

        def fetch(rows: list[int]) -> list[Event]:
            """The events at ``rows``, read from their shards (the newest few only)."""
            read: dict[int, list[Event]] = {}
            found = []
            for row in rows:
                part = int(np.searchsorted(offsets, row, side="right")) - 1
                if part not in read:
                    read[part] = read_shard(paths[part])
                event = read[part][row - int(offsets[part])]
                if int(event.get("seq", 0)) != int(columns_all.seq[row]):
                    raise ShardDamaged("changed while it was read")
                found.append(event)
            return found

        try:
            return Aggregates.from_columns(columns_all, fetch)
        except (ShardDamaged, FileNotFoundError, IndexError, ValueError, TypeError):
            # Another process compacted meanwhile: parse everything once more.
            return self.rebuild_from_events()

    def rebuild_from_events(self) -> Aggregates:
        return Aggregates.from_events(list(self.events()))

    def events(self, newest_first: bool = False) -> Iterator[Event]:
        """Every readable event of the shards, oldest (or newest) first."""
        files = shard_files(self.folder)
        if newest_first:
            files.reverse()
        for _path, events in self._readable(read_shard, files):
            events.sort(key=lambda e: int(e.get("seq", 0)), reverse=newest_first)
            yield from events

    def _readable(self, read: Callable[[Path, list[str]], T],
                  files: list[Path]) -> Iterator[tuple[Path, T]]:
        """``read(path)`` of each shard; a damaged one is moved aside (with a message) and
        skipped, one that vanished meanwhile is skipped."""
        for path in files:
            try:
                yield path, self._note_bad_records(path, read)
            except ShardDamaged as exc:
                self._move_damaged(path, exc)
            except FileNotFoundError:
                continue

    def _note_bad_records(self, path: Path, read: Callable[[Path, list[str]], T]) -> T:
        """``read(path, problems)``, saying once per shard how many records it left out."""
        problems: list[str] = []
        result = read(path, problems)
        if problems and path.name not in self._reported:
            self._reported.add(path.name)
            self.messages.append(f"history file {path.name}: skipped {len(problems)} unreadable "
                                 f"event(s) ({problems[0]}); the rest loaded")
        return result

    def _move_damaged(self, path: Path, exc: Exception) -> None:
        try:
            backup = move_aside(path, self.backups_dir)
        except OSError as error:
            if path.name not in self._reported:
                self._reported.add(path.name)
                self.messages.append(f"history file {path.name} is damaged ({exc}) and could not "
                                     f"be moved aside ({error.strerror or error}); it was skipped")
            return
        self.messages.append(f"history file {path.name} is damaged ({exc}); it was moved "
                             f"to {backup}; the rest of the history loaded")
