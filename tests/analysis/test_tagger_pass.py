"""The tagger's second pass: its cache, resuming, tag words and styles, and the commands."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from analysis_helpers import calm_piece, energetic_piece, write
from cli_helpers import musitui as run_musitui

from musitui.analysis.style import Style, styles_from_tagger
from musitui.analysis.tag_words import (
    TAG_NAMES,
    tag_words,
    tag_words_many,
    top_genre,
    top_genres_many,
)
from musitui.paths import Home, resolve_home
from musitui.store.catalog import Catalog
from musitui.store.tagger_store import TAGGER_VERSION, TaggerStore


def probabilities(**values: float) -> np.ndarray:
    p = np.full(len(TAG_NAMES), 0.01, dtype=np.float32)
    for name, value in values.items():
        p[TAG_NAMES.index(name.replace("_", " "))] = value
    return p


def test_tag_words_merge_duplicates_skip_decades_and_weak_tags() -> None:
    p = probabilities(chillout=0.3, chill=0.6, **{"80s": 0.9}, ambient=0.5, Mellow=0.2, rock=0.05)
    assert tag_words(p) == "chill, ambient, mellow"
    assert tag_words(probabilities(rock=0.05)) == ""
    assert top_genre(probabilities(female_vocalists=0.9, jazz=0.4)) == ("jazz", pytest.approx(0.4))
    rows = np.random.default_rng(1).random((300, len(TAG_NAMES))) ** 4
    rows[0] = p
    assert tag_words_many(rows) == [tag_words(r) for r in rows]  # the vectorised ones agree
    labels, best = top_genres_many(rows)
    assert [(w, round(float(b), 5)) for w, b in zip(labels, best, strict=True)] == \
        [(w, round(b, 5)) for w, b in map(top_genre, rows)]


def test_untagged_tracks_take_the_taggers_genre_word() -> None:
    styles = [Style("Metal", 1.0, "tag"), Style("cluster 1: fast dark", 0.4, "cluster"),
              Style("cluster 2: slow warm", 0.3, "cluster")]
    tags = np.stack([probabilities(rock=0.9), probabilities(ambient=0.7, instrumental=0.9),
                     probabilities(jazz=0.8)])
    out = styles_from_tagger(styles, ["Metal", "", ""], tags, np.array([True, True, False]))
    assert out[0] == styles[0]  # the file's own genre tag wins
    assert out[1] == Style("ambient", 0.7, "tagger")  # a genre word, not "instrumental"
    assert out[2] == styles[2]  # not tagged yet: the cluster stays


def test_store_round_trip_staleness_and_damage(tmp_path: Path) -> None:
    home = Home(tmp_path, tmp_path).ensure()
    store = TaggerStore.open(home)
    rng = np.random.default_rng(0)
    emb, tags = rng.standard_normal((3, 200)), rng.random((3, 50))
    store.put_many([5, 7, 9], emb, tags, [16, 16, 2], [100, 200, 300], [1, 2, 3])
    store.put_many([7], emb[:1] * 0, tags[:1], [4], [201], [2])  # replaced in place
    store.save()
    again = TaggerStore.open(home)
    assert again.ids.tolist() == [5, 7, 9] and again.patches.tolist() == [16, 4, 2]
    got, got_tags, found = again.rows_for([9, 8, 5])
    assert found.tolist() == [True, False, True] and got.dtype == np.float32
    np.testing.assert_allclose(got[0], emb[2], atol=2e-2 * np.abs(emb).max())
    np.testing.assert_allclose(got_tags[2], tags[0], atol=1e-3)
    assert not got[1].any()
    assert again.is_current(5, 100, 1) and not again.is_current(7, 200, 2) and again.is_current(7, 201, 2)
    # Another tagger version: everything is stale, nothing is reported damaged.
    np.savez(home.features_dir / "tagger.npz", ids=again.ids, embedding=again.embedding, tags=again.tags,
             patches=again.patches, size=again.size, mtime_ns=again.mtime_ns, version=TAGGER_VERSION + 1)
    old = TaggerStore.open(home)
    assert len(old) == 0 and old.damaged is None
    # A broken file is moved aside with a reason, and the cache starts empty.
    (home.features_dir / "tagger.npz").write_bytes(b"PK\x03\x04 garbage")
    broken = TaggerStore.open(home)
    assert len(broken) == 0 and broken.damaged is not None and broken.damaged.backup
    assert not (home.features_dir / "tagger.npz").exists()


def make_library(folder: Path) -> None:
    folder.mkdir()
    write(folder / "drums.wav", energetic_piece(10.0))
    write(folder / "pad.flac", calm_piece(10.0))
    write(folder / "pad2.ogg", calm_piece(7.0), channels=2)
    (folder / "broken.mp3").write_text("this is not audio")
    catalog = Catalog.open(resolve_home())
    for path in sorted(folder.iterdir()):
        catalog.new_track(str(path), genre="Metal" if path.stem == "drums" else "",
                          size=path.stat().st_size, mtime_ns=path.stat().st_mtime_ns)
    catalog.save()


def musitui(*args: str) -> subprocess.CompletedProcess[str]:
    out = run_musitui(*args)
    assert "Traceback" not in out.stderr, out.stderr[-2000:]
    return out


@pytest.mark.slow
def test_analyze_runs_both_passes_and_a_rerun_tags_only_what_changed(tmp_path: Path) -> None:
    make_library(tmp_path / "music")
    first = musitui("analyze", "--jobs", "2", "--no-tagger", "--json")
    assert first.returncode == 0 and "tagger" not in json.loads(first.stdout)
    assert not (resolve_home().features_dir / "tagger.npz").exists()

    both = musitui("analyze", "--jobs", "2", "--json")
    assert both.returncode == 0, both.stderr[-2000:]
    report = json.loads(both.stdout)
    assert report["total"] == 0  # the fast pass was done: only the second pass ran
    assert report["tagger"]["tagged"] == 3 and report["tagger"]["errors"] == []  # broken.mp3 never analysed
    store = TaggerStore.open(resolve_home())
    catalog = Catalog.open(resolve_home())
    by_name = {Path(t.path).name: t for t in catalog}
    assert sorted(store.ids.tolist()) == sorted(by_name[n].id for n in ("drums.wav", "pad.flac", "pad2.ogg"))
    for name in ("drums.wav", "pad.flac", "pad2.ogg"):
        analysis = by_name[name].analysis
        assert analysis is not None and analysis.tags and all(w.strip() for w in analysis.tags.split(","))
    assert by_name["drums.wav"].analysis.style_source == "tag"
    assert by_name["pad.flac"].analysis.style_source == "tagger"
    info = json.loads(musitui("info", "--json", str(tmp_path / "music" / "pad.flac")).stdout)
    assert info["tags"] == by_name["pad.flac"].analysis.tags
    text = musitui("info", str(tmp_path / "music" / "pad.flac")).stdout
    assert f"tags  {info['tags']}" in text

    # Nothing changed: nothing to tag. One file rewritten: that one only.
    assert json.loads(musitui("analyze", "--json").stdout)["tagger"]["total"] == 0
    path = tmp_path / "music" / "pad2.ogg"
    write(path, calm_piece(9.0), channels=2)
    catalog = Catalog.open(resolve_home())
    track = catalog.by_path(str(path))
    track.size, track.mtime_ns = path.stat().st_size, path.stat().st_mtime_ns
    catalog.save()
    # Until the tagger has redone it, the changed file shows no stale words.
    assert musitui("analyze", "--no-tagger", "--json").returncode == 0
    stale = Catalog.open(resolve_home()).by_path(str(path)).analysis
    assert stale.tags == "" and stale.style_source != "tagger"
    rerun = json.loads(musitui("analyze", "--json").stdout)["tagger"]
    assert rerun["total"] == 1 and rerun["tagged"] == 1
    assert Catalog.open(resolve_home()).by_path(str(path)).analysis.tags
    # --force tags everything again.
    assert json.loads(musitui("analyze", "--force", "--json").stdout)["tagger"]["tagged"] == 3


@pytest.mark.slow
def test_an_interrupted_tagger_pass_keeps_its_work_and_resumes(tmp_path: Path) -> None:
    make_library(tmp_path / "music")
    assert musitui("analyze", "--no-tagger", "--json").returncode == 0
    script = (
        "import json, sys\n"
        "from musitui.paths import resolve_home\n"
        "from musitui.store.catalog import Catalog\n"
        "from musitui.analysis.tagger_pass import tag_catalog\n"
        "home = resolve_home(); catalog = Catalog.open(home); seen = []\n"
        "r = tag_catalog(home, catalog, jobs=1, show_progress=False, patches=4,\n"
        "                should_stop=(lambda: len(seen) >= int(sys.argv[1])) if int(sys.argv[1]) else None,\n"
        "                on_progress=lambda d, t: seen.append([d, t]))\n"
        "print(json.dumps({'tagged': r.tagged, 'interrupted': r.interrupted, 'progress': seen,\n"
        "                  'heavy': sorted(m for m in sys.modules if m.split('.')[0] in\n"
        "                                  ('tensorflow', 'torch', 'onnxruntime', 'librosa'))}))\n")
    env = {**os.environ}

    def run(stop_after: int) -> dict:
        out = subprocess.run([sys.executable, "-c", script, str(stop_after)], capture_output=True,
                             text=True, timeout=240, env=env)
        assert out.returncode == 0, out.stderr[-2000:]
        return json.loads(out.stdout.strip().splitlines()[-1])

    first = run(1)
    assert first["interrupted"] and 1 <= first["tagged"] < 3 and first["heavy"] == []
    assert len(TaggerStore.open(resolve_home())) == first["tagged"]
    second = run(0)
    assert not second["interrupted"] and first["tagged"] + second["tagged"] == 3
    assert second["progress"][-1] == [3 - first["tagged"]] * 2
    assert len(TaggerStore.open(resolve_home())) == 3


@pytest.mark.slow
def test_the_players_background_job_tags_after_analysing_and_reports_progress(tmp_path: Path) -> None:
    folder = tmp_path / "music"
    folder.mkdir()
    for n in range(3):
        write(folder / f"piece {n}.flac", energetic_piece(6.0) * (0.3 + 0.2 * n))
    home = tmp_path / "home"
    spec = {"config_dir": str(home), "data_dir": str(home), "folders": [str(folder)], "analyze": True}
    out = subprocess.run([sys.executable, "-m", "musitui.background_job", json.dumps(spec)],
                         capture_output=True, text=True, timeout=240)
    assert out.returncode == 0, out.stderr[-2000:]
    lines = [json.loads(line) for line in out.stdout.splitlines()]
    kinds = [next(iter(m)) for m in lines]
    assert {"status": "tagging…"} in lines
    tagging = [m["tagging"] for m in lines if "tagging" in m]
    assert tagging and tagging[-1] == [3, 3]
    # The tagger ran after the analysis had finished (the library was ranked first).
    assert max(i for i, k in enumerate(kinds) if k == "progress") < kinds.index("tagging")
    assert lines.index({"saved": "analysis"}) < kinds.index("tagging")
    assert len(TaggerStore.open(Home(home, home))) == 3
    assert all(t.analysis and t.analysis.tags for t in Catalog.open(Home(home, home)))
