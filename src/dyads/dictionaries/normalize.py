"""Text normalisation shared by the dictionaries: the key a name is looked up by."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_SPACE = re.compile(r"\s+")
_ARTICLE = re.compile(r"(?<![\w'])(?:al|el)(?:[- ](?=\w)|-?$)")
_HYPHEN_SPACE = re.compile(r"\s*([-–—])\s*")
_APOS = str.maketrans({"’": "'", "‘": "'", "`": "'", "´": "'", "ʼ": "'", "ʻ": "'"})


@lru_cache(maxsize=8192)
def fold(text: str) -> str:
    """Lower-case ASCII folding: ``Rafaḩ`` → ``rafah``, ``Élysée`` → ``elysee``."""
    text = text.translate(_APOS)
    if not text.isascii():
        decomposed = unicodedata.normalize("NFKD", text)
        text = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
        if not text.isascii():
            from anyascii import anyascii

            text = anyascii(text)
    return text.lower()


@lru_cache(maxsize=65536)  # names, words and the scan's longer spans
def name_key(text: str) -> str:
    """The dictionary key of a name: folded, single spaces, no spaces around hyphens,
    no leading article, no trailing possessive."""
    key = fold(text).strip()
    key = _HYPHEN_SPACE.sub(r"\1", key)
    key = _ARTICLE.sub("al-", key)  # "El Bashir", "al Bashir", "al-Bashir" are one name
    key = _SPACE.sub(" ", key)
    if key.startswith("the "):
        key = key[4:]
    if key.endswith("'s"):
        key = key[:-2]
    elif key.endswith("'") and len(key) > 2:
        key = key[:-1]
    return key.strip()


def first_words(key: str) -> set[str]:
    """Possible first tokens of a name key as spaCy may split it (``al-qaeda`` → al, al-qaeda)."""
    word = key.split(" ", 1)[0]
    out = {word}
    for sep in ("-", "'", "/"):
        if sep in word:
            out.add(word.split(sep, 1)[0])
    return {w for w in out if w}
