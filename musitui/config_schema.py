"""The machinery under the config schema: a key is a dataclass field made by ``setting()``.

A section is a frozen dataclass whose fields are ``setting(default, doc, ...)``; the field's
type annotation is the key's type. ``read_section`` checks a parsed TOML table against it once
and gives back the typed section plus one-line problems naming each bad key; a bad value
falls back to that key's default. ``render_toml`` writes the documented defaults (docs/CONFIG.md
is generated from it: ``scripts/config_docs.py``).

Supported key types: ``bool``, ``int``, ``float``, ``str``, ``str | int``, ``list[str]`` and
``dict[str, str]``.
"""

from __future__ import annotations

import copy
import json
import math
import types
import typing
from collections.abc import Callable
from dataclasses import MISSING, Field, dataclass, field, fields
from typing import Any

from musitui.text_safety import printable


@dataclass(frozen=True)
class Rule:
    doc: str
    lo: float | None = None
    hi: float | None = None
    lo_open: bool = False  # lo itself is not allowed
    choices: tuple[str, ...] = ()
    # Extra check on a well-typed value: what is wrong with it (completes "must be ..."), or None.
    check: Callable[[Any], str | None] | None = None


def setting(default: Any, doc: str, *, lo: float | None = None, hi: float | None = None,
            lo_open: bool = False, choices: tuple[str, ...] = (),
            check: Callable[[Any], str | None] | None = None) -> Any:
    """A config key: its default, one line of documentation and what values it allows."""
    rule = Rule(doc, lo, hi, lo_open, tuple(choices), check)
    if isinstance(default, list | dict):
        return field(default_factory=lambda: copy.deepcopy(default), metadata={"rule": rule})
    return field(default=default, metadata={"rule": rule})


def rule_of(f: Field) -> Rule:
    return f.metadata.get("rule") or Rule("")


def default_of(f: Field) -> Any:
    if f.default is not MISSING:
        return f.default
    assert f.default_factory is not MISSING, f"{f.name} has no default"
    return f.default_factory()


def key_types(section: type) -> dict[str, Any]:
    return typing.get_type_hints(section)


# -- checking ------------------------------------------------------------------------------

def read_section(section: type, name: str, raw: Any, where: str) -> tuple[Any, list[str]]:
    """The typed section from a parsed TOML table, and a message for every bad key."""
    if raw is None:
        return section(), []
    if not isinstance(raw, dict):
        return section(), [f"{where}: [{name}] must be a table of keys, got {shown(raw)}; "
                           "using its defaults"]
    problems: list[str] = []
    hints = key_types(section)
    known = {f.name: f for f in fields(section)}
    values: dict[str, Any] = {}
    for key, value in raw.items():
        f = known.get(key)
        if f is None:
            problems.append(f"{where}: [{name}] unknown key {printable(key)}; ignored")
            continue
        checked, wrong = check_value(value, hints[key], rule_of(f))
        if wrong is not None:
            problems.append(f"{where}: [{name}] {key} must be {wrong}, got {shown(value)}; "
                            f"using {shown(default_of(f))}")
            continue
        values[key] = checked
    return section(**values), problems


def check_value(value: Any, kind: Any, rule: Rule) -> tuple[Any, str | None]:
    """``(value, None)`` when it fits, else ``(None, what it must be)``."""
    if kind is bool:
        return (value, None) if isinstance(value, bool) else (None, "true or false")
    if kind is int:
        whole = isinstance(value, int) and not isinstance(value, bool)
        if isinstance(value, float) and math.isfinite(value) and value.is_integer():
            value, whole = int(value), True
        if not whole or not _in_range(value, rule):
            return None, "a whole number" + _range_text(rule)
        return _extra(value, rule)
    if kind is float:
        number = isinstance(value, int | float) and not isinstance(value, bool)
        if not number or not math.isfinite(value) or not _in_range(value, rule):
            return None, "a number" + _range_text(rule)
        return _extra(float(value), rule)
    if kind is str:
        if not isinstance(value, str) or (rule.choices and value not in rule.choices):
            return None, _choices_text(rule) if rule.choices else "a string"
        return _extra(value, rule)
    if _is_str_or_int(kind):
        if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
            return _extra(value, rule)
        if isinstance(value, str):
            return _extra(value, rule)
        return None, "a name (a string) or an index (a whole number >= 0)"
    origin, args = typing.get_origin(kind), typing.get_args(kind)
    if origin is list and args == (str,):
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            return None, "a list of strings, e.g. [\"~/Music\"]"
        return _extra(list(value), rule)
    if origin is dict and args == (str, str):
        if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
            return None, "a table of names = \"strings\""
        return _extra(dict(value), rule)
    raise TypeError(f"config schema: unsupported key type {kind!r}")


def _is_str_or_int(kind: Any) -> bool:
    return isinstance(kind, types.UnionType) and set(typing.get_args(kind)) == {str, int}


def _extra(value: Any, rule: Rule) -> tuple[Any, str | None]:
    wrong = rule.check(value) if rule.check else None
    return (None, wrong) if wrong else (value, None)


def _in_range(value: float, rule: Rule) -> bool:
    if rule.lo is not None and (value < rule.lo or (rule.lo_open and value == rule.lo)):
        return False
    return rule.hi is None or value <= rule.hi


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)


def _range_text(rule: Rule) -> str:
    lo, hi = rule.lo, rule.hi
    if lo is not None and hi is not None:
        if rule.lo_open:
            return f" > {_num(lo)} and <= {_num(hi)}"
        return f" {_num(lo)}-{_num(hi)}" if lo >= 0 else f" {_num(lo)} to {_num(hi)}"
    if lo is not None:
        return f" > {_num(lo)}" if rule.lo_open else f" >= {_num(lo)}"
    if hi is not None:
        return f" <= {_num(hi)}"
    return ""


def _choices_text(rule: Rule) -> str:
    return "one of " + ", ".join(json.dumps(c) for c in rule.choices)


def shown(value: Any, limit: int = 40) -> str:
    """A short, printable rendering of what the file held (strings quoted)."""
    if isinstance(value, str):
        text = repr(value)
    elif isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, float | int):
        text = repr(value)
    elif isinstance(value, dict):
        text = "a table"
    else:
        try:
            text = json.dumps(value, ensure_ascii=False, default=str)
        except (TypeError, ValueError):
            text = type(value).__name__
    text = printable(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


# -- documentation --------------------------------------------------------------------------

def allowed_text(kind: Any, rule: Rule) -> str:
    """What the key allows, for the docs ("" when any value of its type goes)."""
    if rule.choices:
        return _choices_text(rule)
    if kind in (int, float) and (rule.lo is not None or rule.hi is not None):
        return _range_text(rule).strip()
    return ""


def render_toml(sections: list[tuple[str, type]]) -> str:
    """Every section and key with its default, documentation and allowed values, as TOML."""
    lines: list[str] = []
    for name, section in sections:
        doc = (section.__doc__ or "").strip().splitlines()[0] if section.__doc__ else ""
        head = f"[{name}]"
        lines.append(f"{head:28}# {doc}" if doc else head)
        hints = key_types(section)
        for f in fields(section):
            rule = rule_of(f)
            value = f"{f.name} = {_toml_value(default_of(f))}"
            allowed = allowed_text(hints[f.name], rule)
            note = rule.doc + (f" ({allowed})" if allowed else "")
            lines.append(f"{value:28}# {note}" if note else value)
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "{}" if not value else "{ " + ", ".join(f"{k} = {json.dumps(v)}"
                                                        for k, v in value.items()) + " }"
    return json.dumps(value, ensure_ascii=False)
