"""Issue 15: a file that decodes, even partly, is a track with a warning; only a file with
no decodable audio is an error."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from cli_helpers import musitui
from damaged_helpers import DAMAGED, write_damaged, write_no_audio

from musitui.analysis.excerpt import decode_excerpt
from musitui.decode import open_audio
from musitui.library import scan as scan_module
from musitui.library.scan import scan_folder
from musitui.store.catalog import Catalog


def catalog_in(folder: Path) -> Catalog:
    catalog = Catalog(folder / "catalog.json")
    catalog.load()
    return catalog


def decodable_seconds(path: Path) -> float:
    source = open_audio(path)
    frames = 0
    while True:
        block = source.read(65536)
        if not len(block):
            break
        frames += len(block)
    source.close()
    return frames / source.samplerate


@pytest.fixture(scope="module")
def damaged(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Path]]:
    root = tmp_path_factory.mktemp("damaged")
    files = write_damaged(root / "music")
    write_no_audio(root / "music")
    return root, files


def test_damaged_files_are_tracks_with_a_warning_and_decodable_duration(damaged) -> None:
    root, files = damaged
    catalog = catalog_in(root / "home-tags")
    report = scan_folder(catalog, str(root / "music"), jobs=1)
    assert report.tracks == 5
    assert sorted(Path(e["path"]).name for e in report.errors) == ["empty.flac", "random.ogg"]
    warnings = {Path(w["path"]).name: w["warning"] for w in report.warnings}
    assert set(warnings) == set(DAMAGED)
    for name, (_, start) in DAMAGED.items():
        assert warnings[name].startswith(start), (name, warnings[name])
        track = catalog.by_path(str(files[name].resolve()))
        assert track.warning == warnings[name]
        # The catalog's duration is what decodes (within a frame or two), not the header's.
        assert track.duration == pytest.approx(decodable_seconds(files[name]), abs=0.35), name
    assert report.summary()["warnings"] == report.warnings
    for name in ("cut.ogg", "cut.flac", "cut.m4a"):  # a 6 s file cut to about half
        assert catalog.by_path(str(files[name].resolve())).duration < 4.5


def test_rescan_does_not_reread_unchanged_damaged_files(damaged, monkeypatch) -> None:
    root, _ = damaged
    catalog = catalog_in(root / "home-rescan")
    scan_folder(catalog, str(root / "music"), jobs=1)
    read: list[str] = []
    real = scan_module.read_one
    monkeypatch.setattr(scan_module, "read_one", lambda entry: (read.append(Path(entry.path).name), real(entry))[1])
    again = scan_folder(catalog, str(root / "music"), jobs=1)
    assert again.unchanged == 5 and again.added == again.updated == 0
    assert sorted(read) == ["empty.flac", "random.ogg"]  # only the errors are tried again
    assert len(again.warnings) == 5


def test_excerpt_windows_lie_inside_the_decodable_audio(damaged) -> None:
    _, files = damaged
    path = files["cut.flac"]
    real = decodable_seconds(path)
    y, duration = decode_excerpt(str(path), seconds=3.0, known_duration=real)
    assert duration == pytest.approx(real)
    # Three 1 s windows inside the real 3 s: all of them decode (none lies past the cut).
    assert len(y) >= int(2.9 * 22050)
    assert np.abs(y).max() > 0.01


def test_scan_analyse_info_and_play_to_the_real_end(damaged) -> None:
    root, files = damaged
    home = root / "home-cli"
    done = musitui("scan", str(root / "music"), "--json", home=home)
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    assert (summary["tracks"], summary["analyzed"], len(summary["errors"])) == (5, 5, 2)
    assert {Path(w["path"]).name for w in summary["warnings"]} == set(DAMAGED)

    info = musitui("info", str(files["garbage.mp3"]), home=home)
    assert info.returncode == 0 and "damaged data at 0:0" in info.stdout
    info_json = json.loads(musitui("info", "--json", str(files["cut.flac"]), home=home).stdout)
    assert info_json["warning"].startswith("cut short: audio ends at")

    names = list(DAMAGED)
    played = musitui("play", "--device", "null-fast", *(str(files[n]) for n in names), home=home)
    assert played.returncode == 0, played.stderr
    assert played.stderr == ""  # no decoder library noise either
    events = [json.loads(line) for line in played.stdout.splitlines()]
    assert not [e for e in events if e["event"] == "error"]
    ends = {Path(e["path"]).name: e for e in events if e["event"] == "end"}
    assert set(ends) == set(names)
    catalog = catalog_in(home)
    for name in names:
        end = ends[name]
        assert end["duration"] == pytest.approx(end["position"], abs=0.01)  # ended where it ends
        assert end["position"] == pytest.approx(catalog.by_path(str(files[name].resolve())).duration,
                                                abs=0.35)


def test_files_with_no_audio_stay_errors_in_play(tmp_path: Path) -> None:
    files = write_no_audio(tmp_path / "music")
    played = musitui("play", "--device", "null-fast", *map(str, files.values()), home=tmp_path / "h")
    assert played.returncode == 1
    events = [json.loads(line) for line in played.stdout.splitlines()]
    errors = [e for e in events if e["event"] == "error"]
    assert [Path(e["path"]).name for e in errors] == list(files)
    assert not [e for e in events if e["event"] in ("start", "end")]


def test_library_rows_mark_damaged_tracks(damaged) -> None:
    from musitui.tui.shelf import DAMAGED_MARK, shelf_from_columns, shelf_from_tracks

    root, files = damaged
    catalog = catalog_in(root / "home-shelf")
    scan_folder(catalog, str(root / "music"), jobs=1)
    for shelf in (shelf_from_columns(catalog.columns()), shelf_from_tracks(catalog.tracks.values())):
        assert len(shelf) == 5
        assert all(title.endswith(DAMAGED_MARK) for title in shelf.title)
    clean = catalog.by_path(str(files["cut.flac"].resolve()))
    clean.warning = ""
    assert sum(t.endswith(DAMAGED_MARK) for t in shelf_from_tracks(catalog.tracks.values()).title) == 4


def test_a_damaged_track_played_to_its_real_end_is_a_finish(damaged, tmp_path: Path) -> None:
    import time

    from session_helpers import home_at, make_session

    from musitui.config import Config
    from musitui.playback import Player

    root, files = damaged
    home = home_at(tmp_path / "home")
    catalog = Catalog.open(home)
    scan_folder(catalog, str(root / "music"), jobs=1)
    catalog.save()
    # The ones whose header claims more than decodes; real time: a fast output can outrun
    # the session's set_next reply and end the queue.
    tracks = [catalog.by_path(str(files[name].resolve())) for name in ("cut.flac", "garbage.mp3", "cut.m4a")]
    player = Player(device="null")
    assert player.available, player.problem
    session = make_session(home, catalog, None, player=player, config=Config(), clock=time.time)
    try:
        for track in tracks[1:]:
            session.enqueue(track.id)
        assert session.play_track(tracks[0].id)

        def kinds() -> list[tuple[str, int]]:
            return [(e["kind"], e["track_id"]) for e in session.history.events(newest_first=False)]

        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and sum(k == "finish" for k, _ in kinds()) < len(tracks):
            time.sleep(0.05)
        finished = [i for k, i in kinds() if k == "finish"]
        assert finished == [t.id for t in tracks], kinds()
        assert not [k for k, _ in kinds() if k == "skip"]
        assert not [m for m in session.messages if "could not" in m.lower() or "error" in m.lower()]
    finally:
        session.close()
