"""The incremental scan: formats, hidden/non-audio files, rescans, moves, bad input, stopping."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from library_helpers import FORMATS, make_track, tag_file, write_audio

import musitui.library.scan as scan_module
import musitui.library.tags as tags_module
from musitui.library.scan import scan_folder
from musitui.store.catalog import Catalog


def open_catalog(tmp_path: Path) -> Catalog:
    catalog = Catalog(tmp_path / "home" / "catalog.json")
    catalog.load()
    return catalog


def reopen(catalog: Catalog) -> Catalog:
    fresh = Catalog(catalog.path)
    fresh.load()
    return fresh


@pytest.fixture
def library(tmp_path: Path) -> Path:
    root = tmp_path / "music"
    make_track(root / "Artist A", "one.mp3", "mp3", title="One", artist="A", album="First")
    make_track(root / "Artist A", "two.flac", "flac", title="Two", artist="A", album="First")
    make_track(root / "Artist B" / "Disc", "three.ogg", "ogg", title="Three", artist="B")
    make_track(root / "Artist B", "four.opus", "opus", title="Four", artist="B")
    make_track(root / "Artist C", "five.m4a", "aac", title="Five", artist="C")
    make_track(root / "Artist C", "six.M4A", "alac", title="Six", artist="C")
    make_track(root / "Artist C", "seven.WAV", "wav", title="Seven")
    make_track(root / "Artist C", "eight.aiff", "aiff", title="Eight")
    (root / "Artist A" / "cover.jpg").write_bytes(b"\xff\xd8 not music")
    (root / "Artist A" / "notes.txt").write_text("liner notes")
    make_track(root / "Artist A", ".hidden.mp3", "mp3", title="Hidden")
    make_track(root / ".hidden folder", "secret.flac", "flac", title="Secret")
    return root


def titles(catalog: Catalog) -> set[str]:
    return {t.title for t in catalog.present()}


def test_first_scan_reads_every_format_and_skips_hidden_and_other_files(
        tmp_path: Path, library: Path) -> None:
    catalog = open_catalog(tmp_path)
    report = scan_folder(catalog, str(library), jobs=1)
    assert report.errors == []
    assert (report.added, report.updated, report.unchanged, report.missing) == (8, 0, 0, 0)
    assert report.tracks == 8
    assert titles(catalog) == {"One", "Two", "Three", "Four", "Five", "Six", "Seven", "Eight"}
    saved = reopen(catalog)
    assert titles(saved) == titles(catalog)
    assert saved.folders == [str(library.resolve())]
    six = next(t for t in saved.present() if t.title == "Six")
    assert (six.codec, six.artist, six.sample_rate, six.channels) == ("alac", "C", 44100, 2)
    assert six.path == str(library.resolve() / "Artist C" / "six.M4A")
    assert six.duration == pytest.approx(0.5, abs=0.05)


def test_unchanged_rescan_reads_nothing(tmp_path: Path, library: Path,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    catalog = open_catalog(tmp_path)
    scan_folder(catalog, str(library), jobs=1)
    ids = {t.path: t.id for t in catalog.present()}
    calls: list[str] = []
    real = tags_module.read_tags
    monkeypatch.setattr(tags_module, "read_tags", lambda path, *a: calls.append(path) or real(path, *a))
    report = scan_folder(catalog, str(library), jobs=1)
    assert calls == []
    assert (report.added, report.updated, report.unchanged, report.missing) == (0, 0, 8, 0)
    assert {t.path: t.id for t in reopen(catalog).present()} == ids


def test_changed_file_is_read_again(tmp_path: Path, library: Path) -> None:
    catalog = open_catalog(tmp_path)
    scan_folder(catalog, str(library), jobs=1)
    two = library / "Artist A" / "two.flac"
    old_id = catalog.by_path(str(two)).id
    tag_file(two, "flac", title="Two (remastered)")
    os.utime(two, ns=(1, 10**18))  # make sure the mtime differs even on coarse clocks
    report = scan_folder(catalog, str(library), jobs=1)
    assert (report.added, report.updated, report.unchanged) == (0, 1, 7)
    track = reopen(catalog).by_path(str(two))
    assert track.id == old_id and track.title == "Two (remastered)"
    assert report.changed_ids == [old_id]


def test_deleted_file_is_marked_missing_and_comes_back(tmp_path: Path, library: Path) -> None:
    catalog = open_catalog(tmp_path)
    scan_folder(catalog, str(library), jobs=1)
    three = library / "Artist B" / "Disc" / "three.ogg"
    kept = tmp_path / "kept.ogg"
    shutil.move(three, kept)
    report = scan_folder(catalog, str(library), jobs=1)
    assert (report.tracks, report.missing, report.unchanged) == (7, 1, 7)
    gone = reopen(catalog).by_path(str(three))
    assert gone is not None and gone.missing and gone.title == "Three"
    shutil.move(kept, three)
    report = scan_folder(catalog, str(library), jobs=1)
    assert (report.tracks, report.missing, report.updated) == (8, 0, 1)
    back = reopen(catalog).by_path(str(three))
    assert back.id == gone.id and not back.missing


def test_moved_and_renamed_files_keep_their_identity(tmp_path: Path, library: Path) -> None:
    catalog = open_catalog(tmp_path)
    scan_folder(catalog, str(library), jobs=1)
    one = library / "Artist A" / "one.mp3"
    five = library / "Artist C" / "five.m4a"
    ids = {"one": catalog.by_path(str(one)).id, "five": catalog.by_path(str(five)).id}
    (library / "Moved").mkdir()
    new_one = library / "Moved" / "01 - One.mp3"
    new_five = library / "Artist C" / "five (renamed).m4a"
    one.rename(new_one)
    five.rename(new_five)
    report = scan_folder(catalog, str(library), jobs=1)
    assert (report.added, report.missing, report.tracks) == (0, 0, 8)
    saved = reopen(catalog)
    assert saved.by_path(str(new_one)).id == ids["one"]
    assert saved.by_path(str(new_five)).id == ids["five"]
    assert saved.by_path(str(one)) is None
    assert len(saved.tracks) == 8


def test_a_copy_does_not_steal_the_identity_of_a_present_file(tmp_path: Path, library: Path) -> None:
    catalog = open_catalog(tmp_path)
    scan_folder(catalog, str(library), jobs=1)
    shutil.copy(library / "Artist A" / "one.mp3", library / "Artist A" / "one copy.mp3")
    report = scan_folder(catalog, str(library), jobs=1)
    assert report.added == 1 and report.tracks == 9


def test_untagged_file_renamed_is_matched_by_size_and_duration(tmp_path: Path) -> None:
    root = tmp_path / "music"
    write_audio(root / "a.wav", "wav", seconds=0.7)
    write_audio(root / "b.wav", "wav", seconds=0.9)
    catalog = open_catalog(tmp_path)
    scan_folder(catalog, str(root), jobs=1)
    old = catalog.by_path(str(root / "a.wav")).id
    (root / "a.wav").rename(root / "renamed.wav")
    report = scan_folder(catalog, str(root), jobs=1)
    assert report.added == 0
    assert catalog.by_path(str(root / "renamed.wav")).id == old


def test_bad_input_never_stops_the_scan(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "music"
    make_track(root, "good.flac", "flac", title="Good")
    (root / "empty.mp3").write_bytes(b"")
    (root / "text.mp3").write_text("not audio at all\n" * 20)
    data = write_audio(root / "tmp.ogg", "ogg", seconds=2.0).read_bytes()
    (root / "tmp.ogg").unlink()
    (root / "truncated.ogg").write_bytes(data[: len(data) // 2])
    os.mkfifo(root / "pipe.mp3")
    (root / "dangling.flac").symlink_to(root / "nowhere.flac")
    (root / "sub").mkdir()
    (root / "sub" / "loop").symlink_to(root, target_is_directory=True)
    (root / "locked").mkdir()
    make_track(root / "locked", "inside.flac", "flac", title="Inside")
    latin1 = os.fsencode(str(root)) + b"/caf\xe9.flac"
    with open(latin1, "wb") as handle:
        handle.write((root / "good.flac").read_bytes())
    make_track(root, "vanishing.flac", "flac", title="Vanishing")
    make_track(root, "denied.flac", "flac", title="Denied")

    real_scandir, real_open, real_walk = os.scandir, os.open, scan_module.walk

    def scandir(path="."):
        if os.fspath(path) == str(root / "locked"):
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    def open_(path, *args, **kwargs):
        if os.fspath(path) == str(root / "denied.flac"):
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, *args, **kwargs)

    def walk_then_delete(*args, **kwargs):
        result = real_walk(*args, **kwargs)
        (root / "vanishing.flac").unlink()  # gone between the listing and the tag read
        return result

    monkeypatch.setattr(os, "scandir", scandir)
    monkeypatch.setattr(os, "open", open_)
    monkeypatch.setattr(scan_module, "walk", walk_then_delete)
    catalog = open_catalog(tmp_path)
    report = scan_folder(catalog, str(root), jobs=1)

    assert titles(catalog) == {"Good", "truncated"}  # a cut file that decodes is a track
    assert [Path(w["path"]).name for w in report.warnings] == ["truncated.ogg"]
    reasons = {Path(e["path"]).name: e["error"] for e in report.errors}
    assert reasons == {
        "empty.mp3": "empty file (0 bytes)",
        "text.mp3": "not a valid MP3 file: no MPEG audio frame found (is it really audio?)",
        "pipe.mp3": "not a regular file (a device, socket or pipe)",
        "dangling.flac": "broken symbolic link (its target does not exist)",
        "loop": "symbolic link to a folder already scanned (a loop or a duplicate): skipped",
        "locked": "cannot read folder: permission denied",
        "caf\\xe9.flac": "file name is not valid UTF-8; rename the file to add it",
        "vanishing.flac": "vanished during the scan",
        "denied.flac": "cannot read: permission denied",
    }
    reopen(catalog)  # the catalog with all that is still valid JSON


def test_unreadable_folder_does_not_mark_its_tracks_missing(
        tmp_path: Path, library: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    catalog = open_catalog(tmp_path)
    scan_folder(catalog, str(library), jobs=1)
    real_scandir = os.scandir
    blocked = str(library / "Artist C")
    monkeypatch.setattr(os, "scandir", lambda p=".": (_ for _ in ()).throw(
        PermissionError(13, "Permission denied", p)) if os.fspath(p) == blocked else real_scandir(p))
    report = scan_folder(catalog, str(library), jobs=1)
    assert report.missing == 0 and report.tracks == 8
    assert [e["error"] for e in report.errors] == ["cannot read folder: permission denied"]


def test_stopping_keeps_what_is_done_and_a_rerun_continues(tmp_path: Path) -> None:
    root = tmp_path / "music"
    for index in range(6):
        make_track(root, f"t{index}.flac", "flac", freq=300 + 50 * index, title=f"T{index}")
    catalog = open_catalog(tmp_path)
    report = scan_folder(catalog, str(root), jobs=1, should_stop=lambda: len(catalog.tracks) >= 3)
    assert report.interrupted
    assert len(reopen(catalog).tracks) == 3  # saved on the way out
    report = scan_folder(reopen(catalog), str(root), jobs=1)
    assert not report.interrupted
    assert (report.added, report.unchanged, report.tracks) == (3, 3, 6)


def test_two_jobs_give_the_same_catalog_as_one(tmp_path: Path) -> None:
    root = tmp_path / "music"
    seed = make_track(tmp_path, "seed.flac", "flac", title="Seed")
    for fmt in ("mp3", "ogg"):
        make_track(root, f"x.{fmt}", fmt, title=f"X {fmt}")
    for index in range(60):  # more than SERIAL_BELOW, so a process pool is used
        shutil.copy(seed, root / f"copy{index:02d}.flac")
    (root / "bad.mp3").write_text("no")
    one = open_catalog(tmp_path / "one")
    two = open_catalog(tmp_path / "two")
    report_one = scan_folder(one, str(root), jobs=1)
    report_two = scan_folder(two, str(root), jobs=2)
    assert report_two.added == report_one.added == 62
    assert report_two.errors == report_one.errors and len(report_two.errors) == 1
    assert ({t.path: (t.title, t.duration) for t in one.present()}
            == {t.path: (t.title, t.duration) for t in two.present()})


def test_missing_root_marks_its_tracks_missing(tmp_path: Path, library: Path) -> None:
    catalog = open_catalog(tmp_path)
    scan_folder(catalog, str(library), jobs=1)
    moved = tmp_path / "unmounted"
    library.rename(moved)
    report = scan_folder(catalog, str(library), jobs=1)
    assert report.tracks == 0 and report.missing == 8
    assert len(catalog.tracks) == 8  # never deleted


def test_every_format_is_scanned(tmp_path: Path) -> None:
    root = tmp_path / "music"
    for fmt, (ext, *_rest) in FORMATS.items():
        make_track(root, f"{fmt}{ext}", fmt, title=f"title {fmt}")
    catalog = open_catalog(tmp_path)
    report = scan_folder(catalog, str(root), jobs=1)
    assert report.errors == [] and report.added == len(FORMATS)


def test_ctrl_c_in_a_parallel_scan_stops_cleanly(tmp_path: Path) -> None:
    import signal

    root = tmp_path / "music"
    seed = make_track(tmp_path, "seed.flac", "flac", title="Seed")
    root.mkdir()
    for index in range(200):
        shutil.copy(seed, root / f"copy{index:03d}.flac")
    catalog = open_catalog(tmp_path)
    sent: list[bool] = []

    def press_ctrl_c() -> bool:
        if len(catalog.tracks) >= 20 and not sent:
            sent.append(True)
            os.kill(os.getpid(), signal.SIGINT)
        return False

    report = scan_folder(catalog, str(root), jobs=2, should_stop=press_ctrl_c)
    assert sent and report.interrupted
    done = len(reopen(catalog).tracks)
    assert 20 <= done < 200
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # handler restored
    report = scan_folder(reopen(catalog), str(root), jobs=2)
    assert (report.added, report.unchanged, report.tracks) == (200 - done, done, 200)


def test_a_renamed_library_folder_keeps_every_identity(tmp_path: Path, library: Path) -> None:
    catalog = open_catalog(tmp_path)
    scan_folder(catalog, str(library), jobs=1)
    ids = {Path(t.path).name: t.id for t in catalog.present()}
    renamed = tmp_path / "Music (new disk)"
    library.rename(renamed)
    report = scan_folder(catalog, str(renamed), jobs=1)  # the old folder is never rescanned
    assert (report.added, report.updated, report.tracks) == (0, 8, 8)
    assert {Path(t.path).name: t.id for t in reopen(catalog).present()} == ids
    assert all(t.path.startswith(str(renamed)) for t in catalog.tracks.values())


def test_a_catalogued_file_that_turns_bad_is_marked_missing(tmp_path: Path, library: Path) -> None:
    catalog = open_catalog(tmp_path)
    scan_folder(catalog, str(library), jobs=1)
    two = library / "Artist A" / "two.flac"
    two.write_text("overwritten by accident")
    report = scan_folder(catalog, str(library), jobs=1)
    assert report.missing == 1 and report.tracks == 7
    assert [e["path"] for e in report.errors] == [str(two)]
    assert reopen(catalog).by_path(str(two)).missing


def test_a_parallel_scan_from_a_background_thread(tmp_path: Path) -> None:
    import threading

    root = tmp_path / "music"
    root.mkdir()
    seed = make_track(tmp_path, "seed.ogg", "ogg", title="Seed")
    for index in range(60):
        shutil.copy(seed, root / f"copy{index:02d}.ogg")
    catalog = open_catalog(tmp_path)
    reports = []
    worker = threading.Thread(target=lambda: reports.append(scan_folder(catalog, str(root), jobs=2)))
    worker.start()
    worker.join(timeout=60)
    assert not worker.is_alive() and reports[0].added == 60 and reports[0].errors == []
