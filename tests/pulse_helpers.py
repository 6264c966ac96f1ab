"""A private PulseAudio daemon with a null sink, for tests that go through real PortAudio.

PortAudio reaches it through ALSA's ``pulse`` plugin (libasound2-plugins): the daemon gets its
own HOME and XDG_RUNTIME_DIR, a private ``~/.asoundrc`` makes ``pulse`` ALSA's default, and
``env`` is what a child process needs to play into the null sink (which is paced in real time,
unlike ALSA's ``null`` PCM). Works as root without ``--system``.

    server = start_pulse(tmp_path)      # raises PulseUnavailable with a reason
    subprocess.run([...], env=server.env)
    server.stop()
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

SINK = "musitui_null"
ASOUNDRC = "pcm.!default { type pulse }\nctl.!default { type pulse }\n"


class PulseUnavailable(Exception):
    pass


def missing_reason() -> str | None:
    """Why these tests cannot run here, or None."""
    if shutil.which("pulseaudio") is None:
        return "pulseaudio is not installed (CI installs it: apt install pulseaudio libasound2-plugins)"
    return None


@dataclass
class PulseServer:
    root: Path
    env: dict[str, str]
    process: subprocess.Popen | None = None
    log: Path = field(default=None)  # type: ignore[assignment]

    @property
    def socket(self) -> Path:
        return self.root / "run" / "pulse" / "native"

    def start(self, timeout: float = 10.0) -> None:
        self.socket.unlink(missing_ok=True)
        command = [
            "pulseaudio", "-n", "--daemonize=no", "--exit-idle-time=-1", "--disable-shm=yes",
            "--use-pid-file=no", "--log-target=stderr",
            "-L", f"module-null-sink sink_name={SINK} rate=44100",
            "-L", "module-native-protocol-unix",
            "-L", "module-always-sink",
        ]
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(command, env=self.env, stdout=log, stderr=log,
                                            start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise PulseUnavailable(f"pulseaudio exited at start: {self.log_tail()}")
            if self.socket.exists() and self._answers():
                return
            time.sleep(0.05)
        self.stop()
        raise PulseUnavailable(f"pulseaudio did not come up in {timeout:.0f} s: {self.log_tail()}")

    def _answers(self) -> bool:
        if shutil.which("pactl") is None:
            return True
        result = subprocess.run(["pactl", "info"], env=self.env, capture_output=True, timeout=5)
        return result.returncode == 0

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)

    def kill(self) -> None:
        """Die like a crashed server (SIGKILL): clients lose their device."""
        if self.process is not None:
            self.process.kill()
            self.process.wait(timeout=5)
            self.process = None

    def log_tail(self, lines: int = 5) -> str:
        try:
            text = self.log.read_text(errors="replace").strip().splitlines()
        except OSError:
            return ""
        return " | ".join(text[-lines:])


def pulse_env(root: Path) -> dict[str, str]:
    home = root / "home"
    run = root / "run"
    home.mkdir(parents=True, exist_ok=True)
    run.mkdir(parents=True, exist_ok=True)
    run.chmod(0o700)
    (home / ".asoundrc").write_text(ASOUNDRC)
    env = dict(os.environ)
    for key in ("PULSE_SERVER", "PULSE_SINK", "ALSA_CONFIG_PATH", "DISPLAY", "DBUS_SESSION_BUS_ADDRESS"):
        env.pop(key, None)
    env.update({
        "HOME": str(home),
        "XDG_RUNTIME_DIR": str(run),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "PULSE_SERVER": f"unix:{run / 'pulse' / 'native'}",
    })
    return env


def start_pulse(root: Path, timeout: float = 10.0) -> PulseServer:
    reason = missing_reason()
    if reason:
        raise PulseUnavailable(reason)
    root.mkdir(parents=True, exist_ok=True)
    server = PulseServer(root=root, env=pulse_env(root), log=root / "pulseaudio.log")
    server.start(timeout)
    return server
