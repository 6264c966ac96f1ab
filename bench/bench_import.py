"""`musitui history import` of a ten-year export: 100,000 listens, beside reading the same
files with the standard library alone.

    .venv/bin/python bench/bench_import.py [--listens 100000] [--tracks 10000]

Builds a catalog of N synthetic tracks (no audio: matching reads tags only) and two exports
of the same listens: Spotify's extended streaming history (split into files of 12,000
streams, as Spotify splits it at about 12 MB, with 3 % podcasts) and a Last.fm CSV (the
``uts,...`` shape). Two thirds of the listens are of library tracks (with spelling
variants), a third are of other artists' songs (kept aside). Then, in one run, for each
export:

- baseline: ``json.load`` of every Spotify file / ``csv.reader`` over the CSV, alone;
- ``musitui history import FILE|FOLDER`` as a user runs it (a child process, so its start-up
  is counted), into an empty history (wall time, and the child's CPU time);
- the same import again (everything is a duplicate: adds nothing).

Target: 100k listens in <= 30 s.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests"))

from import_formats import Made, lastfm_header_csv, spotify_record  # noqa: E402

from musitui.paths import Home  # noqa: E402
from musitui.store.catalog import Catalog  # noqa: E402

START = 1_300_000_000.0  # 2011: ten years of listening
SPOTIFY_FILE = 12_000


def build_catalog(home: Path, tracks: int, rng: random.Random) -> list[tuple[str, str, str, float]]:
    catalog = Catalog.open(Home(config_dir=home, data_dir=home).ensure(), write=True)
    songs = []
    for n in range(tracks):
        artist, album = f"Artist {n // 40}", f"Album {n // 12}"
        title, seconds = f"Song number {n}", float(rng.randint(120, 420))
        catalog.new_track(f"/music/{artist}/{album}/{n}.flac", title=title, artist=artist,
                          album=album, duration=seconds)
        songs.append((artist, title, album, seconds))
    catalog.save()
    catalog.close()
    return songs


def synth_listens(count: int, songs: list[tuple[str, str, str, float]],
                  rng: random.Random) -> list[Made]:
    made = []
    ts = START
    for n in range(count):
        if rng.random() < 0.05:
            ts += rng.uniform(3600, 40 * 3600)  # a new session
        if rng.random() < 2 / 3:
            artist, title, album, seconds = rng.choice(songs)
            if n % 3 == 0:
                title = f"{title} - Remastered 2011"
            elif n % 3 == 1:
                artist = artist.upper()
        else:
            artist, title, album, seconds = (f"Stranger {rng.randint(0, 5000)}",
                                             f"Tune {rng.randint(0, 50000)}", "", 200.0)
        skipped = rng.random() < 0.15
        heard = rng.uniform(2, 25) if skipped else None
        made.append(Made(ts, artist, title, album, seconds, heard=heard, skipped=skipped))
        ts += (heard if heard is not None else seconds) + rng.uniform(0, 5)
    return made


def write_spotify(folder: Path, made: list[Made]) -> list[Path]:
    folder.mkdir(parents=True)
    paths = []
    for part, first in enumerate(range(0, len(made), SPOTIFY_FILE)):
        records = [spotify_record(m) for m in made[first:first + SPOTIFY_FILE]]
        for n in range(len(records) // 33):  # about 3 % podcasts
            records.append({**records[n], "master_metadata_track_name": None,
                            "master_metadata_album_artist_name": None,
                            "episode_name": "An episode", "spotify_episode_uri": "spotify:episode:x"})
        path = folder / f"Streaming_History_Audio_{2011 + part}_{part}.json"
        path.write_text(json.dumps(records, indent=1))
        paths.append(path)
    return paths


def timed(fn) -> tuple[float, object]:
    started = time.perf_counter()
    result = fn()
    return time.perf_counter() - started, result


def child_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_import(home: Path, path: Path) -> tuple[float, float, dict]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    cpu = child_cpu()
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "musitui", "--home", str(home), "history",
                           "import", "--json", str(path)], capture_output=True, text=True,
                          env=env, check=False)
    wall = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"import failed: {done.stderr.strip()}")
    return wall, child_cpu() - cpu, json.loads(done.stdout)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--listens", type=int, default=100_000)
    parser.add_argument("--tracks", type=int, default=10_000)
    args = parser.parse_args()
    rng = random.Random(7)
    with tempfile.TemporaryDirectory(prefix="bench-import-") as tmp:
        root = Path(tmp)
        made = synth_listens(args.listens, build_catalog(root / "lib", args.tracks, rng), rng)
        spotify = write_spotify(root / "spotify", made)
        lastfm = root / "scrobbles.csv"
        lastfm.write_bytes(lastfm_header_csv(made))
        size = sum(p.stat().st_size for p in spotify) / 1e6
        print(f"{args.listens} listens over {args.tracks} tracks; load {os.getloadavg()[0]:.1f}")
        for label, path, baseline in (
                (f"Spotify, {len(spotify)} files, {size:.0f} MB", root / "spotify",
                 lambda: sum(len(json.loads(p.read_bytes())) for p in spotify)),
                (f"Last.fm CSV, {lastfm.stat().st_size / 1e6:.0f} MB", lastfm,
                 lambda: sum(1 for _ in csv.reader(lastfm.open(newline="", encoding="utf-8"))))):
            home = root / f"home-{path.name}"
            os.system(f"cp -r {root / 'lib'} {home}")  # the same catalog, an empty history
            base, rows = timed(baseline)
            wall, cpu, first = run_import(home, path)
            again_wall, _, again = run_import(home, path)
            print(f"{label}: stdlib alone {base:.2f} s ({rows} records); musitui import "
                  f"{wall:.2f} s wall, {cpu:.2f} s CPU: added {first['added']} "
                  f"({first['finishes']} finishes, {first['skips']} skips), kept aside "
                  f"{first['unmatched']}, not music {first['not_music']}; again {again_wall:.2f} s, "
                  f"added {again['added']}, duplicates {again['duplicates']}; "
                  f"load {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
