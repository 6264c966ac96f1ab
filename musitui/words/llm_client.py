"""The optional local language model: an OpenAI-compatible ``POST {url}/chat/completions``
(Ollama, llama.cpp's server, LM Studio), asked for the prompt target as one JSON object.

Configured by ``[llm] url / model / timeout_seconds`` (or ``$MUSITUI_LLM_URL``, and
``$MUSITUI_LLM_MODEL``); off when no URL is set. Both URLs pass one check (this machine only:
127.0.0.0/8, ::1, localhost; no name is ever looked up) and messages never show a URL's
``user:password@``. Only that URL is contacted (no proxy, no redirects); the timeout (at most
5 s) is one deadline for the whole answer, however slowly the server sends it. The reply is
read by the guarded JSON reader (size, depth, number length) and validated strictly: numbers in
range, styles that exist in the library, seeds that exist, invented fields dropped, control
characters removed from the explanation. Any failure raises LlmError with a one-line reason;
``understand`` never raises: it falls back to the rules. stdlib only (http.client).
"""

from __future__ import annotations

import contextlib
import http.client
import json
import math
import os
import re
import socket
import threading
import time
import urllib.parse
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from musitui.config import Config, loopback_url_problem
from musitui.text_safety import printable
from musitui.untrusted import UntrustedError, load_json
from musitui.words.encoder import Encoder
from musitui.words.prompt import Vibe

MAX_TIMEOUT = 5.0
DEFAULT_TIMEOUT = 4.0
MAX_ANSWER = 64 * 1024
MAX_DEPTH = 16
SYSTEM = (
    "You turn a listener's request for music into a JSON object and nothing else. Keys: "
    '"valence" (number in [-1, 1]: sad/negative -1 .. happy/positive +1, or null if the text '
    'says nothing about it), "arousal" (number in [-1, 1]: calm/quiet -1 .. energetic/intense '
    '+1, or null), "styles" (list of styles wanted, chosen ONLY from the allowed styles), '
    '"exclude_styles" (list of styles not wanted, from the allowed styles), "tempo" ([low, high] '
    'BPM or null), "seeds" (list of file paths from the allowed paths, usually empty), '
    '"explanation" (one short sentence). Negations matter: "not sad" is not sad.'
)


class LlmError(Exception):
    """One line: why the model's answer was not used."""


@dataclass(frozen=True)
class LlmSettings:
    url: str
    model: str
    timeout: float


def settings(config: Config | Mapping[str, Any] | None) -> LlmSettings | None:
    """The [llm] settings: the typed config's checked section (or a plain mapping of the
    tables), with $MUSITUI_LLM_URL / $MUSITUI_LLM_MODEL; None when no URL is set."""
    section: Mapping[str, Any] = {}
    if isinstance(config, Config):
        section = {"url": config.llm.url, "model": config.llm.model,
                   "timeout_seconds": config.llm.timeout_seconds}
    elif isinstance(config, Mapping):
        section = config.get("llm", {}) or {}
        if not isinstance(section, Mapping):
            section = {}
    url = os.environ.get("MUSITUI_LLM_URL") or str(section.get("url", "") or "")
    if not url.strip():
        return None
    model = os.environ.get("MUSITUI_LLM_MODEL") or str(section.get("model", "") or "")
    try:
        timeout = float(section.get("timeout_seconds", DEFAULT_TIMEOUT))
    except (TypeError, ValueError):
        timeout = DEFAULT_TIMEOUT
    if not math.isfinite(timeout) or timeout <= 0:
        timeout = DEFAULT_TIMEOUT
    return LlmSettings(url.strip().rstrip("/"), model.strip(), min(timeout, MAX_TIMEOUT))


def shown_url(url: str) -> str:
    """``url`` without its ``user:password@`` part: what messages may show."""
    try:
        parts = urllib.parse.urlsplit(url)
        netloc = parts.netloc.rpartition("@")[2]
        return printable(urllib.parse.urlunsplit((parts.scheme, netloc, parts.path, "", "")))[:120]
    except ValueError:
        return "(an unreadable URL)"


def _target(url: str) -> tuple[bool, str, int, str]:
    """(https, host, port, path of /chat/completions) of a loopback URL; LlmError otherwise
    (the same rule as the config's [llm] url, so $MUSITUI_LLM_URL cannot reach further)."""
    problem = loopback_url_problem(url)
    if problem is not None:
        raise LlmError(f"the model URL {shown_url(url)} is not allowed: it must be {problem}")
    parts = urllib.parse.urlsplit(url)
    host = parts.hostname or ""
    if host == "localhost":
        host = "127.0.0.1"  # never a name lookup: the address is known
    https = parts.scheme == "https"
    return https, host, parts.port or (443 if https else 80), (parts.path or "") + "/chat/completions"


