"""The local-LLM client against a fake OpenAI-compatible server on 127.0.0.1 started here."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from musitui.words.llm_client import LlmError, LlmSettings, ask, settings, understand, validate

STYLES = {"metal", "piano", "rock"}
PATHS = {"/music/a.ogg"}


class FakeModel(BaseHTTPRequestHandler):
    mode = "good"
    requests: list[dict] = []

    def do_POST(self) -> None:  # noqa: N802 (http.server's name)
        length = int(self.headers.get("Content-Length", "0"))
        FakeModel.requests.append({"path": self.path, "body": json.loads(self.rfile.read(length))})
        if FakeModel.mode == "slow":
            time.sleep(1.5)
        if FakeModel.mode == "garbage":
            payload = b"<html>this is not json"
        else:
            content = {"valence": 0.4, "arousal": -0.6, "styles": ["piano", "harpsichord"],
                       "exclude_styles": ["metal"], "tempo": [60, 90], "seeds": ["/music/a.ogg", "/nope.mp3"],
                       "explanation": "calm, not sad", "mood_name": "invented field"}
            if FakeModel.mode == "out_of_range":
                content["valence"] = 3
            payload = json.dumps({"choices": [{"message": {"role": "assistant",
                                                           "content": json.dumps(content)}}]}).encode()
        try:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
        except OSError:  # the client gave up (the slow case)
            pass

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), FakeModel)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    FakeModel.requests = []
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/v1"
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_good_answer_is_validated_and_invented_fields_dropped(server: str) -> None:
    FakeModel.mode = "good"
    vibe = ask("calm piano, nothing sad", LlmSettings(server, "tiny", 3.0), styles=STYLES, paths=PATHS)
    assert FakeModel.requests[0]["path"] == "/v1/chat/completions"
    assert FakeModel.requests[0]["body"]["model"] == "tiny"
    assert vibe.source == "llm"
    assert (vibe.valence, vibe.arousal) == (0.4, -0.6)
    assert vibe.styles == ["piano"]  # "harpsichord" is not in the library
    assert vibe.exclude_styles == ["metal"] and vibe.tempo == (60.0, 90.0)
    assert vibe.seeds == ["/music/a.ogg"]  # the invented path is dropped
    assert set(vibe.to_dict()) == {"valence", "arousal", "styles", "exclude_styles", "tempo", "seeds",
                                   "source", "explanation", "audio", "exclude_audio", "noted"}


def test_garbage_falls_back_to_rules_with_a_notice(server: str) -> None:
    FakeModel.mode = "garbage"
    config = {"llm": {"url": server, "model": "tiny", "timeout_seconds": 3}}
    vibe, notice = understand("calm but not sad", config, styles=STYLES, paths=PATHS)
    assert vibe.source == "rules" and vibe.arousal < 0 < vibe.valence
    assert notice is not None and "offline rules" in notice and "\n" not in notice
    FakeModel.mode = "out_of_range"
    vibe, notice = understand("calm", config, styles=STYLES)
    assert vibe.source == "rules" and "outside [-1, 1]" in notice


def test_slow_answer_times_out_and_falls_back(server: str) -> None:
    FakeModel.mode = "slow"
    config = {"llm": {"url": server, "model": "tiny", "timeout_seconds": 0.3}}
    vibe, notice = understand("very happy", config)
    assert vibe.source == "rules" and vibe.valence > 0
    assert "did not answer within 0.3 s" in notice


def test_refused_port_falls_back(monkeypatch: pytest.MonkeyPatch) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    vibe, notice = understand("sad", {"llm": {"url": f"http://127.0.0.1:{port}/v1", "timeout_seconds": 1}})
    assert vibe.source == "rules" and vibe.valence < 0
    assert "cannot reach the model" in notice
    monkeypatch.delenv("MUSITUI_LLM_URL", raising=False)
    assert understand("sad", {})[1] is None  # no model configured: rules, no notice


def test_settings_env_and_bounded_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MUSITUI_LLM_URL", raising=False)
    assert settings({}) is None
    assert settings({"llm": {"url": "http://127.0.0.1:1/v1/", "timeout_seconds": 60}}).timeout == 5.0
    monkeypatch.setenv("MUSITUI_LLM_URL", "http://localhost:11434/v1")
    llm = settings({})
    assert llm is not None and llm.url == "http://localhost:11434/v1" and llm.timeout <= 5.0


def test_validate_rejects_bad_shapes() -> None:
    for bad in ([], {"valence": "high"}, {"arousal": True}, {"tempo": [200, 100]}, {"styles": "metal"},
                {"seeds": [1, 2]}):
        with pytest.raises(LlmError):
            validate(bad, STYLES, PATHS)
    assert validate({"valence": None}, STYLES, PATHS).valence is None
