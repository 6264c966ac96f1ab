"""The decoder thread: opens tracks, decodes them block by block, converts them to the
output's format and keeps the ring full. It alone talks to decoders and the file system.

Every stretch of the ring that belongs to one track starts a ``Segment`` (the absolute frame
where it starts, the track, the track position at that frame); the player maps the frames the
callback has consumed onto these segments to know what is being heard.
"""

from __future__ import annotations

import contextlib
import queue
import threading
from dataclasses import dataclass, field

import numpy as np

from musitui.decode import AudioSource, DecodeError, open_audio
from musitui.playback.convert import Resampler, gain_factor, map_channels
from musitui.playback.events import TrackItem
from musitui.playback.ring import Ring

READ_FRAMES = 4096


@dataclass(eq=False)
class Segment:
    start_w: int
    item: TrackItem | None  # None: nothing more to play from here (end of the queue)
    start_pos: float
    rate: int
    gen: int
    how: str  # "flush" (play/stop), "seek", "natural" (previous ended), "error" (previous failed)
    fails: list[tuple[str, str]] = field(default_factory=list)  # (path, reason) to report here


class Decoder:
    def __init__(self, ring: Ring, samplerate: int, channels: int, *, crossfade: float = 0.0,
                 replaygain: bool = True, prebuffer: float = 0.25) -> None:
        self.ring = ring
        self.rate = samplerate
        self.channels = channels
        self.crossfade_frames = int(max(0.0, crossfade) * samplerate)
        self.replaygain = replaygain
        self.prebuffer = int(prebuffer * samplerate)
        self.segments: list[Segment] = []
        self.lock = threading.Lock()  # guards ``segments`` (never taken by the callback)
        self.commands: queue.Queue = queue.Queue()
        self.slow_reads = 0
        self._gen = 0
        self._cur: TrackItem | None = None
        self._src: AudioSource | None = None
        self._res: Resampler | None = None
        self._gain = 1.0
        self._next: TrackItem | None = None
        self._pending: list[np.ndarray] = []  # converted frames not yet in the ring
        self._out_w = 0  # ring.w + frames pending: where the next converted frame will land
        self._tail: np.ndarray | None = None  # crossfade: last frames held back from the ring
        self._src_start = 0.0  # where the source was opened or sought to, seconds
        self._src_frames = 0  # source frames read since
        self._thread = threading.Thread(target=self._run, name="musitui-decoder", daemon=True)
        self._thread.start()

    # -- commands (any thread) -----------------------------------------------------------
    def send(self, *command: object) -> None:
        self.commands.put(command)

    def close(self) -> None:
        self.send("close")
        self._thread.join(timeout=3)

    # -- the thread ----------------------------------------------------------------------
    def _run(self) -> None:
        while True:
            try:
                command = self.commands.get(timeout=self._wait_time())
            except queue.Empty:
                command = None
            if command is not None:
                if command[0] == "close":
                    self._close_source()
                    return
                try:
                    self._handle(command)
                except Exception as exc:  # a decoder bug must not kill playback for good
                    self.ring.hold = False
                    self._fail_current(f"decoder error: {exc}")
                continue
            self._fill()

    def _wait_time(self) -> float | None:
        """0 when there is room to work, else about until the callback has made room."""
        if self._pending:
            need = min(len(self._pending[0]), READ_FRAMES)
        elif self._src is not None:
            need = READ_FRAMES * 2
        else:
            return None  # nothing to decode: sleep until a command comes
        short = need - self.ring.free()
        if short <= 0:
            return 0.0
        return min(0.2, max(0.01, short / self.rate))

    def _fill(self) -> None:
        if self._pending:
            self._drain()
            return
        if self._src is None or self.ring.free() < READ_FRAMES * 2:
            return
        try:
            block = self._src.read(READ_FRAMES)
        except DecodeError as exc:
            self._fail_current(str(exc))
            return
        if not len(block):
            self._finish_current()
            return
        self._src_frames += len(block)
        self._emit(self._convert(block))
        self._drain()

    def _convert(self, block: np.ndarray, last: bool = False) -> np.ndarray:
        block = map_channels(block, self.channels)
        if self._res is not None:
            block = self._res.process(block, last=last)
        if self._gain != 1.0 and len(block):
            block = block * np.float32(self._gain)
            if self._gain > 1.0:
                np.clip(block, -1.0, 1.0, out=block)
        return block

    def _emit(self, block: np.ndarray) -> None:
        """Queue converted frames for the ring, holding back the crossfade tail."""
        if not len(block):
            return
        if self.crossfade_frames:
            if self._tail is not None:
                block = np.concatenate([self._tail, block])
            keep = min(self.crossfade_frames, len(block))
            self._tail = block[len(block) - keep:]
            block = block[: len(block) - keep]
        if len(block):
            self._pending.append(block)
            self._out_w += len(block)

    def _release_tail(self) -> None:
        if self._tail is not None and len(self._tail):
            self._pending.append(self._tail)
            self._out_w += len(self._tail)
        self._tail = None

    def _drain(self) -> None:
        ring = self.ring
        while self._pending:
            block = self._pending[0]
            free = ring.free()
            if free <= 0:
                break
            if len(block) <= free:
                ring.write(block)
                self._pending.pop(0)
            else:
                ring.write(block[:free])
                self._pending[0] = block[free:]
                break
        if not ring.primed and (ring.w - ring.skip_to >= self.prebuffer or ring.end_w is not None
                                or (self._src is None and not self._pending)):
            ring.primed = True

    # -- opening and finishing tracks ----------------------------------------------------
    def _open(self, item: TrackItem, start: float = 0.0) -> None:
        """Open ``item`` as the current source (raises DecodeError)."""
        self._close_source()
        source = open_audio(item.path)
        try:
            if start > 0:
                source.seek(start)
        except DecodeError:
            source.close()
            raise
        item.duration = float(source.duration or 0.0)
        self._src_start, self._src_frames = max(0.0, start), 0
        self._src = source
        self._cur = item
        self._res = None if source.samplerate == self.rate else Resampler(
            source.samplerate, self.rate, self.channels)
        self._gain = gain_factor(item.gain_db) if self.replaygain else 1.0

    def _close_source(self) -> None:
        if self._src is not None:
            with contextlib.suppress(Exception):
                self._src.close()
        self._src = None

    def _add_segment(self, segment: Segment) -> None:
        with self.lock:
            self.segments.append(segment)
            if len(self.segments) > 64:
                del self.segments[:-32]

    def _start_next(self, item: TrackItem | None, how: str, fails: list[tuple[str, str]]) -> None:
        """Continue the stream with ``item`` (or end it) right where the last frame landed."""
        self._next = None
        if item is not None:
            try:
                self._open(item)
            except DecodeError as exc:
                fails.append((item.path, str(exc)))
                item = None
        if item is None:
            self._release_tail()
            self._cur = None
            self._add_segment(Segment(self._out_w, None, 0.0, self.rate, self._gen, how, fails))
            self.ring.end_w = self._out_w
            self._drain()
            return
        start_w = self._out_w
        if self._tail is not None and how == "natural":
            tail, self._tail = self._tail, None
            head = self._read_head(len(tail))
            fade = np.linspace(0.0, 1.0, len(tail), dtype=np.float32)[:, None]
            mixed = tail * (1.0 - fade)
            mixed[: len(head)] += head * fade[: len(head)]
            start_w = self._out_w
            self._pending.append(mixed)
            self._out_w += len(mixed)
        else:
            self._release_tail()
            start_w = self._out_w
        self._add_segment(Segment(start_w, item, 0.0, self.rate, self._gen, how, fails))
        self._drain()

    def _read_head(self, frames: int) -> np.ndarray:
        parts: list[np.ndarray] = []
        have = 0
        while have < frames and self._src is not None:
            try:
                block = self._src.read(READ_FRAMES)
            except DecodeError:
                break
            if not len(block):
                break
            self._src_frames += len(block)
            block = self._convert(block)
            parts.append(block)
            have += len(block)
        data = np.concatenate(parts) if parts else np.zeros((0, self.channels), np.float32)
        if len(data) > frames:  # the rest goes through the normal path (and its tail)
            self._emit(data[frames:])
            data = data[:frames]
        return data

    def _finish_current(self) -> None:
        self._settle_duration()
        if self._res is not None:
            self._emit(self._res.process(np.zeros((0, self.channels), np.float32), last=True))
        self._close_source()
        self._start_next(self._next, "natural", [])

    def _settle_duration(self) -> None:
        """A damaged file ends before its header said: its duration is where it really
        ended, so the ``end`` event (a finish) carries the length that played."""
        item, source = self._cur, self._src
        if item is None or source is None or not source.samplerate:
            return
        ended = self._src_start + self._src_frames / source.samplerate
        if ended > 0 and (not item.duration or ended < item.duration - 0.05):
            item.duration = ended

    def _fail_current(self, reason: str) -> None:
        failed = self._cur
        self._close_source()
        self._release_tail()
        fails = [(failed.path, reason)] if failed is not None else []
        self._start_next(self._next, "error", fails)

    def _reset_stream(self) -> None:
        self._pending.clear()
        self._tail = None
        self.ring.flush()
        self._out_w = self.ring.w
        with self.lock:
            self.segments.clear()

    # -- commands ------------------------------------------------------------------------
    def _handle(self, command: tuple) -> None:
        kind = command[0]
        if kind == "play":
            _, item, start, gen = command
            self._gen = gen
            self._next = None
            self._close_source()
            self._reset_stream()
            try:
                self._open(item, start)
            except DecodeError as exc:
                self._cur = None
                self._add_segment(Segment(self._out_w, None, 0.0, self.rate, gen, "flush",
                                          [(item.path, str(exc))]))
                self.ring.end_w = self._out_w
                self.ring.primed = True
                return
            self._add_segment(Segment(self._out_w, item, start, self.rate, gen, "flush"))
        elif kind == "seek":
            _, item, seconds, gen = command
            self._gen = gen
            if item is None:
                return
            if self._cur is not item and self._cur is not None and self._next is None:
                self._next = self._cur  # it was pre-buffered after the heard one: keep it next
            self._reset_stream()
            try:
                if self._cur is item and self._src is not None:
                    self._src.seek(seconds)
                    self._src_start, self._src_frames = max(0.0, seconds), 0
                    if self._res is not None:
                        self._res = Resampler(self._src.samplerate, self.rate, self.channels)
                else:
                    self._open(item, seconds)
            except DecodeError as exc:
                self._close_source()
                self._cur = item
                self._add_segment(Segment(self._out_w, item, seconds, self.rate, gen, "seek"))
                self._fail_current(str(exc))
                return
            self._add_segment(Segment(self._out_w, item, seconds, self.rate, gen, "seek"))
        elif kind == "next":
            self._set_next(command[1])
        elif kind == "stop":
            self._gen = command[1]
            self._close_source()
            self._cur = None
            self._next = None
            self._reset_stream()
            self._add_segment(Segment(self._out_w, None, 0.0, self.rate, self._gen, "flush"))
            self.ring.end_w = self._out_w
            self.ring.primed = True

    def _set_next(self, item: TrackItem | None) -> None:
        with self.lock:
            segments = list(self.segments)
        if not segments:
            self._next = item
            return
        heard = self.ring.r
        path = item.path if item is not None else None
        playing = 0  # the segment being heard; what follows it is pre-buffered
        for index, segment in enumerate(segments):
            if segment.start_w <= heard:
                playing = index
        if playing + 1 >= len(segments):  # the heard track is still being decoded
            self._next = item
            return
        following = segments[playing + 1]
        queued = following.item.path if following.item is not None else None
        if queued == path or (queued is None and any(p == path for p, _ in following.fails)):
            return  # already there (or already tried there and reported)
        margin = self.rate // 2  # never rewrite what the callback could be copying right now
        if not self.crossfade_frames and following.start_w - heard > margin:
            self._rewind_to(following)
            self._start_next(item, following.how, list(following.fails))
            return
        last = segments[-1]
        if last.item is None and last.how in ("natural", "error") and heard < last.start_w:
            with self.lock:
                self.segments.remove(last)
            self.ring.end_w = None
            self._start_next(item, last.how, list(last.fails))
            return
        self._next = item

    def _rewind_to(self, segment: Segment) -> None:
        """Take back the pre-buffered start of a next track that is no longer next."""
        self._close_source()
        self._cur = None
        cut = segment.start_w
        ring = self.ring
        if cut >= ring.w:
            keep = cut - ring.w
            kept, have = [], 0
            for block in self._pending:
                if have >= keep:
                    break
                kept.append(block[: keep - have])
                have += len(kept[-1])
            self._pending = kept
        else:
            self._pending.clear()
            ring.w = cut
        self._out_w = cut
        ring.end_w = None
        with self.lock:
            index = self.segments.index(segment)
            del self.segments[index:]
