"""The player through the null outputs: gapless, seek, pause, volume, errors, underruns."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import numpy as np
import pytest
from test_playback_audio import FORMATS, chirp, decode_all, locate, tone, write_audio

import musitui.playback.decoder as decoder_module
from musitui.decode import DecodeError, open_audio
from musitui.playback import Player, PlayerEvent


class Events:
    """Collects a player's events; ``wait_for`` blocks until one matches."""

    def __init__(self, player: Player) -> None:
        self.items: list[tuple[float, PlayerEvent]] = []
        self._cond = threading.Condition()
        player.subscribe(self._on)

    def _on(self, event: PlayerEvent) -> None:
        with self._cond:
            self.items.append((time.monotonic(), event))
            self._cond.notify_all()

    def kinds(self, *, positions: bool = False) -> list[tuple[str, str | None]]:
        return [(e.kind, Path(e.path).name if e.path else None) for _, e in self.items
                if positions or e.kind != "position"]

    def of(self, kind: str) -> list[PlayerEvent]:
        return [e for _, e in self.items if e.kind == kind]

    def wait_for(self, predicate, timeout: float = 10.0) -> PlayerEvent:
        deadline = time.monotonic() + timeout
        seen = 0
        with self._cond:
            while True:
                for _, event in self.items[seen:]:
                    if predicate(event):
                        return event
                seen = len(self.items)
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"no matching event in {timeout} s; got {self.kinds()}")
                self._cond.wait(left)


def stopped(event: PlayerEvent) -> bool:
    return event.kind == "state" and event.message == "stopped"


@pytest.fixture
def player_factory():
    made: list[Player] = []

    def make(device: str = "null-fast", **kwargs) -> Player:
        kwargs.setdefault("volume", 100)
        player = Player(device, **kwargs)
        made.append(player)
        return player

    yield make
    for player in made:
        player.close()


def test_gapless_output_is_the_concatenation_of_the_tracks(tmp_path, player_factory):
    first = write_audio(tmp_path / "one.wav", chirp(1.3, 44100), 44100)
    second = write_audio(tmp_path / "two.flac", tone(0.9, channels=1, freq=523.0), 44100)
    player = player_factory(record=True)
    events = Events(player)
    player.play(first)
    player.set_next(second)
    events.wait_for(stopped)

    expected = np.concatenate([decode_all(first)[0], np.repeat(decode_all(second)[0], 2, axis=1)])
    heard = player.output.recorded()
    assert heard.shape == expected.shape  # no inserted silence, nothing dropped
    assert np.array_equal(heard, expected)
    assert events.kinds() == [("start", "one.wav"), ("end", "one.wav"), ("start", "two.flac"),
                              ("end", "two.flac"), ("state", None)]
    assert player.underruns == 0


@pytest.mark.parametrize("ext", list(FORMATS))
def test_seek_lands_within_50_ms_in_every_format(tmp_path, player_factory, ext):
    rate = FORMATS[ext][2]
    path = write_audio(tmp_path / f"sweep.{ext}", chirp(5.0, rate), rate)
    reference, decoded_rate = decode_all(path)
    player = player_factory(record=True, samplerate=decoded_rate)
    events = Events(player)
    player.play(path, paused=True)
    events.wait_for(lambda e: e.kind == "start")
    player.seek(3.21)
    assert player.position == pytest.approx(3.21)
    player.resume()
    events.wait_for(stopped)

    heard = player.output.recorded()
    found = locate(heard[:8192], reference) / decoded_rate
    assert abs(found - 3.21) <= 0.05, f"{ext}: audio after the seek is from {found:.3f} s"
    assert len(heard) == pytest.approx(len(reference) - 3.21 * decoded_rate, abs=0.05 * decoded_rate)
    assert events.of("end")[0].position == pytest.approx(len(reference) / decoded_rate, abs=0.05)


def test_seek_by_and_start_offset_report_what_is_heard(tmp_path, player_factory):
    path = write_audio(tmp_path / "sweep.ogg", chirp(4.0, 44100), 44100)
    reference, rate = decode_all(path)
    player = player_factory("null")
    events = Events(player)
    player.play(path, start=1.0)
    events.wait_for(lambda e: e.kind == "position" and e.position >= 1.3)
    player.seek_by(2.0)
    event = events.wait_for(lambda e: e.kind == "position" and e.position >= 3.0)
    assert event.position < 3.5
    player.seek_by(-10)  # clamps at the start
    event = events.wait_for(lambda e: e.kind == "position" and e.position < 0.5)
    assert event.position >= 0.0
    assert not events.of("end")
    player.stop()
    stop_event = events.wait_for(lambda e: e.kind == "stopped")
    assert stop_event.path == str(path) and stop_event.position < 1.0


