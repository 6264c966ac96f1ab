"""The demo library's music: each track's plan (tempo, key, progression, melody from a seeded
RNG) and its synthesis with numpy (wavetable voices, chords, bass, drums, a soft limiter)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from musitui.library.demo_styles import DemoTrack, Style

SCALES = {"major": [0, 2, 4, 5, 7, 9, 11], "minor": [0, 2, 3, 5, 7, 8, 10]}
# Chord progressions as scale degrees (0 = tonic); each starts on the tonic.
PROGRESSIONS = {
    "major": [[0, 4, 5, 3], [0, 3, 4, 0], [0, 5, 3, 4], [0, 3, 0, 4]],
    "minor": [[0, 5, 2, 6], [0, 2, 5, 0], [0, 5, 3, 0], [0, 6, 5, 6]],
}


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


def chord_notes(style: Style, root: int, degree: int) -> list[int]:
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
        chord = chord_notes(style, plan.root, plan.progression[bar % len(plan.progression)])
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
