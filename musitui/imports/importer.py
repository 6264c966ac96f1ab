"""``musitui history import``: read every history file at a path, match its listens to the
user's files, and add them to the history as finishes and skips at their own times.

Reading and matching write nothing (a Ctrl-C there leaves everything as it was); then the
commit, with Ctrl-C held off until it is done, adds every new event with one write and one
fsync (``History.append_events``) and rewrites the listens kept aside. Listening sessions
come from the gaps between listens (``session_gap_minutes``), so co-play, the counts, the
taste model and ``musitui evaluate`` learn from the import as from listening.
"""

from __future__ import annotations

import contextlib
import signal
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from musitui.config import HistoryConfig
from musitui.imports import lastfm, listenbrainz, scrobbler_log, sources, spotify, unmatched
from musitui.imports.dedupe import KNOWN, Seen
from musitui.imports.listens import NotAHistory, NotUnderstood, Reading, Scrobble
from musitui.imports.matcher import Library, Matcher, credit, listen_key
from musitui.progress import Progress
from musitui.recommend.outcomes import FINISH, SKIP, Ending, Listen, verdict
from musitui.store.history import History, HistoryError

if TYPE_CHECKING:
    from musitui.config import Config
    from musitui.paths import Home
    from musitui.store.catalog_columns import CatalogColumns

READERS: dict[str, Callable[[bytes, str], Reading]] = {
    sources.LISTENBRAINZ: listenbrainz.read, sources.LASTFM: lastfm.read,
    sources.SPOTIFY: spotify.read, sources.SCROBBLER: scrobbler_log.read,
}
TOP_UNMATCHED = 5
ENDINGS: dict[str, Ending] = {e: e for e in ("end", "next", "previous", "quit", "error")}
BIG_FILE = 5_000_000  # bytes: reading it is worth a line


@dataclass
class ImportReport:
    files: int = 0  # files (or ZIP members) understood
    listens: int = 0  # listens read from them
    added: int = 0  # events added to the history
    finishes: int = 0
    skips: int = 0
    duplicates: int = 0  # listens already known (history, kept aside, another file)
    unmatched: int = 0  # new listens kept aside: no file in the library is their song
    unmatched_artists: Counter[str] = field(default_factory=Counter)
    kept_aside: int = 0  # listens kept aside in all, after this import
    matched_later: int = 0  # listens kept aside before that matched a file now
    not_music: int = 0
    no_verdict: int = 0  # Spotify streams that went back, quit or failed: nothing to learn
    private: int = 0  # Spotify streams of private sessions
    bad_dates: int = 0
    first_bad_date: str = ""
    own_files: int = 0  # of ``files``, musitui's own exports
    own_added: int = 0  # events from them
    own_skipped: int = 0
    problems: list[str] = field(default_factory=list)  # one line per file not understood
    passed_over: list[str] = field(default_factory=list)  # in a folder or archive: not histories
    interrupted: bool = False

    def summary(self) -> dict[str, Any]:
        return {"files": self.files, "listens": self.listens, "added": self.added,
                "finishes": self.finishes, "skips": self.skips, "duplicates": self.duplicates,
                "unmatched": self.unmatched, "kept_aside": self.kept_aside,
                "matched_later": self.matched_later, "not_music": self.not_music,
                "no_verdict": self.no_verdict, "private": self.private,
                "bad_dates": self.bad_dates, "own_added": self.own_added,
                "own_skipped": self.own_skipped,
                "top_unmatched_artists": self.unmatched_artists.most_common(TOP_UNMATCHED),
                "problems": self.problems, "passed_over": self.passed_over,
                "interrupted": self.interrupted}

    def lines(self) -> list[str]:
        """What the import did, for the terminal."""
        said = []
        if self.files > self.own_files or self.added:
            said.append(f"imported {self.added} listens from {self.files - self.own_files} "
                        f"file(s) ({self.finishes} finishes, {self.skips} skips)")
        if self.matched_later:
            said.append(f"{self.matched_later} of them were kept aside before and now match a file")
        if self.own_added or self.own_skipped:
            said.append(f"imported {self.own_added} events from musitui export(s)"
                        + (f" ({self.own_skipped} already there)" if self.own_skipped else ""))
        if self.duplicates:
            said.append(f"{self.duplicates} listens were known already (in the history, kept "
                        "aside, or in another file) and were not added again")
        if self.unmatched:
            top = ", ".join(f"{name} ({count})"
                            for name, count in self.unmatched_artists.most_common(TOP_UNMATCHED))
            said.append(f"{self.unmatched} listens match no file in your library; they are kept "
                        f"aside ({self.kept_aside} in all) and matched when a scan brings "
                        f"their files. Most of them: {top}")
        if self.not_music:
            said.append(f"{self.not_music} podcast, audiobook or untitled streams left out "
                        "(not music)")
        if self.passed_over:
            names = ", ".join(self.passed_over[:5]) + (", …" if len(self.passed_over) > 5 else "")
            said.append(f"passed over {len(self.passed_over)} file(s) that are not listening "
                        f"histories ({names})")
        if self.private:
            said.append(f"{self.private} streams of Spotify private sessions left out (they "
                        "were not to shape recommendations)")
        if self.no_verdict:
            said.append(f"{self.no_verdict} streams that ended going back, quitting or failing "
                        "say nothing about the track and were left out")
        if self.bad_dates:
            said.append(f"{self.bad_dates} listens with impossible dates left out "
                        f"(first: {self.first_bad_date})")
        return said


