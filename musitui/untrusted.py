"""One guarded reader for JSON and TOML that came from outside the program's control: a local
model's reply, catalog.json, the history journal and shards, config.toml.

Python's parsers let some inputs through that break the code reading the result: a 400-digit
number (``float()`` of it overflows, numpy cannot hold it), a 5,000-digit one (``int()``'s
digit limit raises ``ValueError``), ``[`` x 30,000 (``RecursionError``), a file of gigabytes.
``load_json`` and ``load_toml`` check size, nesting depth and number length *before* parsing
and raise ``UntrustedError`` (a ``ValueError`` with a one-line reason) for anything refused or
malformed, never another exception. ``read_regular`` reads a file that sits beside the music
(a lyrics sidecar, a cover, the config): regular files only, opened without blocking, never
more than a limit. stdlib only (orjson is used when it is installed).
"""

from __future__ import annotations

import json
import os
import re
import stat
from typing import Any

MAX_BYTES = 256 * 1024 * 1024
MAX_DEPTH = 64
MAX_DIGITS = 40  # a float printed with all 17 digits, an exponent and a sign fit easily
INT_LIMIT = 2**63  # integers must fit a signed 64-bit column

try:  # orjson is a dependency; without it this module is stdlib-only
    import orjson as _orjson
except ImportError:  # pragma: no cover
    _orjson = None  # type: ignore[assignment]


class UntrustedError(ValueError):
    """One line: why a document was refused (too big, too deep, a number too long, not valid)."""


_EMPTY_PAIR_B = re.compile(rb"\[\]|\{\}")
_NOT_BRACKET = bytes(b for b in range(256) if b not in b"[]{}")
_DIGITS_ONLY = bytes(57 if 48 <= b <= 57 else 32 for b in range(256))  # digit -> "9", else " "


def _skeleton(raw: bytes | str) -> bytes:
    """The document outside its strings (as bytes): numbers, literals, punctuation and
    brackets. Escaped backslashes and quotes are blanked first (pairs from the left, as a
    parser reads them), so every quote left opens or closes a string."""
    data = raw.encode("utf-8", "surrogatepass") if isinstance(raw, str) else raw
    data = data.replace(b"\\\\", b"__").replace(b'\\"', b"__")
    return b"".join(data.split(b'"')[::2])


def _check_numbers(skeleton: bytes, max_digits: int) -> None:
    if b"9" * (max_digits + 1) in skeleton.translate(_DIGITS_ONLY):
        raise UntrustedError(f"it holds a number longer than {max_digits} digits")


def _check_depth(skeleton: bytes, max_depth: int) -> None:
    """Nesting depth from the brackets alone: each pass removes the innermost ``[]``/``{}``
    pairs, so a document ``d`` levels deep empties in ``d`` passes (each linear)."""
    brackets = skeleton.translate(None, _NOT_BRACKET)
    depth = 0
    while brackets:
        shorter = _EMPTY_PAIR_B.sub(b"", brackets)
        if shorter == brackets:
            raise UntrustedError("it is not valid JSON (brackets do not match)")
        depth += 1
        if depth > max_depth:
            raise UntrustedError(f"it is nested deeper than {max_depth} levels")
        brackets = shorter


def _refuse_constant(name: str) -> Any:
    raise UntrustedError(f"it holds {name}, which is not a JSON number")


