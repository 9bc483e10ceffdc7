"""Product names as the duplicate rule sees them: "MES 系统", "ＭＥＳ系统" and "mes-系统" are one name."""

from __future__ import annotations

import difflib
import unicodedata

# Marks that do not make another product: spaces, punctuation and symbols of every script.
_DROPPED = ("Z", "P", "S")


def name_key(name: str) -> str:
    folded = unicodedata.normalize("NFKC", name or "").casefold()
    return "".join(ch for ch in folded if unicodedata.category(ch)[0] not in _DROPPED)[:50]


def similar(key: str, other: str, *, threshold: float = 0.8) -> bool:
    """Near-duplicates (a flag for reviewers, never a refusal): one key inside the other, or close by ratio."""
    if not key or not other:
        return False
    if key in other or other in key:
        return True
    return difflib.SequenceMatcher(None, key, other).ratio() >= threshold
