"""Through real PortAudio: ALSA's pulse plugin into a private PulseAudio null sink (paced in
real time). Skipped only when the pulseaudio binary is absent (CI installs it)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time

import pytest
from pulse_helpers import PulseUnavailable, missing_reason, pulse_env, start_pulse
from test_playback_audio import tone, write_audio

pytestmark = pytest.mark.portaudio

needs_pulse = pytest.mark.skipif(missing_reason() is not None, reason=missing_reason() or "")


@pytest.fixture
def pulse(tmp_path):
    try:
        server = start_pulse(tmp_path / "pulse")
    except PulseUnavailable as exc:
        pytest.fail(f"could not start PulseAudio: {exc}")
    yield server
    server.stop()


class Run:
    """``musitui play --headless`` in the background; events with their arrival time."""

    def __init__(self, args: list[str], env: dict) -> None:
        self.started = time.monotonic()
        self.process = subprocess.Popen([sys.executable, "-m", "musitui", "play", "--headless",
                                         *args], env=env, stdout=subprocess.PIPE,
                                        stderr=subprocess.PIPE, text=True)
        self.events: list[tuple[float, dict]] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        for line in self.process.stdout:
            self.events.append((time.monotonic(), json.loads(line)))

    def wait_for(self, predicate, timeout: float) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for _, event in list(self.events):
                if predicate(event):
                    return event
            time.sleep(0.02)
        raise AssertionError(f"no such event; got {[e for _, e in self.events]}")

    def finish(self, timeout: float) -> str:
        self.process.wait(timeout=timeout)
        self._reader.join(timeout=2)
        return self.process.stderr.read()

    def time_of(self, kind: str, name: str) -> float:
        return next(t for t, e in self.events
                    if e["event"] == kind and os.path.basename(e["path"] or "") == name)


@needs_pulse
def test_two_files_play_through_portaudio_in_real_time(tmp_path, pulse):
    one = write_audio(tmp_path / "one.wav", tone(1.0), 44100)
    two = write_audio(tmp_path / "two.flac", tone(1.0, rate=48000, freq=660), 48000)
    devices = subprocess.run([sys.executable, "-m", "musitui", "devices"], env=pulse.env,
                             capture_output=True, text=True, timeout=30)
    assert devices.returncode == 0 and "pulse" in devices.stdout

    run = Run([str(one), str(two)], pulse.env)
    stderr = run.finish(timeout=30)
    assert run.process.returncode == 0, stderr
    flow = [(e["event"], os.path.basename(e["path"])) for _, e in run.events
            if e["event"] in ("start", "end", "error")]
    assert flow == [("start", "one.wav"), ("end", "one.wav"), ("start", "two.flac"),
                    ("end", "two.flac")]
    # Paced by the sink, not instant: 2 s of audio take at least about 2 s, and the second
    # file starts once the first has been heard. (No upper bound: on a busy machine a starved
    # player takes longer, which is not what this test is about.)
    played = run.time_of("end", "two.flac") - run.time_of("start", "one.wav")
    assert played >= 1.8, f"2 s of audio took {played:.2f} s"
    handover = run.time_of("start", "two.flac") - run.time_of("start", "one.wav")
    assert handover >= 0.85, f"hand-over after {handover:.2f} s"


@needs_pulse
def test_server_crash_is_device_lost_then_restored_at_the_same_position(tmp_path, pulse):
    path = write_audio(tmp_path / "t.wav", tone(2.5), 44100)
    run = Run(["--positions", str(path)], pulse.env)
    run.wait_for(lambda e: e["event"] == "position" and e["position"] >= 0.5, timeout=20)
    pulse.kill()
    lost = run.wait_for(lambda e: e["event"] == "device_lost", timeout=10)
    time.sleep(1.0)
    pulse.start()
    restored = run.wait_for(lambda e: e["event"] == "device_restored", timeout=20)
    assert restored["position"] == pytest.approx(lost["position"], abs=0.3)
    assert lost["position"] >= 0.4
    stderr = run.finish(timeout=30)
    assert run.process.returncode == 0, stderr
    assert [e["event"] for _, e in run.events if e["event"] in ("end", "error")] == ["end"]
    assert "Traceback" not in stderr


def test_no_server_no_device_is_a_clear_message(tmp_path):
    path = write_audio(tmp_path / "t.wav", tone(0.3), 44100)
    env = pulse_env(tmp_path / "nothing")  # a private world whose sound server never started
    devices = subprocess.run([sys.executable, "-m", "musitui", "devices", "--json"], env=env,
                             capture_output=True, text=True, timeout=30)
    real = [line for line in devices.stdout.splitlines() if json.loads(line)["index"] is not None]
    if real:
        pytest.skip("this machine has a sound card PortAudio can open without a server")
    result = subprocess.run([sys.executable, "-m", "musitui", "play", "--headless", str(path)],
                            env=env, capture_output=True, text=True, timeout=30)
    assert result.returncode == 3
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("musitui: no audio output: ")
    assert "Traceback" not in result.stderr
    assert result.stdout == ""
