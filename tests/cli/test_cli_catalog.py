"""End to end through the real command line: scan / tracks / info, --json shapes, --home."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from cli_helpers import musitui
from library_helpers import make_track

SCAN_KEYS = {"tracks", "added", "updated", "missing", "unchanged", "analyzed", "errors", "warnings",
             "seconds"}
TRACK_KEYS = {"id", "path", "title", "artist", "album", "genre", "duration", "year", "missing",
              "analyzed"}


@pytest.fixture
def music(tmp_path: Path) -> Path:
    root = tmp_path / "music"
    make_track(root / "Band", "01 Opening.flac", "flac", title="Opening", artist="Band",
               album="Début", genre="(17)", track="1/2", date="2020")
    make_track(root / "Band", "02.mp3", "mp3", title="Ünïcode ★", artist="Band", album="Début",
               lyrics="la la")
    make_track(root / "Other", "solo.opus", "opus")
    (root / "Other" / "broken.mp3").write_text("not audio")
    return root


def test_scan_json_tracks_and_info(tmp_path: Path, music: Path) -> None:
    home = tmp_path / "home"
    done = musitui("scan", str(music), "--no-analyze", "--json", home=home)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    summary = json.loads(done.stdout)
    assert set(summary) == SCAN_KEYS
    assert (summary["tracks"], summary["added"], summary["analyzed"]) == (3, 3, 0)
    assert summary["errors"] == [{"path": str(music.resolve() / "Other" / "broken.mp3"),
                                  "error": "not a valid MP3 file: no MPEG audio frame found "
                                           "(is it really audio?)"}]
    assert isinstance(summary["seconds"], float)

    again = json.loads(musitui("scan", str(music), "--no-analyze", "--json", home=home).stdout)
    assert (again["unchanged"], again["added"], again["updated"]) == (3, 0, 0)

    listing = musitui("tracks", "--json", home=home)
    assert listing.returncode == 0, listing.stderr
    rows = json.loads(listing.stdout)
    assert len(rows) == 3 and all(set(row) >= TRACK_KEYS for row in rows)
    by_title = {row["title"]: row for row in rows}
    assert by_title["Opening"]["genre"] == "Rock" and by_title["Opening"]["year"] == 2020
    assert by_title["solo"]["artist"] == "Unknown artist" and by_title["solo"]["album"] == "Other"
    assert not any(row["missing"] or row["analyzed"] for row in rows)

    table = musitui("tracks", home=home)
    assert table.returncode == 0 and "Ünïcode ★" in table.stdout and "3 tracks" in table.stdout

    info = musitui("info", str(music / "Band" / "02.mp3"), "--json", home=home)
    assert info.returncode == 0, info.stderr
    data = json.loads(info.stdout)
    assert data["in_catalog"] is True and data["lyrics"] == "la la" and data["codec"] == "mp3"
    human = musitui("info", str(music / "Band" / "02.mp3"), home=home)
    assert "Ünïcode ★" in human.stdout and "la la" in human.stdout


def test_info_on_a_file_outside_the_catalog_reads_it_live(tmp_path: Path) -> None:
    path = make_track(tmp_path, "loose.ogg", "ogg", title="Loose", artist="Nobody")
    done = musitui("info", str(path), "--json", home=tmp_path / "home")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert (data["in_catalog"], data["title"], data["artist"]) == (False, "Loose", "Nobody")
    human = musitui("info", str(path), home=tmp_path / "home")
    assert "not in the catalog" in human.stderr and "Loose" in human.stdout


def test_bad_arguments_give_one_line_and_no_traceback(tmp_path: Path) -> None:
    home = tmp_path / "home"
    done = musitui("scan", str(tmp_path / "nope"), "--json", home=home)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.strip().count("\n") == 0 and "no such folder" in done.stderr
    bad = tmp_path / "bad.mp3"
    bad.write_text("text")
    info = musitui("info", str(bad), home=home)
    assert info.returncode == 1 and "Traceback" not in info.stderr
    assert info.stderr.strip() == f"musitui: {bad}: not a valid MP3 file: no MPEG audio frame found (is it really audio?)"
    missing = musitui("info", str(tmp_path / "gone.flac"), home=home)
    assert missing.returncode == 1 and "no such file" in missing.stderr


def test_homes_are_isolated(tmp_path: Path, music: Path) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    assert musitui("scan", str(music), "--no-analyze", "--json", home=first).returncode == 0
    assert len(json.loads(musitui("tracks", "--json", home=first).stdout)) == 3
    assert json.loads(musitui("tracks", "--json", home=second).stdout) == []
    env_free = subprocess.run(
        [sys.executable, "-m", "musitui", "--home", str(second), "tracks", "--json"],
        capture_output=True, text=True, env={**os.environ, "MUSITUI_HOME": str(first)})
    assert json.loads(env_free.stdout) == []  # --home wins over $MUSITUI_HOME
    assert (first / "catalog.json").exists() and not (second / "catalog.json").exists()


def test_tracks_command_imports_nothing_heavy(tmp_path: Path) -> None:
    code = ("import sys, musitui.cli as c\n"
            "try:\n    c.main(['tracks', '--json'])\nfinally:\n"
            "    heavy = sorted({m.split('.')[0] for m in sys.modules} & "
            "{'librosa', 'sklearn', 'textual', 'numba', 'sounddevice', 'mutagen'})\n"
            "    print('HEAVY', heavy, file=sys.stderr)\n")
    env = {**os.environ, "MUSITUI_HOME": str(tmp_path / "home")}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert "HEAVY []" in done.stderr, done.stderr


def test_a_subcommand_imports_only_its_own_module_and_help_lists_them_all(tmp_path: Path) -> None:
    code = ("import sys, musitui.cli as c\n"
            "code = c.main(sys.argv[1:])\n"
            "print('COMMANDS', sorted(m for m in sys.modules if m.startswith('musitui.commands.')),"
            " file=sys.stderr)\n"
            "raise SystemExit(code)\n")
    env = {**os.environ, "MUSITUI_HOME": str(tmp_path / "home")}
    done = subprocess.run([sys.executable, "-c", code, "moods"], capture_output=True, text=True,
                          env=env)
    assert done.returncode == 0 and "calm" in done.stdout
    assert "COMMANDS ['musitui.commands.moods']" in done.stderr, done.stderr
    bad = subprocess.run([sys.executable, "-c", code, "moods", "--bogus"], capture_output=True,
                         text=True, env=env)
    assert bad.returncode == 2 and "unrecognized arguments: --bogus" in bad.stderr
    listing = musitui("--help", home=tmp_path / "home")
    assert listing.returncode == 0
    from musitui.cli import COMMANDS

    assert all(f"    {name}" in listing.stdout for name in COMMANDS)


@pytest.mark.parametrize("content", [
    '{"schema": 1, "next_id": 3, "folders": [], "tracks": "x"}',
    '{"schema": 1, "next_id": "x", "folders": [], "tracks": []}',
    "[]", "null", "{}",
])
def test_a_catalog_of_the_wrong_shape_is_backed_up_and_the_next_scan_rebuilds(
        tmp_path: Path, music: Path, content: str) -> None:
    home = tmp_path / "home"
    home.mkdir()
    (home / "catalog.json").write_text(content)
    shown = musitui("tracks", home=home)
    assert shown.returncode == 0 and "Traceback" not in shown.stderr
    message = [line for line in shown.stderr.splitlines() if "catalog.json" in line]
    assert len(message) == 1 and "damaged" in message[0]
    scanned = musitui("scan", str(music), "--no-analyze", "--json", home=home)
    assert scanned.returncode == 0, scanned.stderr
    backups = list((home / "backups").iterdir())
    assert [b.read_text() for b in backups] == [content]  # kept, never overwritten silently
    assert json.loads(scanned.stdout)["tracks"] == 3
    listed = musitui("tracks", "--json", home=home)
    assert len(json.loads(listed.stdout)) == 3 and listed.stderr == ""


def test_a_track_with_a_wrong_field_loads_and_the_file_is_kept_before_the_next_write(
        tmp_path: Path, music: Path) -> None:
    home = tmp_path / "home"
    assert musitui("scan", str(music), "--no-analyze", home=home).returncode == 0
    path = home / "catalog.json"
    data = json.loads(path.read_text())
    data["tracks"][0]["title"] = 12345
    data["tracks"][1]["analysis"] = {"tempo": "fast"}
    data["tracks"].append({"id": "x", "path": 5})
    damaged = json.dumps(data)
    path.write_text(damaged)
    (home / "catalog.columns.npz").unlink()
    shown = musitui("tracks", "--json", home=home)
    assert shown.returncode == 0 and "Traceback" not in shown.stderr
    assert len(json.loads(shown.stdout)) == 3
    assert "damaged" in shown.stderr and len(shown.stderr.splitlines()) == 1
    assert path.read_text() == damaged  # a reader changes nothing
    assert musitui("scan", str(music), "--no-analyze", home=home).returncode == 0
    backups = list((home / "backups").iterdir())
    assert [b.read_text() for b in backups] == [damaged]
    assert musitui("tracks", home=home).stderr == ""
