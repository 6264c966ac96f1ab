"""What the ranker is handed: the weights of its parts and what the listener is doing.

Kept apart from ``engine`` so that the engine's helpers (reasons, repeats) can name these
types without importing the engine that imports them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING

from musitui.core.moods import AUTO
from musitui.recommend.prompt_target import PromptTarget

if TYPE_CHECKING:  # the recommender imports nothing from the app at run time
    from musitui.config import RecommendConfig


@dataclass(frozen=True)
class Weights:
    w_content: float = 1.0
    w_cf: float = 0.8
    w_mood: float = 0.7
    # Auto mood follows the session's own valence/arousal; held out, any weight on it
    # lowered same-soundtrack P@5 (9 of 10 folds chose 0), so content alone leads there.
    w_mood_auto: float = 0.0
    w_taste: float = 1.0
    w_pref: float = 0.5
    w_skip: float = 1.0
    w_recent: float = 1.0
    recent_hours: float = 4.0
    # A song played within the last repeat_plays plays (or recent_hours) is not offered
    # while anything else acceptable is left (musitui.recommend.repeats).
    repeat_plays: int = 25
    artist_spacing: int = 1
    # Every n-th Up next slot explores (0 = never); never more than one in five.
    explore_every: int = 5
    # A mood the user picked (not auto) says "now I want this": its weight is multiplied.
    explicit_mood_boost: float = 3.0
    up_next_length: int = 20
    seed: int = 0

    @classmethod
    def from_config(cls, section: RecommendConfig) -> Weights:
        """The weights from the config's checked ``[recommend]`` section (musitui.config: types
        and ranges are enforced there, once). Every weight must be a key of that section."""
        return cls(**{f.name: getattr(section, f.name) for f in fields(cls)})


@dataclass
class Listening:
    """What the listener is doing: the current listening session and the chosen mood."""

    now: float
    finished: list[tuple[int, float]] = field(default_factory=list)  # (row, ts), oldest first
    skipped: list[tuple[int, float]] = field(default_factory=list)
    rejected: list[tuple[int, float]] = field(default_factory=list)  # "not this"
    current: int | None = None  # row now playing: the next track follows it
    mood: str = AUTO
    exclude: set[int] = field(default_factory=set)  # rows not to offer (queued, playing)
    # track id -> {other track id: decayed co-play weight}
    coplay: Callable[[int], dict[int, float]] | None = None
    # A listener's prompt: replaces the mood term (recommend --prompt, the TUI's prompt box).
    prompt: PromptTarget | None = None
    # When the listener last chose a mood or a prompt: a skip before it told what they did not
    # want then, so it no longer rules tracks out (repeats.acceptable); it still lowers them.
    intent_since: float = 0.0
