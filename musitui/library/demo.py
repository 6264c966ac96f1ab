"""The demo library: ~24 synthesised, tagged tracks in five clearly different styles.

Each "artist" has one album in one style (happy pop, energetic electronic, calm ambient,
sad piano, intense metal). The styles differ in tempo, loudness, mode, brightness (harmonic
roll-off, noise, distortion) and density (notes and drum hits per second), so feature
extraction and the mood estimate have something real to separate. Everything is rendered
with numpy from a seeded RNG, and every writer is byte-deterministic: the same version of
musitui writes the same bytes (Ogg stream serials are fixed, PyAV muxes with +bitexact).

``FOLDER/demo.csv`` lists each track with its intended style, valence/arousal, tempo and
mode: the ground truth for tests and benchmarks.
"""

from __future__ import annotations

import csv
import io
import os
import struct
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from musitui.library.demo_art import embed_art, write_folder_art

DEMO_VERSION = 1
MARKER_FILE = ".musitui-demo"
CSV_FILE = "demo.csv"
CSV_COLUMNS = [
    "path", "title", "artist", "album", "genre", "style", "tracknumber", "year",
    "valence", "arousal", "tempo", "mode", "key", "format", "seconds", "rms_dbfs", "lyrics",
]
# Formats rotate over the whole library: each album has (almost) every format and each format
# appears four times, so no format is tied to a style.
FORMATS = ["flac", "mp3", "ogg", "opus", "m4a", "wav"]
NOTE_NAMES = ["C", "C#", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B"]
SCALES = {"major": [0, 2, 4, 5, 7, 9, 11], "minor": [0, 2, 3, 5, 7, 8, 10]}
# Chord progressions as scale degrees (0 = tonic); each starts on the tonic.
PROGRESSIONS = {
    "major": [[0, 4, 5, 3], [0, 3, 4, 0], [0, 5, 3, 4], [0, 3, 0, 4]],
    "minor": [[0, 5, 2, 6], [0, 2, 5, 0], [0, 5, 3, 0], [0, 6, 5, 6]],
}

ProgressCallback = Callable[[int, int, Path], None]


class DemoError(Exception):
    """The demo library cannot be written (one-line reason)."""


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


# ---------------------------------------------------------------------------- synthesis


@dataclass(frozen=True)
class Plan:
    """The musical decisions for one track. Only ``bars`` (and so how much of the melody is
    kept) depends on seconds_scale; nothing depends on the sample rate."""
    tempo: float
    root: int
    progression: list[int]
    bars: int
    melody: list[tuple[float, float, int, float]]  # (beat, length in beats, midi, velocity)


def midi_hz(note: float) -> float:
    return 440.0 * 2.0 ** ((note - 69) / 12.0)


def plan_track(track: DemoTrack, seconds_scale: float = 1.0) -> Plan:
    style = track.style
    rng = np.random.default_rng(track.seed)
    tempo = float(round(rng.uniform(*style.tempo)))
    root = style.roots[(track.number - 1) % len(style.roots)]
    progressions = PROGRESSIONS[style.mode]
    progression = progressions[int(rng.integers(len(progressions)))]
    full_seconds = float(rng.uniform(*style.seconds))
    bar_seconds = 4 * 60.0 / tempo
    full_bars = max(4, round(full_seconds / bar_seconds))
    bars = max(2, round(full_bars * seconds_scale))
    melody = _plan_melody(rng, style, root, progression, full_bars)
    melody = [note for note in melody if note[0] < bars * 4]
    return Plan(tempo, root, progression, bars, melody)


def _chord_notes(style: Style, root: int, degree: int) -> list[int]:
    scale = SCALES[style.mode]
    notes = []
    for step in (0, 2, 4):
        index = degree + step
        notes.append(root + scale[index % 7] + 12 * (index // 7))
    return notes


def _plan_melody(rng: np.random.Generator, style: Style, root: int, progression: list[int],
                 bars: int) -> list[tuple[float, float, int, float]]:
    scale = SCALES[style.mode]
    step = 1.0 / style.melody_per_beat
    position = 9  # index into the scale over octaves (7 = the tonic an octave up): the third
    notes = []
    beat = 0.0
    while beat < bars * 4:
        bar = int(beat // 4)
        if bar == 0 and style.chords != "pad":
            beat += step  # the first bar is an intro without melody
            continue
        degree = progression[bar % len(progression)]
        if rng.random() < 0.15:
            beat += step
            continue
        on_downbeat = abs(beat % 1.0) < 1e-9
        if on_downbeat and rng.random() < 0.6:
            # land on a chord tone so the harmony (and the mode) is clear
            targets = [degree + 7, degree + 9, degree + 11]
            position = min(targets, key=lambda t: abs(t - position))
        else:
            position += int(rng.choice([-2, -1, -1, 1, 1, 2]))
            position = int(np.clip(position, 5, 16))
        midi = root + 12 + scale[position % 7] + 12 * (position // 7 - 1)
        length = step * (2 if rng.random() < 0.2 else 1)
        velocity = float(rng.uniform(0.7, 1.0))
        notes.append((beat, length, midi, velocity))
        beat += length
    return notes


def _wavetable(rolloff: float, harmonics: int, size: int = 4096) -> np.ndarray:
    phase = np.arange(size) / size
    table = np.zeros(size)
    for k in range(1, harmonics + 1):
        table += k ** -rolloff * np.sin(2 * np.pi * k * phase)
    return table / np.max(np.abs(table))


class VoiceMixer:
    """Mono buses (one per pan position) that voices are added to; mixed to stereo at the end.

    Notes repeat a lot (chords every bar, bass every beat), so rendered tones are cached.
    """

    def __init__(self, seconds: float, samplerate: int) -> None:
        self.sr = samplerate
        self.frames = int(seconds * samplerate) + 1
        self.buses: dict[float, np.ndarray] = {}
        self._tones: dict[tuple, np.ndarray] = {}

    def add(self, start_seconds: float, signal: np.ndarray, pan: float = 0.0) -> None:
        start = int(start_seconds * self.sr)
        end = min(self.frames, start + len(signal))
        if end <= start:
            return
        bus = self.buses.get(pan)
        if bus is None:
            bus = self.buses[pan] = np.zeros(self.frames)
        bus[start:end] += signal[: end - start]

    def render(self, channels: int) -> np.ndarray:
        """(channels, frames): constant-power panning; mono is the average of left and right."""
        out = np.zeros((channels, self.frames))
        for pan, bus in self.buses.items():
            left, right = np.sqrt(0.5 * (1 - pan)), np.sqrt(0.5 * (1 + pan))
            if channels == 1:
                out[0] += bus * (0.5 * (left + right))
            else:
                out[0] += bus * left
                out[1] += bus * right
        return out

    def tone(self, table: np.ndarray, freq: float, seconds: float, attack: float,
             decay: float, release: float = 0.05) -> np.ndarray:
        key = (id(table), freq, seconds, attack, decay, release)
        cached = self._tones.get(key)
        if cached is not None:
            return cached
        n = max(1, int(seconds * self.sr))
        t = np.arange(n) / self.sr
        index = (t * (freq * len(table))).astype(np.int64) % len(table)
        env = np.minimum(1.0, t / max(attack, 1e-4)) * np.exp(-t / decay)
        tail = max(1, min(n, int(release * self.sr)))
        env[-tail:] *= np.linspace(1.0, 0.0, tail)
        signal = table[index] * env
        self._tones[key] = signal
        return signal


def _drum_kit(rng: np.random.Generator, sr: int, style: Style) -> dict[str, np.ndarray]:
    t = np.arange(int(0.35 * sr)) / sr
    sweep = 2 * np.pi * (50 * t + (150 - 50) * 0.04 * (1 - np.exp(-t / 0.04)))
    # a double-kicking metal drummer needs a tight kick, or the hits merge into a drone
    kick = np.sin(sweep) * np.exp(-t / (0.05 if style.drums == "metal" else 0.12))
    click = int(0.004 * sr)  # the beater's click: a sharp onset above the boom
    kick[:click] += 0.5 * rng.standard_normal(click) * np.linspace(1.0, 0.0, click)
    noise = rng.standard_normal(len(t))
    snare_noise = np.convolve(noise, np.ones(3) / 3, mode="same")  # slightly darker noise
    snare = (0.6 * snare_noise * np.exp(-t / 0.07) + 0.5 * np.sin(2 * np.pi * 185 * t)
             * np.exp(-t / 0.05))
    hat_t = t[: int(0.08 * sr)]
    hat_noise = np.diff(rng.standard_normal(len(hat_t) + 1))  # first difference = high-passed
    hat = 0.5 * hat_noise * np.exp(-hat_t / (0.025 if style.drums != "metal" else 0.05))
    return {"kick": kick, "snare": snare, "hat": hat}


def _drum_hits(style: Style, bars: int) -> list[tuple[float, str, float]]:
    """(beat, instrument, velocity) for the whole track; the first bar is an intro."""
    hits: list[tuple[float, str, float]] = []
    for bar in range(1, bars):
        base = bar * 4
        if style.drums == "backbeat":
            hits += [(base + b, "kick", 1.0) for b in (0, 2, 2.5)]
            hits += [(base + b, "snare", 0.9) for b in (1, 3)]
            hits += [(base + b / 2, "hat", 0.5 + 0.2 * (b % 2 == 0)) for b in range(8)]
        elif style.drums == "four":
            hits += [(base + b, "kick", 1.0) for b in range(4)]
            hits += [(base + b, "snare", 0.8) for b in (1, 3)]
            hits += [(base + b / 4, "hat", 0.8 if b % 4 == 2 else 0.35) for b in range(16)]
        elif style.drums == "metal":
            hits += [(base + b / 4, "kick", 0.9) for b in range(16)]
            hits += [(base + b, "snare", 1.0) for b in (1, 3)]
            hits += [(base + b / 2, "hat", 0.8) for b in range(8)]
    return hits


@dataclass(frozen=True)
class Voices:
    """The wavetables one track plays with, and its beat length."""
    lead: np.ndarray
    warm: np.ndarray
    bass: np.ndarray
    guitar: np.ndarray
    beat_s: float


def render_track(track: DemoTrack, seconds_scale: float = 1.0) -> tuple[np.ndarray, Plan]:
    """The track as float32 (frames, channels), peak <= 0.98, and its plan."""
    style = track.style
    plan = plan_track(track, seconds_scale)
    sr = track.samplerate
    beat_s = 60.0 / plan.tempo
    seconds = plan.bars * 4 * beat_s
    mix = VoiceMixer(seconds + 1.0, sr)
    voices = Voices(lead=_wavetable(style.rolloff, style.harmonics),
                    warm=_wavetable(style.rolloff + 0.8, max(2, style.harmonics // 2)),
                    bass=_wavetable(2.0, 4), guitar=_wavetable(1.5, 8), beat_s=beat_s)
    for bar in range(plan.bars):
        chord = _chord_notes(style, plan.root, plan.progression[bar % len(plan.progression)])
        _add_chords(mix, style, voices, chord, bar * 4 * beat_s)
        _add_bass(mix, style, voices, chord, bar * 4 * beat_s)
    _add_melody(mix, style, voices, plan)
    if style.drums != "none":
        kit = _drum_kit(np.random.default_rng(track.seed + 7), sr, style)
        for beat, name, velocity in _drum_hits(style, plan.bars):
            level = velocity * (style.noise * 1.6 if name != "kick" else 0.6 + 0.5 * style.noise)
            mix.add(beat * beat_s, level * kit[name], pan=0.15 if name == "hat" else 0.0)

    audio = mix.render(track.channels)[:, : int(seconds * sr)]
    fade = min(len(audio[0]), int(min(2.0, seconds / 5) * sr))
    audio[:, -fade:] *= np.linspace(1.0, 0.0, fade) ** 2
    audio = _level(audio, style.rms_dbfs)
    return np.ascontiguousarray(audio.T, dtype=np.float32), plan


def _add_chords(mix: VoiceMixer, style: Style, voices: Voices, chord: list[int], start: float) -> None:
    beat_s = voices.beat_s
    bar_s = 4 * beat_s
    if style.chords == "pad":
        for note in chord:
            mix.add(start, 0.22 * mix.tone(voices.warm, midi_hz(note), bar_s + 0.3,
                                           style.attack, 4.0, 0.4), pan=-0.3)
    elif style.chords == "stabs":
        for beat in (0, 1.5, 2, 3.5):
            for note in chord:
                mix.add(start + beat * beat_s,
                        0.16 * mix.tone(voices.lead, midi_hz(note), 0.4 * beat_s * 2,
                                        style.attack, 0.25), pan=0.3)
    elif style.chords == "arp":
        drums = style.drums != "none"
        per_beat = 4 if drums else 2
        pattern = [chord[0], chord[1], chord[2], chord[0] + 12 if drums else chord[1] + 12]
        step = beat_s / per_beat
        table = voices.lead if drums else voices.warm
        for i in range(4 * per_beat):
            accent = 1.0 if i % per_beat == 0 else 0.7
            mix.add(start + i * step, 0.2 * accent * mix.tone(
                table, midi_hz(pattern[i % len(pattern)]), step * 1.8, style.attack,
                0.12 if drums else 0.9), pan=0.25)
    elif style.chords == "power":
        # root + fifth + octave, distorted sixteenth-note chugs, accented on the beat
        notes = [chord[0] - 12, chord[0] - 5, chord[0]]
        sig = sum(mix.tone(voices.guitar, midi_hz(n), beat_s / 4, style.attack, 0.3)
                  for n in notes)
        chug = 0.25 * np.tanh(style.drive * sig)
        for i in range(16):
            mix.add(start + i * beat_s / 4, chug * (1.0 if i % 4 == 0 else 0.7), pan=0.2)
        # a dark synth pad holds the full (minor) triad above the guitars
        for note in chord:
            mix.add(start, 0.25 * mix.tone(voices.warm, midi_hz(note + 12), bar_s, 0.05, 3.0,
                                           0.1), pan=-0.3)


def _add_bass(mix: VoiceMixer, style: Style, voices: Voices, chord: list[int], start: float) -> None:
    """The chord root, two octaves down where that is still audible: held, or on every beat."""
    beat_s = voices.beat_s
    note = chord[0] - 24 if chord[0] - 24 >= 28 else chord[0] - 12
    if style.drums == "none":
        mix.add(start, 0.35 * mix.tone(voices.bass, midi_hz(note), 4 * beat_s, 0.05, 3.0, 0.2))
    else:
        for beat in range(4):
            mix.add(start + beat * beat_s,
                    0.4 * mix.tone(voices.bass, midi_hz(note), beat_s * 0.9, 0.005, 0.4))


def _add_melody(mix: VoiceMixer, style: Style, voices: Voices, plan: Plan) -> None:
    table = voices.lead if style.rolloff < 2 else voices.warm
    decay = 1.5 if style.drums == "none" else 0.4
    for beat, length, midi, velocity in plan.melody:
        mix.add(beat * voices.beat_s,
                0.3 * velocity * mix.tone(table, midi_hz(midi), length * voices.beat_s * 1.1,
                                          max(0.005, style.attack / 4), decay), pan=-0.2)


def _level(audio: np.ndarray, rms_dbfs: float) -> np.ndarray:
    rms = float(np.sqrt(np.mean(audio**2))) or 1.0
    audio *= 10 ** (rms_dbfs / 20) / rms
    # Soft-limit peaks above the knee, as a mastering limiter would: smooth, below 0.98.
    knee, ceiling = 0.6, 0.98
    loud = np.abs(audio) > knee
    if loud.any():
        over = np.abs(audio[loud]) - knee
        audio[loud] = np.sign(audio[loud]) * (knee + (ceiling - knee)
                                              * np.tanh(over / (ceiling - knee)))
    return audio


# ---------------------------------------------------------------------------- writers


_BITREV = bytes(int(f"{i:08b}"[::-1], 2) for i in range(256))


def ogg_crc(data: bytes) -> int:
    """Ogg's CRC-32 (poly 0x04c11db7, not reflected, init 0), via zlib's reflected CRC-32."""
    reflected = zlib.crc32(data.translate(_BITREV), 0xFFFFFFFF) ^ 0xFFFFFFFF
    return int(f"{reflected:032b}"[::-1], 2)


def fix_ogg_serial(data: bytes, serial: int) -> bytes:
    """Set every page's stream serial (libsndfile picks a random one) and fix the CRCs."""
    out = bytearray(data)
    pos = 0
    while pos < len(out):
        if out[pos:pos + 4] != b"OggS" or pos + 27 > len(out):
            raise DemoError("internal error: unexpected Ogg page layout")
        segments = out[pos + 26]
        size = 27 + segments + sum(out[pos + 27:pos + 27 + segments])
        out[pos + 14:pos + 18] = struct.pack("<I", serial)
        out[pos + 22:pos + 26] = b"\0\0\0\0"
        out[pos + 22:pos + 26] = struct.pack("<I", ogg_crc(bytes(out[pos:pos + size])))
        pos += size
    return bytes(out)


def _write_soundfile(path: Path, audio: np.ndarray, sr: int, fmt: str) -> None:
    import soundfile

    formats = {"flac": ("FLAC", "PCM_16"), "wav": ("WAV", "PCM_16"), "ogg": ("OGG", "VORBIS")}
    container, subtype = formats[fmt]
    target: io.BytesIO | Path = io.BytesIO() if fmt == "ogg" else path
    block = 10 * sr  # libsndfile's Vorbis writer can crash on >= 60 s in one call
    with soundfile.SoundFile(target, "w", sr, audio.shape[1], subtype, format=container) as out:
        for start in range(0, len(audio), block):
            out.write(audio[start:start + block])
    if isinstance(target, io.BytesIO):
        path.write_bytes(fix_ogg_serial(target.getvalue(), serial=0x6D757369))


def _write_pyav(path: Path, audio: np.ndarray, sr: int, fmt: str) -> None:
    import av

    # The fast AAC coder and LAME quality 7 halve the encoding time; plenty for a demo.
    codec, container_format, bitrate, options = {
        "opus": ("libopus", "ogg", 96_000, {}),
        "m4a": ("aac", "ipod", 128_000, {"aac_coder": "fast"}),
        "mp3": ("libmp3lame", "mp3", 128_000, {"compression_level": "7"}),
    }[fmt]
    layout = "stereo" if audio.shape[1] == 2 else "mono"
    # +bitexact: fixed Ogg serials and no version/time stamps, so the bytes are reproducible.
    with av.open(str(path), "w", format=container_format,
                 options={"fflags": "+bitexact"}) as container:
        stream = container.add_stream(codec, rate=sr, options=options)
        stream.layout = layout
        stream.bit_rate = bitrate
        planar = np.ascontiguousarray(audio.T)
        block = 2 * sr
        for start in range(0, planar.shape[1], block):
            frame = av.AudioFrame.from_ndarray(np.ascontiguousarray(planar[:, start:start + block]),
                                               format="fltp", layout=layout)
            frame.sample_rate = sr
            frame.pts = start
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)


def write_audio(path: Path, audio: np.ndarray, sr: int, fmt: str) -> None:
    if fmt in ("opus", "m4a", "mp3"):
        _write_pyav(path, audio, sr, fmt)
    else:
        _write_soundfile(path, audio, sr, fmt)


def write_tags(path: Path, fmt: str, tags: dict[str, str], lyrics: str | None) -> None:
    if fmt in ("flac", "ogg", "opus"):
        _tag_vorbis(path, fmt, tags, lyrics)
    elif fmt in ("mp3", "wav"):
        _tag_id3(path, fmt, tags, lyrics)
    else:
        _tag_mp4(path, tags, lyrics)


def _tag_vorbis(path: Path, fmt: str, tags: dict[str, str], lyrics: str | None) -> None:
    from mutagen.flac import FLAC
    from mutagen.oggopus import OggOpus
    from mutagen.oggvorbis import OggVorbis

    audio = {"flac": FLAC, "ogg": OggVorbis, "opus": OggOpus}[fmt](path)
    if audio.tags is None:
        audio.add_tags()
    for key, value in tags.items():
        audio.tags[key] = [value]
    if lyrics:
        audio.tags["lyrics"] = [lyrics]
    audio.save()


def _tag_id3(path: Path, fmt: str, tags: dict[str, str], lyrics: str | None) -> None:
    from mutagen import id3

    frames = [id3.TIT2(encoding=3, text=tags["title"]), id3.TPE1(encoding=3, text=tags["artist"]),
              id3.TALB(encoding=3, text=tags["album"]), id3.TPE2(encoding=3, text=tags["albumartist"]),
              id3.TCON(encoding=3, text=tags["genre"]), id3.TRCK(encoding=3, text=tags["tracknumber"]),
              id3.TDRC(encoding=3, text=tags["date"])]
    if lyrics:
        frames.append(id3.USLT(encoding=3, lang="eng", desc="", text=lyrics))
    if fmt == "wav":
        from mutagen.wave import WAVE

        audio = WAVE(path)
        if audio.tags is None:
            audio.add_tags()
        for frame in frames:
            audio.tags.add(frame)
        audio.save()
    else:
        tag = id3.ID3()
        for frame in frames:
            tag.add(frame)
        tag.save(path, v2_version=4)


def _tag_mp4(path: Path, tags: dict[str, str], lyrics: str | None) -> None:
    from mutagen.mp4 import MP4

    audio = MP4(path)
    if audio.tags is None:
        audio.add_tags()
    number, total = (int(part) for part in tags["tracknumber"].split("/"))
    audio.tags["\xa9nam"] = [tags["title"]]
    audio.tags["\xa9ART"] = [tags["artist"]]
    audio.tags["\xa9alb"] = [tags["album"]]
    audio.tags["aART"] = [tags["albumartist"]]
    audio.tags["\xa9gen"] = [tags["genre"]]
    audio.tags["\xa9day"] = [tags["date"]]
    audio.tags["trkn"] = [(number, total)]
    if lyrics:
        audio.tags["\xa9lyr"] = [lyrics]
    audio.save()


def _lrc_text(track: DemoTrack, plan: Plan) -> str:
    length = plan.bars * 4 * 60.0 / plan.tempo
    lines = [f"[ti:{track.title}]", f"[ar:{track.style.artist}]", f"[al:{track.style.album}]"]
    for i, text in enumerate(LRC_LINES):
        minutes, seconds = divmod(length * (0.1 + 0.2 * i), 60)
        lines.append(f"[{int(minutes):02d}:{seconds:05.2f}]{text}")
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------- the library


def is_demo_library(folder: Path) -> bool:
    return (folder / MARKER_FILE).is_file()


def check_target(folder: Path) -> None:
    """Raise DemoError unless folder is absent, empty, or an earlier demo library."""
    if folder.exists() and not folder.is_dir():
        raise DemoError(f"{folder} exists and is not a folder")
    if folder.is_dir() and any(folder.iterdir()) and not is_demo_library(folder):
        raise DemoError(f"{folder} is not empty and is not a musitui demo library; "
                        "choose a new or empty folder")


def _previous_files(folder: Path) -> list[str]:
    try:
        with open(folder / CSV_FILE, encoding="utf-8", newline="") as handle:
            return [row["path"] for row in csv.DictReader(handle) if row.get("path")]
    except (OSError, ValueError, KeyError):
        return []


def write_demo_library(folder: Path, *, seconds_scale: float = 1.0,
                       progress: ProgressCallback | None = None, jobs: int = 1) -> list[Path]:
    """Write the demo library into folder; return the audio files written, in order.

    ``seconds_scale`` shortens every track (same tempo, key, progression and melody, fewer
    bars) so tests can use a quick version. ``jobs`` > 1 renders tracks in that many
    processes (the bytes do not depend on it). Raises DemoError with a one-line reason.
    """
    folder = Path(folder)
    if seconds_scale <= 0:
        raise DemoError("seconds_scale must be positive")
    check_target(folder)
    tracks = demo_tracks()
    previous = _previous_files(folder) if folder.is_dir() else []
    try:
        folder.mkdir(parents=True, exist_ok=True)
        # The marker goes first: an interrupted run leaves a folder a rerun may overwrite.
        (folder / MARKER_FILE).write_text(f"musitui demo library, version {DEMO_VERSION}\n",
                                          encoding="utf-8")
        for track in tracks:
            album = (folder / track.relpath).parent
            album.mkdir(parents=True, exist_ok=True)
            for stale in album.glob(".*.part"):  # left by a run that was killed
                stale.unlink(missing_ok=True)
            write_folder_art(album, track.style.name)
        rows = _write_tracks(folder, tracks, seconds_scale, jobs, progress)
        keep = {row["path"] for row in rows} | {_lrc_relpath(t) for t in tracks}
        for relpath in previous:  # files of an older demo version that this one no longer has
            if relpath not in keep and ".." not in Path(relpath).parts:
                (folder / relpath).unlink(missing_ok=True)
        _write_csv(folder / CSV_FILE, rows)
    except OSError as exc:
        raise DemoError(f"cannot write the demo library: {exc.strerror or exc}"
                        f"{': ' + str(exc.filename) if exc.filename else ''}") from exc
    return [folder / track.relpath for track in tracks]


def _write_tracks(folder: Path, tracks: list[DemoTrack], seconds_scale: float, jobs: int,
                  progress: ProgressCallback | None) -> list[dict[str, str]]:
    rows: dict[int, dict[str, str]] = {}

    def finished(index: int, row: dict[str, str]) -> None:
        rows[index] = row
        if progress:
            progress(len(rows), len(tracks), folder / tracks[index].relpath)

    if jobs <= 1:
        for index in range(len(tracks)):
            finished(index, _write_track_at(folder, index, seconds_scale))
    else:
        from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait

        from musitui.library.child_processes import pool_context, start_worker

        with ProcessPoolExecutor(max_workers=jobs, mp_context=pool_context(),
                                 initializer=start_worker) as pool:
            futures = {pool.submit(_write_track_at, folder, index, seconds_scale): index
                       for index in range(len(tracks))}
            try:
                pending = set(futures)
                while pending:
                    done, pending = wait(pending, return_when=FIRST_COMPLETED)
                    for future in done:
                        finished(futures[future], future.result())
            except BaseException:
                pool.shutdown(wait=True, cancel_futures=True)
                raise
    return [rows[index] for index in range(len(tracks))]


def _write_track_at(folder: Path, index: int, seconds_scale: float) -> dict[str, str]:
    track = demo_tracks()[index]
    try:
        return _write_track(folder, track, seconds_scale)
    except OSError:
        raise
    except Exception as exc:  # an encoder or tagger failure: name the track, one line
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise DemoError(f"cannot write {track.relpath}: {reason}") from None


def _lrc_relpath(track: DemoTrack) -> str:
    return str(Path(track.relpath).with_suffix(".lrc"))


def _write_track(folder: Path, track: DemoTrack, seconds_scale: float) -> dict[str, str]:
    style = track.style
    audio, plan = render_track(track, seconds_scale)
    path = folder / track.relpath
    # Hidden while incomplete, so a scan never sees a half-written file. The writers and
    # taggers are told the format explicitly, so the odd extension does not matter.
    tmp = path.with_name(f".{path.name}.part")
    tags = {"title": track.title, "artist": style.artist, "album": style.album,
            "albumartist": style.artist, "genre": style.genre,
            "tracknumber": f"{track.number}/{track.total}", "date": str(style.year)}
    lyrics = style.lyrics.get(track.number)
    try:
        write_audio(tmp, audio, track.samplerate, track.fmt)
        write_tags(tmp, track.fmt, tags, lyrics)
        embed_art(tmp, track.fmt, style.name)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    lyrics_kind = "embedded" if lyrics else ""
    lrc = path.with_suffix(".lrc")
    if (style.name, track.number) == LRC_TRACK:
        lrc.write_text(_lrc_text(track, plan), encoding="utf-8")
        lyrics_kind = "lrc"
    seconds = len(audio) / track.samplerate
    rms = float(np.sqrt(np.mean(np.asarray(audio, dtype=np.float64) ** 2)))
    return {
        "path": track.relpath, "title": track.title, "artist": style.artist,
        "album": style.album, "genre": style.genre, "style": style.name,
        "tracknumber": str(track.number), "year": str(style.year),
        "valence": f"{style.valence:.2f}", "arousal": f"{style.arousal:.2f}",
        "tempo": f"{plan.tempo:.0f}", "mode": style.mode,
        "key": f"{NOTE_NAMES[plan.root % 12]} {style.mode}", "format": track.fmt,
        "seconds": f"{seconds:.2f}", "rms_dbfs": f"{20 * np.log10(max(rms, 1e-9)):.1f}",
        "lyrics": lyrics_kind,
    }


def _write_csv(path: Path, rows: list[dict[str, str]]) -> None:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")


def read_demo_csv(folder: Path) -> list[dict[str, str]]:
    """The ground truth rows of a demo library (as written by write_demo_library)."""
    with open(Path(folder) / CSV_FILE, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))
