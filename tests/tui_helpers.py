"""Test worlds for the TUI: a small real library (synthesised WAV files, tagged in the catalog),
known feature vectors and moods, a real Session over a real Player on the "null" device.

No librosa: the feature store is filled with known vectors so rankings are predictable.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import soundfile as sf

from musitui.config import Config
from musitui.core.model import Analysis
from musitui.paths import Home
from musitui.store.catalog import Catalog
from musitui.store.features import FILE_NAME, FeatureStore

if TYPE_CHECKING:
    from musitui.core.session import Session
    from musitui.tui.app import MusituiApp

SAMPLE_RATE = 8000
# artist, album, genre, mood, (valence, arousal), direction in feature space
STYLES = [
    ("Aurora Lights", "Sunny Side", "Pop", "happy", (0.7, 0.4), 0),
    ("Delta Nine", "Overdrive", "Electronic", "energetic", (0.3, 0.85), 1),
    ("Still Water", "Quiet Hours", "Ambient", "calm", (0.3, -0.7), 2),
    ("Grey Piano", "Rain Letters", "Classical", "sad", (-0.6, -0.5), 3),
]
TITLES = ["Morning", "Harbour", "Échappée", "Last Light"]
FEATURE_DIM = 8


@dataclass
class World:
    home: Home
    music: Path
    catalog: Catalog
    features: FeatureStore


def write_tone(path: Path, freq: float, seconds: float) -> None:
    t = np.arange(int(SAMPLE_RATE * seconds)) / SAMPLE_RATE
    audio = (0.2 * np.sin(2 * np.pi * freq * t)).astype(np.float32)
    sf.write(path, audio, SAMPLE_RATE, subtype="PCM_16")


def build_world(root: Path, *, per_artist: int = 3, seconds: float = 40.0) -> World:
    """A home under ``root/home`` and a music folder ``root/music`` with 4 artists."""
    home = Home(config_dir=root / "home", data_dir=root / "home").ensure()
    music = root / "music"
    catalog = Catalog.open(home)
    rng = np.random.default_rng(7)
    ids, rows = [], []
    for a, (artist, album, genre, mood, (valence, arousal), axis) in enumerate(STYLES):
        folder = music / artist / album
        folder.mkdir(parents=True, exist_ok=True)
        for n in range(per_artist):
            path = folder / f"{n + 1:02d} {TITLES[n % len(TITLES)]}.wav"
            write_tone(path, 220.0 * (1 + a) + 20 * n, seconds)
            stat = path.stat()
            track = catalog.new_track(
                str(path), size=stat.st_size, mtime_ns=stat.st_mtime_ns,
                title=f"{TITLES[n % len(TITLES)]} {artist.split()[0]}", artist=artist, album=album,
                genre=genre, track_no=n + 1, duration=seconds, codec="wav",
                sample_rate=SAMPLE_RATE, channels=1,
                analysis=Analysis(feature_version=1, tempo=90.0 + 20 * a, key="C", mode="major",
                                  valence=valence + 0.02 * n, arousal=arousal - 0.02 * n,
                                  mood=mood))
            vector = np.zeros(FEATURE_DIM, dtype=np.float32)
            vector[axis] = 1.0
            vector += rng.normal(0, 0.05, FEATURE_DIM).astype(np.float32)
            ids.append(track.id)
            rows.append(vector)
    catalog.remember_folder(str(music))
    catalog.save()
    features = FeatureStore(home.features_dir / FILE_NAME, version=1,
                            names=[f"f{i}" for i in range(FEATURE_DIM)], backups_dir=home.backups_dir)
    features.put_many(ids, np.stack(rows))
    features.save()
    return World(home, music, catalog, FeatureStore.open(home))


def make_config(home: Home, keys: dict[str, str] | None = None) -> Config:
    from musitui.config import load_config

    config = load_config(home)
    config.recommend = replace(config.recommend, seed=0, up_next_length=8)
    if keys:
        config.keys = dict(keys)
    return config


def open_session(world: World, *, device: str | None = "null", keys: dict[str, str] | None = None,
                 restore: bool = False):
    """A real Session (and Player on ``device``; None = no player at all) over the world."""
    from musitui.core.session import Session
    from musitui.store.history import History

    config = make_config(world.home, keys)
    player = None
    if device is not None:
        from musitui.playback import Player

        player = Player(device=device, volume=80)
    session = Session(world.home, config, world.catalog, player=player,
                      history=History.open(world.home, config), features=world.features)
    if restore:
        session.restore_state()
    return session, config


def make_app(world: World, session, config, **options):
    from musitui.tui.app import MusituiApp

    options.setdefault("animate_highlight", False)
    return MusituiApp(session, world.catalog, config=config, home=world.home, **options)


class Opener:
    """Opens real Sessions (and apps over them) on a test world; the fixture closes every one
    when the test ends, so a failing test leaves no player thread behind."""

    def __init__(self) -> None:
        self.opened: list[Session] = []

    def session(self, world: World, *, device: str | None = "null",
                keys: dict[str, str] | None = None,
                restore: bool = False) -> tuple[Session, Config]:
        session, config = open_session(world, device=device, keys=keys, restore=restore)
        self.opened.append(session)
        return session, config

    def __call__(self, world: World, *, device: str | None = "null",
                 keys: dict[str, str] | None = None, restore: bool = False,
                 **options: Any) -> tuple[Session, MusituiApp]:
        """A session as :meth:`session` opens it and the app over it (``options`` go to the app)."""
        session, config = self.session(world, device=device, keys=keys, restore=restore)
        return session, make_app(world, session, config, **options)

    def close(self) -> None:
        for session in self.opened:
            session.close()


async def wait_for(pilot, condition, timeout: float = 5.0, step: float = 0.02) -> None:
    """Let the app run until ``condition()`` is true (player events arrive on other threads)."""
    import time

    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {condition}")
        await pilot.pause(step)
    await pilot.pause()


def up_next_ids(app) -> list[int]:
    from musitui.tui.up_next import UpNextView

    return [item.track.id for item in app.query_one(UpNextView).items]


def screen_lines(widget) -> list[str]:
    """The text a line-based widget currently shows, one string per visible line."""
    height = widget.scrollable_content_region.height
    return ["".join(seg.text for seg in widget.render_line(y)).rstrip() for y in range(height)]


def run_async(test):
    """Run an ``async def`` test in a fresh event loop (no pytest asyncio plugin needed)."""
    import asyncio
    import functools

    @functools.wraps(test)
    def wrapper(*args, **kwargs):
        return asyncio.run(test(*args, **kwargs))

    return wrapper


async def scroll_wheel(pilot, widget, *, down: bool = True, times: int = 1) -> None:
    """Turn the mouse wheel over ``widget``: the same events the terminal driver posts."""
    from textual import events

    event = events.MouseScrollDown if down else events.MouseScrollUp
    for _ in range(times):
        # Pilot has click/hover helpers but no wheel one; this is the path they all take.
        await pilot._post_mouse_events([event], widget, offset=(2, 2))


def app_with_jobs(world: World, tui: Opener):
    """A session without audio and an app whose background job scans the world's music folder
    and analyses what is new (the player's start-up); returns (session, app, jobs)."""
    from musitui.tui.jobs import BackgroundJobs

    session, config = tui.session(world, device=None)
    jobs = BackgroundJobs(world.home, world.catalog, session, folders=[str(world.music)], analyze=True)
    return session, make_app(world, session, config, jobs=jobs), jobs


async def scanned_and_analysed(pilot, app, jobs, tracks: int) -> None:
    """Wait until the library shows ``tracks`` tracks and the background job is done."""
    await wait_for(pilot, lambda: app.model.track_count == tracks, timeout=300)
    await wait_for(pilot, lambda: not jobs.busy.locked(), timeout=600)
