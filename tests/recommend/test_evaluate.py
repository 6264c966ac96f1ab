"""musitui evaluate: replaying a history generated from known tastes."""

from __future__ import annotations

import json
import random
import subprocess
import sys
from pathlib import Path

from cli_helpers import child_env, musitui
from session_helpers import build_world, style_of

from musitui.config import Config
from musitui.recommend.arrays import build_library
from musitui.recommend.engine import Weights
from musitui.recommend.replay import replay, split_sessions
from musitui.store.history import History

START = 1_780_000_000.0


def synthetic_history(home, catalog, *, liked=("metal", "pop", "folk"), sessions=12, seed=3) -> None:
    """Each session the listener wants one of the liked styles: tracks of it are finished,
    anything else is skipped after 10 s. Picks come in a random order (a shuffle)."""
    rng = random.Random(seed)
    tracks = list(catalog.tracks.values())
    history = History.open(home, Config())
    now = START
    for _ in range(sessions):
        wanted = rng.choice(liked)
        for track in rng.sample(tracks, 14):
            history.log_listen("play", track, ts=now)
            if style_of(track) == wanted:
                now += track.duration
                history.log_listen("finish", track, ts=now)
            else:
                now += 10.0
                history.log_listen("skip", track, position=10.0, ts=now)
            now += 1.0
        now += 6 * 3600
    history.close()


def run_evaluate(home_dir: Path, *args: str) -> subprocess.CompletedProcess:
    return musitui("evaluate", *args, home=home_dir)


def test_evaluate_beats_popularity_on_a_history_of_known_tastes(tmp_path: Path) -> None:
    home, catalog, features = build_world(tmp_path)
    features.save()
    synthetic_history(home, catalog)
    result = run_evaluate(tmp_path, "--json")
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert summary["cases"] >= 10 and summary["sessions"] >= 5
    ours = summary["rankers"]["recommender"]
    popular = summary["rankers"]["popularity"]
    assert ours["hit_rate"] > popular["hit_rate"] + 0.1
    assert ours["ndcg"] > popular["ndcg"]
    text = run_evaluate(tmp_path)
    assert text.returncode == 0 and "hit rate@10" in text.stdout and "popularity" in text.stdout


def test_evaluate_on_an_empty_history_says_there_is_nothing_yet(tmp_path: Path) -> None:
    home, catalog, features = build_world(tmp_path)
    features.save()
    result = run_evaluate(tmp_path)
    assert result.returncode == 0, result.stderr
    assert "nothing to evaluate yet" in result.stdout
    assert "Traceback" not in result.stderr


def test_replay_sees_only_the_past() -> None:
    """The hidden track's own finish is not counted before it is ranked: each track is finished
    once, so popularity lists the tracks finished so far, then unplayed ones in row order; the
    hidden next track is listed only while fewer than 10 were finished (9 cases of 29)."""

    class T:
        def __init__(self, i: int) -> None:
            self.id, self.title, self.artist, self.genre = i, f"t{i}", f"a{i}", ""
            self.path, self.analysis = f"/m/{i}.ogg", None

    lib = build_library([T(i) for i in range(1, 31)])
    events = [{"kind": "finish", "track_id": i, "ts": START + 200.0 * i, "session": 1}
              for i in range(1, 31)]
    report = replay(lib, events, Weights())
    assert report.cases == 29 and report.sessions == 1
    assert report.hits["popularity"] == 9
    assert lib.finishes.sum() == 30  # the replay's counts followed it


def test_sessions_split_on_the_session_key_or_a_silence() -> None:
    events = [{"kind": "finish", "ts": 0.0}, {"kind": "finish", "ts": 100.0},
              {"kind": "finish", "ts": 5000.0}]
    assert [len(s) for s in split_sessions(events, 1800.0)] == [2, 1]
    keyed = [dict(e, session=1) for e in events]
    assert [len(s) for s in split_sessions(keyed, 1800.0)] == [3]


def test_evaluate_imports_no_analysis_or_ui_library(tmp_path: Path) -> None:
    home, catalog, features = build_world(tmp_path)
    features.save()
    synthetic_history(home, catalog, sessions=2)
    probe = ("import sys, json\nfrom musitui.cli import main\n"
             f"try:\n    main(['--home', {str(tmp_path)!r}, 'evaluate', '--json'])\n"
             "except SystemExit:\n    pass\n"
             "print(json.dumps(sorted(sys.modules)))")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=child_env(),
                         timeout=120, check=True)
    mods = set(json.loads(out.stdout.strip().splitlines()[-1]))
    assert "musitui.recommend.replay" in mods
    assert {m.split(".")[0] for m in mods} & {"librosa", "sklearn", "textual", "numba", "tensorflow",
                                               "torch", "onnxruntime"} == set()
