"""The TUI takes its settings from the typed config: the theme, kept across restarts."""

from __future__ import annotations

from pathlib import Path

from tui_helpers import run_async

from musitui.config import load_config
from musitui.paths import Home


def open_app(home: Home):
    from musitui.core.session import Session
    from musitui.store.catalog import Catalog
    from musitui.tui.app import MusituiApp

    config = load_config(home)
    catalog = Catalog.open(home)
    session = Session(home, config, catalog, player=None)
    return MusituiApp(session, catalog, config=config, home=home, animate_highlight=False), session


@run_async
async def test_the_config_theme_applies_and_the_chosen_theme_is_kept(tmp_path: Path) -> None:
    home = Home(tmp_path, tmp_path).ensure()
    home.config_file.write_text('[ui]\ntheme = "nord"\n')
    app, session = open_app(home)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert app.theme == "nord"
        app.theme = "gruvbox"  # what picking a theme in the command palette does
        await pilot.pause()
    session.close()
    app, session = open_app(home)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert app.theme == "gruvbox"
    session.close()


@run_async
async def test_an_unknown_theme_is_reported_and_the_default_used(tmp_path: Path) -> None:
    home = Home(tmp_path, tmp_path).ensure()
    home.config_file.write_text('[ui]\ntheme = "no-such-theme"\n')
    app, session = open_app(home)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert app.theme == "musitui"
        told = [n.message for n in app._notifications]
        assert any("[ui] theme 'no-such-theme' is not a theme" in m for m in told), told
    session.close()
