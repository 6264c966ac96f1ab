"""Names folded for grouping: the one key the browser, the play modes and the session use."""

from __future__ import annotations

import unicodedata


def fold_name(name: str) -> str:
    """An artist or album name for grouping: case and accents ignored ("Björk" = "bjork");
    other letters (any script) and punctuation kept. Only the Latin/Greek/Cyrillic diacritics
    (U+0300-U+036F) go: a kana's voicing mark makes another letter ("バ" is not "ハ")."""
    if name.isascii():
        return name.casefold()
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    return unicodedata.normalize("NFC", "".join(ch for ch in decomposed if not "\u0300" <= ch <= "\u036f"))
