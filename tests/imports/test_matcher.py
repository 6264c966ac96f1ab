"""The matcher's normalisation and its one rule: never another artist's song."""

from __future__ import annotations

import pytest

from musitui.imports.matcher import Library, Matcher, base_title, credit


@pytest.mark.parametrize(("title", "base"), [
    ("Come Together - Remastered 2009", "come together"),
    ("Come Together - 2019 Mix", "come together 2019 mix"),  # a remix is another recording
    ("Hey Jude (Live)", "hey jude"),
    ("Hey Jude - Live at Wembley", "hey jude"),
    ("Song (feat. Someone) [Remastered]", "song"),
    ("Song feat. Someone", "song"),
    ('Time (From "Inception")', "time"),
    ("Don’t Stop Me Now", "dont stop me now"),
    ("Live and Let Die", "live and let die"),  # a decoration word inside the title stays
    ("Edit", "edit"),
    ("Ｆｕｌｌ Ｗｉｄｔｈ", "full width"),
])
def test_titles_lose_their_decorations_only(title: str, base: str) -> None:
    assert base_title(title) == base


@pytest.mark.parametrize(("artist", "names"), [
    ("The Beatles", ("beatles",)),
    ("Beyoncé feat. Jay-Z", ("beyonce",)),
    ("Hans Zimmer & James Newton Howard", ("hans zimmer", "james newton howard")),
    ("Hans Zimmer; James Newton Howard", ("hans zimmer", "james newton howard")),
    ("Simon and Garfunkel", ("simon", "garfunkel")),
    ("Various Artists", ()),
    ("", ()),
])
def test_an_artist_credit_is_its_main_names(artist: str, names: tuple[str, ...]) -> None:
    assert credit(artist) == names


def matcher(*tracks: tuple[str, str, str, float]) -> Matcher:
    return Matcher(Library(ids=list(range(1, len(tracks) + 1)), artists=[t[0] for t in tracks],
                           albumartists=["" for _ in tracks], titles=[t[1] for t in tracks],
                           albums=[t[2] for t in tracks], durations=[t[3] for t in tracks],
                           paths=[f"/m/{n}" for n in range(len(tracks))]))


def test_only_the_artists_own_song_and_ties_broken_by_album_then_length() -> None:
    m = matcher(("Hedgewars", "Castle", "Hedgewars OST", 354.0),
                ("Roberto Lorenz", "Castle", "Pushover OST", 180.0),
                ("Daft Punk", "One More Time", "Discovery", 320.0),
                ("Daft Punk", "One More Time", "Alive 2007", 400.0),
                ("Hans Zimmer", "Now We Are Free", "Gladiator", 250.0),
                ("Unknown artist", "Intro", "", 60.0))
    assert m.match("hedgewars", "Castle") == 0
    assert m.match("Roberto Lorenz", "CASTLE (Live)") == 1
    assert m.match("Kasabian", "Castle") is None
    assert m.match("Hedgewars Jr.", "Castle") is None
    assert m.match("Daft Punk", "One More Time", "Alive 2007") == 3
    assert m.match("Daft Punk", "One More Time", "", 395.0) == 3
    assert m.match("Daft Punk", "One More Time") == 2  # nothing to tell: the first
    assert m.match("Hans Zimmer & Lisa Gerrard", "Now We Are Free") == 4
    assert m.match("Lisa Gerrard & Hans Zimmer", "Now We Are Free") is None
    assert m.match("Unknown artist", "Intro") is None
    assert m.match("Someone", "Intro") is None
