"""Volume 0, muted, negative or NaN: the music is silent but time goes on (issue 11)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from cli_helpers import musitui
from test_playback_audio import tone, write_audio

from musitui.playback import Player


@pytest.mark.parametrize("volume", ["0", "0.0"])
def test_play_at_volume_zero_ends(tmp_path, volume: str) -> None:
    path = write_audio(tmp_path / "t.wav", tone(0.5), 44100)
    result = musitui("play", "--device", "null", "--volume", volume, str(path))
    assert result.returncode == 0, result.stderr
    assert '"event": "end"' in result.stdout


@pytest.mark.parametrize("volume", ["-5", "nan", "loud", "101"])
def test_a_volume_flag_out_of_range_is_one_line(tmp_path, volume: str) -> None:
    path = write_audio(tmp_path / "t.wav", tone(0.2), 44100)
    result = musitui("play", "--device", "null-fast", f"--volume={volume}", str(path))
    assert result.returncode == 2
    assert "not a volume from 0 to 100" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize("volume", [0, -3, math.nan, "loud"])
def test_a_silent_player_still_reaches_the_end(tmp_path, volume) -> None:
    path = write_audio(tmp_path / "t.wav", tone(0.4), 44100)
    player = Player(device="null-fast", volume=volume, record=True)
    ended = []
    player.subscribe(lambda e: ended.append(e) if e.kind == "end" else None)
    try:
        player.play(path)
        deadline = 600
        while not ended and deadline:
            deadline -= 1
            player._closed.wait(0.05)
        assert ended, "the track never ended"
        assert ended[0].position == pytest.approx(0.4, abs=0.05)
    finally:
        player.close()
    if volume == 0 or volume == -3:
        assert np.abs(player.output.recorded()).max() == 0.0  # silent, not at the default


def test_muted_playing_moves_the_position_on(tmp_path) -> None:
    path = write_audio(tmp_path / "t.wav", tone(3.0), 44100)
    player = Player(device="null")
    try:
        player.play(path)
        player.toggle_mute()
        positions = []
        player.subscribe(lambda e: positions.append(e.position) if e.kind == "position" else None)
        for _ in range(600):
            if positions and positions[-1] > 0.5:
                break
            player._closed.wait(0.05)
        assert positions and positions[-1] > 0.5
        player.pause()
        player._closed.wait(0.3)
        held = player.position
        player._closed.wait(0.3)
        assert player.position == held  # paused still stands still
    finally:
        player.close()


def test_clamp_volume() -> None:
    from musitui.playback.mixer import clamp_volume, volume_gain

    assert clamp_volume(-1) == 0.0 and clamp_volume(250) == 100.0 and clamp_volume("40") == 40.0
    assert clamp_volume(math.nan, 55) == 55 and clamp_volume(None) == 80.0
    assert volume_gain(math.nan) == 0.0 and volume_gain(100) == 1.0


@pytest.mark.parametrize("volume", ["nan", "-20", '"loud"', "-inf"])
def test_a_bad_config_volume_still_opens_the_player(tmp_path, volume: str) -> None:
    from musitui.commands.ui import build_session
    from musitui.config import load_config
    from musitui.paths import Home
    from musitui.store.catalog import Catalog

    home = Home(config_dir=tmp_path, data_dir=tmp_path).ensure()
    home.config_file.write_text(f"[playback]\nvolume = {volume}\n", encoding="utf-8")
    config = load_config(home)
    session, player, notices = build_session(home, config, Catalog.open(home), device="null")
    try:
        assert player is not None and player.available, notices
        assert session.volume == player.volume == 80  # the default, with a message naming the key
        assert any("volume" in problem for problem in config.problems)
    finally:
        session.close()
