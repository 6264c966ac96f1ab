"""The one way the library is brought up to date: scan the folders, analyse, tag.

``scan_analyse_tag`` is what ``musitui scan``, ``musitui analyze`` and the player's
background job (``musitui.background_job``) run. Each folder is scanned (``library.scan``:
tags read, changed files marked for analysis, gone ones missing); then the first pass
(``runner.analyze_catalog``: every present track without a current analysis, or all with
``force``; a file that failed and has not changed is not retried) and the second
(``tagger_pass.tag_catalog``). After scans that added files, listens a history import kept
aside get the files that now match them. A stop (``should_stop()``, Ctrl-C) or an interrupted step ends
the run after saving what was done; a rerun continues. The caller hears what happens
through ``PipelineEvents`` (the background job turns them into its report lines) and gets
a ``PipelineReport``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from musitui.paths import Home
from musitui.store.catalog import Catalog

if TYPE_CHECKING:
    from musitui.analysis.priority import Priorities
    from musitui.analysis.runner import AnalyzeReport
    from musitui.analysis.tagger_pass import TagReport
    from musitui.library.scan import ScanReport

PassName = Literal["analysis", "tagging"]


class PipelineEvents:
    """What a run tells as it goes; every method does nothing here (override what you need)."""

    def scanning(self, folder: str) -> None:
        """A folder's scan starts."""

    def reading(self, folder: str, done: int, total: int) -> None:
        """Tags read in the folder being scanned (new or changed files)."""

    def folder_scanned(self, report: ScanReport) -> None:
        """One folder is scanned."""

    def all_scanned(self) -> None:
        """Every folder is scanned (the passes follow, if asked for)."""

    def said(self, text: str, problem: bool = False) -> None:
        """A line for the user (``problem``: something went wrong, the run goes on)."""

    def pass_started(self, name: PassName) -> None:
        """The first pass ("analysis") or the second ("tagging") starts."""

    def pass_progress(self, name: PassName, done: int, total: int) -> None:
        """``done`` of the pass's ``total`` tracks are finished."""

    def pass_finished(self, name: PassName, errors: list[dict[str, str]]) -> None:
        """A pass ended; ``errors``: the files it skipped ({"path", "error"})."""


@dataclass
class PipelineReport:
    scans: list[ScanReport] = field(default_factory=list)
    analysis: AnalyzeReport | None = None
    tagging: TagReport | None = None
    stopped: bool = False  # should_stop() said so

    @property
    def interrupted(self) -> bool:
        steps = [*self.scans, self.analysis, self.tagging]
        return self.stopped or any(step is not None and step.interrupted for step in steps)


def scan_analyse_tag(home: Home, catalog: Catalog, folders: Sequence[str] = (), *,
                     analyse: bool = True, tag: bool = True, force: bool = False, jobs: int = 0,
                     follow_symlinks: bool = True, show_progress: bool = False,
                     should_stop: Callable[[], bool] | None = None,
                     events: PipelineEvents | None = None) -> PipelineReport:
    """Scan ``folders`` (none: only the passes), then analyse (``analyse``) and tag (``tag``)
    what needs it. ``jobs``: worker processes for each step (0: the config's, else all cores)."""
    from musitui.library.scan import scan_folder

    told = events or PipelineEvents()
    stopped = should_stop or (lambda: False)
    report = PipelineReport()
    for folder in folders:
        if stopped():
            report.stopped = True
            return report
        told.scanning(folder)
        scan = scan_folder(catalog, folder, jobs=jobs, show_progress=show_progress,
                           should_stop=should_stop, follow_symlinks=follow_symlinks,
                           on_progress=partial(told.reading, folder))
        report.scans.append(scan)
        told.folder_scanned(scan)
        if scan.interrupted:
            return report
    told.all_scanned()
    if any(scan.added for scan in report.scans) and not stopped():
        _match_kept_aside(home, catalog, told)
    if not analyse:
        return report
    from musitui.analysis.priority import priorities_for

    priorities = priorities_for(home, catalog.tracks, folders)  # the listener's tracks first
    _passes(home, catalog, report, told, tag=tag, force=force, jobs=jobs,
            show_progress=show_progress, should_stop=should_stop, priorities=priorities)
    report.stopped = stopped()
    return report


def _passes(home: Home, catalog: Catalog, report: PipelineReport, told: PipelineEvents, *, tag: bool,
            force: bool, jobs: int, show_progress: bool, should_stop: Callable[[], bool] | None,
            priorities: Priorities | None = None) -> None:
    from musitui.analysis.runner import analyze_catalog
    from musitui.analysis.tagger_pass import tag_catalog

    if should_stop is not None and should_stop():
        return
    told.pass_started("analysis")
    # Scanned folders that changed nothing: the summaries made last time still hold.
    changed = not report.scans or any(scan.added or scan.updated or scan.newly_missing
                                      for scan in report.scans)
    analysis = analyze_catalog(home, catalog, jobs=jobs, force=force, show_progress=show_progress,
                               should_stop=should_stop, refresh=changed, priorities=priorities,
                               on_progress=lambda done, total: told.pass_progress("analysis", done, total))
    report.analysis = analysis
    _drop_unplayable(catalog, report.scans, analysis.unplayable)
    told.pass_finished("analysis", analysis.errors)
    if not tag or analysis.interrupted or (should_stop is not None and should_stop()):
        return
    # The second pass, once the library is analysed and ranked: embeddings and tag words.
    told.pass_started("tagging")
    report.tagging = tag_catalog(home, catalog, jobs=jobs, force=force, show_progress=show_progress,
                                 should_stop=should_stop, priorities=priorities,
                                 on_progress=lambda done, total: told.pass_progress("tagging", done, total))
    told.pass_finished("tagging", report.tagging.errors)


def _match_kept_aside(home: Home, catalog: Catalog, told: PipelineEvents) -> None:
    """Listens imported before their files were scanned (``history import``) get them now."""
    from musitui.config import load_config
    from musitui.imports.importer import match_kept_aside
    from musitui.store.history import HistoryError

    try:
        line = match_kept_aside(home, load_config(home), catalog.columns().present())
    except (HistoryError, OSError) as exc:
        told.said(f"could not match the listens kept aside by history imports: {exc}", problem=True)
        return
    if line:
        told.said(line)


def _drop_unplayable(catalog: Catalog, scans: list[ScanReport], unplayable: list[int]) -> None:
    """Files the analysis found to hold no decodable audio are errors, not tracks: the scans'
    counts and warnings leave them out."""
    if not unplayable:
        return
    from musitui.library.scan import is_under

    gone = {catalog.tracks[i].path for i in unplayable}
    for scan in scans:
        inside = {path for path in gone if is_under(path, scan.folder)}
        scan.tracks -= len(inside)
        scan.warnings = [w for w in scan.warnings if w["path"] not in gone]


def skipped_lines(errors: list[dict[str, str]]) -> list[str]:
    """One line per file a scan or a pass skipped: its name and why."""
    return [f"{Path(str(e.get('path', '?'))).name}: {e.get('error') or 'cannot decode'}" for e in errors]
