"""The listener corrects a track's mood (issue 18): stored, shown, kept across a rescan and a
re-analysis, and tracks that sound like it move with it."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from analysis_helpers import calm_piece, energetic_piece, write
from cli_helpers import musitui

from musitui.analysis.mood import apply_corrections, library_moods, unit_rows
from musitui.core.moods import MOODS
from musitui.paths import Home
from musitui.store.catalog import Catalog
from musitui.store.mood_corrections import MoodCorrections


def moods_of(home: Path) -> dict[str, str]:
    catalog = Catalog.open(Home(home, home))
    return {Path(t.path).name: t.analysis.mood for t in catalog.present() if t.analysis is not None}


def test_a_correction_survives_a_rescan_and_a_reanalysis(tmp_path: Path) -> None:
    music = tmp_path / "music"
    music.mkdir()
    for i in range(3):
        write(music / f"loud-{i}.wav", energetic_piece(8.0) * (0.9 - 0.1 * i))
        write(music / f"soft-{i}.wav", calm_piece(8.0) * (0.5 + 0.1 * i))
    home = tmp_path / "home"
    loud = str(music / "loud-0.wav")

    def run(*args: str) -> str:
        done = musitui(*args, home=home)
        assert done.returncode == 0, done.stderr
        return done.stdout

    run("scan", str(music), "--no-tagger", "--jobs", "1")
    before = moods_of(home)
    target = next(m for m in ("calm", "sad", "happy") if m != before["loud-0.wav"])
    assert target in run("mood", loud, target)
    assert moods_of(home)["loud-0.wav"] == target
    assert f"{target} (corrected by you)" in run("mood", loud)
    assert f'"mood_corrected_by_you": "{target}"' in run("info", loud, "--json")
    # A rescan that finds a new file, then a forced re-analysis: still the listener's word.
    (music / "extra.wav").write_bytes((music / "soft-0.wav").read_bytes())
    run("scan", str(music), "--no-tagger", "--jobs", "1")
    assert moods_of(home)["loud-0.wav"] == target
    run("analyze", "--force", "--no-tagger", "--jobs", "1")
    assert moods_of(home)["loud-0.wav"] == target
    assert MoodCorrections.open(Home(home, home)).moods  # stored
    # auto: the analysis decides again.
    run("mood", loud, "auto")
    assert moods_of(home)["loud-0.wav"] == before["loud-0.wav"]
    assert musitui("mood", loud, "grumpy", home=home).returncode == 2
    missing = musitui("mood", str(music / "nope.wav"), "calm", home=home)
    assert missing.returncode == 1 and "not in the catalog" in missing.stderr


def test_tracks_that_sound_like_a_corrected_one_move_with_it() -> None:
    rng = np.random.default_rng(3)
    centre_a, centre_b = rng.normal(0, 3, 8), rng.normal(0, 3, 8)
    matrix = np.vstack([centre_a + rng.normal(0, 0.3, (5, 8)), centre_b + rng.normal(0, 0.3, (5, 8))])
    valence = np.full(10, 0.6)
    arousal = np.full(10, 0.6)  # all "energetic"-ish
    calm = MOODS["calm"]
    v, a = apply_corrections(valence, arousal, unit_rows(matrix), {0: "calm"})
    assert (v[0], a[0]) == (calm.valence, calm.arousal)
    assert (a[1:5] < 0.6).all() and a[1:5].min() < 0.0  # its neighbours move toward calm ...
    assert np.allclose(a[5:], 0.6)  # ... the tracks that sound nothing like it do not
    _, _, labels = library_moods(matrix, [f"x{i}" for i in range(8)], [""] * 10, corrected={7: "sad"})
    assert labels[7] == "sad"