def test_pause_holds_the_position_and_resume_continues(tmp_path, player_factory):
    path = write_audio(tmp_path / "t.wav", tone(3.0), 44100)
    player = player_factory("null")
    events = Events(player)
    player.play(path)
    events.wait_for(lambda e: e.kind == "position" and e.position >= 0.4)
    player.pause()
    assert player.state == "paused"
    time.sleep(0.15)  # the fade-out (20 ms) and one tick
    held = player.position
    time.sleep(0.5)
    assert player.position == pytest.approx(held, abs=0.001)
    assert 0.4 <= held <= 0.8
    player.toggle_pause()
    resumed = time.monotonic()
    assert player.state == "playing"
    events.wait_for(lambda e: e.kind == "position" and e.position >= held + 0.6)
    states = [e.message for e in events.of("state")]
    assert states[:2] == ["paused", "playing"]
    ticks = [t for t, e in events.items if e.kind == "position" and t > resumed]
    assert len(ticks) >= 10 * (ticks[-1] - resumed) - 1  # >= 10 per second while playing
    assert max(np.diff(ticks)) < 0.15


def test_volume_mute_and_pause_ramp_without_clicks(tmp_path, player_factory):
    level = 0.5
    constant = np.full((int(2.0 * 44100), 2), level, dtype=np.float32)  # any step would show
    path = write_audio(tmp_path / "dc.wav", constant, 44100)
    player = player_factory("null", record=True)
    events = Events(player)
    player.play(path)
    events.wait_for(lambda e: e.kind == "position" and e.position >= 0.2)
    player.set_volume(30)
    time.sleep(0.2)
    player.toggle_mute()
    time.sleep(0.15)
    player.toggle_mute()
    time.sleep(0.15)
    player.pause()
    time.sleep(0.1)
    player.resume()
    player.set_volume(100)
    events.wait_for(stopped)

    heard = player.output.recorded()[:, 0]
    sounding = np.flatnonzero(heard)
    heard = heard[sounding[0]:sounding[-1] + 1]  # the track's own first and last step aside
    jumps = np.abs(np.diff(heard))
    assert jumps.max() < 0.002, f"a step of {jumps.max():.4f} (a click)"
    assert np.isclose(heard, level * 0.09, atol=1e-4).sum() > 4000  # it did reach 30 % (0.3^2)
    assert np.isclose(heard, 0.0, atol=1e-6).sum() > 4000  # and silence (mute/pause)
    assert np.isclose(heard, level, atol=1e-6).sum() > 4000  # and full volume


def test_undecodable_file_in_the_queue_is_reported_and_skipped(tmp_path, player_factory):
    good = write_audio(tmp_path / "good.wav", tone(0.5), 44100)
    bad = tmp_path / "bad.mp3"
    bad.write_text("this is not audio\n" * 50)
    after = write_audio(tmp_path / "after.flac", tone(0.3, freq=600), 44100)
    player = player_factory()
    events = Events(player)
    player.play(good)
    player.set_next(bad)
    events.wait_for(stopped)
    errors = events.of("error")
    assert [e.path for e in errors] == [str(bad)] and errors[0].message
    assert events.kinds()[:3] == [("start", "good.wav"), ("end", "good.wav"), ("error", "bad.mp3")]
    # The next track still plays (the session asks for it after the error).
    player.play(after)
    events.wait_for(lambda e: e.kind == "end" and e.path == str(after))


class FailingSource:
    """A real decoder that breaks after ``good_reads`` reads (a file damaged mid-way)."""

    def __init__(self, inner, good_reads: int, delay: float = 0.0) -> None:
        self._inner = inner
        self._left = good_reads
        self._delay = delay
        self.samplerate, self.channels, self.duration = inner.samplerate, inner.channels, inner.duration

    def read(self, frames):
        if self._delay:
            time.sleep(self._delay)
        if self._left == 0:
            raise DecodeError("corrupt frame data")
        self._left -= 1
        return self._inner.read(frames)

    def seek(self, seconds):
        self._inner.seek(seconds)

    def close(self):
        self._inner.close()


def test_file_failing_mid_way_moves_on_to_the_next_track(tmp_path, player_factory, monkeypatch):
    broken = write_audio(tmp_path / "broken.wav", tone(2.0, freq=300), 44100)
    following = write_audio(tmp_path / "next.wav", tone(0.5, freq=700), 44100)

    def opener(path):
        source = open_audio(path)
        return FailingSource(source, 5) if Path(path).name == "broken.wav" else source

    monkeypatch.setattr(decoder_module, "open_audio", opener)
    player = player_factory(record=True)
    events = Events(player)
    player.play(broken)
    player.set_next(following)
    events.wait_for(stopped)
    assert events.kinds() == [("start", "broken.wav"), ("error", "broken.wav"),
                              ("start", "next.wav"), ("end", "next.wav"), ("state", None)]
    assert events.of("error")[0].message == "corrupt frame data"
    heard = player.output.recorded()
    assert len(heard) == 5 * decoder_module.READ_FRAMES + int(0.5 * 44100)


