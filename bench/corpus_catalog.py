"""Helper for the benches: a musitui home whose catalog holds the real corpus files.

Genres come from corpus.csv (the tags as shipped); the scan command of another module does
this for real, the benches only need the catalog records.
"""

from __future__ import annotations

import csv
from pathlib import Path

from musitui.paths import Home
from musitui.store.catalog import Catalog

CORPUS = Path("/root/musitui-corpus")


def corpus_rows(corpus: Path = CORPUS) -> list[dict[str, str]]:
    with open(corpus / "corpus.csv", newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def build_catalog(home_dir: Path, corpus: Path = CORPUS) -> tuple[Home, Catalog, dict[int, dict[str, str]]]:
    home = Home(config_dir=home_dir, data_dir=home_dir).ensure()
    catalog = Catalog.open(home)
    rows: dict[int, dict[str, str]] = {}
    for row in corpus_rows(corpus):
        path = str(corpus / row["path"])
        track = catalog.by_path(path) or catalog.new_track(
            path, title=row["title"], genre=row["genre"], duration=float(row["duration_s"] or 0))
        rows[track.id] = row
    catalog.save()
    return home, catalog, rows