class _Deadline:
    """One deadline for the whole exchange (connect, headers, body): a server that drips a
    byte a second cannot stretch it, because at the deadline the socket is shut down under
    whatever read is waiting."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.end = time.monotonic() + seconds
        self.expired = False
        self._lock = threading.Lock()
        self._socket: socket.socket | None = None
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True
        self._timer.start()

    def left(self) -> float:
        left = self.end - time.monotonic()
        if left <= 0 or self.expired:
            raise self.error()
        return left

    def error(self) -> LlmError:
        return LlmError(f"the model did not answer within {self.seconds:g} s")

    def attach(self, sock: socket.socket | None) -> None:
        with self._lock:
            self._socket = sock
            if self.expired and sock is not None:
                _shut(sock)

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            if self._socket is not None:
                _shut(self._socket)

    def cancel(self) -> None:
        self._timer.cancel()


def _shut(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)


def _post(url: str, body: bytes, seconds: float) -> bytes:
    """The body of the server's 200 answer to ``body`` (at most MAX_ANSWER + 1 bytes), within
    ``seconds`` in all; LlmError for anything else. Only that loopback address is contacted:
    no proxy, no redirect followed, no name lookup."""
    https, host, port, path = _target(url)
    deadline = _Deadline(seconds)
    connection: http.client.HTTPConnection | None = None
    try:
        connection = (http.client.HTTPSConnection(host, port, timeout=deadline.left()) if https
                      else http.client.HTTPConnection(host, port, timeout=deadline.left()))
        connection.connect()
        sock = connection.sock
        deadline.attach(sock)
        connection.request("POST", path, body=body, headers={"Content-Type": "application/json"})
        response = connection.getresponse()
        if 300 <= response.status < 400:
            raise LlmError("the model server answered with a redirect (not followed)")
        if response.status != 200:
            raise LlmError(f"the model server answered HTTP {response.status}")
        raw = b""
        while len(raw) <= MAX_ANSWER and not response.isclosed():
            left = deadline.left()
            if sock is not None:
                with contextlib.suppress(OSError):  # closed once the body is read
                    sock.settimeout(left)
            chunk = response.read(min(16384, MAX_ANSWER + 1 - len(raw)))
            if not chunk:
                break
            raw += chunk
        if deadline.expired:
            raise deadline.error()
        return raw
    except LlmError:
        raise
    except Exception as exc:  # http.client's errors, OSError, ssl, a bad status line...
        if deadline.expired or isinstance(exc, TimeoutError):
            raise deadline.error() from None
        if isinstance(exc, OSError):
            raise LlmError(f"cannot reach the model at {shown_url(url)} ({_reason(exc)})") from None
        raise LlmError(f"the reply of the model at {shown_url(url)} cannot be read ({_reason(exc)})") from None
    finally:
        deadline.cancel()
        if connection is not None:
            with contextlib.suppress(Exception):
                connection.close()


def _reason(exc: Exception) -> str:
    """A short, safe reason: the exception's kind, never a server's own words."""
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused"
    if isinstance(exc, OSError) and exc.strerror:
        return printable(exc.strerror)[:80]
    if isinstance(exc, http.client.HTTPException):
        return "not an HTTP answer"
    return type(exc).__name__


def ask(text: str, llm: LlmSettings, *, styles: Iterable[str] = (), paths: Iterable[str] = ()) -> Vibe:
    """The model's target for ``text``; raises LlmError on any failure."""
    allowed_styles = sorted(set(styles))
    allowed_paths = set(paths)
    user = json.dumps({"request": text[:500], "allowed_styles": allowed_styles[:300]}, ensure_ascii=False)
    body = json.dumps({"model": llm.model, "temperature": 0, "stream": False,
                       "response_format": {"type": "json_object"},
                       "messages": [{"role": "system", "content": SYSTEM},
                                    {"role": "user", "content": user}]}).encode("utf-8")
    raw = _post(llm.url, body, llm.timeout)
    if len(raw) > MAX_ANSWER:
        raise LlmError("the model's answer is too long")
    return validate(_content(raw), allowed_styles, allowed_paths)


def _content(raw: bytes) -> Any:
    try:
        envelope = load_json(raw, max_bytes=MAX_ANSWER, max_depth=MAX_DEPTH, allow_nan=False)
        content = envelope["choices"][0]["message"]["content"]
    except (UntrustedError, KeyError, IndexError, TypeError):
        raise LlmError("the model server's reply is not an OpenAI-style chat completion") from None
    if not isinstance(content, str):
        raise LlmError("the model's answer is not text")
    text = content.strip()
    fenced = re.match(r"^```(?:json)?\s*(.*?)\s*```$", text, re.S)
    if fenced:
        text = fenced.group(1)
    try:
        return load_json(text, max_bytes=MAX_ANSWER, max_depth=MAX_DEPTH, allow_nan=False)
    except UntrustedError as exc:
        raise LlmError(f"the model's answer is not usable JSON ({exc})") from None


