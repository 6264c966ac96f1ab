"""`musitui mix`: N tracks or M minutes from the recommender's picks, smoothly ordered, and
paths from one track to another, on a synthesised library (styles with known energy)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from session_helpers import build_world

from musitui.cli import main
from musitui.playlists import load_m3u
from musitui.recommend import mix
from musitui.recommend.arrays import build_library


def _mix(tmp_path: Path, capsys, *args: str) -> list[dict]:
    assert main(["--home", str(tmp_path), "mix", *args, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def _world(tmp_path: Path, **options: object):
    home, catalog, features = build_world(tmp_path, **options)
    features.save()
    return home, catalog, features


def test_thirty_calm_minutes_are_about_thirty_minutes_of_calm_music_without_repeats(
        tmp_path: Path, capsys) -> None:
    _world(tmp_path, per_style=12, duration=170.0)
    listed = _mix(tmp_path, capsys, "--minutes", "30", "--mood", "calm")
    total = sum(item["duration"] for item in listed)
    assert abs(total - 1800) <= 180, total
    paths = [item["path"] for item in listed]
    assert len(set(paths)) == len(paths)
    styles = [Path(p).parent.name for p in paths]
    assert styles.count("ambient") + styles.count("folk") >= 0.8 * len(styles)  # calm ones
    assert all(item["reason"] and item["title"] and item["artist"] for item in listed)


def test_a_mix_keeps_artists_apart_and_moves_in_small_steps(tmp_path: Path, capsys) -> None:
    _world(tmp_path, per_style=6)
    listed = _mix(tmp_path, capsys, "-n", "16")
    assert len(listed) == 16 and len({i["path"] for i in listed}) == 16
    artists = [i["artist"] for i in listed]
    assert all(a != b for a, b in zip(artists, artists[1:], strict=False))
    energy = np.asarray([i["energy"] for i in listed])
    jumps = np.abs(np.diff(energy)).sum()
    # Ranked order of the same tracks would alternate styles; the chain moves far less.
    assert jumps <= 2 * (energy.max() - energy.min()) + 0.5, (jumps, energy)


def test_a_path_starts_at_the_seed_ends_at_the_target_and_energy_rises_steadily(
        tmp_path: Path, capsys) -> None:
    _home, catalog, _ = _world(tmp_path)
    tracks = catalog.present()
    calmest = min(tracks, key=lambda t: t.analysis.arousal)
    liveliest = max(tracks, key=lambda t: t.analysis.arousal)
    listed = _mix(tmp_path, capsys, "--after", calmest.path, "--to", liveliest.path, "-n", "8")
    assert [listed[0]["path"], listed[-1]["path"]] == [calmest.path, liveliest.path]
    assert len(listed) == 8 and len({i["path"] for i in listed}) == 8
    energy = [i["energy"] for i in listed]
    # Steady: every step goes up (or stays within noise), no step jumps more than half the way.
    span = energy[-1] - energy[0]
    steps = np.diff(energy)
    assert (steps >= -0.1).all() and (steps <= 0.5 * span).all(), energy
    assert "toward" in listed[3]["reason"]


def test_out_writes_a_playlist_that_reads_back_as_the_mix(tmp_path: Path, capsys) -> None:
    _home, catalog, _ = _world(tmp_path, music_dir=tmp_path / "music")
    for track in catalog.present():  # real files, so the playlist's entries resolve
        Path(track.path).parent.mkdir(parents=True, exist_ok=True)
        Path(track.path).write_bytes(b"")
    out = tmp_path / "lists" / "calm.m3u8"
    out.parent.mkdir()
    listed = _mix(tmp_path, capsys, "-n", "5", "--mood", "calm", "--out", str(out))
    assert load_m3u(out).paths == [item["path"] for item in listed]


def test_bad_input_is_one_line_and_an_exit_code(tmp_path: Path, capsys) -> None:
    _world(tmp_path)
    base = ["--home", str(tmp_path), "mix"]
    assert main([*base, "--to", str(tmp_path / "nowhere.flac")]) == 1
    assert main([*base, "-n", "0"]) == 2
    assert main([*base, "--mood", "grumpy"]) == 2
    errors = [line for line in capsys.readouterr().err.splitlines() if line]
    assert len(errors) == 3 and all(line.startswith("musitui: ") for line in errors)


class _T:
    def __init__(self, i: int, artist: str, arousal: float) -> None:
        self.id, self.path, self.title, self.artist, self.genre = i, f"/m/{i}.ogg", f"t{i}", artist, ""
        self.analysis = type("A", (), {"valence": 0.0, "arousal": arousal})()


def test_take_fills_the_length_with_what_fits_and_smooth_order_ramps() -> None:
    durations = np.asarray([600.0, 900.0, 200.0, 100.0, 300.0])
    assert mix.take([0, 1, 2, 3, 4], durations, seconds=1200) == [0, 2, 3, 4]  # 900 would overrun
    assert mix.take([0, 1, 2], durations, count=2) == [0, 1]
    lib = build_library([_T(i, f"a{i}", a) for i, a in enumerate([0.9, -0.9, 0.1, -0.4, 0.5])])
    feel = mix.Transition.of(lib, None)
    order = mix.smooth_order(lib, [0, 1, 2, 3, 4], feel)
    assert [lib.arousal[r] for r in order] == sorted(lib.arousal.tolist())


def test_one_artist_spelt_two_ways_is_kept_apart_but_unknown_artists_are_not_one() -> None:
    tracks = [_T(0, "Doug Kaufman", -0.5), _T(1, "doug kaufman", -0.45), _T(2, "Other", 0.9),
              _T(3, "Unknown artist", 0.1), _T(4, "Unknown artist", 0.12)]
    lib = build_library(tracks)
    keys = mix.artist_keys(lib)
    assert keys[0] == keys[1] and keys[3] != keys[4] and keys[2] != keys[0]
    order = mix.smooth_order(lib, [0, 1, 2], mix.Transition.of(lib, None))
    assert {order[0], order[2]} == {0, 1}  # the two spellings apart, "Other" between
