"""The config file: TOML, every key optional, one typed section per table.

The schema is here: each section is a frozen dataclass whose fields are the keys, with their
type, default, allowed values and one line of documentation (docs/CONFIG.md is generated
from it by ``scripts/config_docs.py``; a test checks it is in sync). The file is checked once
at load: a bad value is reported in one line naming the key and what is wrong, and that key
falls back to its default; everything else still applies. A file that does not parse is
reported and all defaults are used (the file is left as it is: it is the user's to fix).
Readers take their typed section: ``config.playback.volume`` is an int 0-100.

To add a key: add a ``setting()`` field to its section. To add a section: add a dataclass
and a field on ``Config``; then run ``scripts/config_docs.py``.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from musitui.config_schema import check_value, read_section, render_toml, setting, shown
from musitui.core.moods import ALL_MOODS
from musitui.paths import Home
from musitui.text_safety import printable

CONFIG_NAME = "config.toml"


@dataclass(frozen=True)
class LibraryConfig:
    """what is scanned"""

    folders: list[str] = setting([], "scanned at start besides the folders you opened before")
    follow_symlinks: bool = setting(True, "follow symbolic links to files and folders")
    watch: bool = setting(True, "while the player runs, notice files added, changed, moved or "
                                "removed under the library folders (inotify; else a check every 30 s)")


@dataclass(frozen=True)
class AnalysisConfig:
    """audio analysis"""

    jobs: int = setting(0, "worker processes for analysis; 0 = all cores", lo=0, hi=256)
    excerpt_seconds: float = setting(30.0, "audio analysed per track, in up to three windows",
                                     lo=1, hi=600)


@dataclass(frozen=True)
class PlaybackConfig:
    """the audio output"""

    device: str | int = setting("", 'PortAudio device name or index; "" = default; "null" = '
                                "silent output")
    replaygain: str = setting("track", "loudness levelling from the tags",
                              choices=("track", "album", "off"))
    replaygain_preamp_db: float = setting(0.0, "added to the ReplayGain gain", lo=-24, hi=24)
    volume: int = setting(80, "at first start (later: restored from the last session)",
                          lo=0, hi=100)
    crossfade_seconds: float = setting(0.0, "0 = gapless hand-over", lo=0, hi=30)
    in_order_then: str = setting("radio", 'after the "in order" play mode\'s last track',
                                 choices=("radio", "stop"))


@dataclass(frozen=True)
class HistoryConfig:
    """what counts as a skip, and listening sessions"""

    skip_seconds: float = setting(30.0, "a stop before this many seconds is a skip...",
                                  lo=0, hi=3600)
    skip_fraction: float = setting(0.5, "...or before this share of a short track", lo=0, hi=1)
    session_gap_minutes: float = setting(30.0, "silence that starts a new listening session",
                                         lo=0, lo_open=True, hi=10080)


def _explore_every(value: int) -> str | None:
    return None if value == 0 or 5 <= value <= 1000 else "0 or a whole number 5-1000"


@dataclass(frozen=True)
class RecommendConfig:
    """see docs/RECOMMENDER.md for what each term does"""

    w_content: float = setting(1.0, "sounds like what you just finished", lo=0, hi=10)
    w_cf: float = setting(0.8, "you played it around these tracks before", lo=0, hi=10)
    w_mood: float = setting(0.7, "fits the selected mood", lo=0, hi=10)
    w_mood_auto: float = setting(0.0, "the mood term's weight in auto mood (content leads "
                                 "there; chosen out of sample)", lo=0, hi=10)
    w_pref: float = setting(0.5, "you usually finish it (and its artist)", lo=0, hi=10)
    w_taste: float = setting(1.0, "the session's online taste model (finished vs skipped "
                             "this session)", lo=0, hi=10)
    w_skip: float = setting(1.0, "sounds like what you skipped this session (penalty)",
                            lo=0, hi=10)
    w_recent: float = setting(1.0, "played in the last recent_hours (penalty)", lo=0, hi=10)
    recent_hours: float = setting(4.0, "tracks played this recently are held back",
                                  lo=0, hi=8760)
    repeat_plays: int = setting(25, "a song among the last this many plays (or within "
                                "recent_hours) is not offered while anything else acceptable "
                                "is left", lo=0, hi=100000)
    artist_spacing: int = setting(1, "other tracks between two by the same artist",
                                  lo=0, hi=100)
    explore_every: int = setting(5, "every n-th Up next slot explores; 0 = never, else at "
                                 "least 5", check=_explore_every)
    explicit_mood_boost: float = setting(3.0, "w_mood is multiplied by this when a mood is "
                                         "picked (not auto)", lo=0, hi=10)
    up_next_length: int = setting(20, "tracks shown in Up next", lo=1, hi=500)
    seed: int = setting(0, "seed of the exploration's random choices", lo=0, hi=2**32 - 1)


def _theme_name(value: str) -> str | None:
    return None if value.strip() else "a theme name"


@dataclass(frozen=True)
class UiConfig:
    """the terminal interface"""

    theme: str = setting("musitui", "colour theme at first start (later: the one last "
                         "chosen in the command palette)", check=_theme_name)
    mood: str = setting("auto", "the mood at first start", choices=tuple(ALL_MOODS))
    cover_art: str = setting("auto", "cover beside Now playing: auto = kitty, sixel or half "
                             "blocks, as the terminal supports",
                             choices=("auto", "kitty", "sixel", "halfblocks", "off"))
    mpris: bool = setting(True, "media keys and remote control (playerctl, desktop widgets) "
                          "over D-Bus MPRIS")


LLM_MAX_TIMEOUT = 5.0


def loopback_url_problem(value: str) -> str | None:
    """A local model server only: lyrics and listening data never leave the machine. The one
    check of both the config's [llm] url and $MUSITUI_LLM_URL (see words/llm_client)."""
    if value == "":
        return None
    wrong = 'empty or an http(s) URL to this machine, e.g. "http://127.0.0.1:8080"'
    try:
        parts = urlsplit(value)
        host = parts.hostname
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        return wrong
    if parts.scheme not in ("http", "https") or not host:
        return wrong
    if host == "localhost":
        return None
    try:
        return None if ipaddress.ip_address(host).is_loopback else wrong
    except ValueError:
        return wrong