def _axis(value: Any, name: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise LlmError(f"the model's {name} is not a number or null")
    if not (isinstance(value, int) and -1 <= value <= 1) and not (
            isinstance(value, float) and math.isfinite(value) and -1.0 <= value <= 1.0):
        raise LlmError(f"the model's {name} is outside [-1, 1]")
    return round(float(value), 3)


def _words(value: Any, name: str, allowed: set[str]) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise LlmError(f"the model's {name} is not a list of text")
    return list(dict.fromkeys(v.strip().lower() for v in value if v.strip().lower() in allowed))


def validate(answer: Any, styles: Iterable[str], paths: Iterable[str]) -> Vibe:
    """A Vibe from the model's object; raises LlmError when it does not fit the schema.
    Styles not in the library and seeds not in the catalog are dropped, as are other keys."""
    if not isinstance(answer, dict):
        raise LlmError("the model's answer is not a JSON object")
    allowed = {s.lower() for s in styles}
    vibe = Vibe(source="llm")
    vibe.valence = _axis(answer.get("valence"), "valence")
    vibe.arousal = _axis(answer.get("arousal"), "arousal")
    vibe.styles = _words(answer.get("styles"), "styles", allowed)
    vibe.exclude_styles = _words(answer.get("exclude_styles"), "exclude_styles", allowed)
    vibe.styles = [s for s in vibe.styles if s not in vibe.exclude_styles]
    tempo = answer.get("tempo")
    if tempo is not None:
        if (not isinstance(tempo, list) or len(tempo) != 2
                or not all(isinstance(t, (int, float)) and not isinstance(t, bool) for t in tempo)):
            raise LlmError("the model's tempo is not [low, high] or null")
        if not all(-1000 < t < 1000 for t in tempo):  # before float(): a 40-digit int fits no float range test
            raise LlmError("the model's tempo is not a BPM range")
        lo, hi = float(tempo[0]), float(tempo[1])
        if not 20.0 <= lo <= hi <= 300.0:
            raise LlmError(f"the model's tempo {lo:g}-{hi:g} is not a BPM range")
        vibe.tempo = (lo, hi)
    seeds = answer.get("seeds")
    if seeds is not None and (not isinstance(seeds, list) or not all(isinstance(s, str) for s in seeds)):
        raise LlmError("the model's seeds are not a list of paths")
    known = set(paths)
    vibe.seeds = [s for s in (seeds or []) if s in known]
    explanation = answer.get("explanation", "")
    text = printable(explanation if isinstance(explanation, str) else "")
    vibe.explanation = text[:200].strip() or "from the model"
    return vibe


def understand(text: str, config: Any, *, styles: Iterable[str] = (), titles: Mapping[str, str] | None = None,
               paths: Iterable[str] = (), encoder: Encoder | None = None,
               notes: Mapping[int, Sequence[str]] | None = None) -> tuple[Vibe, str | None]:
    """(target, notice): the model's answer when one is configured and usable, else the
    offline reading (musitui.words.multilingual: the rules and, given ``encoder``, the
    multilingual sentence encoder); ``notice`` is one line saying why the model was not used."""
    from musitui.words.multilingual import parse_any

    styles, paths = set(styles), set(paths)
    try:
        offline = parse_any(text, styles=styles, titles=titles, paths=paths, encoder=encoder, notes=notes)
    except Exception as exc:  # never: but a prompt must not close the player
        return Vibe(), f"the prompt could not be read ({type(exc).__name__})"
    try:
        llm = settings(config)
        if llm is None:
            return offline, None
        vibe = ask(text, llm, styles=styles, paths=paths)
    except LlmError as exc:
        return offline, f"local model not used: {printable(exc)}; using the offline rules"
    except Exception as exc:  # whatever a hostile reply finds: the rules answer
        return offline, f"local model not used ({type(exc).__name__}); using the offline rules"
    vibe.words = offline.words  # the prompt's own words, quoted in reasons
    vibe.audio, vibe.exclude_audio = offline.audio, offline.exclude_audio  # the tagger's words
    vibe.noted = offline.noted
    vibe.exclude_styles = list(dict.fromkeys(vibe.exclude_styles + offline.exclude_styles))
    vibe.styles = [s for s in vibe.styles if s not in vibe.exclude_styles]
    vibe.seeds = list(dict.fromkeys(vibe.seeds + offline.seeds))
    return vibe, None
