"""Decoders are tried in turn before a file is called unplayable, by the scan, the analysis
and the player alike; `play` exits 0 only when something was heard."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from cli_helpers import child_env
from fuzz_mutants import mutants
from library_helpers import write_audio

from musitui.analysis.excerpt import decode_excerpt
from musitui.decode import open_audio
from musitui.library.tags import read_tags
from musitui.library.tags_error import TagError


@pytest.fixture(scope="module")
def some_mutants(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("mutants")
    wanted = {"flac-cut6.flac", "flac-cut7.flac", "aac-field10.m4a", "wav-field6.wav",
              "wav-cut4.wav"}
    found = {}
    for name, data in mutants(1234):
        if name in wanted:
            found[name] = folder / name
            found[name].write_bytes(data)
    assert set(found) == wanted
    return found


def frames_of(path: Path) -> int:
    source = open_audio(path)
    total = 0
    while len(block := source.read(4096)):
        total += len(block)
    source.close()
    return total


def test_libsndfile_failing_on_the_first_read_hands_over_to_ffmpeg(some_mutants: dict[str, Path]) -> None:
    for name in ("flac-cut6.flac", "flac-cut7.flac"):
        assert frames_of(some_mutants[name]) > 0, name
        samples, _ = decode_excerpt(str(some_mutants[name]), 10.0)
        assert len(samples) > 0


def test_a_damaged_header_that_decodes_is_a_track_with_a_warning(some_mutants: dict[str, Path]) -> None:
    for name, kind in (("aac-field10.m4a", "mp4"), ("wav-field6.wav", "wav")):
        fields = read_tags(str(some_mutants[name]), kind)
        assert fields["duration"] > 0.1 and fields["warning"].startswith("damaged: "), name


def play(*paths: Path) -> tuple[int, list[dict]]:
    done = subprocess.run([sys.executable, "-m", "musitui", "play", "--device", "null-fast",
                           *map(str, paths)], capture_output=True, text=True, env=child_env(),
                          timeout=300)
    return done.returncode, [json.loads(line) for line in done.stdout.splitlines()]


def test_play_exits_0_only_when_something_was_heard(some_mutants: dict[str, Path], tmp_path: Path) -> None:
    tiny = some_mutants["wav-cut4.wav"]  # 100 bytes: 14 frames, 0.3 ms
    code, events = play(tiny)
    assert [e["event"] for e in events if e["path"]] == ["start", "end"] and code == 1
    with pytest.raises(TagError):  # the scan refuses it too (agreement)
        read_tags(str(tiny), "wav")
    good = write_audio(tmp_path / "good.wav", "wav", seconds=0.5)
    code, _ = play(tiny, good)
    assert code == 0
