"""Several musitui processes writing one home at once: nothing they acknowledged is lost."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from cli_helpers import child_env
from library_helpers import make_track

from musitui.paths import Home
from musitui.store.catalog import Catalog

# Each process runs `musitui event play PATH` COUNT times, in-process (the same code path as
# the command, without paying for an interpreter start per event).
EVENT_LOOP = """
import contextlib, io, sys
from musitui import cli
home, path, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
failed = 0
for _ in range(count):
    with contextlib.redirect_stdout(io.StringIO()):
        failed += cli.main(["--home", home, "event", "play", path]) != 0
print(failed)
"""


def musitui(home: Path, *args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "musitui", "--home", str(home), *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=child_env())


def test_three_processes_logging_200_events_each_keep_all_600(tmp_path: Path) -> None:
    home = tmp_path / "home"
    song = make_track(tmp_path / "music", "a.wav", "wav", title="A", artist="B")
    scan = musitui(home, "scan", "--no-analyze", str(tmp_path / "music"))
    assert scan.wait(timeout=120) == 0, scan.stderr.read()
    writers = [subprocess.Popen([sys.executable, "-c", EVENT_LOOP, str(home), str(song), "200"],
                                stdout=subprocess.PIPE, text=True, env=child_env()) for _ in range(3)]
    for writer in writers:
        out, _ = writer.communicate(timeout=600)
        assert writer.returncode == 0 and out.strip() == "0"
    shown = musitui(home, "history", "--json", "--limit", "0")
    out, err = shown.communicate(timeout=120)
    events = [json.loads(line) for line in out.splitlines()]
    assert len(events) == 600, err
    assert sorted(e["seq"] for e in events) == list(range(1, 601))
    journal = (home / "history" / "journal.jsonl").read_text().splitlines()
    assert len({json.loads(line)["seq"] for line in journal}) == len(journal) == 600


def test_two_scans_of_two_folders_at_once_keep_both(tmp_path: Path) -> None:
    home = tmp_path / "home"
    for folder in ("one", "two"):
        for n in range(40):
            make_track(tmp_path / folder, f"{folder}-{n:02d}.wav", "wav", seconds=0.2,
                       title=f"{folder} {n}", artist=folder)
    scans = [musitui(home, "scan", "--no-analyze", "--jobs", "1", str(tmp_path / folder))
             for folder in ("one", "two")]
    for scan in scans:
        _, err = scan.communicate(timeout=300)
        assert scan.returncode == 0, err
    catalog = Catalog.open(Home(home, home))
    paths = [t.path for t in catalog]
    assert len(paths) == 80
    assert {Path(p).parent.name for p in paths} == {"one", "two"}
    assert sorted(catalog.folders) == sorted(str((tmp_path / f).resolve()) for f in ("one", "two"))
    assert len({t.id for t in catalog}) == 80


def test_a_writer_waits_for_the_other_and_says_so(tmp_path: Path) -> None:
    home = Home(tmp_path, tmp_path).ensure()
    first = Catalog.open(home, write=True)
    first.new_track("/m/a.flac")
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import sys, time\n"
         "from musitui.paths import Home\n"
         "from musitui.store.catalog import Catalog\n"
         "home = Home(*(__import__('pathlib').Path(sys.argv[1]),) * 2)\n"
         "said = []\n"
         "catalog = Catalog.open(home, write=True, on_wait=said.append)\n"
         "catalog.new_track('/m/b.flac')\n"
         "catalog.save()\n"
         "print(said[0] if said else '')\n", str(tmp_path)],
        stdout=subprocess.PIPE, text=True, env=child_env())
    # The second writer cannot get in while the first holds the lock: it says so and waits
    # (if it got in, it would be done long before this pause ends).
    first.save()
    time.sleep(1.0)
    assert holder.poll() is None
    first.close()
    out = holder.stdout.read()
    assert holder.wait(timeout=60) == 0
    assert "waiting for another musitui" in out and str(os.getpid()) in out
    reread = Catalog.open(home)
    assert sorted(t.path for t in reread) == ["/m/a.flac", "/m/b.flac"]


def test_a_save_without_the_lock_never_overwrites_another_writers_work(tmp_path: Path) -> None:
    from musitui.store.catalog import CatalogChanged

    home = Home(tmp_path, tmp_path).ensure()
    stale = Catalog.open(home)  # a reader, e.g. the player at start-up
    writer = Catalog.open(home, write=True)
    stale.remember_folder("/elsewhere")
    with pytest.raises(CatalogChanged):
        stale.save()  # refused: the writer holds the lock (here: in this very process)
    writer.new_track("/m/a.flac")
    writer.save()
    writer.close()
    with pytest.raises(CatalogChanged):
        stale.save()  # refused: the file changed since it was read
    assert [t.path for t in Catalog.open(home)] == ["/m/a.flac"]
    fresh = Catalog.open(home)
    fresh.remember_folder("/elsewhere")
    fresh.save()  # nobody else is writing and nothing changed: saved
    assert Catalog.open(home).folders == ["/elsewhere"]