def load_json(raw: bytes | str, *, max_bytes: int = MAX_BYTES, max_depth: int = MAX_DEPTH,
              max_digits: int = MAX_DIGITS, allow_nan: bool = True) -> Any:
    """The parsed document; UntrustedError if it is larger than ``max_bytes``, nested deeper
    than ``max_depth``, holds a number of more than ``max_digits`` digits (or, with
    ``allow_nan=False``, NaN/Infinity) or is not valid JSON. Integers are ints (a 40-digit
    one may still be outside int64: callers check ranges, see ``fits_int64``)."""
    if len(raw) > max_bytes:
        raise UntrustedError(f"it is larger than {max_bytes // 1024} KiB")
    skeleton = _skeleton(raw)
    _check_numbers(skeleton, max_digits)
    _check_depth(skeleton, max_depth)
    if _orjson is not None:
        try:
            return _orjson.loads(raw)
        except _orjson.JSONDecodeError:
            pass  # stricter than json (lone surrogates, NaN, ints past 64 bits): ask json too
    try:
        text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
        if allow_nan:
            return json.loads(text)
        return json.loads(text, parse_constant=_refuse_constant)
    except UntrustedError:
        raise
    except UnicodeDecodeError:
        raise UntrustedError("it is not UTF-8 text") from None
    except (ValueError, RecursionError, MemoryError) as exc:
        raise UntrustedError(_first_line(exc, "it is not valid JSON")) from None


def fits_int64(value: object) -> bool:
    """An int (not a bool) a numpy int64 column can hold."""
    return isinstance(value, int) and not isinstance(value, bool) and -INT_LIMIT <= value < INT_LIMIT


def load_toml(raw: bytes, *, max_bytes: int = 1024 * 1024, max_depth: int = MAX_DEPTH) -> dict[str, Any]:
    """The parsed TOML document; UntrustedError if it is larger than ``max_bytes``, not UTF-8,
    not valid TOML, nested deeper than ``max_depth`` or holds an integer outside int64."""
    if len(raw) > max_bytes:
        raise UntrustedError(f"it is larger than {max_bytes // 1024} KiB")
    import tomllib  # only when there is a document to read

    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise UntrustedError("it is not UTF-8 text") from None
    except RecursionError:
        raise UntrustedError(f"it is nested deeper than {max_depth} levels") from None
    except (ValueError, MemoryError) as exc:  # TOMLDecodeError, and int()'s digit limit
        raise UntrustedError(_first_line(exc, "it is not valid TOML")) from None
    _check_tree(data, max_depth)
    return data


def _check_tree(data: Any, max_depth: int) -> None:
    """Depth and integer range of a parsed document, without recursion."""
    stack: list[tuple[Any, int]] = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict):
            children: Any = value.values()
        elif isinstance(value, list):
            children = value
        else:
            if isinstance(value, int) and not fits_int64(value) and not isinstance(value, bool):
                raise UntrustedError("it holds an integer outside the 64-bit range")
            continue
        if depth > max_depth:
            raise UntrustedError(f"it is nested deeper than {max_depth} levels")
        stack.extend((child, depth + 1) for child in children)


def _first_line(exc: BaseException, fallback: str) -> str:
    text = str(exc).strip()
    return (text.splitlines()[0][:160] if text else fallback) or fallback


def read_regular(path: str | os.PathLike[str], limit: int, *, truncate: bool = False) -> bytes:
    """The bytes of ``path`` when it is a regular file: opened without blocking (a FIFO named
    ``track.lrc`` or ``cover.jpg`` never hangs the open) and never read past ``limit`` bytes.
    A larger file is UntrustedError, or with ``truncate`` its first ``limit`` bytes. A FIFO,
    device or folder is UntrustedError; failures to open or read are OSError."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | getattr(os, "O_CLOEXEC", 0))
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise UntrustedError(f"{os.fspath(path)} is not a regular file")
        if info.st_size > limit and not truncate:
            raise UntrustedError(f"{os.fspath(path)} is larger than {_size(limit)}")
        chunks: list[bytes] = []
        left = limit + (0 if truncate else 1)
        while left > 0:
            chunk = os.read(fd, min(left, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
    finally:
        os.close(fd)
    raw = b"".join(chunks)
    if len(raw) > limit:  # it grew while being read
        raise UntrustedError(f"{os.fspath(path)} is larger than {_size(limit)}")
    return raw


def _size(limit: int) -> str:
    return f"{limit // (1024 * 1024)} MB" if limit >= 1024 * 1024 else f"{limit // 1024} KB"


def decode_text(raw: bytes) -> str:
    """A sidecar's text: UTF-8 (with or without BOM), else cp1252 (old LRC editors)."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252", "replace")
