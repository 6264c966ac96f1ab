"""The volume's range: one rule for the config, ``--volume``, a saved state and the player.

In the core (stdlib only) so the store's resume state and the session read it without
importing the player.
"""

from __future__ import annotations

import math

DEFAULT_VOLUME = 80.0


def clamp_volume(value: object, default: float = DEFAULT_VOLUME) -> float:
    """A volume from anywhere (config, ``--volume``, a saved state) as 0..100.

    Negative is 0, above 100 is 100; what is not a number (NaN, ``"loud"``) is ``default``.
    """
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return float(default)
    if math.isnan(number):
        return float(default)
    return min(100.0, max(0.0, number))