@dataclass(frozen=True)
class LlmConfig:
    """optional local language model for prompts (docs/MOOD.md)"""

    url: str = setting("", 'e.g. "http://127.0.0.1:11434/v1" (Ollama), on this machine only; '
                       '"" = offline rules only', check=loopback_url_problem)
    model: str = setting("", "the model name that server knows")
    timeout_seconds: float = setting(4.0, "past it the offline rules answer", lo=0,
                                     lo_open=True, hi=LLM_MAX_TIMEOUT)


@dataclass
class Config:
    """The effective config: one typed section per table, and what was wrong with the file."""

    library: LibraryConfig = field(default_factory=LibraryConfig)
    analysis: AnalysisConfig = field(default_factory=AnalysisConfig)
    playback: PlaybackConfig = field(default_factory=PlaybackConfig)
    history: HistoryConfig = field(default_factory=HistoryConfig)
    recommend: RecommendConfig = field(default_factory=RecommendConfig)
    ui: UiConfig = field(default_factory=UiConfig)
    llm: LlmConfig = field(default_factory=LlmConfig)
    # Key bindings: action name = key (Textual key names). Defaults and action names live in
    # the TUI, which reports unknown actions.
    keys: dict[str, str] = field(default_factory=dict)
    path: Path | None = None
    problems: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, dict[str, Any]]:
        out: dict[str, dict[str, Any]] = {}
        for name, section in SECTIONS:
            value = getattr(self, name)
            out[name] = {f.name: getattr(value, f.name) for f in fields(section)}
        out["keys"] = dict(self.keys)
        return out


def _sections() -> list[tuple[str, type]]:
    """The tables, in file order ("keys" is free-form and handled on its own)."""
    found: list[tuple[str, type]] = []
    for f in fields(Config):
        if f.name in ("keys", "path", "problems"):
            continue
        section = f.default_factory
        assert isinstance(section, type), f"Config.{f.name} is not a table"
        found.append((f.name, section))
    return found


SECTIONS = _sections()


def parse_config(data: dict[str, Any], where: str = CONFIG_NAME) -> Config:
    """The typed config from a parsed TOML document; every bad key is reported and defaulted."""
    config = Config()
    known = dict(SECTIONS)
    for name, raw in data.items():
        if name == "keys":
            config.keys = _read_keys(raw, where, config.problems)
        elif name in known:
            section, problems = read_section(known[name], name, raw, where)
            setattr(config, name, section)
            config.problems.extend(problems)
        elif isinstance(raw, dict):
            config.problems.append(f"{where}: unknown section [{printable(name)}]; ignored")
        else:
            config.problems.append(f"{where}: {printable(name)} = ... is outside any [section] "
                                   "(unknown key); ignored")
    return config


def _read_keys(raw: Any, where: str, problems: list[str]) -> dict[str, str]:
    if not isinstance(raw, dict):
        problems.append(f"{where}: [keys] must be a table of action = \"key\", got {shown(raw)}; "
                        "using the default keys")
        return {}
    keys: dict[str, str] = {}
    for action, key in raw.items():
        value, wrong = check_value(key, str, _KEY_RULE)
        if wrong is None:
            keys[action] = value
        else:
            problems.append(f"{where}: [keys] {printable(action)} must be a key name such as \"n\", "
                            f"got {shown(key)}; ignored")
    return keys


_KEY_RULE = setting("", "").metadata["rule"]


MAX_CONFIG_BYTES = 1024 * 1024
MAX_CONFIG_DEPTH = 8  # [section] key = [list of ...]: two levels are all the schema has


def load_config(home: Home) -> Config:
    """The config of ``home``; every problem (the file unreadable, not TOML, too big or too
    deep, a bad key) is a line in ``problems`` naming the file, and the defaults are used."""
    from musitui.untrusted import UntrustedError, load_toml, read_regular

    path = home.config_file
    try:
        raw = read_regular(path, MAX_CONFIG_BYTES)
        data = load_toml(raw, max_bytes=MAX_CONFIG_BYTES, max_depth=MAX_CONFIG_DEPTH)
    except FileNotFoundError:
        return Config(path=path)
    except OSError as exc:
        return Config(path=path,
                      problems=[f"cannot read {printable(path)}: {exc.strerror or exc}; using defaults"])
    except UntrustedError as exc:
        reason = str(exc).replace(str(path), "it")
        return Config(path=path, problems=[f"{printable(path)} is not usable ({reason}); using defaults"])
    config = parse_config(data, CONFIG_NAME)
    config.path = path
    return config


def config_toml() -> str:
    """The documented defaults, as the TOML block of docs/CONFIG.md."""
    return render_toml(SECTIONS) + "\n[keys]                      # action = \"key\", e.g. " \
        "next = \"l\"; see the help screen (?) for actions\n"
