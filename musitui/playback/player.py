"""The Player: the public face of playback (see docs/ARCHITECTURE.md, "Player").

Three threads besides the caller's: the decoder (fills the ring), the audio callback (empties
it) and the player's own thread, which turns the callback's progress into events, delivers
them to subscribers and watches the device. Every public method only records an intention
and returns at once: nothing here ever waits on the audio or the disk.
"""

from __future__ import annotations

import contextlib
import os
import queue
import threading
import time
from collections.abc import Callable

from musitui.core.volume import clamp_volume
from musitui.playback.decoder import Decoder, Segment
from musitui.playback.events import PlayerEvent, TrackItem
from musitui.playback.mixer import Mixer, volume_gain
from musitui.playback.outputs import DEFAULT_RATE, NoOutput, NullOutput, PortAudioOutput
from musitui.playback.ring import Ring

BLOCKSIZE = 1024
RING_SECONDS = 3.0
TICK = 0.05  # seconds between position updates (20 per second)
RETRY_DELAYS = (0.5, 1.0, 2.0, 4.0, 8.0)
AUDIO_NICENESS = -11  # what PulseAudio asks for its own threads


class Player:
    def __init__(self, device: str | int | None = None, replaygain: str = "track",
                 volume: float = 80, *, crossfade: float = 0.0, samplerate: int | None = None,
                 record: bool = False, blocksize: int = BLOCKSIZE) -> None:
        self.device = device
        self.volume = clamp_volume(volume)
        self.muted = False
        self.state = "stopped"
        self.position = 0.0
        self.duration = 0.0
        self.current_path: str | None = None
        self.available = False
        self.problem: str | None = None
        self._subscribers: list[Callable[[PlayerEvent], None]] = []
        self._events: queue.Queue = queue.Queue()
        self._gen = 0
        self._closed = threading.Event()
        self._blocksize = blocksize
        self._record = record
        self._samplerate = samplerate
        self._output: PortAudioOutput | NullOutput | None = None
        self._device_lost = False
        self._lost_was_playing = False
        self._next_retry = 0.0
        self._retries = 0
        self._segment: Segment | None = None
        self._item: TrackItem | None = None  # the track being heard (or about to be)
        self._last_position_event = 0.0
        self._boosted: int | None = None
        try:
            self._output = self._open_output()
        except NoOutput as exc:
            self.problem = str(exc)
            return
        self.available = True
        rate, channels = self._output.samplerate, self._output.channels
        self._ring = Ring(int(RING_SECONDS * rate), channels)
        self._mixer.ring = self._ring
        self._decoder = Decoder(self._ring, rate, channels, crossfade=crossfade,
                                replaygain=replaygain != "off")
        self._thread = threading.Thread(target=self._run, name="musitui-player", daemon=True)
        self._thread.start()

    # -- outputs ---------------------------------------------------------------------------
    def _open_output(self) -> PortAudioOutput | NullOutput:
        # The mixer needs the rate before the ring exists; it gets its ring right after.
        device = self.device
        if device in ("null", "null-fast"):
            rate = self._samplerate or DEFAULT_RATE
            if not hasattr(self, "_mixer"):
                self._mixer = Mixer(Ring(1, 2), rate, self._blocksize)
            return NullOutput(self._mixer, self._blocksize, fast=device == "null-fast",
                              samplerate=rate, ready=self._fast_ready, record=self._record)
        if not hasattr(self, "_mixer"):
            self._mixer = Mixer(Ring(1, 2), DEFAULT_RATE, self._blocksize)
        output = PortAudioOutput(device, self._mixer, self._blocksize)
        if output.samplerate != self._mixer.samplerate:
            self._mixer.samplerate = output.samplerate
            self._mixer.max_step = 1.0 / max(1, int(0.02 * output.samplerate))
        return output

    def _fast_ready(self) -> bool:
        mixer = self._mixer
        ring = mixer.ring
        if ring.skip_to > ring.r:
            return True
        if ring.hold or mixer.paused and mixer.gain == 0.0 and mixer.target == 0.0:
            return False
        if ring.readable() >= self._blocksize:
            return True
        end = ring.end_w
        return end is not None and ring.r < end

    @property
    def output(self) -> PortAudioOutput | NullOutput | None:
        """The output in use (a NullOutput offers ``recorded()`` when made with record=True)."""
        return self._output

    @property
    def underruns(self) -> int:
        return self._mixer.underruns if self.available else 0

    # -- subscribers -----------------------------------------------------------------------
    def subscribe(self, callback: Callable[[PlayerEvent], None]) -> None:
        self._subscribers.append(callback)

    def unsubscribe(self, callback: Callable[[PlayerEvent], None]) -> None:
        with contextlib.suppress(ValueError):
            self._subscribers.remove(callback)

    def _post(self, kind: str, path: str | None = None, position: float | None = None,
              duration: float | None = None, message: str = "") -> None:
        self._events.put(PlayerEvent(
            kind, path if path is not None else self.current_path,
            self.position if position is None else position,
            self.duration if duration is None else duration, message))

    # -- controls --------------------------------------------------------------------------
    def play(self, path: str | os.PathLike[str], start: float = 0.0, paused: bool = False,
             gain_db: float = 0.0) -> None:
        path = str(path)
        if not self.available:
            self._post_unavailable(path)
            return
        self._stop_current()
        idle = self._mixer.gain == 0.0
        self._gen += 1
        self.current_path = path
        self.position = max(0.0, float(start))
        self.duration = 0.0
        self.state = "paused" if paused else "playing"
        self._apply_gain()
        if idle:
            self._mixer.jump_gain()
        self._item = TrackItem(path, float(gain_db))
        self._ring.hold = True
        self._decoder.send("play", self._item, self.position, self._gen)

    def set_next(self, path: str | os.PathLike[str] | None, gain_db: float = 0.0) -> None:
        if not self.available:
            return
        item = TrackItem(str(path), float(gain_db)) if path is not None else None
        self._decoder.send("next", item)

    def pause(self) -> None:
        if self.state == "playing":
            self.state = "paused"
            self._apply_gain()
            self._post("state", message=self.state)

    def resume(self) -> None:
        if self.state == "paused":
            self.state = "playing"
            self._apply_gain()
            self._post("state", message=self.state)

    def toggle_pause(self) -> None:
        if self.state == "playing":
            self.pause()
        else:
            self.resume()

    def stop(self) -> None:
        if not self.available:
            return
        was = self.state
        self._stop_current()
        self._gen += 1
        self._become_stopped()
        self._ring.hold = True
        self._decoder.send("stop", self._gen)
        if was != "stopped":
            self._post("state", path=None, position=0.0, duration=0.0, message="stopped")

    def _become_stopped(self) -> None:
        self.state = "stopped"
        self.current_path = None
        self._item = None
        self.position = 0.0
        self.duration = 0.0
        self._apply_gain()

    def seek(self, seconds: float) -> None:
        item = self._item
        if not self.available or self.state == "stopped" or item is None:
            return
        target = max(0.0, float(seconds))
        if item.duration:
            target = min(target, item.duration)
        self._gen += 1
        self.position = target
        self._ring.hold = True
        self._decoder.send("seek", item, target, self._gen)

    def seek_by(self, delta: float) -> None:
        self.seek(self.position + float(delta))

    def set_volume(self, volume: float) -> None:
        self.volume = clamp_volume(volume, self.volume)
        self._apply_gain()
        self._post("state", message=self.state)

    def toggle_mute(self) -> None:
        self.muted = not self.muted
        self._apply_gain()
        self._post("state", message=self.state)

    def close(self) -> None:
        if self._closed.is_set():
            return
        self._closed.set()
        if not self.available:
            return
        self._decoder.close()
        self._thread.join(timeout=3)
        if self._output is not None:
            self._output.close()

    def __enter__(self) -> Player:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- internals -------------------------------------------------------------------------
    def _apply_gain(self) -> None:
        if not self.available:
            return
        running = self.state == "playing" and not self._device_lost
        self._mixer.paused = not running
        self._mixer.target = volume_gain(self.volume) if running and not self.muted else 0.0

    def _stop_current(self) -> None:
        if self.current_path is not None and self.state != "stopped":
            self._post("stopped")

    def _post_unavailable(self, path: str) -> None:
        # Delivered synchronously: without an output there is no player thread.
        event = PlayerEvent("error", path, 0.0, 0.0, self.problem or "no audio output")
        for callback in list(self._subscribers):
            with contextlib.suppress(Exception):
                callback(event)

    def _deliver(self, event: PlayerEvent) -> None:
        for callback in list(self._subscribers):
            try:
                callback(event)
            except Exception:  # a subscriber's bug must not stop playback
                import logging

                logging.getLogger("musitui.playback").exception("player subscriber failed")

    def _run(self) -> None:
        while not self._closed.is_set():
            deadline = time.monotonic() + TICK
            while True:
                timeout = deadline - time.monotonic()
                if timeout <= 0:
                    break
                try:
                    event = self._events.get(timeout=timeout)
                except queue.Empty:
                    break
                self._deliver(event)
            if self._closed.is_set():
                break
            self._track_progress()
            self._watch_device()
            self._boost_audio_thread()
            while not self._events.empty():
                self._deliver(self._events.get_nowait())

    def _boost_audio_thread(self) -> None:
        """Ask the OS to run the audio callback's thread before busy neighbours (analysis
        workers on every core). Needs the right to raise priority (root, CAP_SYS_NICE or an
        rtprio/nice limit); without it nothing changes."""
        tid = self._mixer.thread_id
        if tid is None or tid == self._boosted:
            return
        self._boosted = tid
        with contextlib.suppress(OSError, AttributeError):
            os.setpriority(os.PRIO_PROCESS, tid, AUDIO_NICENESS)

    def _track_progress(self) -> None:
        decoder = self._decoder
        heard = self._ring.r
        with decoder.lock:
            segments = list(decoder.segments)
        if not segments or segments[0].gen != self._gen:
            return  # the decoder has not taken up the latest command yet
        # Enter every segment reached since the last look, in order: with a fast output
        # several short tracks can pass between two ticks and each must start and end.
        if self._segment is not None and self._segment in segments:
            first, current = segments.index(self._segment) + 1, self._segment
        else:
            first, current = 0, segments[0]
        for index, segment in enumerate(segments[first:], first):
            if index == 0 or segment.start_w <= heard:
                self._enter(segment)
                current = segment
            else:
                break
        if current.item is not None and self.state != "stopped":
            offset = max(0, heard - current.start_w)
            self.position = current.start_pos + offset / current.rate
            self.duration = current.item.duration
            now = time.monotonic()
            if self.state == "playing" and now - self._last_position_event >= TICK * 0.9:
                self._last_position_event = now
                self._post("position")

    def _enter(self, segment: Segment) -> None:
        previous = self._segment
        self._segment = segment
        ended_at = 0.0  # where the previous track really stopped (its frames in the ring)
        if previous is not None and previous.item is not None and previous.gen == segment.gen:
            ended_at = previous.start_pos + (segment.start_w - previous.start_w) / previous.rate
            if segment.how == "natural":
                self._post("end", previous.item.path, ended_at,
                           previous.item.duration or ended_at)
        before = previous.item if previous is not None else None
        for path, reason in segment.fails:
            if before is not None and before.path == path and segment.how == "error":
                self._post("error", path, ended_at, before.duration, reason)  # failed mid-way
            else:
                self._post("error", path, 0.0, 0.0, reason)
        if segment.item is None:
            if self.state != "stopped":
                self._become_stopped()
                self._post("state", None, 0.0, 0.0, message="stopped")
            return
        self._item = segment.item
        self.current_path = segment.item.path
        self.duration = segment.item.duration
        self.position = segment.start_pos
        if segment.how != "seek":
            self._post("start", segment.item.path, segment.start_pos, segment.item.duration)

    def _watch_device(self) -> None:
        output = self._output
        if not self._device_lost:
            if output is not None and output.alive():
                return
            self._device_lost = True
            self._lost_was_playing = self.state == "playing"
            if self.state == "playing":
                self.state = "paused"
            self._apply_gain()
            self._retries = 0
            self._next_retry = time.monotonic() + RETRY_DELAYS[0]
            name = output.name if output is not None else ""
            self._post("device_lost", message=f"audio device {name!r} stopped working; retrying")
            return
        if time.monotonic() < self._next_retry:
            return
        if output is not None:
            output.close()
        self._output = None
        try:
            self._output = self._open_output()
        except NoOutput as exc:
            self._retries += 1
            delay = RETRY_DELAYS[min(self._retries, len(RETRY_DELAYS) - 1)]
            self._next_retry = time.monotonic() + delay
            self.problem = str(exc)
            return
        self.problem = None
        self._device_lost = False
        if self._lost_was_playing and self.state == "paused":
            self.state = "playing"
        self._apply_gain()
        self._mixer.gain = 0.0  # fade back in from silence
        self._post("device_restored", message=f"audio device {self._output.name!r} is back")
