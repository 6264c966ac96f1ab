"""The catalog's columnar cache: exact round trip, trusted only for the file it was made from,
lazy Track objects, and changes made through Track objects seen by columns()."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from musitui.core.model import Analysis, Track
from musitui.store.catalog import COLUMNS_FILE_NAME, Catalog


def odd_tracks() -> list[Track]:
    plain = Track(id=1, path="/m/a/01 Ünïcode – ☃.flac", title="Ünïcode ☃", artist="Björk", album="Ho",
                  genre="Pop", track_no=1, disc_no=None, year=1997, duration=201.5, codec="flac",
                  sample_rate=44100, channels=2, size=123, mtime_ns=1_700_000_000_123_456_789,
                  replaygain={"track_gain": -6.5, "track_peak": 0.98}, added_at=1.5)
    plain.analysis = Analysis(feature_version=3, tempo=121.5, key="A", mode="minor", valence=-0.25,
                              arousal=0.75, mood="intense", style="pop", style_confidence=0.8,
                              style_source="tag")
    bare = Track(id=2, path="/m/b/no tags.mp3")
    lyrical = Track(id=7, path="/m/b/sung.ogg", title="", lyrics="la la\nla", missing=True, track_no=0)
    empty_lyrics = Track(id=9, path="/m/b/quiet.opus", lyrics="", genre="Rock\0Pop")  # NUL: id3v2.4
    return [plain, bare, lyrical, empty_lyrics]


def saved_catalog(tmp_path: Path) -> Catalog:
    catalog = Catalog(tmp_path / "catalog.json")
    for track in odd_tracks():
        catalog.add(track)
    catalog.next_id = 10
    catalog.remember_folder("/m")
    catalog.save()
    return catalog


def test_columns_round_trip_every_field_exactly(tmp_path: Path) -> None:
    saved_catalog(tmp_path)
    assert (tmp_path / COLUMNS_FILE_NAME).exists()
    loaded = Catalog(tmp_path / "catalog.json")
    loaded.load()
    assert loaded.tracks._base is not None, "the columns cache was not used"
    assert [loaded.tracks[t.id] for t in odd_tracks()] == odd_tracks()
    assert loaded.next_id == 10 and loaded.folders == ["/m"]
    assert loaded.by_path("/m/b/sung.ogg").id == 7
    assert loaded.tracks[9].lyrics == "" and loaded.tracks[2].lyrics is None


def test_tracks_are_built_only_when_asked_for(tmp_path: Path) -> None:
    saved_catalog(tmp_path)
    loaded = Catalog(tmp_path / "catalog.json")
    loaded.load()
    assert len(loaded) == 4 and 7 in loaded.tracks and 3 not in loaded.tracks
    assert loaded.tracks._live == {}
    columns = loaded.columns()
    assert columns.ids.tolist() == [1, 2, 7, 9]
    assert columns.present().ids.tolist() == [1, 2, 9]
    assert columns.title[0] == "Ünïcode ☃" and columns.track_no.tolist() == [1, -1, 0, -1]
    assert loaded.tracks._live == {}
    assert loaded.get(2).path == "/m/b/no tags.mp3"
    assert list(loaded.tracks._live) == [2]


def test_columns_see_changes_made_through_tracks(tmp_path: Path) -> None:
    saved_catalog(tmp_path)
    catalog = Catalog(tmp_path / "catalog.json")
    catalog.load()
    catalog.tracks[2].title = "Renamed"
    catalog.tracks[2].analysis = Analysis(feature_version=3, tempo=90.0, key="C", mode="major",
                                          valence=0.5, arousal=-0.5, mood="calm")
    catalog.move(catalog.tracks[9], "/m/c/moved.opus")
    catalog.new_track("/m/c/new.wav", title="New")
    columns = catalog.columns()
    assert columns.ids.tolist() == [1, 2, 7, 9, 10]
    assert columns.title[1] == "Renamed" and columns.analyzed.tolist() == [True, True, False, False, False]
    assert columns.valence[1] == 0.5 and columns.path[3] == "/m/c/moved.opus"
    assert catalog.by_path("/m/c/moved.opus").id == 9 and catalog.by_path("/m/b/quiet.opus") is None
    del catalog.tracks[7]
    assert catalog.columns().ids.tolist() == [1, 2, 9, 10]
    catalog.save()
    again = Catalog(tmp_path / "catalog.json")
    again.load()
    assert again.tracks._base is not None
    assert [again.tracks[i] for i in (1, 2, 9, 10)] == [catalog.tracks[i] for i in (1, 2, 9, 10)]


def test_a_stale_or_damaged_cache_is_ignored_and_rebuilt(tmp_path: Path) -> None:
    saved_catalog(tmp_path)
    catalog_file, cache = tmp_path / "catalog.json", tmp_path / COLUMNS_FILE_NAME
    # catalog.json replaced behind musitui's back (another version, a restore): the JSON wins.
    (tmp_path / "elsewhere").mkdir()
    other = Catalog(tmp_path / "elsewhere" / "catalog.json")
    other.add(Track(id=5, path="/x/other.flac", title="Other"))
    other.save()
    os.replace(tmp_path / "elsewhere" / "catalog.json", catalog_file)
    loaded = Catalog(catalog_file)
    loaded.load()
    assert loaded.tracks._base is None and list(loaded.tracks) == [5]
    reloaded = Catalog(catalog_file)  # the load wrote a fresh cache for this file
    reloaded.load()
    assert reloaded.tracks._base is not None and reloaded.tracks[5].title == "Other"

    cache.write_bytes(b"PK\x03\x04 not really a zip")
    damaged = Catalog(catalog_file)
    damaged.load()
    assert damaged.damaged is None and damaged.tracks[5].title == "Other"
    assert catalog_file.exists()


def test_columns_of_a_catalog_loaded_from_json(tmp_path: Path) -> None:
    catalog = Catalog(tmp_path / "catalog.json")
    for track in odd_tracks():
        catalog.add(track)
    columns = catalog.columns()
    assert columns.ids.tolist() == [1, 2, 7, 9]
    assert np.allclose(columns.arousal, [0.75, 0, 0, 0])
    assert [columns.track(r) for r in range(4)] == odd_tracks()


def test_saving_builds_no_lasting_track_objects(tmp_path: Path) -> None:
    saved_catalog(tmp_path)
    catalog = Catalog(tmp_path / "catalog.json")
    catalog.load()
    catalog.tracks[7].title = "Changed"
    catalog.save()
    assert list(catalog.tracks._live) == [7]  # columns() stays a cheap patch after a save
    again = Catalog(tmp_path / "catalog.json")
    again.load()
    assert again.tracks[7].title == "Changed" and again.tracks[1] == odd_tracks()[0]


def test_a_save_written_in_chunks_is_the_same_json(tmp_path: Path, monkeypatch) -> None:
    import json

    import musitui.store.catalog as catalog_module

    whole = saved_catalog(tmp_path / "whole")
    monkeypatch.setattr(catalog_module, "SAVE_CHUNK", 3)  # 4 tracks: a full chunk and a part
    chunked = saved_catalog(tmp_path / "chunked")
    text = (tmp_path / "chunked" / "catalog.json").read_bytes()
    assert text == (tmp_path / "whole" / "catalog.json").read_bytes()
    data = json.loads(text)
    assert [t["id"] for t in data["tracks"]] == [1, 2, 7, 9]
    assert [list(chunk) for chunk in chunked.tracks.dict_chunks(3)] == [
        [d for d in data["tracks"][:3]], [data["tracks"][3]]]
    assert whole.tracks.dicts() == data["tracks"]
    (tmp_path / "chunked" / COLUMNS_FILE_NAME).unlink()  # read the JSON itself back
    again = Catalog(tmp_path / "chunked" / "catalog.json")
    again.load()
    assert [again.tracks[i] for i in (1, 2, 7, 9)] == odd_tracks()
    assert again.next_id == 10 and again.folders == ["/m"]


def test_saving_an_empty_catalog_writes_valid_json(tmp_path: Path) -> None:
    import json

    catalog = Catalog(tmp_path / "catalog.json")
    catalog.save()
    assert json.loads((tmp_path / "catalog.json").read_bytes())["tracks"] == []


def test_text_columns_unpack_in_steps_without_losing_empty_or_multibyte_values(monkeypatch) -> None:
    import random

    from musitui.store import catalog_columns

    monkeypatch.setattr(catalog_columns, "UNPACK_CHUNK", 3)  # steps cut inside multibyte text
    rng = random.Random(7)
    cases = [[], [""], ["", ""], ["a", ""], ["é" * 5, "", "😀x"]]
    cases += [["".join(rng.choice("ab\u00e9\U0001F600") for _ in range(rng.randint(0, 6)))
               for _ in range(rng.randint(0, 9))] for _ in range(500)]
    for values in cases:
        blob, offsets = catalog_columns._pack_text(values)
        assert catalog_columns._unpack_text(blob, offsets) == values


def test_analyses_set_column_wise_build_no_tracks_and_leave_handed_out_columns_alone(tmp_path: Path) -> None:
    saved_catalog(tmp_path)
    catalog = Catalog(tmp_path / "catalog.json")
    catalog.load()
    before = catalog.columns()
    live = catalog.get(9)  # handed out earlier: it is updated in place
    catalog.new_track("/m/c/new.wav")  # id 10, only a live Track
    fields = {"feature_version": [4, 4, 4], "tempo": [90.5, 100.0, 60.0], "key": ["C", "D", "E"],
              "mode": ["major", "minor", "major"], "valence": [0.1, -0.2, 0.3],
              "arousal": [0.4, 0.5, -0.6], "mood": ["happy", "sad", "calm"], "style": ["", "x", "y"],
              "style_confidence": [0.0, 0.5, 1.0], "style_source": ["", "cluster", "tag"]}
    catalog.tracks.set_analyses([2, 9, 10], fields)
    assert set(catalog.tracks._live) == {9, 10}  # no Track was built for id 2
    assert live.analysis == Analysis(4, 100.0, "D", "minor", -0.2, 0.5, "sad", "x", 0.5, "cluster")
    assert catalog.get(10).analysis.mood == "calm"
    assert not before.analyzed[1] and before.mood[1] == ""  # the old columns did not change
    after = catalog.columns()
    assert after.analyzed[1] and after.mood[1] == "happy" and after.tempo[1] == 90.5
    catalog.save()
    reopened = Catalog(tmp_path / "catalog.json")
    reopened.load()
    assert reopened.get(2).analysis == Analysis(4, 90.5, "C", "major", 0.1, 0.4, "happy", "", 0.0, "")
    assert reopened.get(1).analysis.mood == "intense"  # untouched rows keep theirs
    assert reopened.get(9).analysis.style == "x" and reopened.get(10).analysis.key == "E"
