"""``musitui play --headless`` and ``musitui devices`` as a user runs them (null outputs)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

from cli_helpers import musitui
from test_playback_audio import tone, write_audio


def events_of(stdout: str) -> list[dict]:
    return [json.loads(line) for line in stdout.splitlines()]


def test_headless_plays_in_order_and_skips_a_broken_file(tmp_path):
    one = write_audio(tmp_path / "one.wav", tone(0.6), 44100)
    broken = tmp_path / "broken.flac"
    broken.write_bytes(b"fLaC" + os.urandom(300))
    two = write_audio(tmp_path / "two.ogg", tone(0.4, freq=550), 44100)
    result = musitui("play", "--headless", "--device", "null-fast", str(one), str(broken), str(two))
    assert result.returncode == 0, result.stderr
    events = [e for e in events_of(result.stdout) if e["event"] != "position"]
    flow = [(e["event"], os.path.basename(e["path"] or "")) for e in events
            if e["event"] in ("start", "end", "error")]
    assert flow == [("start", "one.wav"), ("end", "one.wav"), ("error", "broken.flac"),
                    ("start", "two.ogg"), ("end", "two.ogg")]
    error = next(e for e in events if e["event"] == "error")
    assert error["message"] and "\n" not in error["message"]
    assert events[-1]["event"] == "state" and events[-1]["message"] == "stopped"
    assert result.stderr == ""


def test_headless_positions_are_throttled_unless_asked(tmp_path):
    path = write_audio(tmp_path / "t.wav", tone(1.2), 44100)
    quiet = musitui("play", "--device", "null", str(path))
    chatty = musitui("play", "--device", "null", "--positions", str(path))
    count = lambda out: sum(e["event"] == "position" for e in events_of(out))  # noqa: E731
    assert quiet.returncode == chatty.returncode == 0
    assert 1 <= count(quiet.stdout) <= 2
    assert count(chatty.stdout) >= 10  # 1.2 s at >= 10 per second


def test_missing_portaudio_is_one_clear_line(tmp_path):
    path = write_audio(tmp_path / "t.wav", tone(0.2), 44100)
    # A stand-in for a machine without libportaudio2: `import sounddevice` raises OSError.
    probe = (
        "import sys\n"
        "class NoPortAudio:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name == 'sounddevice':\n"
        "            raise OSError('PortAudio library not found')\n"
        "sys.meta_path.insert(0, NoPortAudio())\n"
        "from musitui.cli import main\n"
        f"sys.exit(main(['play', '--headless', {str(path)!r}]))\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=30)
    assert result.returncode == 3
    assert result.stderr.strip() == ("musitui: no audio output: PortAudio library not found "
                                     "(install it: sudo apt install libportaudio2)")
    assert result.stdout == ""
    # The null output needs no PortAudio at all.
    probe = probe.replace("'--headless'", "'--headless', '--device', 'null-fast'")
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=30)
    assert result.returncode == 0 and '"end"' in result.stdout


def test_unknown_device_is_one_clear_line(tmp_path):
    path = write_audio(tmp_path / "t.wav", tone(0.2), 44100)
    result = musitui("play", "--headless", "--device", "no-such-card-xyz", str(path))
    assert result.returncode == 3
    assert result.stderr.strip().splitlines()[-1] == (
        "musitui: no audio output: no output device matching 'no-such-card-xyz' "
        "(`musitui devices` lists them)")
    assert "Traceback" not in result.stderr


def test_ctrl_c_stops_cleanly(tmp_path):
    path = write_audio(tmp_path / "long.wav", tone(20.0), 44100)
    process = subprocess.Popen([sys.executable, "-m", "musitui", "play", "--device", "null",
                                str(path)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    first = process.stdout.readline()
    assert json.loads(first)["event"] == "start"
    time.sleep(0.3)
    started = time.monotonic()
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=10)
    assert time.monotonic() - started < 3
    assert process.returncode == 130
    assert err.strip() == "musitui: interrupted"
    assert '"stopped"' in out  # the stop was reported like any user stop


def test_devices_lists_the_null_outputs():
    result = musitui("devices", "--json")
    names = [json.loads(line)["name"] for line in result.stdout.splitlines()]
    assert "null" in names and "null-fast" in names
    # It lists outputs, so it succeeds; when PortAudio sees nothing, one line says so.
    assert result.returncode == 0
    assert len(result.stderr.strip().splitlines()) <= 1