def library_of(columns: CatalogColumns) -> Library:
    """The matcher's view of ``CatalogColumns`` (present tracks)."""
    return Library(ids=columns.ids.tolist(), artists=columns.artist,
                   albumartists=columns.albumartist, titles=columns.title,
                   albums=columns.album, durations=columns.duration.tolist(),
                   paths=columns.path)


@dataclass
class _Read:
    """A listen read from a file, matched (``row``) or not, with its session."""

    listen: Scrobble
    origin: str
    row: int | None
    session: int = 0


class Importer:
    """One import: ``read(path)`` any number of times, then ``commit()`` once."""

    def __init__(self, history: History, library: Library, config: HistoryConfig, *,
                 relink: Callable[[dict[str, Any]], int | None] | None = None,
                 show_progress: bool = False) -> None:
        self.history = history
        self.library = library
        self.matcher = Matcher(library)
        self.config = config
        self.relink = relink
        self.show_progress = show_progress
        self.report = ImportReport()
        self._read: list[_Read] = []
        self._own: list[Path] = []
        self._spellings: dict[str, str] = {}

    # -- reading and matching: nothing is written ------------------------------------------
    def read(self, path: Path) -> None:
        found = sources.files(path)
        progress = Progress("reading", len(found), enabled=self.show_progress and len(found) > 1)
        for file in found:
            if self.show_progress and len(found) == 1:
                _say_reading(file)
            for source in sources.read(file, inside=path.is_dir()):
                self._take(source)
            progress.advance(note=file.name)
        progress.close()

    def _take(self, source: sources.Source | sources.Unreadable) -> None:
        if isinstance(source, sources.Unreadable):
            self.report.problems.append(source.line)
            return
        try:
            kind = sources.kind_of(source)
            if kind == sources.MUSITUI:
                if ":" in source.name and not Path(source.name).exists():
                    raise NotUnderstood("is a musitui export inside an archive: unpack it first")
                self._own.append(Path(source.name))
                self.report.files += 1
                self.report.own_files += 1
                return
            reading = READERS[kind](source.data, source.name)
        except NotUnderstood as exc:
            if isinstance(exc, NotAHistory) and source.inside:
                self.report.passed_over.append(Path(source.name.rpartition(":")[2]).name)
            else:
                self.report.problems.append(sources.about(source.name, str(exc)))
            return
        self.report.files += 1
        self.report.not_music += reading.not_music
        self.report.private += reading.private
        self.report.bad_dates += reading.bad_dates
        self.report.first_bad_date = self.report.first_bad_date or (
            f"{source.name} {reading.first_bad_date}" if reading.first_bad_date else "")
        self.report.listens += len(reading.listens)
        match = self.matcher.match
        self._read.extend(_Read(listen, source.name,
                                match(listen.artist, listen.title, listen.album, listen.duration))
                          for listen in reading.listens)

    # -- the commit ---------------------------------------------------------------------------
    def commit(self) -> ImportReport:
        """Add what was read. A Ctrl-C meanwhile waits until it is done, and is then
        ``report.interrupted``. HistoryError: nothing was added."""
        with _interrupts_held() as caught:
            for own in self._own:
                try:
                    added, skipped = self.history.import_jsonl(own, resolve_track=self.relink)
                except HistoryError as exc:
                    self.report.problems.append(str(exc))
                    self.report.files -= 1
                    self.report.own_files -= 1
                    continue
                self.report.own_added += added
                self.report.own_skipped += skipped
            self._assign_sessions()
            self._store()
        self.report.interrupted = bool(caught)
        return self.report

    def _assign_sessions(self) -> None:
        """Sessions from the gaps: a new one after ``session_gap_minutes`` of silence."""
        gap = self.config.session_gap_minutes * 60.0
        self._read.sort(key=lambda r: r.listen.start)
        session, end = 0, float("-inf")
        for item in self._read:
            listen = item.listen
            if not session or listen.start - end > gap:
                session = int(listen.start)
            item.session = session
            length = listen.heard if listen.heard is not None else (
                self._duration(item.row) or listen.duration or 0.0)
            end = max(end, listen.start + length)

    def _duration(self, row: int | None) -> float:
        return float(self.library.durations[row]) if row is not None else 0.0

    def _store(self) -> None:
        report = self.report
        messages = self.history.messages
        folder = self.history.folder
        kept = unmatched.load(folder, messages, self.history.backups_dir)
        seen = Seen()
        seen.add_history(self.history.events(kinds=["finish", "skip"], newest_first=False))
        aside = Seen()
        events: list[dict[str, Any]] = []
        still: list[tuple[Scrobble, int]] = []
        for listen, session in kept:  # listens kept aside before: matched now?
            row = self.matcher.match(listen.artist, listen.title, listen.album, listen.duration)
            if row is None:
                still.append((listen, session))
                aside.add(listen_key(listen.artist, listen.title), listen.start, KNOWN)
            elif seen.admit(self._song(row), listen.start, KNOWN):
                report.matched_later += self._add(events, listen, row, session)
        for item in self._read:
            listen = item.listen
            if item.row is None:
                if aside.admit(listen_key(listen.artist, listen.title), listen.start, item.origin):
                    still.append((listen, item.session))
                    report.unmatched += 1
                    report.unmatched_artists[self._spelling(listen.artist)] += 1
                else:
                    report.duplicates += 1
            elif seen.admit(self._song(item.row), listen.start, item.origin):
                self._add(events, listen, item.row, item.session)
            else:
                report.duplicates += 1
        events.sort(key=lambda e: e["ts"])
        self._write(events, still, kept)
        report.added += len(events)
        report.finishes += sum(e["kind"] == FINISH for e in events)
        report.skips += sum(e["kind"] == SKIP for e in events)
        report.kept_aside = len(still)

    def _write(self, events: list[dict[str, Any]], still: list[tuple[Scrobble, int]],
               before: list[tuple[Scrobble, int]]) -> None:
        """The listens kept aside, then the events; if the history cannot be written, the
        kept-aside file goes back to what it was and nothing is imported."""
        folder = self.history.folder
        if len(still) != len(before) or still != before:
            try:
                unmatched.save(folder, still)
            except OSError as exc:
                raise HistoryError(f"cannot write {unmatched.path_in(folder)}: "
                                   f"{exc.strerror or exc}; nothing was imported") from exc
        try:
            self.history.append_events(events)
        except HistoryError:
            with contextlib.suppress(OSError):
                unmatched.save(folder, before)
            raise

    def _song(self, row: int) -> tuple[str, str]:
        """What dedupe knows the file's song by (its tags folded, as the history's events)."""
        return listen_key(self.library.artists[row], self.library.titles[row])  # cached

    def _spelling(self, artist: str) -> str:
        """The first spelling met of an artist's name, so that variants count together."""
        key = " ".join(credit(artist)) or artist.strip().casefold()
        return self._spellings.setdefault(key, artist.strip() or "(no artist)")

    def _add(self, events: list[dict[str, Any]], listen: Scrobble, row: int,
             session: int) -> bool:
        """The history event of a listen of the file at ``row`` into ``events``; False (and
        counted) when the listen is no verdict on the track."""
        lib = self.library
        duration = float(lib.durations[row]) or listen.duration or None
        kind, heard = outcome(listen, duration, self.config)
        if kind is None:
            self.report.no_verdict += 1
            return False
        event: dict[str, Any] = {
            "ts": round(listen.start + (heard or 0.0), 3), "kind": kind, "session": session,
            "track_id": int(lib.ids[row]), "path": lib.paths[row], "artist": lib.artists[row],
            "title": lib.titles[row], "source": listen.source}
        if duration:
            event["duration"] = round(duration, 3)
        if heard is not None:
            event["position"] = event["listened"] = round(heard, 3)
        events.append(event)
        return True


