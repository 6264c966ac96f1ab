"""The catalog's record of one track. Plain data, shared by every layer."""

from __future__ import annotations

from dataclasses import MISSING, dataclass, field, fields
from typing import Any

UNKNOWN_ARTIST = "Unknown artist"


@dataclass
class Analysis:
    """The scalar summary of a track's audio analysis (the vectors live in the feature store)."""

    feature_version: int
    tempo: float
    key: str
    mode: str
    valence: float
    arousal: float
    mood: str
    style: str = ""
    style_confidence: float = 0.0
    style_source: str = ""  # "tag", "tagger", "classifier" or "cluster"
    tags: str = ""  # the audio tagger's top words, "electronic, ambient" ("" until tagged)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Analysis:
        values = {k: v for k, v in data.items() if k in _ANALYSIS_FIELD_SET}
        if len(values) == len(_ANALYSIS_FIELD_SET):  # the common, complete record: skip __init__
            analysis = object.__new__(cls)
            analysis.__dict__ = values
            return analysis
        return cls(**values)


@dataclass
class Track:
    id: int
    path: str
    size: int = 0
    mtime_ns: int = 0
    title: str = ""
    artist: str = UNKNOWN_ARTIST
    album: str = ""
    albumartist: str = ""
    genre: str = ""
    track_no: int | None = None
    disc_no: int | None = None
    year: int | None = None
    duration: float = 0.0
    codec: str = ""
    sample_rate: int | None = None
    channels: int | None = None
    lyrics: str | None = None
    replaygain: dict[str, float] = field(default_factory=dict)
    missing: bool = False
    added_at: float = 0.0
    warning: str = ""  # damaged but playable: what is wrong and where ("" when nothing is)
    analysis: Analysis | None = None

    @property
    def analyzed(self) -> bool:
        return self.analysis is not None

    def to_dict(self) -> dict[str, Any]:
        # Shallow on purpose: dataclasses.asdict deep-copies and costs ~10x on a 10k catalog save.
        data = {name: getattr(self, name) for name in _TRACK_FIELDS}
        data["replaygain"] = dict(self.replaygain)
        data["analysis"] = None if self.analysis is None else dict(vars(self.analysis))
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Track:
        # Fills __dict__ directly: the generated __init__ costs 3x more, and a 50k catalog
        # is loaded at every start. Only plain data comes through here.
        if "id" not in data or "path" not in data:
            raise ValueError("a track record needs an id and a path")
        values = dict(_TRACK_DEFAULTS)
        values["replaygain"] = {}
        for key, value in data.items():
            if key in _TRACK_FIELD_SET:
                values[key] = value
        raw_analysis = values["analysis"]
        values["analysis"] = Analysis.from_dict(raw_analysis) if raw_analysis else None
        track = object.__new__(cls)
        track.__dict__ = values
        return track

    def public_dict(self) -> dict[str, Any]:
        """The flat JSON shape of ``musitui tracks --json`` / ``info --json``."""
        data = self.to_dict()
        analysis = data.pop("analysis") or {}
        data["analyzed"] = self.analyzed
        for key in ("tempo", "key", "mode", "valence", "arousal", "mood", "style", "style_confidence", "tags"):
            data[key] = analysis.get(key)
        return data


_TRACK_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(Track))
_TRACK_FIELD_SET = frozenset(_TRACK_FIELDS)
_TRACK_DEFAULTS: dict[str, Any] = {f.name: f.default for f in fields(Track)
                                   if f.default is not MISSING}
_ANALYSIS_FIELD_SET = frozenset(f.name for f in fields(Analysis))
