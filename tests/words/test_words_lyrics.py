"""LRC parsing, lyrics sources, lyrics sentiment and its stored per-track shift."""

from __future__ import annotations

import numpy as np

from musitui.analysis.mood import library_moods
from musitui.words import sentiment_store
from musitui.words.lrc import parse_lrc, plain_text, to_lrc
from musitui.words.lyrics import lyrics_for
from musitui.words.sentiment import MAX_SHIFT, describe, lyrics_score, valence_shift


def test_lrc_several_stamps_per_line_are_sorted_and_repeat_the_line() -> None:
    lrc = parse_lrc("[ar:Someone]\n[00:10.00][00:40.50]Chorus line\n[00:20.5]Verse one\n[01:02]End")
    assert lrc.synced
    assert lrc.times == [10.0, 20.5, 40.5, 62.0]
    assert lrc.lines == ["Chorus line", "Verse one", "Chorus line", "End"]
    assert lrc.index_at(5.0) is None
    assert lrc.index_at(10.0) == 0
    assert lrc.index_at(30.0) == 1
    assert lrc.index_at(999.0) == 3


def test_lrc_offset_shifts_every_stamp_earlier() -> None:
    lrc = parse_lrc("[offset:+500]\n[00:10.00]a\n[00:00.20]b")
    assert lrc.offset_ms == 500
    assert lrc.times == [0.0, 9.5]  # clamped at 0, not negative
    later = parse_lrc("[offset:-1000]\n[00:10.00]a")
    assert later.times == [11.0]


def test_lrc_bad_lines_are_dropped_not_fatal() -> None:
    lrc = parse_lrc("[00:99.00]bad seconds\n[xx:10]garbage\n[offset:soon]\n[00:05.00]good\n\n[length: 3:00]")
    assert lrc.times == [5.0]
    assert lrc.lines == ["good"]
    assert lrc.offset_ms == 0
    plain = parse_lrc("just words\nno stamps at all")
    assert not plain.synced and plain.lines == ["just words", "no stamps at all"]
    assert plain.index_at(3.0) is None


def test_sylt_pairs_round_trip_through_lrc_text() -> None:
    text = to_lrc([("first", 1.5), ("second", 65.25)])
    lrc = parse_lrc(text)
    assert lrc.times == [1.5, 65.25] and lrc.lines == ["first", "second"]
    assert plain_text(text) == "first\nsecond"


def test_sidecar_lrc_wins_over_embedded_plain_text(tmp_path) -> None:
    song = tmp_path / "song.ogg"
    song.write_bytes(b"")
    assert lyrics_for(str(song), None) is None
    plain = lyrics_for(str(song), "line one\nline two")
    assert plain is not None and not plain.synced and plain.source == "embedded"
    (tmp_path / "song.lrc").write_text("[00:01.00]timed", encoding="utf-8")
    synced = lyrics_for(str(song), "line one")
    assert synced is not None and synced.synced and synced.source == "sidecar"


def test_lyrics_sentiment_direction_on_short_texts() -> None:
    happy = "I love you, we are dancing in the sun\nSo happy, what a wonderful day"
    sad = "I cry alone tonight\nTears and broken hearts, I miss you"
    not_sad = "I am not sad anymore\nI am not lonely"
    assert lyrics_score(happy) > 0.3
    assert lyrics_score(sad) < -0.3
    assert lyrics_score(not_sad) > 0  # negation is handled
    assert lyrics_score("the chair is next to the door") is None
    assert valence_shift(lyrics_score(sad)) < 0 < valence_shift(lyrics_score(happy))
    assert abs(valence_shift(1.0)) <= MAX_SHIFT and abs(valence_shift(-1.0)) <= MAX_SHIFT
    assert describe(valence_shift(lyrics_score(sad))) == "sad lyrics"
    assert describe(None) is None


def test_lyrics_move_valence_not_arousal_and_tracks_without_lyrics_are_unchanged() -> None:
    rng = np.random.default_rng(3)
    matrix = rng.normal(size=(6, 2))
    names = ["rms_db", "mode_strength"]
    base_v, base_a, _ = library_moods(matrix, names, [""] * 6)
    v, a, _ = library_moods(matrix, names, [""] * 6, lyrics_deltas=[-0.3, None, 0.3, None, None, None])
    assert np.allclose(a, base_a)
    assert np.isclose(v[0], max(base_v[0] - 0.3, -1.0)) and np.isclose(v[2], min(base_v[2] + 0.3, 1.0))
    assert np.allclose(v[[1, 3, 4, 5]], base_v[[1, 3, 4, 5]])


def test_sentiment_store_scores_once_and_rescores_changed_lyrics(tmp_path) -> None:
    path = sentiment_store.path_in(tmp_path)
    shifts = sentiment_store.update(path, [1, 2, 3], ["I cry alone, so sad", None, "joy and love"], 2)
    assert shifts[0] < 0 and shifts[1] is None and shifts[2] > 0
    rows = sentiment_store.load(path)
    assert rows.feature_version == 2
    score, shift = rows.lookup(1)
    assert score is not None and score < 0 and shift == shifts[0]
    assert rows.lookup(2) == (None, None)
    assert np.allclose(rows.shifts_for(np.array([3, 2, 1], np.int64)), [shifts[2], 0.0, shifts[0]])
    again = sentiment_store.update(path, [1, 3], ["what a happy wonderful day", "joy and love"], 2)
    assert again[0] > 0 and again[1] == shifts[2]
    assert sentiment_store.load(path).lookup(1)[1] > 0
    (tmp_path / sentiment_store.FILE_NAME).write_bytes(b"not npz")
    assert len(sentiment_store.load(path).ids) == 0


def test_id3_sylt_becomes_synced_lyrics(tmp_path) -> None:
    from library_helpers import write_audio
    from mutagen import id3

    from musitui.library.tags import read_tags

    path = tmp_path / "synced.mp3"
    write_audio(path, "mp3")
    tags = id3.ID3()
    tags.add(id3.SYLT(encoding=3, lang="eng", format=2, type=1, desc="",
                      text=[("hello there", 1500), ("goodbye", 62250)]))
    tags.save(str(path))
    fields = read_tags(str(path), "mp3")
    lrc = parse_lrc(fields["lyrics"])
    assert lrc.times == [1.5, 62.25] and lrc.lines == ["hello there", "goodbye"]
