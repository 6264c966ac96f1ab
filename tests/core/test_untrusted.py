"""The guarded reader: size, depth and number length are refused before parsing, with one
line, and never another exception; valid documents read exactly as json reads them."""

from __future__ import annotations

import json
import os
import random
from pathlib import Path

import pytest

from musitui.config import Config, load_config
from musitui.paths import Home
from musitui.untrusted import UntrustedError, fits_int64, load_json, load_toml, read_regular

HOSTILE_JSON = [
    b"[" + b"1" * 400 + b"]",
    b"[" + b"1" * 5000 + b"]",
    b"[-" + b"9" * 41 + b".5e3]",
    b"[" * 30000,
    b"[" * 30000 + b"]" * 30000,
    b'{"a":' * 100 + b"1" + b"}" * 100,
    b"[}",
    b'["unterminated',
    b"\xff\xfe",
]


@pytest.mark.parametrize("raw", HOSTILE_JSON, ids=range(len(HOSTILE_JSON)))
def test_hostile_json_is_refused_in_one_line(raw: bytes) -> None:
    with pytest.raises(UntrustedError) as caught:
        load_json(raw)
    assert "\n" not in str(caught.value) and str(caught.value)
    with pytest.raises(UntrustedError):
        load_json(raw.decode("utf-8", "replace"))


def test_limits_are_the_callers() -> None:
    with pytest.raises(UntrustedError, match="larger than"):
        load_json(b"[1]" + b" " * 2000, max_bytes=1024)
    assert load_json(b"[[[1]]]", max_depth=3) == [[[1]]]
    with pytest.raises(UntrustedError, match="deeper than 2"):
        load_json(b"[[[1]]]", max_depth=2)
    assert load_json(b'{"x": NaN}')["x"] != load_json(b'{"x": NaN}')["x"]  # NaN, as json writes it
    with pytest.raises(UntrustedError, match="NaN"):
        load_json(b'{"x": NaN}', allow_nan=False)
    assert not fits_int64(2**63) and fits_int64(-(2**63)) and not fits_int64(True)


def test_strings_may_hold_anything() -> None:
    text = '{"k": "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[' \
        + "1" * 500 + '\\"\\\\"}'
    assert load_json(text)["k"].endswith("1" * 500 + '"\\')


def random_value(rng: random.Random, depth: int = 0) -> object:
    choice = rng.random()
    if depth > 6 or choice < 0.3:
        return "".join(rng.choice('ab\\"[]{}\n\u009b\u00e9') for _ in range(rng.randint(0, 8)))
    if choice < 0.45:
        return rng.randint(-(2**63), 2**63 - 1)
    if choice < 0.5:
        return rng.choice([0.5, -1e300, 1e-7, True, False, None])
    if choice < 0.75:
        return [random_value(rng, depth + 1) for _ in range(rng.randint(0, 4))]
    return {str(random_value(rng, 7)): random_value(rng, depth + 1) for _ in range(rng.randint(0, 4))}


def test_valid_documents_read_as_json_reads_them() -> None:
    rng = random.Random(7)
    for _ in range(2000):
        value = random_value(rng)
        text = json.dumps(value, ensure_ascii=rng.random() < 0.5)
        assert load_json(text) == json.loads(text)
        assert load_json(text.encode()) == json.loads(text)


@pytest.mark.parametrize("text", [
    "a = " + "[" * 30000 + "]" * 30000,
    "a = " + "1" * 5000,
    "a = " + "1" * 400,
    "a = " + "{b = " * 20 + "1" + "}" * 20,
    "a = [[[[[[[[[[1]]]]]]]]]]",
    "[x\n",
])
def test_hostile_toml_is_refused(text: str) -> None:
    with pytest.raises(UntrustedError):
        load_toml(text.encode(), max_depth=8)


def test_config_names_the_file_and_goes_on(tmp_path: Path) -> None:
    home = Home(tmp_path, tmp_path).ensure()
    for text in ("[playback]\nvolume = " + "[" * 30000 + "]" * 30000,
                 "[playback]\nvolume = " + "9" * 5000,
                 "[playback]\nvolume = [[[[[[[[[[[[1]]]]]]]]]]]]"):
        home.config_file.write_text(text)
        config = load_config(home)
        assert config.playback == Config().playback  # the defaults
        assert len(config.problems) == 1 and str(home.config_file) in config.problems[0]


def test_a_fifo_config_does_not_hang(tmp_path: Path) -> None:
    home = Home(tmp_path, tmp_path).ensure()
    os.mkfifo(home.config_file)
    config = load_config(home)
    assert "not a regular file" in config.problems[0]


def test_read_regular_refuses_fifos_devices_and_big_files(tmp_path: Path) -> None:
    fifo = tmp_path / "track.lrc"
    os.mkfifo(fifo)
    with pytest.raises(UntrustedError, match="not a regular file"):
        read_regular(fifo, 1024)
    with pytest.raises(UntrustedError, match="not a regular file"):
        read_regular("/dev/zero", 1024)
    big = tmp_path / "big.lrc"
    with open(big, "wb") as handle:
        handle.truncate(10 * 1024 * 1024)  # sparse
    with pytest.raises(UntrustedError, match="larger than"):
        read_regular(big, 1024 * 1024)
    assert len(read_regular(big, 1000, truncate=True)) == 1000
    with pytest.raises(FileNotFoundError):
        read_regular(tmp_path / "nope", 10)
