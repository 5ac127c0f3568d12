"""Sentences: spaCy's sentence boundaries, minus the blanked (excluded) stretches."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from ..records import Document, Sentence


def sentence_spans(document: Document) -> list[tuple[int, Any]]:
    """``(sentence index, spaCy span)`` for every kept sentence, in order."""
    by_start = {s.start: s.index for s in document.sentences}
    out = []
    for sent in document.doc.sents:
        text = sent.text
        offset = sent.start_char + (len(text) - len(text.lstrip()))
        if offset in by_start:
            out.append((by_start[offset], sent))
    return out


def segment(document: Document) -> Document:
    text = document.article.text
    sentences = []
    for sent in document.doc.sents:
        raw = sent.text
        stripped = raw.strip()
        if not stripped or not any(ch.isalnum() for ch in stripped):
            continue
        start = sent.start_char + (len(raw) - len(raw.lstrip()))
        end = start + len(stripped)
        sentences.append(Sentence(len(sentences), start, end, text[start:end]))
    return replace(document, sentences=tuple(sentences))


def make_segment_stage(resources: Any, config: dict[str, Any]) -> Callable[[Document], Document]:
    return segment
