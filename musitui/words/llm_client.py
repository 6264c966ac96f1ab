"""The optional local language model: an OpenAI-compatible ``POST {url}/chat/completions``
(Ollama, llama.cpp's server, LM Studio), asked for the prompt target as one JSON object.

Configured by ``[llm] url / model / timeout_seconds`` (or ``$MUSITUI_LLM_URL``, and
``$MUSITUI_LLM_MODEL``); off when no URL is set. Only that URL is ever contacted (no proxy,
no redirects), the timeout is at most 5 s, and the answer is validated strictly: numbers in
range, styles that exist in the library, seeds that exist, invented fields dropped. Any
failure raises LlmError with a one-line reason; ``understand`` then falls back to the rules.
stdlib only (urllib).
"""

from __future__ import annotations

import json
import math
import os
import re
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from musitui.config import Config
from musitui.words.encoder import Encoder
from musitui.words.prompt import Vibe

MAX_TIMEOUT = 5.0
DEFAULT_TIMEOUT = 4.0
MAX_ANSWER = 64 * 1024
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


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        raise LlmError("the model server answered with a redirect (not followed)")


def _endpoint(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise LlmError(f"llm url {url!r} is not an http(s) URL")
    return url + "/chat/completions"


def ask(text: str, llm: LlmSettings, *, styles: Iterable[str] = (), paths: Iterable[str] = ()) -> Vibe:
    """The model's target for ``text``; raises LlmError on any failure."""
    allowed_styles = sorted(set(styles))
    allowed_paths = set(paths)
    user = json.dumps({"request": text[:500], "allowed_styles": allowed_styles[:300]}, ensure_ascii=False)
    body = json.dumps({"model": llm.model, "temperature": 0, "stream": False,
                       "response_format": {"type": "json_object"},
                       "messages": [{"role": "system", "content": SYSTEM},
                                    {"role": "user", "content": user}]}).encode("utf-8")
    request = urllib.request.Request(_endpoint(llm.url), data=body, method="POST",
                                     headers={"Content-Type": "application/json"})
    # Only the configured URL: no proxy from the environment, no redirect elsewhere.
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirect())
    try:
        with opener.open(request, timeout=llm.timeout) as response:
            raw = response.read(MAX_ANSWER + 1)
    except LlmError:
        raise
    except urllib.error.HTTPError as exc:
        raise LlmError(f"the model server answered HTTP {exc.code}") from None
    except urllib.error.URLError as exc:
        reason = exc.reason
        if isinstance(reason, TimeoutError):
            raise LlmError(f"the model did not answer within {llm.timeout:g} s") from None
        raise LlmError(f"cannot reach the model at {llm.url} ({reason})") from None
    except TimeoutError:
        raise LlmError(f"the model did not answer within {llm.timeout:g} s") from None
    except (OSError, ValueError) as exc:
        raise LlmError(f"cannot reach the model at {llm.url} ({exc})") from None
    if len(raw) > MAX_ANSWER:
        raise LlmError("the model's answer is too long")
    return validate(_content(raw), allowed_styles, allowed_paths)


def _content(raw: bytes) -> Any:
    try:
        envelope = json.loads(raw.decode("utf-8"))
        content = envelope["choices"][0]["message"]["content"]
    except (UnicodeDecodeError, json.JSONDecodeError, KeyError, IndexError, TypeError):
        raise LlmError("the model server's reply is not an OpenAI-style chat completion") from None
    if not isinstance(content, str):
        raise LlmError("the model's answer is not text")
    text = content.strip()
    fenced = re.match(r"^```(?:json)?\s*(.*?)\s*```$", text, re.S)
    if fenced:
        text = fenced.group(1)
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        raise LlmError("the model's answer is not valid JSON") from None


def _axis(value: Any, name: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise LlmError(f"the model's {name} is not a number or null")
    if not -1.0 <= float(value) <= 1.0:
        raise LlmError(f"the model's {name} {value} is outside [-1, 1]")
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
                or not all(isinstance(t, (int, float)) and not isinstance(t, bool) and math.isfinite(t)
                           for t in tempo)):
            raise LlmError("the model's tempo is not [low, high] or null")
        lo, hi = float(tempo[0]), float(tempo[1])
        if not 20.0 <= lo <= hi <= 300.0:
            raise LlmError(f"the model's tempo {tempo} is not a BPM range")
        vibe.tempo = (lo, hi)
    seeds = answer.get("seeds")
    if seeds is not None and (not isinstance(seeds, list) or not all(isinstance(s, str) for s in seeds)):
        raise LlmError("the model's seeds are not a list of paths")
    known = set(paths)
    vibe.seeds = [s for s in (seeds or []) if s in known]
    explanation = answer.get("explanation", "")
    vibe.explanation = (explanation if isinstance(explanation, str) else "")[:200].strip() or "from the model"
    return vibe


def understand(text: str, config: Any, *, styles: Iterable[str] = (), titles: Mapping[str, str] | None = None,
               paths: Iterable[str] = (), encoder: Encoder | None = None,
               notes: Mapping[int, Sequence[str]] | None = None) -> tuple[Vibe, str | None]:
    """(target, notice): the model's answer when one is configured and usable, else the
    offline reading (musitui.words.multilingual: the rules and, given ``encoder``, the
    multilingual sentence encoder); ``notice`` is one line saying why the model was not used."""
    from musitui.words.multilingual import parse_any

    styles, paths = set(styles), set(paths)
    offline = parse_any(text, styles=styles, titles=titles, paths=paths, encoder=encoder, notes=notes)
    llm = settings(config)
    if llm is None:
        return offline, None
    try:
        vibe = ask(text, llm, styles=styles, paths=paths)
    except LlmError as exc:
        return offline, f"local model not used: {exc}; using the offline rules"
    vibe.words = offline.words  # the prompt's own words, quoted in reasons
    vibe.audio, vibe.exclude_audio = offline.audio, offline.exclude_audio  # the tagger's words
    vibe.noted = offline.noted
    vibe.exclude_styles = list(dict.fromkeys(vibe.exclude_styles + offline.exclude_styles))
    vibe.styles = [s for s in vibe.styles if s not in vibe.exclude_styles]
    vibe.seeds = list(dict.fromkeys(vibe.seeds + offline.seeds))
    return vibe, None
