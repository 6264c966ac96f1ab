"""Playback: streaming decode into a ring buffer, PortAudio or null output, gapless hand-over.

``import musitui.playback`` never needs PortAudio: sounddevice is imported only when a real
device is opened (see ``outputs``).
"""

from musitui.playback.events import PlayerEvent
from musitui.playback.outputs import NoOutput, list_devices
from musitui.playback.player import Player

__all__ = ["NoOutput", "Player", "PlayerEvent", "list_devices"]
