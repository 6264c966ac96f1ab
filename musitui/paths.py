"""Where musitui keeps its files.

Everything lives under one *home* when ``--home DIR`` or ``MUSITUI_HOME`` is given (tests,
benchmarks, separate worlds); otherwise config goes to the XDG config dir and data to the
XDG data dir, via platformdirs.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

APP_NAME = "musitui"
HOME_ENV = "MUSITUI_HOME"


@dataclass(frozen=True)
class Home:
    config_dir: Path
    data_dir: Path

    @property
    def config_file(self) -> Path:
        return self.config_dir / "config.toml"

    @property
    def catalog_file(self) -> Path:
        return self.data_dir / "catalog.json"

    @property
    def features_dir(self) -> Path:
        return self.data_dir / "features"

    @property
    def history_dir(self) -> Path:
        return self.data_dir / "history"

    @property
    def state_file(self) -> Path:
        """UI/session state to resume: queue, position, volume, mood."""
        return self.data_dir / "state.json"

    @property
    def backups_dir(self) -> Path:
        """Damaged data files are moved here, never silently overwritten."""
        return self.data_dir / "backups"

    def ensure(self) -> Home:
        self.config_dir.mkdir(parents=True, exist_ok=True)
        self.data_dir.mkdir(parents=True, exist_ok=True)
        return self


def resolve_home(explicit: str | os.PathLike[str] | None = None) -> Home:
    """The home from ``--home``, else ``$MUSITUI_HOME``, else the platform's user dirs."""
    chosen = explicit or os.environ.get(HOME_ENV)
    if chosen:
        root = Path(chosen).expanduser().resolve()
        return Home(config_dir=root, data_dir=root)
    import platformdirs

    return Home(
        config_dir=Path(platformdirs.user_config_dir(APP_NAME)),
        data_dir=Path(platformdirs.user_data_dir(APP_NAME)),
    )