def test_slow_decoder_counts_underruns_and_never_hangs(tmp_path, player_factory, monkeypatch):
    path = write_audio(tmp_path / "slow.wav", tone(3.0), 44100)
    read_seconds = decoder_module.READ_FRAMES / 44100

    def opener(path):  # decodes at a third of real time
        return FailingSource(open_audio(path), 10**6, delay=3 * read_seconds)

    monkeypatch.setattr(decoder_module, "open_audio", opener)
    player = player_factory("null")
    events = Events(player)
    player.play(path)
    start = time.monotonic()
    time.sleep(1.0)
    assert player.underruns > 0
    assert len(events.of("position")) >= 8  # the player's thread kept reporting
    assert 0.1 < player.position < 0.7  # what was really heard, not wall time
    t0 = time.monotonic()
    player.stop()
    player.close()
    assert time.monotonic() - t0 < 1.0
    assert time.monotonic() - start < 3.0


def test_set_next_replaces_a_prebuffered_track(tmp_path, player_factory):
    first = write_audio(tmp_path / "first.wav", tone(1.0), 44100)
    old = write_audio(tmp_path / "old.wav", tone(0.3, freq=200), 44100)
    new = write_audio(tmp_path / "new.wav", tone(0.3, freq=900), 44100)
    player = player_factory("null", record=True)
    events = Events(player)
    player.play(first)
    player.set_next(old)
    time.sleep(0.2)  # first is fully decoded and old pre-buffered behind it by now
    player.set_next(new)
    events.wait_for(stopped)
    assert [k for k in events.kinds() if k[0] == "start"] == [("start", "first.wav"),
                                                              ("start", "new.wav")]


def test_crossfade_overlaps_the_tracks(tmp_path, player_factory):
    a = write_audio(tmp_path / "a.wav", np.full((44100, 2), 0.4, np.float32), 44100)
    b = write_audio(tmp_path / "b.wav", np.full((44100, 2), -0.4, np.float32), 44100)
    player = player_factory(record=True, crossfade=0.5)
    events = Events(player)
    player.play(a)
    player.set_next(b)
    events.wait_for(stopped)
    heard = player.output.recorded()[:, 0]
    assert len(heard) == 2 * 44100 - 22050
    middle = heard[44100 - 22050:44100]
    assert middle[0] == pytest.approx(0.4, abs=1e-3) and middle[-1] == pytest.approx(-0.4, abs=2e-3)
    assert np.all(np.diff(middle) <= 1e-6)  # a smooth slide from one to the other
    assert [k[0] for k in events.kinds()] == ["start", "end", "start", "end", "state"]


def test_replaygain_scales_the_track(tmp_path, player_factory):
    path = write_audio(tmp_path / "g.wav", np.full((4410, 2), 0.5, np.float32), 44100)
    player = player_factory(record=True)
    events = Events(player)
    player.play(path, gain_db=-6.0206)
    events.wait_for(stopped)
    assert player.output.recorded()[:, 0] == pytest.approx(0.25, abs=1e-4)
    off = player_factory(record=True, replaygain="off")
    off_events = Events(off)
    off.play(path, gain_db=-6.0206)
    off_events.wait_for(stopped)
    assert off.output.recorded()[:, 0] == pytest.approx(0.5, abs=1e-6)


def test_resampled_track_keeps_its_length_and_position(tmp_path, player_factory):
    path = write_audio(tmp_path / "48k.wav", tone(1.0, rate=48000), 48000)
    player = player_factory(record=True)  # the output runs at 44.1 kHz
    events = Events(player)
    player.play(path)
    end = events.wait_for(lambda e: e.kind == "end")
    heard = player.output.recorded()
    assert len(heard) == pytest.approx(44100, abs=64)
    assert end.position == pytest.approx(1.0)
    peak = np.abs(np.fft.rfft(heard[4410:-4410, 0])).argmax() * 44100 / len(heard[4410:-4410])
    assert peak == pytest.approx(440, abs=2)


def test_device_lost_pauses_and_recovers_at_the_same_position(tmp_path, player_factory):
    path = write_audio(tmp_path / "t.wav", tone(3.0), 44100)
    player = player_factory("null")
    events = Events(player)
    player.play(path)
    events.wait_for(lambda e: e.kind == "position" and e.position >= 0.3)
    player.output.failing = True
    lost = events.wait_for(lambda e: e.kind == "device_lost")
    assert player.state == "paused"
    restored = events.wait_for(lambda e: e.kind == "device_restored", timeout=5)
    assert restored.position == pytest.approx(lost.position, abs=0.06)
    assert player.state == "playing"
    events.wait_for(lambda e: e.kind == "position" and e.position >= lost.position + 0.2)


def test_missing_device_is_one_sentence_and_play_reports_it(player_factory):
    player = player_factory("no-such-device-xyz")
    assert not player.available
    assert "no-such-device-xyz" in player.problem and "\n" not in player.problem
    events = Events(player)
    player.play("/nowhere.wav")
    assert events.of("error")[0].message == player.problem
    player.stop()
    player.seek(3)
    player.set_volume(10)
