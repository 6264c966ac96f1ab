"""The parallel runner and `musitui analyze`: real worker processes on synthesised files.

The runs happen in a fresh interpreter so that "the parent never imports librosa" is
checked on a process that really did the work.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
from analysis_helpers import a_minor, c_major, calm_piece, energetic_piece, write

from musitui.analysis.version import FEATURE_VERSION
from musitui.paths import resolve_home
from musitui.store.catalog import Catalog
from musitui.store.features import FeatureStore

pytestmark = pytest.mark.slow

SCRIPT = textwrap.dedent("""
    import json, sys
    from musitui.paths import resolve_home
    from musitui.store.catalog import Catalog
    from musitui.analysis.runner import analyze_catalog

    stop_after = int(sys.argv[1])
    home = resolve_home()
    catalog = Catalog.open(home)
    seen = []
    report = analyze_catalog(home, catalog, jobs=int(sys.argv[2]), show_progress=False,
                             should_stop=(lambda: len(seen) >= stop_after) if stop_after else None,
                             on_progress=lambda done, total: seen.append((done, total)))
    print(json.dumps({"analyzed": report.analyzed, "errors": report.errors,
                      "interrupted": report.interrupted, "progress": seen,
                      "librosa_in_parent": any(m.split(".")[0] in ("librosa", "numba")
                                               for m in sys.modules)}))
