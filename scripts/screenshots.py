"""Screenshots of the real app on the demo library: screenshots/*.svg and *.png.

    .venv/bin/python scripts/screenshots.py [--work DIR] [--out screenshots]

Writes the demo library, scans and analyses it with the real CLI (first run: about a minute,
librosa warms up), then drives the app headless (Textual's Pilot, the "null" audio output):
library view (a track with its cover), Up next with reasons after a skip, a mood change, the artist browser, help,
the playlists view, the lyrics pane,
and the 80x24 layout. PNGs come from cairosvg when installed, else ImageMagick's convert.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def prepare(work: Path) -> tuple[Path, Path]:
    demo, home = work / "demo", work / "home"
    musitui = [sys.executable, "-m", "musitui", "--home", str(home)]
    if not (demo / "demo.csv").exists():
        subprocess.run([*musitui, "demo", "--quiet", str(demo)], check=True)
    subprocess.run([*musitui, "scan", str(demo)], check=True)
    return demo, home


async def shoot(home_dir: Path, out: Path) -> list[Path]:
    from dataclasses import replace

    from musitui.commands.ui import build_session
    from musitui.config import load_config
    from musitui.paths import Home
    from musitui.store.catalog import Catalog
    from musitui.tui.app import MusituiApp

    home = Home(home_dir, home_dir)
    (home.state_file).unlink(missing_ok=True)
    shots: list[Path] = []

    async def run(size: tuple[int, int], steps) -> None:
        config = load_config(home)
        # Headless there is no terminal to ask for kitty/sixel: covers in half blocks.
        config.ui = replace(config.ui, cover_art="halfblocks", mpris=False)
        catalog = Catalog.open(home)
        session, _player, _ = build_session(home, config, catalog, device="null")
        app = MusituiApp(session, catalog, config=config, home=home)
        async with app.run_test(size=size) as pilot:
            app.clear_notifications()
            await pilot.pause()
            await steps(app, pilot)
        session.close()

    def save(app, name: str) -> None:
        path = out / f"{name}.svg"
        app.save_screenshot(str(path))
        shots.append(path)

    async def settle(pilot, seconds: float = 0.3) -> None:
        await pilot.pause(seconds)

    async def main_flow(app, pilot) -> None:
        await pilot.press("down", "down", "down", "down", "enter")  # play a calm track
        await settle(pilot, 2.5)
        await pilot.press("space")  # pause: a still picture
        await settle(pilot)
        app.clear_notifications()
        save(app, "library")
        await pilot.press("space")
        await settle(pilot, 1.0)
        await pilot.press("n")  # skip: Up next reranks
        await settle(pilot, 1.2)
        await pilot.press("space", "tab")
        await settle(pilot)
        app.clear_notifications()
        save(app, "up-next")
        await pilot.press("5")  # intense: the queue reorders, moved rows highlighted
        await settle(pilot, 0.2)
        save(app, "mood-change")
        await pilot.press("tab", "slash", *"rain")
        await settle(pilot)
        save(app, "search")
        await pilot.press("escape", "v", "enter", "down", "enter")
        await settle(pilot)
        save(app, "browse")
        await pilot.press("question_mark")
        await settle(pilot)
        save(app, "help")
        await pilot.press("escape")
        await settle(pilot)
        await playlists_flow(app, pilot)

    async def playlists_flow(app, pilot) -> None:
        from textual.widgets import Input

        from musitui.playlist_folder import playlists_dir

        for name, count in (("evening", 6), ("road trip", 12), ("queue", 4)):
            await pilot.press("ctrl+s")
            await settle(pilot, 0.2)
            app.screen.query_one(Input).value = f"{playlists_dir(home) / name}.m3u8 {count}"
            await pilot.press("enter")
            await settle(pilot, 0.2)
        await pilot.press("P", "down")
        await settle(pilot)
        app.clear_notifications()
        save(app, "playlists")
        await pilot.press("escape")
        # The lyrics pane beside the lists, Now playing in sight: a track with synced lyrics.
        sung = next((t for t in app.catalog.present() if Path(t.path).with_suffix(".lrc").exists()),
                    None)
        if sung is not None:
            await app.in_session(app.session.play_track, sung.id)
        await pilot.press("L")
        await settle(pilot, 2.5)
        await pilot.press("space")
        await settle(pilot)
        app.clear_notifications()
        save(app, "lyrics-pane")

    async def small_flow(app, pilot) -> None:
        await pilot.press("down", "enter")
        await settle(pilot, 1.5)
        await pilot.press("space", "3")
        await settle(pilot)
        app.clear_notifications()
        save(app, "small-80x24")

    await run((120, 40), main_flow)
    # A new listener for the small screen: the skip above would otherwise colour its queue.
    shutil.rmtree(home.history_dir, ignore_errors=True)
    home.state_file.unlink(missing_ok=True)
    await run((80, 24), small_flow)
    return shots


def to_png(svg: Path) -> Path:
    png = svg.with_suffix(".png")
    try:
        import cairosvg

        cairosvg.svg2png(url=str(svg), write_to=str(png), output_width=1600)
        return png
    except ImportError:
        pass
    if shutil.which("convert") is None:
        raise SystemExit("need cairosvg (pip install cairosvg) or ImageMagick's convert for PNGs")
    subprocess.run(["convert", "-density", "150", str(svg), str(png)], check=True)
    return png


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", help="where the demo library and its home are kept (reused)")
    parser.add_argument("--out", default=str(ROOT / "screenshots"))
    args = parser.parse_args()
    work = Path(args.work) if args.work else Path(tempfile.mkdtemp(prefix="musitui-shots-"))
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    _, home = prepare(work)
    for svg in asyncio.run(shoot(home, out)):
        png = to_png(svg)
        print(f"{svg}  {png}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
