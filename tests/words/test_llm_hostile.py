"""A hostile local model server (raw sockets on 127.0.0.1): whatever it answers, the client
falls back to the rules with one printable line, `vibe` exits 0, and nothing it sends reaches
the terminal raw."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from musitui.config import Config, LlmConfig
from musitui.words import llm_client
from musitui.words.llm_client import LlmError, LlmSettings, ask, settings, understand

REPO = Path(__file__).resolve().parents[2]
STYLES = {"piano", "metal"}


def chat(content: str) -> bytes:
    body = json.dumps({"choices": [{"message": {"role": "assistant", "content": content}}]}).encode()
    return (b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
            + str(len(body)).encode() + b"\r\n\r\n" + body)


def answer(**fields: object) -> bytes:
    base: dict[str, object] = {"valence": 0.1, "arousal": -0.5, "styles": ["piano"], "explanation": "ok"}
    base.update(fields)
    return chat(json.dumps(base))


def raw_number(digits: int) -> bytes:
    # json.dumps cannot write a 400-digit float, so the content is built as text.
    return chat('{"valence": ' + "9" * digits + ', "arousal": 0.1, "explanation": "x"}')


class Hostile:
    """Serves one canned reply per connection; ``drip`` sends it a byte at a time."""

    def __init__(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.reply: bytes | Callable[[socket.socket], None] = b""
        self.connections = 0
        self.sent = 0
        self.hung_up = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self._one, args=(conn,), daemon=True).start()

    def _one(self, conn: socket.socket) -> None:
        with conn:
            conn.settimeout(5)
            try:
                conn.recv(65536)  # the request (small)
                if callable(self.reply):
                    self.reply(conn)
                else:
                    conn.sendall(self.reply)
            except OSError:
                self.hung_up.set()

    def close(self) -> None:
        self.listener.close()


@pytest.fixture
def hostile() -> Iterator[Hostile]:
    server = Hostile()
    try:
        yield server
    finally:
        server.close()


def fallback(server: Hostile, timeout: float = 3.0) -> tuple[object, str]:
    config = Config(llm=LlmConfig(url=server.url, model="m", timeout_seconds=timeout))
    vibe, notice = understand("calm piano, not sad", config, styles=STYLES)
    assert notice is not None and notice.isprintable()
    return vibe, notice


@pytest.mark.parametrize("reply", [
    raw_number(400),                      # float() overflows in _axis
    raw_number(5000),                     # int()'s digit limit
    chat("[" * 30000),                    # RecursionError in json
    chat('{"valence": ' + "[" * 30000 + "]" * 30000 + "}"),
    chat('{"valence": NaN}'),
    answer(tempo=[10**39, 10**39 + 1]),
    b"SSH-2.0-OpenSSH_9.6\r\n\r\n",        # not an HTTP status line
    b"HTTP/1.1 200 OK\r\n" + b"".join(b"X-%d: y\r\n" % i for i in range(150)) + b"\r\n",
    b"HTTP/1.1 200 OK\r\nX-Long: " + b"a" * 70000 + b"\r\n\r\n",
    b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
    b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{",  # cut short
    b"HTTP/1.1 999 \x1b]0;owned\x07\x9b2J\r\nContent-Length: 0\r\n\r\n",
], ids=["400-digits", "5000-digits", "deep-list", "deep-value", "nan", "huge-tempo", "not-http",
        "150-headers", "long-header", "bad-chunk", "incomplete", "escape-status"])
def test_hostile_replies_fall_back_to_the_rules(hostile: Hostile, reply: bytes) -> None:
    hostile.reply = reply
    vibe, notice = fallback(hostile)
    assert vibe.source == "rules" and vibe.valence is not None  # the rules understood "calm"
    assert "local model not used" in notice
    assert "owned" not in notice and "\x1b" not in notice and "\x9b" not in notice


def test_the_explanation_is_stripped_of_escapes(hostile: Hostile) -> None:
    hostile.reply = answer(explanation="\x1b]0;owned\x07calm\x1b[2J\x9b31m piano\u202e")
    vibe, notice = fallback_or_answer(hostile)
    assert notice is None and vibe.source == "llm"
    assert vibe.explanation == "calm piano"


def fallback_or_answer(server: Hostile) -> tuple[llm_client.Vibe, str | None]:
    config = Config(llm=LlmConfig(url=server.url, model="m", timeout_seconds=3))
    return understand("calm piano", config, styles=STYLES)


def drip(conn: socket.socket) -> None:
    """A valid start of an answer, one byte every 50 ms for ~50 s: every single read is quick."""
    head = b"HTTP/1.1 200 OK\r\n" + b"X-Slow: " + b"a" * 1000 + b"\r\n"
    for byte in head:
        conn.sendall(bytes([byte]))
        time.sleep(0.05)


def test_a_dripping_server_cannot_stretch_the_deadline(hostile: Hostile) -> None:
    hostile.reply = drip
    with pytest.raises(LlmError, match="did not answer within 1 s"):
        ask("calm", LlmSettings(hostile.url, "m", 1.0))
    # The client hung up long before the server was done: the server's next send fails.
    assert hostile.hung_up.wait(30)


def test_environment_url_passes_the_same_loopback_check(monkeypatch: pytest.MonkeyPatch) -> None:
    contacted: list[object] = []

    def refuse(*args: object, **kwargs: object) -> None:
        contacted.append(args)
        raise AssertionError("no connection or lookup may be made")

    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    for url in ("http://192.0.2.1:8080/v1", "http://models.example.org/v1", "http://0.0.0.0:1/v1",
                "file:///etc/passwd", "http://[::ffff:192.0.2.1]/v1"):
        monkeypatch.setenv("MUSITUI_LLM_URL", url)
        vibe, notice = understand("calm piano", Config(), styles=STYLES)
        assert vibe.source == "rules" and notice is not None and "not allowed" in notice, url
    assert contacted == []


def test_credentials_in_the_url_are_never_shown(monkeypatch: pytest.MonkeyPatch) -> None:
    with socket.create_server(("127.0.0.1", 0)) as probe:
        port = probe.getsockname()[1]  # closed below: nothing listens there
    monkeypatch.setenv("MUSITUI_LLM_URL", f"http://alice:s3cret-pw@127.0.0.1:{port}/v1")
    _, notice = understand("calm", Config(), styles=STYLES)
    assert notice is not None and "s3cret-pw" not in notice and "alice" not in notice
    assert f"127.0.0.1:{port}" in notice
    monkeypatch.setenv("MUSITUI_LLM_URL", "http://bob:hunter2@192.0.2.1/v1")
    _, notice = understand("calm", Config(), styles=STYLES)
    assert notice is not None and "hunter2" not in notice


def test_settings_read_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MUSITUI_LLM_URL", "http://127.0.0.1:9/v1")
    llm = settings(Config())
    assert llm is not None and llm.url == "http://127.0.0.1:9/v1"


def test_understand_never_raises(monkeypatch: pytest.MonkeyPatch) -> None:
    def explode(*args: object, **kwargs: object) -> None:
        raise MemoryError("whatever the reply found")

    monkeypatch.setattr(llm_client, "ask", explode)
    monkeypatch.setenv("MUSITUI_LLM_URL", "http://127.0.0.1:9/v1")
    vibe, notice = understand("calm piano", Config(), styles=STYLES)
    assert vibe.source == "rules" and notice is not None and "MemoryError" in notice


def run_cli(home: Path, *args: str, url: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO), "MUSITUI_LLM_URL": url}
    return subprocess.run([sys.executable, "-m", "musitui", "--home", str(home), *args],
                          capture_output=True, text=True, env=env, timeout=120)


def test_vibe_and_recommend_fall_back_and_exit_0(hostile: Hostile, tmp_path: Path) -> None:
    from library_helpers import make_track

    song = make_track(tmp_path / "music", "a.wav", "wav", title="A", artist="B")
    assert run_cli(tmp_path, "scan", "--no-analyze", str(song.parent), url="").returncode == 0
    for reply in (raw_number(400), raw_number(5000), chat("[" * 30000), b"SSH-2.0-x\r\n\r\n"):
        hostile.reply = reply
        done = run_cli(tmp_path, "vibe", "calm piano", url=hostile.url)
        assert done.returncode == 0, done.stderr
        assert "local model not used" in done.stderr and "Traceback" not in done.stderr
        assert "rules" in done.stdout
        ranked = run_cli(tmp_path, "recommend", "--prompt", "calm piano", url=hostile.url)
        assert ranked.returncode == 0, ranked.stderr
        assert "local model not used" in ranked.stderr and "Traceback" not in ranked.stderr


def test_vibe_output_is_printable_and_json_is_escaped(hostile: Hostile, tmp_path: Path) -> None:
    hostile.reply = answer(explanation="calm\u009b2J\u202eevil\x1b]0;t\x07", styles=[])
    shown = run_cli(tmp_path, "vibe", "calm piano", url=hostile.url)
    assert shown.returncode == 0, shown.stderr
    assert all(ch.isprintable() or ch == "\n" for ch in shown.stdout), repr(shown.stdout)
    # JSON keeps the data but escapes what a terminal would act on.
    hostile.reply = answer(explanation="calm", styles=[])
    raw = run_cli(tmp_path, "vibe", "--json", "calm \u009b\u202e piano", url=hostile.url)
    assert raw.returncode == 0, raw.stderr
    assert "\u009b" not in raw.stdout and "\u202e" not in raw.stdout
    json.loads(raw.stdout)


def test_a_huge_prompt_is_not_echoed_whole(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    env.pop("MUSITUI_LLM_URL", None)
    from library_helpers import make_track

    song = make_track(tmp_path / "music", "a.wav", "wav", title="A", artist="B")
    home = tmp_path / "home"
    cli = [sys.executable, "-m", "musitui", "--home", str(home)]
    assert subprocess.run([*cli, "scan", "--no-analyze", str(song.parent)], env=env,
                          capture_output=True, timeout=120).returncode == 0
    prompt = "zq " * 40000  # 120 KB of words nobody understands (one argument holds 128 KB)
    done = subprocess.run([*cli, "recommend", "--prompt", prompt], env=env, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-500:]
    assert max(len(line) for line in (done.stderr + done.stdout).splitlines()) < 400
