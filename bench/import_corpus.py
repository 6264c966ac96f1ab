"""Matching a synthetic multi-service history to a real library, measured.

    .venv/bin/python bench/import_corpus.py HOME [--sessions 300] [--seed 1]

HOME is a musitui home with a library scanned (and analysed, for ``evaluate``'s rankers); it
is copied, never changed. From the catalog's own tags this writes the history a listener of
that library would bring from elsewhere, then imports it with ``musitui history import`` as a
user would, and checks every listen against the truth:

- sessions of 4-15 listens: mostly one soundtrack, some other library tracks, and others'
  songs: a stranger's song with a library title, a library artist's song that is not in the
  library, lookalike artists ("Paul Leach Jr."), unrelated songs;
- library listens spelled as services spell them: case, accents, "The ...", "feat. ...",
  "- Remastered 2011", "(Live)", "[2011 Remaster]", spaces, no album;
- each session on one service: Spotify's extended history (+ podcasts), a Last.fm CSV of
  each shape, a ListenBrainz ZIP or a .scrobbler.log; a quarter of the Spotify and log
  listens are skips (Spotify: skipped or stopped early; the log's S); with the copies
  services share: Spotify's scrobbles in Last.fm (a few seconds later), Last.fm's in
  ListenBrainz and back;

Reports: the share of library listens given to the right file at the right time (Wilson 95 %
interval), finish/skip right, events that are wrong (another file, a stranger's song, a
second copy: must be 0), what was kept aside, a re-import (must add 0), and
``musitui evaluate``'s sessions after the import.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import unicodedata
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests"))

from import_formats import (  # noqa: E402
    Made,
    lastfm_header_csv,
    lastfm_plain_csv,
    listenbrainz_zip,
    scrobbler_log,
    spotify_json,
)
from intervals import wilson  # noqa: E402

from musitui.core.model import UNKNOWN_ARTIST  # noqa: E402
from musitui.paths import Home  # noqa: E402
from musitui.store.catalog import Catalog  # noqa: E402
from musitui.store.history import History  # noqa: E402

START = 1_600_000_000.0
STRANGERS = ["Kasabian", "Mesh", "Depeche Mode", "Castle Rock Band", "Nightwish", "Air"]


@dataclass
class Truth:
    made: Made
    track_id: int | None  # None: not a library song
    kind: str  # finish / skip
    services: list[str]


def accented(text: str) -> str:
    for plain, fancy in (("e", "é"), ("a", "á"), ("o", "ö"), ("i", "í")):
        if plain in text:
            return text.replace(plain, fancy, 1)
    return text


def spelled(artist: str, title: str, album: str, rng: random.Random) -> tuple[str, str, str]:
    way = rng.randrange(11)
    if way == 1:
        return artist.upper(), title.upper(), album
    if way == 2:
        return artist.lower(), title.lower(), album.lower()
    if way == 3:
        return artist, f"{title} - Remastered 2011", album
    if way == 4:
        return artist, f"{title} (Live)", album
    if way == 5:
        return f"{artist} feat. MC Guest", title, album
    if way == 6:
        return artist, title, ""
    if way == 7:
        return (artist if artist.lower().startswith("the ") else f"The {artist}"), title, album
    if way == 8:
        return f" {artist.replace(' ', '  ')} ", f"{title}  ", album
    if way == 9:
        return artist, f"{title} [2011 Remaster]", album
    if way == 10:
        return accented(artist), accented(title), album
    return artist, title, album


def stranger(tracks: list[tuple], rng: random.Random) -> tuple[str, str, str]:
    artist, title, _album = rng.choice(tracks)[1:4]
    way = rng.randrange(4)
    if way == 0:  # another artist's song with a library title
        return rng.choice(STRANGERS), title, ""
    if way == 1:  # the library's artist, a song the library does not have
        return artist, f"Unreleased Theme {rng.randrange(100)}", ""
    if way == 2:  # a lookalike artist with a library title
        return f"{artist} Jr.", title, ""
    return rng.choice(STRANGERS), f"Song {rng.randrange(10_000)}", "Elsewhere"


def synthesise(tracks: list[tuple], sessions: int, rng: random.Random) -> list[Truth]:
    """Sessions on one service each (a device, an app); never the same track twice running."""
    albums: dict[str, list[tuple]] = {}
    for track in tracks:
        albums.setdefault(track[3], []).append(track)
    truths: list[Truth] = []
    ts = START
    for _ in range(sessions):
        ts += rng.uniform(2 * 3600, 30 * 3600)
        album = albums[rng.choice(list(albums))]
        service = rng.choices(["spotify", "lastfm", "lastfm_plain", "listenbrainz", "scrobbler"],
                              [0.35, 0.2, 0.1, 0.2, 0.15])[0]
        previous = None
        for _ in range(rng.randint(4, 15)):
            roll = rng.random()
            # Skips are not scrobbled: only Spotify and the player's log know them.
            skip = service in ("spotify", "scrobbler") and rng.random() < 0.25
            if roll < 0.85:
                pick = rng.choice(album) if roll < 0.75 else rng.choice(tracks)
                while pick[0] == previous and len(album) > 1:
                    pick = rng.choice(album)
                track_id, artist, title, album_name, seconds = pick
                artist, title, album_name = spelled(artist, title, album_name, rng)
            else:
                track_id, seconds = None, 200.0
                artist, title, album_name = stranger(tracks, rng)
            previous = track_id
            heard = rng.uniform(3, 25) if skip else None
            made = Made(ts, artist, title, album_name, seconds, heard=heard, skipped=skip)
            truths.append(Truth(made, track_id, "skip" if skip else "finish",
                                copies(service, skip, rng)))
            ts += (heard if heard is not None else seconds) + rng.uniform(0, 20)
    return truths


def copies(service: str, skip: bool, rng: random.Random) -> list[str]:
    """The services that hold a listen: where it was played, and where it was copied to
    (Spotify scrobbling to Last.fm; Last.fm's scrobbles imported into ListenBrainz)."""
    also = {"spotify": ("lastfm", 0.3), "lastfm": ("listenbrainz", 0.4),
            "lastfm_plain": ("listenbrainz", 0.4), "listenbrainz": ("lastfm", 0.2)}.get(service)
    if skip or also is None or rng.random() >= also[1]:
        return [service]
    return [service, also[0]]


def write_exports(folder: Path, truths: list[Truth], rng: random.Random) -> None:
    by: dict[str, list[Made]] = {}
    for truth in truths:
        for service in truth.services:
            made = truth.made
            if service == "lastfm" and "spotify" in truth.services:
                made = Made(made.start + rng.uniform(0, 5), made.artist, made.title, made.album,
                            made.seconds)  # Spotify's own scrobble, a little later
            by.setdefault(service, []).append(made)
    spotify_dir = folder / "Spotify Extended Streaming History"
    spotify_dir.mkdir(parents=True)
    spotify = by.get("spotify", [])
    half = len(spotify) // 2
    for n, part in enumerate((spotify[:half], spotify[half:])):
        (spotify_dir / f"Streaming_History_Audio_202{n}_{n}.json").write_bytes(
            spotify_json(part, podcasts=len(part) // 20, audiobooks=3))
    (folder / "lastfm.csv").write_bytes(lastfm_header_csv(by.get("lastfm", [])))
    (folder / "lastfm-to-csv.csv").write_bytes(lastfm_plain_csv(by.get("lastfm_plain", [])))
    (folder / "listenbrainz_me_1700000000.zip").write_bytes(listenbrainz_zip(by.get("listenbrainz", [])))
    (folder / ".scrobbler.log").write_bytes(scrobbler_log(by.get("scrobbler", [])))


def musitui(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run([sys.executable, "-m", "musitui", "--home", str(home), *args],
                          capture_output=True, text=True, env=env, check=False)


def score(events: list[dict], truths: list[Truth], twins: dict[int, int]) -> dict[str, int]:
    """Each event given to the library listen it stands for (same file, began within 60 s).
    ``twins`` maps a track to the first of the files with the very same artist, title and
    album (the same song twice in the library, e.g. as MP3 and Ogg): either is right."""
    wanted: dict[int, list[Truth]] = {}
    for truth in truths:
        if truth.track_id is not None:
            wanted.setdefault(twins[truth.track_id], []).append(truth)
    taken: set[int] = set()
    right = kind_right = wrong = 0
    for event in events:
        start = float(event["ts"]) - float(event.get("listened") or 0.0)
        near = [t for t in wanted.get(twins[int(event["track_id"])], [])
                if abs(t.made.start - start) <= 60 and id(t) not in taken]
        if not near:
            wrong += 1  # another file, a stranger's song, or a second copy of a listen
            if os.environ.get("SHOW_WRONG"):
                close = [t for t in truths if abs(t.made.start - start) <= 60]
                print("  wrong:", event["track_id"], event["title"], event["kind"], event["source"],
                      [(t.track_id, t.made.artist, t.made.title, t.kind, t.services) for t in close])
            continue
        best = min(near, key=lambda t: abs(t.made.start - start))
        taken.add(id(best))
        right += 1
        kind_right += best.kind == event["kind"]
    if os.environ.get("SHOW_WRONG"):
        for truth in truths:
            if truth.track_id is not None and id(truth) not in taken:
                print("  unassigned:", truth.track_id, truth.made.start, truth.made.title,
                      truth.kind, truth.services, truth.made.heard, [
                          (e["track_id"], e["ts"], e.get("listened"), e["kind"], e["source"])
                          for e in events if abs(float(e["ts"]) - truth.made.start) < 400])
    return {"right": right, "kind_right": kind_right, "wrong": wrong}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("home", type=Path)
    parser.add_argument("--sessions", type=int, default=300)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory(prefix="import-corpus-") as tmp:
        home = Path(tmp) / "home"
        shutil.copytree(args.home, home, ignore=shutil.ignore_patterns("history", "state.json"))
        catalog = Catalog.open(Home(config_dir=home, data_dir=home))
        columns = catalog.columns().present()
        every = [(int(i), a, t, al, float(d)) for i, a, t, al, d in zip(
            columns.ids.tolist(), columns.artist, columns.title, columns.album,
            columns.duration.tolist(), strict=True)]
        # A file without an artist tag cannot be told from anyone's song of that title; a
        # service would name its artist, the file does not: such tracks are left out.
        tracks = [t for t in every if t[1] != UNKNOWN_ARTIST and t[2]]
        first: dict[tuple[str, str, str], int] = {}
        twins = {t[0]: first.setdefault((t[1], t[2], t[3]), t[0]) for t in every}
        truths = synthesise(tracks, args.sessions, rng)
        exports = Path(tmp) / "exports"
        write_exports(exports, truths, rng)
        done = musitui(home, "history", "import", "--json", str(exports))
        if done.returncode != 0:
            raise SystemExit(f"import failed: {done.stderr}")
        summary = json.loads(done.stdout)
        history = History.open(Home(config_dir=home, data_dir=home))
        events = history.events(kinds=["finish", "skip"], newest_first=False)
        history.close()
        found = score(events, truths, twins)
        doubled = sum(1 for t in truths if t.track_id is not None
                      and sum(v == twins[t.track_id] for v in twins.values()) > 1)
        library = [t for t in truths if t.track_id is not None]
        others = len(truths) - len(library)
        low, high = wilson(found["right"], len(library))
        print(f"library: {len(every)} tracks, {len(every) - len(tracks)} without artist tag "
              f"(left out); {len(truths)} listens in {args.sessions} sessions "
              f"({len(library)} of library tracks, {others} of others' songs), exported as "
              f"{sum(len(t.services) for t in truths)} records; load {os.getloadavg()[0]:.1f}")
        print(f"matched to the right file at the right time: {found['right']}/{len(library)} = "
              f"{found['right'] / len(library):.1%} (95 % {low:.1%}-{high:.1%}); finish/skip right "
              f"{found['kind_right']}/{found['right']}; wrong events (another file, a stranger's "
              f"song, a second copy): {found['wrong']}; listens of a song the library holds "
              f"twice (either file counts): {doubled}")
        print(f"import: added {summary['added']}, duplicates {summary['duplicates']}, kept aside "
              f"{summary['unmatched']} (others' songs: {others}), not music "
              f"{summary['not_music']}, top unmatched {summary['top_unmatched_artists'][:3]}")
        again = json.loads(musitui(home, "history", "import", "--json", str(exports)).stdout)
        print(f"re-import of everything: added {again['added']}, kept aside anew "
              f"{again['unmatched']}, duplicates {again['duplicates']}")
        evaluated = musitui(home, "evaluate", "--json")
        print(f"musitui evaluate: {evaluated.stdout.strip() or evaluated.stderr.strip()}")
        misses = [t for t in library if not any(
            twins[int(e["track_id"])] == twins[t.track_id] and abs(float(e["ts"]) - float(e.get("listened") or 0)
                                                     - t.made.start) <= 60 for e in events)]
        unmatched_names = {(k["artist"], k["title"]) for k in _kept_aside(home)}
        why = {"kept aside (no file matched)": 0, "taken as a copy of a listen near it": 0}
        for truth in misses:
            if (truth.made.artist, truth.made.title) in unmatched_names:
                why["kept aside (no file matched)"] += 1
            else:
                why["taken as a copy of a listen near it"] += 1
        print(f"missed {len(misses)}: {why}")
        for truth in misses[:8]:
            print(f"  missed: {unicodedata.normalize('NFC', truth.made.artist)!r} "
                  f"{truth.made.title!r} {truth.made.album!r} via {truth.services}")


def _kept_aside(home: Path) -> list[dict]:
    path = home / "history" / "unmatched.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []

if __name__ == "__main__":
    main()
