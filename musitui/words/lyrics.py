"""The lyrics of one track for the lyrics view: a sidecar ``.lrc`` beside the file (when it
has time stamps) wins over the embedded text the catalog holds (ID3 USLT/SYLT, Vorbis
LYRICS/UNSYNCEDLYRICS, MP4 ©lyr; see musitui.library.tags). Nothing is fetched.

A sidecar is read only when it is a regular file (a FIFO named ``track.lrc`` is skipped, never
waited on), and never past ``MAX_FILE`` bytes."""

from __future__ import annotations

import os
from dataclasses import dataclass

from musitui.untrusted import UntrustedError, decode_text, read_regular
from musitui.words.lrc import Lrc, looks_synced, parse_lrc

MAX_FILE = 512 * 1024


@dataclass
class Lyrics:
    lrc: Lrc
    source: str  # "sidecar" or "embedded"

    @property
    def synced(self) -> bool:
        return self.lrc.synced


def _read_sidecar(path: str) -> str | None:
    stem = os.path.splitext(path)[0]
    for candidate in (stem + ".lrc", stem + ".LRC"):
        try:
            return decode_text(read_regular(candidate, MAX_FILE, truncate=True))
        except (OSError, UntrustedError):
            continue
    return None


def lyrics_for(path: str, stored: str | None) -> Lyrics | None:
    """The track's lyrics, or None when it has none."""
    sidecar = _read_sidecar(path)
    if sidecar and looks_synced(sidecar):
        return Lyrics(parse_lrc(sidecar), "sidecar")
    for text, source in ((stored, "embedded"), (sidecar, "sidecar")):
        if text and text.strip():
            lrc = parse_lrc(text)
            if lrc.lines:
                return Lyrics(lrc, source)
    return None
