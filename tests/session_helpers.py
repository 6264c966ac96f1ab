"""A synthesised library for the history/recommender/session tests.

Tracks come in styles; each style has a centre in feature space and in the valence/arousal
plane, its own genre tag and artists. The catalog and the feature store are built directly
with these known vectors (that is exactly what the recommender sees), so the tests do not
need librosa. ``write_audio`` makes real tiny files for the tests that go through a Player.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from musitui.config import Config
from musitui.core.model import Analysis
from musitui.core.moods import nearest_mood
from musitui.core.session import Session
from musitui.paths import Home
from musitui.store.catalog import Catalog
from musitui.store.features import FeatureStore
from musitui.store.history import History

DIM = 12
STYLES: dict[str, tuple[float, float]] = {
    # style -> (valence, arousal)
    "metal": (-0.5, 0.8),
    "ambient": (0.2, -0.75),
    "pop": (0.7, 0.4),
    "folk": (-0.4, -0.4),
}


@dataclass
class Event:
    """The shape of musitui.playback.PlayerEvent, to feed Session.handle_player_event."""

    kind: str
    path: str | None
    position: float = 0.0
    duration: float = 0.0
    message: str = ""


class Clock:
    def __init__(self, start: float = 1_780_000_000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def tick(self, seconds: float) -> None:
        self.now += seconds


def home_at(folder: Path) -> Home:
    return Home(config_dir=folder, data_dir=folder).ensure()


def build_world(folder: Path, *, per_style: int = 10, artists_per_style: int = 3, seed: int = 7,
                analysed: bool = True, genres: bool = True, music_dir: Path | None = None,
                duration: float = 180.0) -> tuple[Home, Catalog, FeatureStore]:
    """A catalog + feature store: ``per_style`` tracks of every style, saved in ``folder``."""
    rng = np.random.default_rng(seed)
    home = home_at(folder)
    catalog = Catalog.open(home)
    features = FeatureStore(home.features_dir / "features.npz", names=[f"mfcc_mean_{i}" for i in range(DIM)],
                            version=1, backups_dir=home.backups_dir)
    ids: list[int] = []
    rows: list[np.ndarray] = []
    centres = {style: rng.normal(0, 3.0, DIM) for style in STYLES}
    music = music_dir or folder / "music"
    for style, (valence, arousal) in STYLES.items():
        for n in range(per_style):
            artist = f"{style.title()} Artist {n % artists_per_style}"
            track = catalog.new_track(
                str(music / style / f"{style}-{n:02d}.wav"), title=f"{style} {n}", artist=artist,
                album=f"{style} album", genre=style if genres else "", duration=duration)
            if analysed:
                v = float(np.clip(valence + rng.normal(0, 0.1), -1, 1))
                a = float(np.clip(arousal + rng.normal(0, 0.1), -1, 1))
                track.analysis = Analysis(feature_version=1, tempo=120.0, key="C", mode="major",
                                          valence=v, arousal=a, mood=nearest_mood(v, a), style=style)
                ids.append(track.id)
                rows.append(centres[style] + rng.normal(0, 1.0, DIM))
    if analysed:
        features.ids = np.asarray(ids, dtype=np.int64)
        features.matrix = np.asarray(rows, dtype=np.float32)
    catalog.save()
    return home, catalog, features


def style_of(track) -> str:
    return Path(track.path).parent.name


def make_session(home: Home, catalog: Catalog, features: FeatureStore | None, *,
                 clock: Clock | None = None, player=None, config: Config | None = None,
                 **recommend: object) -> Session:
    config = config or Config()
    config.recommend = replace(config.recommend, **recommend)
    history = History.open(home, config)
    return Session(home, config, catalog, player=player, history=history, features=features,
                   clock=clock or Clock())


def listen(session: Session, clock: Clock, track, *, finish: bool, at: float = 10.0) -> None:
    """Play ``track`` through the session's player-event path: start, then end or an early stop."""
    session.handle_player_event(Event("start", track.path, 0.0, track.duration))
    if finish:
        clock.tick(track.duration)
        session.handle_player_event(Event("end", track.path, track.duration, track.duration))
    else:
        clock.tick(at)
        session.handle_player_event(Event("stopped", track.path, at, track.duration))
    clock.tick(1.0)


def write_audio(path: Path, seconds: float = 1.0, freq: float = 440.0, samplerate: int = 22050) -> Path:
    import soundfile as sf

    path.parent.mkdir(parents=True, exist_ok=True)
    t = np.arange(int(seconds * samplerate)) / samplerate
    tone = (0.2 * np.sin(2 * np.pi * freq * t)).astype(np.float32)
    sf.write(path, np.stack([tone, tone], axis=1), samplerate)
    return path
