"""Chinese titles, artists and albums as people type them in search: full pinyin
("qingtian" for 晴天, also "qing tian") and initials ("zjl" for 周杰伦), by pypinyin (MIT; its
dictionary ships in the wheel), imported on first use. Text without Han characters gives ""."""

from __future__ import annotations

import functools
import re

_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")


def has_han(text: str) -> bool:
    return bool(_HAN.search(text))


@functools.lru_cache(maxsize=65536)
def pinyin_words(text: str) -> str:
    """The searchable pinyin of every run of Han characters in ``text``: for each run its
    syllables joined ("qingtian"), apart ("qing tian") and its initials ("qt"); "" if none."""
    runs = _HAN.findall(text or "")
    if not runs:
        return ""
    try:
        from pypinyin import Style, lazy_pinyin
    except ImportError:  # pragma: no cover - a dependency; without it search is as before
        return ""
    out: list[str] = []
    for run in runs:
        syllables = [s for s in lazy_pinyin(run, style=Style.NORMAL, errors="ignore") if s.isascii()]
        if not syllables:
            continue
        out += ["".join(syllables), *syllables]
        if len(syllables) > 1:
            out.append("".join(s[0] for s in syllables))
    return " ".join(out)
