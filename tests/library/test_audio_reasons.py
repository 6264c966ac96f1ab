"""Issue 11, audio input: every decode failure reaches the user as one of the readable
reasons in musitui.decode_reasons, never a library's internal text."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from damaged_helpers import ogg_zero_channels, wav_field
from library_helpers import write_audio

from musitui import decode_reasons as reasons
from musitui.analysis.excerpt import decode_excerpt
from musitui.analysis.worker import analyze_file
from musitui.decode import DecodeError, open_audio


def internal_errors() -> list[BaseException]:
    import av

    return [AttributeError("'AudioStream' object has no attribute 'rate'"),
            OSError(22, "Invalid argument"),
            OverflowError("cannot fit 'int' into an offset-sized integer"),
            av.error.InvalidDataError(1094995529, "Invalid data found when processing input; "
                                      "last error log: [aac] avcodec_open2")]


@pytest.mark.parametrize("index", range(4))
def test_internal_texts_become_readable_reasons(index: int) -> None:
    exc = internal_errors()[index]
    reason = reasons.reason_for(exc)
    assert reason in reasons.REASONS
    for internal in ("AudioStream", "Errno", "offset-sized", "avcodec"):
        assert internal not in reason


def test_bad_files_in_play_are_error_events_with_readable_reasons(tmp_path: Path) -> None:
    wav = write_audio(tmp_path / "ok.wav", "wav", seconds=0.5)
    files = {
        "one.mp3": tmp_path / "one.mp3",
        "random.mp3": tmp_path / "random.mp3",
        "zero_bits.wav": wav_field(tmp_path / "zero_bits.wav", wav, 14, 0),
        "zero_channels.wav": wav_field(tmp_path / "zero_channels.wav", wav, 2, 0),
        "zero_channels.ogg": ogg_zero_channels(tmp_path / "zero_channels.ogg",
                                               write_audio(tmp_path / "ok.ogg", "ogg", seconds=0.5)),
    }
    files["one.mp3"].write_bytes(b"\xff")
    files["random.mp3"].write_bytes(np.random.default_rng(2).integers(0, 256, 30000, dtype=np.uint8).tobytes())
    done = subprocess.run([sys.executable, "-m", "musitui", "play", "--device", "null-fast",
                           *map(str, files.values())], capture_output=True, text=True, timeout=120)
    assert done.returncode == 1  # nothing played
    assert done.stderr == ""  # libmpg123 notes included: none
    events = [json.loads(line) for line in done.stdout.splitlines()]
    errors = {Path(e["path"]).name: e["message"] for e in events if e["event"] == "error"}
    assert set(errors) == set(files)
    for name, message in errors.items():
        assert message in reasons.REASONS, (name, message)
        assert "does not exist" not in message
    assert not [e for e in events if e["event"] in ("start", "end")]


def test_one_good_file_among_bad_ones_exits_0(tmp_path: Path) -> None:
    good = write_audio(tmp_path / "ok.wav", "wav", seconds=0.3)
    bad = wav_field(tmp_path / "zero_bits.wav", good, 14, 0)
    done = subprocess.run([sys.executable, "-m", "musitui", "play", "--device", "null-fast",
                           str(bad), str(good)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    kinds = [json.loads(line)["event"] for line in done.stdout.splitlines()]
    assert kinds.count("error") == 1 and kinds.count("end") == 1


@pytest.fixture
def denied(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A file whose opening is refused (the tests may run as root, where chmod does not)."""
    path = write_audio(tmp_path / "locked.flac", "flac", seconds=0.5)
    real_open, real_stat = os.open, os.stat

    def refuse(target, *args, **kwargs):
        if os.fspath(target) == str(path):
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(target, *args, **kwargs)

    monkeypatch.setattr(os, "open", refuse)
    monkeypatch.setattr(os, "stat", real_stat)
    return path


def test_play_and_analyze_say_permission_denied(denied: Path) -> None:
    with pytest.raises(DecodeError, match="^cannot read: permission denied$"):
        open_audio(denied)
    with pytest.raises(DecodeError, match="^cannot read: permission denied$"):
        decode_excerpt(str(denied))
    assert analyze_file(1, str(denied)).error == reasons.PERMISSION_DENIED


def test_info_in_an_unreadable_folder_says_permission_denied(tmp_path: Path, monkeypatch, capsys) -> None:
    from musitui.cli import main

    folder = tmp_path / "locked"
    path = write_audio(folder / "a.flac", "flac", seconds=0.3)
    real_stat = os.stat

    def stat(target, *args, **kwargs):
        if os.fspath(target).startswith(str(folder) + os.sep):
            raise PermissionError(13, "Permission denied", os.fspath(target))
        return real_stat(target, *args, **kwargs)

    monkeypatch.setattr(os, "stat", stat)
    assert main(["--home", str(tmp_path / "home"), "info", str(path)]) == 1
    err = capsys.readouterr().err
    assert "permission denied" in err and "no such file" not in err
