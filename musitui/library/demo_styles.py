"""What the demo library holds: five styles (one artist and album each), their tracks, formats
and lyrics. The ground truth of ``demo.csv`` comes from here."""

from __future__ import annotations

from dataclasses import dataclass, field

# Formats rotate over the whole library: each album has (almost) every format and each format
# appears four times, so no format is tied to a style.
FORMATS = ["flac", "mp3", "ogg", "opus", "m4a", "wav"]
NOTE_NAMES = ["C", "C#", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B"]

@dataclass(frozen=True)
class Style:
    name: str
    artist: str
    album: str
    genre: str
    year: int
    mode: str
    tempo: tuple[float, float]        # bpm range
    seconds: tuple[float, float]      # track length range (at seconds_scale=1)
    rms_dbfs: float                   # target loudness of the mix
    rolloff: float                    # harmonic amplitude ~ k**-rolloff: low = bright
    harmonics: int
    drive: float                      # tanh distortion gain on chords (0 = clean)
    drums: str                        # none | backbeat | four | metal
    noise: float                      # level of the noisy drum parts (snare, hats)
    melody_per_beat: float
    chords: str                       # pad | stabs | arp | power
    attack: float                     # seconds
    valence: float
    arousal: float
    roots: tuple[int, ...]            # MIDI notes of the keys the tracks use
    titles: tuple[str, ...]
    lyrics: dict[int, str] = field(default_factory=dict)


HAPPY_LYRICS = [
    "Sunlight on the open road\nWe are dancing, feeling free\nEvery morning shines for you and me",
    "Laughing in the summer rain\nHappy hearts and golden days\nSing it loud, we love this sweet life",
]
SAD_LYRICS = [
    "Rain against the window\nI miss you, alone tonight\nThe empty room is cold and grey",
    "Letters that I never sent\nTears and broken promises\nLonely, lost, I say goodbye",
]
ENERGY_LYRICS = "Turn it up, we run all night\nFaster, louder, feel the fire\nJump, jump, jump!"
DARK_LYRICS = "Burning iron, rage and storm\nBreak the chains, destroy the night\nFury, war and pain"

STYLES: list[Style] = [
    Style("happy", "The Daybreakers", "Golden Hour", "Pop", 2019, "major",
          (112, 128), (30, 42), -14.0, 1.1, 12, 0.0, "backbeat", 0.25, 2, "stabs", 0.005,
          0.7, 0.35, (60, 62, 65, 67, 64),
          ("Sunny Parade", "Lemonade Sky", "Café Lumière", "Weekend Friends", "Bicycle Bells"),
          {1: HAPPY_LYRICS[0], 2: HAPPY_LYRICS[1]}),
    Style("energetic", "Neon Circuit", "Overdrive", "Electronic", 2021, "major",
          (138, 150), (30, 40), -10.0, 0.8, 16, 0.0, "four", 0.55, 4, "arp", 0.002,
          0.35, 0.85, (62, 64, 57, 59, 60),
          ("Voltage Run", "Hyperlane", "Pulse Engine", "Skyline Sprint", "Laser Dawn"),
          {4: ENERGY_LYRICS}),
    Style("calm", "Lumen Quiet", "Soft Tides", "Ambient", 2017, "major",
          (62, 72), (45, 60), -26.0, 3.2, 4, 0.0, "none", 0.0, 0.5, "pad", 0.6,
          0.3, -0.7, (53, 55, 57, 52, 50),
          ("Still Water", "Morning Mist", "Slow Clouds", "Harbour Light", "Drifting Leaves"),
          {}),
    Style("sad", "Mara Vell", "Rain on Glass", "Classical", 2015, "minor",
          (56, 68), (42, 56), -23.0, 2.2, 6, 0.0, "none", 0.0, 1, "arp", 0.01,
          -0.6, -0.5, (57, 52, 55, 50, 53),
          ("Grey Letters", "Nächtlicher Regen", "Empty Station", "The Last Candle", "Winter Window"),
          {1: SAD_LYRICS[0], 3: SAD_LYRICS[1]}),
    Style("intense", "Blackforge", "Furnace", "Metal", 2020, "minor",
          (160, 176), (32, 44), -11.0, 0.7, 16, 3.0, "metal", 1.3, 2, "power", 0.003,
          -0.55, 0.8, (52, 50, 53, 52),
          ("Iron Storm", "Ashes Rise", "Hammerfall Night", "Molten Core"),
          {3: DARK_LYRICS}),
]
# One sad track also gets a synced-lyrics sidecar .lrc (style name, track number).
LRC_TRACK = ("sad", 2)
LRC_LINES = ["The streets are wet and silent", "Your shadow on the wall",
             "I wait, but no one comes", "Goodbye, my lonely heart"]


@dataclass(frozen=True)
class DemoTrack:
    style: Style
    album_index: int
    number: int             # 1-based
    total: int
    title: str
    fmt: str
    seed: int

    @property
    def relpath(self) -> str:
        name = f"{self.number:02d} {self.title}.{self.fmt}"
        return f"{self.style.artist}/{self.style.album}/{name}"

    @property
    def samplerate(self) -> int:
        return 48000 if self.fmt == "opus" else 44100

    @property
    def channels(self) -> int:
        # Stereo only where encoding is cheap: lossy encoders dominate the time budget.
        return 2 if self.fmt == "flac" else 1


def demo_tracks() -> list[DemoTrack]:
    tracks: list[DemoTrack] = []
    for album_index, style in enumerate(STYLES):
        total = len(style.titles)
        for number, title in enumerate(style.titles, start=1):
            fmt = FORMATS[len(tracks) % len(FORMATS)]
            tracks.append(DemoTrack(style, album_index, number, total, title, fmt,
                                    seed=1000 * (album_index + 1) + number))
    return tracks
