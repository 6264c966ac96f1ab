"""The config file: TOML, every key optional, defaults documented here and in docs/CONFIG.md.

``musitui config`` prints the effective config; a missing file means all defaults. A file
that does not parse is reported in one line and the defaults are used (the file is left as
it is: it is the user's to fix).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from musitui.paths import Home

DEFAULTS: dict[str, dict[str, Any]] = {
    "library": {
        # Folders scanned when musitui starts without a folder argument (besides remembered ones).
        "folders": [],
        "follow_symlinks": True,
    },
    "analysis": {
        # 0 = all cores.
        "jobs": 0,
        # Seconds of audio analysed per track, spread over up to three windows.
        "excerpt_seconds": 30.0,
    },
    "playback": {
        # PortAudio device name or index; "null" for the silent real-time output, "" for default.
        "device": "",
        # "track", "album" or "off".
        "replaygain": "track",
        "replaygain_preamp_db": 0.0,
        "volume": 80,
        # Seconds of crossfade between tracks; 0 = gapless hand-over.
        "crossfade_seconds": 0.0,
    },
    "history": {
        # A stop before this many seconds, or before skip_fraction of a short track, is a skip.
        "skip_seconds": 30.0,
        "skip_fraction": 0.5,
        # Minutes of silence that start a new listening session.
        "session_gap_minutes": 30.0,
    },
    "recommend": {
        "w_content": 1.0,
        "w_cf": 0.8,
        "w_mood": 0.7,
        "w_pref": 0.5,
        "w_skip": 1.0,
        "w_recent": 1.0,
        # Tracks played within this many hours are held back.
        "recent_hours": 4.0,
        # Minimum number of other tracks between two tracks by the same artist.
        "artist_spacing": 1,
        # Maximal-marginal-relevance trade-off: 1 = pure score, 0 = pure diversity.
        "mmr_lambda": 0.75,
        # w_mood is multiplied by this when a mood is picked (not "auto").
        "explicit_mood_boost": 2.0,
        "up_next_length": 20,
        "seed": 0,
    },
    "ui": {
        "theme": "musitui",
        "mood": "auto",
        # Cover art beside Now playing: "auto" (kitty, sixel or half blocks, as the terminal
        # supports), "kitty", "sixel", "halfblocks" or "off".
        "cover_art": "auto",
        # Media keys and remote control (playerctl, desktop widgets) over D-Bus MPRIS.
        "mpris": True,
    },
    # Key bindings: action name = key (Textual key names). Defaults live in the TUI.
    "keys": {},
}


@dataclass
class Config:
    values: dict[str, dict[str, Any]] = field(default_factory=lambda: copy.deepcopy(DEFAULTS))
    path: Path | None = None
    problem: str | None = None

    def section(self, name: str) -> dict[str, Any]:
        return self.values.setdefault(name, {})

    def get(self, section: str, key: str, default: Any = None) -> Any:
        return self.values.get(section, {}).get(key, default)


def merge(base: dict[str, dict[str, Any]], override: dict[str, Any]) -> dict[str, dict[str, Any]]:
    merged = copy.deepcopy(base)
    for section, values in override.items():
        if isinstance(values, dict):
            merged.setdefault(section, {}).update(values)
    return merged


def load_config(home: Home) -> Config:
    path = home.config_file
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return Config(path=path)
    except OSError as exc:
        return Config(path=path, problem=f"cannot read {path}: {exc.strerror or exc}; using defaults")
    import tomllib  # only when there is a file to read

    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        reason = str(exc).splitlines()[0]
        return Config(path=path, problem=f"{path} is not valid TOML ({reason}); using defaults")
    return Config(values=merge(DEFAULTS, data), path=path)
