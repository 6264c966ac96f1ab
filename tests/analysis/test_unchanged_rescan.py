"""A rescan that changes nothing leaves the catalog as it was: no summaries recomputed, no
file rewritten (at 100k tracks that step alone cost ~25 s of CPU); a rescan that finds a file
gone recomputes them."""

from __future__ import annotations

from pathlib import Path

import pytest
from analysis_helpers import a_minor, c_major, calm_piece, write

from musitui.analysis import runner
from musitui.analysis.pipeline import scan_analyse_tag
from musitui.paths import resolve_home
from musitui.store.catalog import Catalog

pytestmark = pytest.mark.slow


def test_unchanged_rescan_recomputes_and_writes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "music"
    folder.mkdir()
    write(folder / "calm.flac", calm_piece(6.0))
    write(folder / "major.ogg", 0.5 * c_major(), channels=2)
    gone = write(folder / "minor.wav", 0.5 * a_minor())
    summaries: list[int] = []
    real = runner.update_summaries

    def counted(*args: object, **kwargs: object) -> None:
        summaries.append(1)
        real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(runner, "update_summaries", counted)
    home = resolve_home()
    catalog = Catalog.open(home, write=True)
    try:
        first = scan_analyse_tag(home, catalog, [str(folder)], tag=False, jobs=1)
        assert first.analysis is not None and first.analysis.analyzed == 3
        assert summaries, "the first analysis computes the moods and styles"
        moods = {t.path: t.analysis.mood for t in catalog.tracks.values() if t.analysis}
        assert len(moods) == 3
        written = home.catalog_file.stat()
        summaries.clear()

        again = scan_analyse_tag(home, catalog, [str(folder)], tag=False, jobs=1)
        assert again.scans[0].unchanged == 3 and again.analysis is not None
        assert again.analysis.analyzed == 0 and not again.analysis.errors
        assert summaries == []
        after = home.catalog_file.stat()
        assert (after.st_ino, after.st_mtime_ns) == (written.st_ino, written.st_mtime_ns)
        assert {t.path: t.analysis.mood for t in catalog.tracks.values() if t.analysis} == moods

        gone.unlink()
        third = scan_analyse_tag(home, catalog, [str(folder)], tag=False, jobs=1)
        assert third.scans[0].newly_missing == 1
        assert summaries == [1], "a library that changed is summarised again"
    finally:
        catalog.close()
    reopened = Catalog.open(home)
    assert [t.missing for t in sorted(reopened.tracks.values(), key=lambda t: t.path)] == [False, False, True]