def outcome(listen: Scrobble, duration: float | None,
            config: HistoryConfig) -> tuple[str | None, float | None]:
    """(finish, skip or None, seconds heard) of one listen, by ``musitui.recommend.outcomes``'s
    rules: a scrobble is a listen (a finish, heard whole); a skip is one when the source says
    so; a Spotify stream is judged by what was heard and how it ended, as a play in musitui
    would be (going back, quitting, a stream that failed: no verdict, nothing is logged)."""
    if listen.skipped:
        return SKIP, listen.heard
    if listen.heard is None:
        return FINISH, duration
    ending = ENDINGS.get(listen.ending, "next")
    said = verdict(Listen(heard=listen.heard, duration=duration), ending,
                   config.skip_seconds, config.skip_fraction)
    if said is None:
        return None, listen.heard
    return (FINISH if said == FINISH else SKIP), listen.heard


def _say_reading(file: Path) -> None:
    """A big file takes seconds: say what is going on (stderr, like the progress bar)."""
    import sys

    from musitui.text_safety import printable

    with contextlib.suppress(OSError):
        size = file.stat().st_size
        if size >= BIG_FILE:
            print(printable(f"reading {file.name} ({size / 1e6:.0f} MB)…"), file=sys.stderr)


@contextlib.contextmanager
def _interrupts_held() -> Iterator[list[int]]:
    """Ctrl-C during the commit is noted (in the list handed out), not acted on: nothing is
    left half-written. Outside the main thread signals cannot be caught, nor arrive."""
    import threading

    caught: list[int] = []
    if threading.current_thread() is not threading.main_thread():
        yield caught
        return
    previous = signal.signal(signal.SIGINT, lambda signum, frame: caught.append(signum))
    try:
        yield caught
    finally:
        signal.signal(signal.SIGINT, previous)


def match_kept_aside(home: Home, config: Config, columns: CatalogColumns) -> str | None:
    """After a scan: the listens kept aside that now match a file go into the history.
    Returns a line to tell the user, or None (nothing was kept aside, or nothing matched)."""
    if not unmatched.path_in(home.history_dir).exists():
        return None
    history = History.open(home, config)
    try:
        report = Importer(history, library_of(columns), config.history).commit()
    finally:
        history.close()
    if not report.matched_later:
        return None
    return (f"{report.matched_later} listens kept aside from history imports now match files; "
            f"added to the history ({report.kept_aside} still kept aside)")
