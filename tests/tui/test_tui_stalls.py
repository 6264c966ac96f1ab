"""What keeps the UI thread's frames while background threads rebuild the library: no long
single C calls (chunked sorts and codes), incremental search keys, the collector kept out of
paused builds, and the stall tracer that finds what held the GIL."""

from __future__ import annotations

import gc
import random
import threading
import time
import weakref

import numpy as np

from musitui.core.model import Track
from musitui.recommend import arrays as rec_library
from musitui.tui import quiet_gc
from musitui.tui.library_model import search_index
from musitui.tui.shelf import SORT_CHUNK, shelf_from_tracks, sorted_unique
from musitui.tui.stall_trace import StallTracer


def test_sorted_unique_matches_the_builtin_sort_across_chunks() -> None:
    rng = random.Random(3)
    words = ["Ørsted", "éclair", "Zeta", "alpha", "ß", "", "Ä", "a"]
    values = [rng.choice(words) + str(rng.randrange(SORT_CHUNK)) for _ in range(3 * SORT_CHUNK + 17)]
    values += values[:100]  # duplicates across chunks
    assert sorted_unique(values) == sorted(set(values))
    assert sorted_unique(["b", "a", "b"]) == ["a", "b"]
    assert sorted_unique([]) == []


def test_recommender_codes_are_the_same_in_chunks(monkeypatch) -> None:
    values = [f"artist {i % 7}" for i in range(50)] + ["new", "artist 3", "new"]
    whole_codes, whole_table = rec_library._codes(values)
    monkeypatch.setattr(rec_library, "CODE_CHUNK", 4)
    codes, table = rec_library._codes(values)
    assert table == whole_table == {v: i for i, v in enumerate(dict.fromkeys(values))}
    assert codes.dtype == np.int32 and codes.tolist() == whole_codes.tolist()
    assert codes.tolist() == [table[v] for v in values]
    empty, none = rec_library._codes([])
    assert empty.shape == (0,) and none == {}


def _tracks(n: int) -> list[Track]:
    words = ["river", "night", "ghost", "summer", "glass", "storm"]
    return [Track(id=i + 1, path=f"/m/{i}.flac", title=f"{words[i % 6]} {words[(i // 6) % 6]}",
                  artist=f"Artist {i % 5}", album=f"Album {i % 9}", genre="Rock")
            for i in range(n)]


def test_a_rebuilt_search_index_reuses_keys_and_still_finds_new_and_changed_tracks() -> None:
    tracks = _tracks(300)
    old_shelf = shelf_from_tracks(tracks)
    old_index = search_index(old_shelf)
    old_index.prepare()
    tracks[10] = Track(id=11, path="/m/10.flac", title="Quokka Parade", artist="Artist 0", album="X")
    tracks.append(Track(id=999, path="/m/new.flac", title="Zanzibar", artist="Nobody", album="Y"))
    shelf = shelf_from_tracks(tracks)
    reused = search_index(shelf, (old_shelf, old_index))
    reused.prepare()
    fresh = search_index(shelf)
    fresh.prepare()
    assert reused.keys == fresh.keys
    unchanged = shelf.position_of(1)
    assert reused.keys[unchanged] is old_index.keys[old_shelf.position_of(1)]  # reused, not rebuilt
    for query in ["quokka", "quoka", "zanzibar", "zanzibr", "river night", "rivr", "ghost"]:
        assert reused.search(query) == fresh.search(query), query
    assert [shelf.title[p] for p in reused.search("quokka parade")] == ["Quokka Parade"]
    assert [shelf.title[p] for p in reused.search("zanzibr")] == ["Zanzibar"]
    # Once built it lets go of the shelf and index it replaced (no chain of old libraries).
    gone_shelf, gone_index = weakref.ref(old_shelf), weakref.ref(old_index)
    del old_shelf, old_index
    gc.collect()
    assert gone_shelf() is None and gone_index() is None


def test_objects_built_while_the_collector_is_paused_are_frozen_not_walked() -> None:
    gc.collect()
    frozen_before = gc.get_freeze_count()
    with quiet_gc.gc_paused():
        assert not gc.isenabled()
        with quiet_gc.gc_paused():  # nests
            built = [[i] for i in range(20_000)]
        assert not gc.isenabled()
    try:
        assert gc.isenabled()
        assert gc.get_freeze_count() >= frozen_before + len(built)
        assert gc.get_count()[0] < 1000  # the young generation is not left holding them
    finally:
        gc.unfreeze()


def test_one_builder_runs_at_a_time() -> None:
    inside, most = [0], [0]
    lock = threading.Lock()

    def build() -> None:
        with quiet_gc.one_builder():
            with lock:
                inside[0] += 1
                most[0] = max(most[0], inside[0])
            time.sleep(0.02)
            with lock:
                inside[0] -= 1

    threads = [threading.Thread(target=build) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert most[0] == 1
    with quiet_gc.one_builder(), quiet_gc.one_builder():  # re-entrant in one thread
        pass


def hold_the_gil_in_one_c_call() -> None:
    numbers = [random.random() for _ in range(600_000)]
    sorted(numbers)  # the builtin sort never lets another thread run


def test_the_stall_tracer_names_the_call_that_held_the_gil() -> None:
    tracer = StallTracer(interval=0.002, gap=0.02).start()
    try:
        time.sleep(0.05)
        started = time.perf_counter()
        for _ in range(5):
            hold_the_gil_in_one_c_call()
            time.sleep(0.01)
            if tracer.gaps:
                break
        ended = time.perf_counter()
    finally:
        tracer.stop()
    assert tracer.gaps, "a sort of 600k floats stops the sampler for more than 20 ms"
    before_t, after_t, before, after = tracer.gaps[0]
    assert after_t - before_t > 0.02
    assert "hold_the_gil_in_one_c_call" in before + after
    assert "MainThread" in before
    report = tracer.report(started, ended)
    assert "hold_the_gil_in_one_c_call" in report
    tracer.mark_late(started, ended)
    assert tracer.late == [(started, ended)]