""")


def run_script(stop_after: int, jobs: int) -> dict:
    out = subprocess.run([sys.executable, "-c", SCRIPT, str(stop_after), str(jobs)],
                         capture_output=True, text=True, timeout=240)
    assert out.returncode == 0, out.stderr[-2000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


def make_library(folder: Path) -> Catalog:
    folder.mkdir()
    files = [
        write(folder / "energetic.wav", energetic_piece(8.0)),
        write(folder / "calm.flac", calm_piece(8.0)),
        write(folder / "major.ogg", 0.5 * c_major(), channels=2),
        write(folder / "minor.wav", 0.5 * a_minor(), sr=44100 // 2),
        write(folder / "silence.wav", np.zeros(22050)),
        write(folder / "one_second.wav", 0.3 * c_major()[:22050]),
    ]
    (folder / "broken.mp3").write_text("this is not audio")
    (folder / "empty.flac").write_bytes(b"")
    catalog = Catalog.open(resolve_home())
    for path in [*files, folder / "broken.mp3", folder / "empty.flac"]:
        catalog.new_track(str(path), genre="Metal" if path.stem == "energetic" else "")
    catalog.save()
    return catalog


def test_interrupt_resume_errors_and_version_bump(tmp_path: Path) -> None:
    make_library(tmp_path / "music")

    first = run_script(stop_after=2, jobs=1)
    assert first["interrupted"] and not first["librosa_in_parent"]
    assert 2 <= first["analyzed"] + len(first["errors"]) < 8
    stored = FeatureStore.open(resolve_home())
    assert len(stored) == first["analyzed"] >= 1   # finished work was saved

    second = run_script(stop_after=0, jobs=2)
    assert not second["interrupted"] and not second["librosa_in_parent"]
    # Only what was missing was analysed; the two broken files are errors with a reason.
    assert first["analyzed"] + second["analyzed"] == 6
    errors = first["errors"] + second["errors"]
    reasons = {Path(e["path"]).name: e["error"] for e in errors}
    assert reasons == {"broken.mp3": "not a recognised audio file (or damaged beyond decoding)",
                       "empty.flac": "empty file (0 bytes)"}
    # No audio decodes in them: they are not tracks any more (errors, until they change).
    catalog = Catalog.open(resolve_home())
    assert {Path(t.path).name for t in catalog if t.missing} == {"broken.mp3", "empty.flac"}
    left = 8 - first["analyzed"] - len(first["errors"])
    assert second["progress"][-1] == [left, left]
    # Known failures of unchanged files are not retried by a plain rerun.
    rerun = run_script(stop_after=0, jobs=1)
    assert rerun["analyzed"] == 0 and rerun["errors"] == [] and rerun["progress"] == []

    catalog = Catalog.open(resolve_home())
    analysed = {Path(t.path).name: t.analysis for t in catalog if t.analysis}
    assert len(analysed) == 6
    for analysis in analysed.values():
        assert analysis.feature_version == FEATURE_VERSION
        assert all(np.isfinite([analysis.tempo, analysis.valence, analysis.arousal]))
        assert -1 <= analysis.valence <= 1 and -1 <= analysis.arousal <= 1 and analysis.mood
    assert analysed["energetic.wav"].arousal > analysed["calm.flac"].arousal
    assert analysed["energetic.wav"].style_source == "tag"
    assert analysed["calm.flac"].style_source == "cluster" and analysed["calm.flac"].style
    assert (analysed["major.ogg"].key, analysed["major.ogg"].mode) == ("C", "major")
    public = next(t for t in catalog if t.path.endswith("major.ogg")).public_dict()
    assert public["analyzed"] and public["key"] == "C" and public["mood"]

    # A store written by an older extractor is stale: everything is analysed again.
    store = FeatureStore.open(resolve_home())
    store.version = FEATURE_VERSION - 1
    store.save()
    # ... through the command line this time.
    third = subprocess.run([sys.executable, "-m", "musitui", "analyze", "--jobs", "2", "--json"],
                           capture_output=True, text=True, timeout=240)
    assert third.returncode == 0, third.stderr[-2000:]
    assert json.loads(third.stdout)["analyzed"] == 6
    assert FeatureStore.open(resolve_home()).version == FEATURE_VERSION
    again = subprocess.run([sys.executable, "-m", "musitui", "analyze", "--json"],
                           capture_output=True, text=True, timeout=60)
    assert json.loads(again.stdout)["total"] == 0  # nothing left to do


def test_analyze_command_on_an_empty_catalog() -> None:
    empty = subprocess.run([sys.executable, "-m", "musitui", "analyze"], capture_output=True,
                           text=True, timeout=60)
    assert empty.returncode == 1 and "scan" in empty.stderr and "Traceback" not in empty.stderr
    bad = subprocess.run([sys.executable, "-m", "musitui", "analyze", "--jobs", "-1"],
                         capture_output=True, text=True, timeout=60)
    assert bad.returncode == 2 and "--jobs" in bad.stderr and "Traceback" not in bad.stderr


# A script *file*: workers import it again (as ``__mp_main__``, the multiprocessing contract
# for the spawn and forkserver methods), so its work sits behind the main guard.
FORKSERVER_SCRIPT = textwrap.dedent("""
    import json, os, sys
    from multiprocessing import forkserver
    from musitui.paths import resolve_home
    from musitui.store.catalog import Catalog
    from musitui.store.features import FeatureStore
    from musitui.analysis.runner import analyze_catalog


    def main():
        print("script ran", file=sys.stderr)
        vectors = {}
        for name, isolate in (("forkserver", False), ("spawn", True)):
            home = resolve_home(os.path.join(sys.argv[1], name))
            catalog = Catalog.open(home)
            for path in sys.argv[2:]:
                catalog.new_track(path)
            catalog.save()
            report = analyze_catalog(home, catalog, jobs=2, show_progress=False, isolate_models=isolate)
            store = FeatureStore.open(home)
            matrix, _ = store.vectors_for([t.id for t in Catalog.open(home)])
            vectors[name] = {"analyzed": report.analyzed, "matrix": matrix.tolist()}
        server = forkserver._forkserver._forkserver_pid
        print(json.dumps({**vectors, "server_stdout": os.readlink(f"/proc/{server}/fd/1"),
                          "server_stderr": os.readlink(f"/proc/{server}/fd/2"),
                          "librosa_in_parent": any(m.split(".")[0] in ("librosa", "numba")
                                                   for m in sys.modules)}))


    if __name__ == "__main__":
        main()
""")


def test_forkserver_workers_match_spawned_ones(tmp_path: Path) -> None:
    """The command line's workers fork from a warmed forkserver; the TUI's are spawned.
    Both must compute the same features, called from a script file; the
    server must not hold the caller's stdout/stderr (a pipe reader would wait for it)."""
    folder = tmp_path / "music"
    folder.mkdir()
    files = [write(folder / "energetic.wav", energetic_piece(6.0)),
             write(folder / "calm.flac", calm_piece(6.0)),
             write(folder / "major.ogg", 0.5 * c_major(), channels=2)]
    script = tmp_path / "run_analysis.py"
    script.write_text(FORKSERVER_SCRIPT)
    out = subprocess.run([sys.executable, str(script), str(tmp_path / "homes"), *map(str, files)],
                         capture_output=True, text=True, timeout=240)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stderr.count("script ran") == 1  # workers did not re-run the script
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["forkserver"]["analyzed"] == result["spawn"]["analyzed"] == 3
    np.testing.assert_allclose(result["forkserver"]["matrix"], result["spawn"]["matrix"], rtol=1e-6)
    assert result["server_stdout"] == result["server_stderr"] == "/dev/null"
    assert not result["librosa_in_parent"]
