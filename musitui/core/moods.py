"""The selectable moods: points in the valence/arousal plane, with a name and a colour.

Valence runs from -1 (sad, dark) to +1 (happy, bright); arousal from -1 (calm) to +1
(energetic). "auto" is not a point: it follows the centre of the recently finished tracks.
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class Mood:
    name: str
    valence: float
    arousal: float
    colour: str
    description: str


MOODS: dict[str, Mood] = {
    "happy": Mood("happy", 0.65, 0.35, "#f2c14e", "bright, major, upbeat"),
    "energetic": Mood("energetic", 0.25, 0.80, "#f78154", "fast, loud, driving"),
    "calm": Mood("calm", 0.25, -0.65, "#4d9de0", "slow, soft, gentle"),
    "sad": Mood("sad", -0.60, -0.45, "#7768ae", "dark, minor, slow"),
    "intense": Mood("intense", -0.55, 0.70, "#e15554", "dark and heavy, aggressive"),
}
AUTO = "auto"
AUTO_COLOUR = "#3bb273"
# Order of the number keys 1-5 and of cycling; 0 is auto.
MOOD_ORDER: list[str] = ["happy", "energetic", "calm", "sad", "intense"]
ALL_MOODS: list[str] = [AUTO, *MOOD_ORDER]


def mood_colour(name: str) -> str:
    mood = MOODS.get(name)
    return mood.colour if mood else AUTO_COLOUR


def nearest_mood(valence: float, arousal: float) -> str:
    """The mood label of a point: the nearest named mood."""
    return min(MOODS.values(), key=lambda m: math.hypot(m.valence - valence, m.arousal - arousal)).name


def next_mood(current: str) -> str:
    order = ALL_MOODS
    index = order.index(current) if current in order else 0
    return order[(index + 1) % len(order)]
