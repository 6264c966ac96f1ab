"""The cover beside Now playing: found, decoded and scaled in a worker thread, drawn with the
best protocol the terminal has (textual-image: kitty graphics, sixel, else coloured half
blocks), hidden when the screen is too small or the track has no cover.

textual-image asks the terminal what it supports when it is first imported, which it cannot
do once Textual owns the terminal: ``prepare`` runs before the app starts.
"""

from __future__ import annotations

import contextlib
import queue
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual.containers import Horizontal
from textual.widget import Widget

if TYPE_CHECKING:
    from musitui.config import Config

RENDERERS = ("auto", "kitty", "sixel", "halfblocks", "off")
DEFAULT_RENDERER = "auto"


def renderer_choice(config: Config | None) -> str:
    """``ui.cover_art`` (checked against RENDERERS when the config is loaded)."""
    return config.ui.cover_art if config is not None else DEFAULT_RENDERER


def prepare(choice: str) -> None:
    """Import textual-image now (it queries the terminal once), unless covers are off."""
    if choice != "off":
        with contextlib.suppress(Exception):  # no cover art is never a reason not to start
            import textual_image.widget  # noqa: F401


def image_class(choice: str) -> Any:
    if choice == "off":
        return None
    try:
        from textual_image import widget
    except Exception:  # noqa: BLE001 - missing or broken: the player works without covers
        return None
    return {"auto": widget.Image, "kitty": widget.TGPImage, "sixel": widget.SixelImage,
            "halfblocks": widget.HalfcellImage}[choice]


def cover_rows(width: int, height: int) -> int:
    """Rows the cover takes at this screen size; 0 hides it (the lists need the room)."""
    if width < 70 or height < 22:
        return 0
    return 6 if height >= 34 else 4


class NowPlayingArea(Horizontal):
    DEFAULT_CSS = """
    NowPlayingArea { height: auto; background: $panel; }
    NowPlayingArea > NowPlaying { width: 1fr; }
    """


class CoverArt(Widget):
    """Shows the cover of ``show(path)``'s track; cells are about twice as tall as wide, so
    a square cover is ``2 * rows`` columns wide."""

    DEFAULT_CSS = """
    CoverArt { display: none; width: 8; height: 4; margin: 0 1 0 0; }
    CoverArt > * { width: 100%; height: 100%; }
    """

    def __init__(self, renderer: str, data_dir: Path | None, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.renderer = renderer
        self.data_dir = data_dir
        self.rows = 0
        self.path: str | None = None
        self.image: Any = None  # the decoded PIL image shown, or None
        self.settled_for: str | None = None  # the path whose cover (or its absence) is shown
        self._request = 0
        self._image_class = image_class(renderer) if data_dir is not None else None
        self._jobs: queue.SimpleQueue[tuple[int, str, tuple[int, int]] | None] = queue.SimpleQueue()
        self._decoder: threading.Thread | None = None

    def compose(self):
        if self._image_class is not None:
            yield self._image_class()

    def fit(self, width: int, height: int) -> None:
        rows = cover_rows(width, height) if self._image_class is not None else 0
        if rows == self.rows:
            return
        self.rows = rows
        if rows:
            self.styles.width, self.styles.height = 2 * rows, rows
        self._reload()

    def show(self, path: str | None) -> None:
        if path == self.path:
            return
        self.path = path
        self._reload()

    def _reload(self) -> None:
        self._request += 1
        if self.path is None or not self.rows or self._image_class is None:
            self._set(None)
            return
        if self._decoder is None:
            self._decoder = threading.Thread(target=self._decode_loop, name="musitui-cover",
                                             daemon=True)
            self._decoder.start()
        self._jobs.put((self._request, self.path, self._pixel_size(self.rows)))

    def on_unmount(self) -> None:
        self._jobs.put(None)

    def _pixel_size(self, rows: int) -> tuple[int, int]:
        """Pixels to scale to: the cell grid for half blocks (two pixels a cell), the
        terminal's cell size for kitty/sixel."""
        columns = 2 * rows
        renderable = getattr(self._image_class, "_Renderable", None)
        module = getattr(renderable, "__module__", "")
        if module.endswith((".halfcell", ".unicode")):
            return columns, 2 * rows
        with contextlib.suppress(Exception):
            from textual_image._terminal import get_cell_size

            cell = get_cell_size()
            return columns * cell.width, rows * cell.height
        return columns * 10, rows * 20

    def _decode_loop(self) -> None:
        """The decoder thread: one, so covers never pile up in parallel; a change of track
        while one decodes makes the next job the latest; a file that fails in any way shows no
        cover and the thread goes on. (Not niced: a lower-priority thread
        descheduled while it holds the GIL made the UI thread wait longer, not less.)"""
        while True:
            job = self._jobs.get()
            while job is not None and not self._jobs.empty():  # only the latest matters
                job = self._jobs.get()
            if job is None:
                return
            try:
                self._decode(*job)
            except Exception:  # noqa: BLE001 - one bad file never ends covers for the session
                with contextlib.suppress(Exception):
                    self.app.call_from_thread(self._decoded, job[0], None)

    def _decode(self, request: int, path: str, pixels: tuple[int, int]) -> None:
        """Decoder thread: the cached thumbnail, decoded and scaled to the cells it fills."""
        from musitui.library.cover import cached_cover, open_thumbnail

        if request != self._request:
            return

        image = None
        cached = cached_cover(self.data_dir, path) if self.data_dir is not None else None
        thumbnail = open_thumbnail(cached) if cached is not None else None
        if thumbnail is not None:
            from PIL import Image

            image = thumbnail.resize(pixels, Image.Resampling.LANCZOS)
        with contextlib.suppress(RuntimeError):  # the app closed meanwhile
            self.app.call_from_thread(self._decoded, request, image)

    def _decoded(self, request: int, image: Any) -> None:
        if request == self._request:
            self._set(image)

    def _set(self, image: Any) -> None:
        self.image = image
        self.settled_for = self.path
        widget = self._image_widget()
        if widget is not None and widget.image is not image:
            widget.image = image
        self.display = image is not None

    def _image_widget(self) -> Any:
        return next(iter(self.children), None)
