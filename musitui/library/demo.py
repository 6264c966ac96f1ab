"""The demo library: ~24 synthesised, tagged tracks in five clearly different styles.

Each "artist" has one album in one style (happy pop, energetic electronic, calm ambient,
sad piano, intense metal). The styles differ in tempo, loudness, mode, brightness (harmonic
roll-off, noise, distortion) and density (notes and drum hits per second), so feature
extraction and the mood estimate have something real to separate. Everything is rendered
with numpy from a seeded RNG, and every writer is byte-deterministic: the same version of
musitui writes the same bytes (Ogg stream serials are fixed, PyAV muxes with +bitexact).

``FOLDER/demo.csv`` lists each track with its intended style, valence/arousal, tempo and
mode: the ground truth for tests and benchmarks.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Callable
from pathlib import Path

import numpy as np

from musitui.library.demo_art import embed_art, write_folder_art
from musitui.library.demo_files import DemoError, fix_ogg_serial, ogg_crc, write_audio, write_tags
from musitui.library.demo_music import Plan, plan_track, render_track
from musitui.library.demo_styles import (
    FORMATS,
    LRC_LINES,
    LRC_TRACK,
    NOTE_NAMES,
    STYLES,
    DemoTrack,
    demo_tracks,
)

# What callers and tests use from here: the library, and the pieces it is made of.
__all__ = ["CSV_FILE", "FORMATS", "NOTE_NAMES", "STYLES", "DemoError", "demo_tracks",
           "fix_ogg_serial", "is_demo_library", "ogg_crc", "plan_track", "read_demo_csv",
           "render_track", "write_audio", "write_demo_library", "write_tags"]

DEMO_VERSION = 1
MARKER_FILE = ".musitui-demo"
CSV_FILE = "demo.csv"
CSV_COLUMNS = [
    "path", "title", "artist", "album", "genre", "style", "tracknumber", "year",
    "valence", "arousal", "tempo", "mode", "key", "format", "seconds", "rms_dbfs", "lyrics",
]
ProgressCallback = Callable[[int, int, Path], None]



def _lrc_text(track: DemoTrack, plan: Plan) -> str:
    length = plan.bars * 4 * 60.0 / plan.tempo
    lines = [f"[ti:{track.title}]", f"[ar:{track.style.artist}]", f"[al:{track.style.album}]"]
    for i, text in enumerate(LRC_LINES):
        minutes, seconds = divmod(length * (0.1 + 0.2 * i), 60)
        lines.append(f"[{int(minutes):02d}:{seconds:05.2f}]{text}")
    return "\n".join(lines) + "\n"



def is_demo_library(folder: Path) -> bool:
    return (folder / MARKER_FILE).is_file()


def check_target(folder: Path) -> None:
    """Raise DemoError unless folder is absent, empty, or an earlier demo library."""
    if folder.exists() and not folder.is_dir():
        raise DemoError(f"{folder} exists and is not a folder")
    if folder.is_dir() and any(folder.iterdir()) and not is_demo_library(folder):
        raise DemoError(f"{folder} is not empty and is not a musitui demo library; "
                        "choose a new or empty folder")


def _previous_files(folder: Path) -> list[str]:
    try:
        with open(folder / CSV_FILE, encoding="utf-8", newline="") as handle:
            return [row["path"] for row in csv.DictReader(handle) if row.get("path")]
    except (OSError, ValueError, KeyError):
        return []


def write_demo_library(folder: Path, *, seconds_scale: float = 1.0,
                       progress: ProgressCallback | None = None, jobs: int = 1) -> list[Path]:
    """Write the demo library into folder; return the audio files written, in order.

    ``seconds_scale`` shortens every track (same tempo, key, progression and melody, fewer
    bars) so tests can use a quick version. ``jobs`` > 1 renders tracks in that many
    processes (the bytes do not depend on it). Raises DemoError with a one-line reason.
    """
    folder = Path(folder)
    if seconds_scale <= 0:
        raise DemoError("seconds_scale must be positive")
    check_target(folder)
    tracks = demo_tracks()
    previous = _previous_files(folder) if folder.is_dir() else []
    try:
        folder.mkdir(parents=True, exist_ok=True)
        # The marker goes first: an interrupted run leaves a folder a rerun may overwrite.
        (folder / MARKER_FILE).write_text(f"musitui demo library, version {DEMO_VERSION}\n",
                                          encoding="utf-8")
        for track in tracks:
            album = (folder / track.relpath).parent
            album.mkdir(parents=True, exist_ok=True)
            for stale in album.glob(".*.part"):  # left by a run that was killed
                stale.unlink(missing_ok=True)
            write_folder_art(album, track.style.name)
        rows = _write_tracks(folder, tracks, seconds_scale, jobs, progress)
        keep = {row["path"] for row in rows} | {_lrc_relpath(t) for t in tracks}
        for relpath in previous:  # files of an older demo version that this one no longer has
            if relpath not in keep and ".." not in Path(relpath).parts:
                (folder / relpath).unlink(missing_ok=True)
        _write_csv(folder / CSV_FILE, rows)
    except OSError as exc:
        raise DemoError(f"cannot write the demo library: {exc.strerror or exc}"
                        f"{': ' + str(exc.filename) if exc.filename else ''}") from exc
    return [folder / track.relpath for track in tracks]


def _write_tracks(folder: Path, tracks: list[DemoTrack], seconds_scale: float, jobs: int,
                  progress: ProgressCallback | None) -> list[dict[str, str]]:
    rows: dict[int, dict[str, str]] = {}

    def finished(index: int, row: dict[str, str]) -> None:
        rows[index] = row
        if progress:
            progress(len(rows), len(tracks), folder / tracks[index].relpath)

    if jobs <= 1:
        for index in range(len(tracks)):
            finished(index, _write_track_at(folder, index, seconds_scale))
    else:
        from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait

        from musitui.library.child_processes import pool_context, start_worker

        with ProcessPoolExecutor(max_workers=jobs, mp_context=pool_context(),
                                 initializer=start_worker) as pool:
            futures = {pool.submit(_write_track_at, folder, index, seconds_scale): index
                       for index in range(len(tracks))}
            try:
                pending = set(futures)
                while pending:
                    done, pending = wait(pending, return_when=FIRST_COMPLETED)
                    for future in done:
                        finished(futures[future], future.result())
            except BaseException:
                pool.shutdown(wait=True, cancel_futures=True)
                raise
    return [rows[index] for index in range(len(tracks))]


def _write_track_at(folder: Path, index: int, seconds_scale: float) -> dict[str, str]:
    track = demo_tracks()[index]
    try:
        return _write_track(folder, track, seconds_scale)
    except OSError:
        raise
    except Exception as exc:  # an encoder or tagger failure: name the track, one line
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise DemoError(f"cannot write {track.relpath}: {reason}") from None


def _lrc_relpath(track: DemoTrack) -> str:
    return str(Path(track.relpath).with_suffix(".lrc"))


def _write_track(folder: Path, track: DemoTrack, seconds_scale: float) -> dict[str, str]:
    style = track.style
    audio, plan = render_track(track, seconds_scale)
    path = folder / track.relpath
    # Hidden while incomplete, so a scan never sees a half-written file. The writers and
    # taggers are told the format explicitly, so the odd extension does not matter.
    tmp = path.with_name(f".{path.name}.part")
    tags = {"title": track.title, "artist": style.artist, "album": style.album,
            "albumartist": style.artist, "genre": style.genre,
            "tracknumber": f"{track.number}/{track.total}", "date": str(style.year)}
    lyrics = style.lyrics.get(track.number)
    try:
        write_audio(tmp, audio, track.samplerate, track.fmt)
        write_tags(tmp, track.fmt, tags, lyrics)
        embed_art(tmp, track.fmt, style.name)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    lyrics_kind = "embedded" if lyrics else ""
    lrc = path.with_suffix(".lrc")
    if (style.name, track.number) == LRC_TRACK:
        lrc.write_text(_lrc_text(track, plan), encoding="utf-8")
        lyrics_kind = "lrc"
    seconds = len(audio) / track.samplerate
    rms = float(np.sqrt(np.mean(np.asarray(audio, dtype=np.float64) ** 2)))
    return {
        "path": track.relpath, "title": track.title, "artist": style.artist,
        "album": style.album, "genre": style.genre, "style": style.name,
        "tracknumber": str(track.number), "year": str(style.year),
        "valence": f"{style.valence:.2f}", "arousal": f"{style.arousal:.2f}",
        "tempo": f"{plan.tempo:.0f}", "mode": style.mode,
        "key": f"{NOTE_NAMES[plan.root % 12]} {style.mode}", "format": track.fmt,
        "seconds": f"{seconds:.2f}", "rms_dbfs": f"{20 * np.log10(max(rms, 1e-9)):.1f}",
        "lyrics": lyrics_kind,
    }


def _write_csv(path: Path, rows: list[dict[str, str]]) -> None:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")


def read_demo_csv(folder: Path) -> list[dict[str, str]]:
    """The ground truth rows of a demo library (as written by write_demo_library)."""
    with open(Path(folder) / CSV_FILE, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))
