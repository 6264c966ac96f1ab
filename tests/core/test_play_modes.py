"""The pure play-mode logic: in order, shuffle, repeat one / all, the mode cycle."""

from musitui.core.play_modes import (
    IN_ORDER,
    MODES,
    RADIO,
    REPEAT_ALL,
    REPEAT_ONE,
    SHUFFLE,
    PlayModes,
    next_mode,
)


def play_through(modes: PlayModes, current: int | None, steps: int) -> list[int]:
    out = []
    for _ in range(steps):
        current = modes.next_track(current)
        if current is None:
            break
        modes.mark_played(current)
        out.append(current)
    return out


def test_cycle_visits_every_mode_and_returns_to_radio():
    seen = [RADIO]
    while (mode := next_mode(seen[-1])) != RADIO:
        seen.append(mode)
    assert seen == list(MODES)
    assert next_mode("bogus") == RADIO


def test_radio_leaves_the_choice_to_the_recommender():
    modes = PlayModes(RADIO, [1, 2, 3])
    assert modes.next_track(1) is None and modes.upcoming(1, 5) == []


def test_in_order_follows_the_list_then_stops_or_goes_on_by_radio():
    modes = PlayModes(IN_ORDER, [5, 3, 9, 1])
    assert modes.upcoming(3, 10) == [9, 1]
    assert play_through(modes, 5, 10) == [3, 9, 1]
    assert modes.next_track(1) is None
    assert not modes.stops_after(1)  # default: radio goes on
    modes.then_radio = False
    assert modes.stops_after(1) and not modes.stops_after(9)
    assert modes.next_track(None) == 5  # nothing playing: from the top
    assert modes.reason == "in order: next in the list"
    modes.set_source([5, 3], album=True)
    assert modes.reason == "in order: next on the album"


def test_repeat_one_plays_the_current_again():
    modes = PlayModes(REPEAT_ONE, [1, 2, 3])
    # ... and Up next does not list it: the playing track is already on screen.
    assert modes.next_track(2) == 2 and modes.upcoming(2, 3) == []


def test_repeat_all_wraps_around():
    modes = PlayModes(REPEAT_ALL, [1, 2, 3])
    assert play_through(modes, 2, 5) == [3, 1, 2, 3, 1]


def test_shuffle_covers_all_before_repeating():
    source = list(range(20))
    modes = PlayModes(SHUFFLE, source, seed=7)
    modes.mark_played(0)
    played = [0] + play_through(modes, 0, 59)
    for start in range(0, 60, 20):
        assert sorted(played[start:start + 20]) == source  # each round is every track once
    assert played[:20] != source  # actually shuffled


def test_shuffle_is_reproducible_for_a_seed_and_differs_across_seeds():
    a = play_through(PlayModes(SHUFFLE, list(range(30)), seed=1), None, 30)
    b = play_through(PlayModes(SHUFFLE, list(range(30)), seed=1), None, 30)
    c = play_through(PlayModes(SHUFFLE, list(range(30)), seed=2), None, 30)
    assert a == b and a != c


def test_shuffle_upcoming_matches_what_is_then_played():
    modes = PlayModes(SHUFFLE, list(range(8)), seed=3)
    shown = modes.upcoming(None, 12)
    assert len(shown) == 8  # one cycle at most: no track listed twice
    assert play_through(modes, None, 8) == shown


def test_shuffle_never_repeats_across_a_cycle_boundary():
    for seed in range(200):
        for size in (2, 3, 5):
            modes = PlayModes(SHUFFLE, list(range(size)), seed=seed)
            played = play_through(modes, None, 6 * size)
            assert len(played) == 6 * size
            assert all(a != b for a, b in zip(played, played[1:], strict=False)), (seed, size, played)
            for start in range(0, 6 * size, size):  # still every track once per round
                assert sorted(played[start:start + size]) == list(range(size))


def test_shuffle_upcoming_crossing_a_round_matches_what_is_played():
    modes = PlayModes(SHUFFLE, list(range(4)), seed=11)
    current = None
    for _ in range(3):  # into the first round
        current = modes.next_track(current)
        modes.mark_played(current)
    shown = modes.upcoming(current, 10)
    assert current not in shown and len(shown) == len(set(shown)) and len(shown) >= 1
    assert play_through(modes, current, len(shown)) == shown  # what is shown is what plays


def test_up_next_of_any_mode_never_lists_the_playing_track_or_one_twice():
    for mode in (IN_ORDER, SHUFFLE, REPEAT_ONE, REPEAT_ALL):
        modes = PlayModes(mode, [4, 7, 1, 9], seed=5)
        for current in (None, 4, 7, 1, 9):
            shown = modes.upcoming(current, 20)
            assert current not in shown and len(shown) == len(set(shown)), (mode, current, shown)


def test_repeat_all_never_plays_a_track_twice_in_a_row():
    modes = PlayModes(REPEAT_ALL, [3, 8])
    played = play_through(modes, 3, 9)
    assert all(a != b for a, b in zip([3, *played], played, strict=False))
