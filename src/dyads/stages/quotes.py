"""Quotes and their speakers, then quote-aware coreference.

Direct quotes are found in the text by their quotation marks (straight or curly double quotes;
a paragraph that ends inside a quote continues it, as news style does). A quote's speaker is the
subject of the reporting verb outside the quote in the same sentence (``"...," Herzog said``),
else — when the parser left the reporting verb without a subject, as in ``X wanted ..., former
Ambassador Y told Z`` — the actor mention that ends right before the verb; a quote with no
reporting verb of its own continues the previous quote's speaker in the paragraph.

Indirect quotes are complement clauses of reporting verbs (``Herzog explained that ...``) and
sentences with ``according to X``.

Afterwards first-person pronouns inside a quote resolve to its speaker, and third-person
pronouns inside it skip the speaker (:func:`dyads.stages.coref.resolve_references`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from ..records import Actor, Document, Mention, Quote, Span
from .coref import resolve_references
from .segment import sentence_spans

REPORTING = {
    "say", "tell", "explain", "add", "continue", "note", "insist", "claim", "warn", "emphasize",
    "emphasise", "stress", "argue", "write", "state", "declare", "announce", "remark", "reply",
    "respond", "tweet", "post", "recall", "acknowledge", "admit", "assert", "allege", "report",
    "confirm", "suggest", "predict", "complain", "concede", "contend", "maintain", "observe",
    "reiterate", "reveal", "disclose", "indicate", "mention", "point", "quip", "recount",
    "testify", "urge", "ask", "deny", "believe", "think", "feel", "hope", "fear", "estimate",
}  # fmt: skip
_OPEN = {"“": "”", "«": "»", "„": "“"}
_BLANK = " \t\n\"'“”‘’«»"  # a quote of only these is quote marks around nothing
_MARKS = re.compile('[“”«»„"]')  # the characters that open or close a quote


def find_quote_spans(text: str) -> list[tuple[int, int]]:
    """Character spans (inside the marks) of direct quotes."""
    spans: list[tuple[int, int]] = []
    for para_match in re.finditer(r"[^\n]+", text):
        para, base = para_match.group(0), para_match.start()
        open_at, closer = None, None
        for mark in _MARKS.finditer(para):  # only quote marks open or close a quote
            ch, i = mark.group(), mark.start()
            if open_at is None:
                if ch in _OPEN:
                    open_at, closer = i + 1, _OPEN[ch]
                elif ch == '"':
                    open_at, closer = i + 1, '"'
            elif ch == closer or (closer == "”" and ch == '"'):
                if para[open_at:i].strip(_BLANK):
                    spans.append((base + open_at, base + i))
                open_at = None
        if open_at is not None and len(para) - open_at > 1 and para[open_at:].strip(_BLANK):
            spans.append((base + open_at, base + len(para)))
    return spans


class QuoteFinder:
    def __init__(self, document: Document):
        self.document = document
        self.doc = document.doc
        self.text = document.article.text
        self.by_head = {m.head: m for m in document.mentions}
        self.by_token: dict[int, Mention] = {}  # token → the smallest mention holding it
        for m in sorted(document.mentions, key=lambda m: m.tokens[1] - m.tokens[0], reverse=True):
            for i in range(*m.tokens):
                self.by_token[i] = m

    def _speaker_of_verb(self, verb: Any) -> Mention | None:
        subj = next((c for c in verb.children if c.dep_ in ("nsubj", "nsubjpass")), None)
        if subj is None and verb.dep_ == "conj":
            subj = next((c for c in verb.head.children if c.dep_ == "nsubj"), None)
        if subj is not None:
            return self.by_head.get(subj.i) or self.by_token.get(subj.i)
        # "X wanted ..., former Ambassador Y told Z": the parser attaches Y inside the complement;
        # the speaker is the actor mention that ends right before the verb.
        k = verb.i - 1
        while k >= 0 and (self.doc[k].is_punct or self.doc[k].is_space):
            k -= 1
        if k < 0:
            return None
        candidate = self.by_token.get(k)
        if candidate is not None and candidate.actor.kind in (
            "person",
            "organization",
            "country",
            "group",
        ):
            return candidate
        return None

    def _reporting_verb_near(self, start: int, end: int) -> Any | None:
        """A reporting verb outside [start, end) in the sentences the quote touches."""
        doc = self.doc
        first = doc.char_span(start, end, alignment_mode="expand")
        if first is None:
            return None
        sents = {first[0].sent, first[-1].sent}
        best = None
        for sent in sorted(sents, key=lambda s: s.start):
            for tok in sent:
                if tok.pos_ == "VERB" and tok.lemma_ in REPORTING and not start <= tok.idx < end:
                    para_gap = self.text[min(tok.idx, end) : max(tok.idx, start)]
                    if "\n" in para_gap:
                        continue
                    if best is None or abs(tok.idx - end) < abs(best.idx - end):
                        best = tok
        return best

    def direct(self) -> list[Quote]:
        quotes: list[Quote] = []
        last_speaker: Mention | None = None
        last_para_end = -1
        kept = {s.index: s for s in self.document.sentences}
        for start, end in find_quote_spans(self.text):
            if any(x.start <= start < x.end for x in self.document.article.excluded):
                continue
            sentence = next(
                (s for s in kept.values() if s.start <= start < s.end or start <= s.start < end),
                None,
            )
            if sentence is None:
                continue
            para_start = self.text.rfind("\n", 0, start) + 1
            verb = self._reporting_verb_near(start, end)
            speaker = self._speaker_of_verb(verb) if verb is not None else None
            if (
                speaker is None
                and last_speaker is not None
                and (para_start <= last_para_end or self._continues(start))
            ):
                speaker = last_speaker
            quotes.append(
                Quote(
                    start,
                    end,
                    self.text[start:end],
                    sentence.index,
                    "direct",
                    speaker,
                    Span(verb.idx, verb.idx + len(verb.text), verb.text)
                    if verb is not None
                    else None,
                )
            )
            if speaker is not None:
                last_speaker = speaker
            last_para_end = self.text.find("\n", end)
            last_para_end = len(self.text) if last_para_end < 0 else last_para_end
        return quotes

    def _continues(self, start: int) -> bool:
        """A paragraph that opens with a quote right after a quoted paragraph continues it."""
        para_start = self.text.rfind("\n", 0, start) + 1
        return self.text[para_start:start].strip() in ('"', "“", "")

    def indirect(self) -> list[Quote]:
        quotes = []
        for index, sent in sentence_spans(self.document):
            for tok in sent:
                if tok.pos_ != "VERB":
                    continue
                clause = None
                if tok.lemma_ in REPORTING:
                    # "X said that ..." and the fronted "..., X said/told Y"
                    clause = next((c for c in tok.children if c.dep_ == "ccomp"), None)
                if clause is not None:
                    speaker = self._speaker_of_verb(tok)
                    s, e = clause.left_edge.idx, clause.right_edge.idx + len(clause.right_edge.text)
                    quotes.append(
                        Quote(
                            s,
                            e,
                            self.text[s:e],
                            index,
                            "indirect",
                            speaker,
                            Span(tok.idx, tok.idx + len(tok.text), tok.text),
                        )
                    )
            for tok in sent:
                if (
                    tok.lower_ == "according"
                    and tok.i + 1 < sent.end
                    and self.doc[tok.i + 1].lower_ == "to"
                ):
                    obj = next((c for c in self.doc[tok.i + 1].children if c.dep_ == "pobj"), None)
                    speaker = self.by_head.get(obj.i) if obj is not None else None
                    quotes.append(
                        Quote(
                            sent.start_char,
                            sent.end_char,
                            sent.text,
                            index,
                            "indirect",
                            speaker,
                            Span(
                                tok.idx,
                                self.doc[tok.i + 1].idx + 2,
                                self.text[tok.idx : self.doc[tok.i + 1].idx + 2],
                            ),
                        )
                    )
        return quotes


def quote_speakers(document: Document, quotes: list[Quote]) -> dict[int, Mention]:
    """Token index → speaker, for tokens inside direct quotes (innermost quote wins)."""
    out: dict[int, Mention] = {}
    for quote in sorted(
        (q for q in quotes if q.kind == "direct" and q.speaker is not None),
        key=lambda q: q.end - q.start,
        reverse=True,
    ):
        span = document.doc.char_span(quote.start, quote.end, alignment_mode="expand")
        if span is None:
            continue
        for tok in span:
            out[tok.i] = quote.speaker  # type: ignore[assignment]
    return out


def quotes(document: Document) -> Document:
    finder = QuoteFinder(document)
    found = finder.direct()
    speakers = quote_speakers(document, found)
    if speakers:
        mentions = {
            m.head: (
                replace(
                    m,
                    actor=Actor(code=None, reason="unresolved pronoun"),
                    rule="pronoun",
                    refers_to=None,
                )
                if m.rule.startswith("pronoun")
                else m
            )
            for m in document.mentions
        }
        resolved = resolve_references(document, mentions, speakers)
        document = replace(document, mentions=resolved)
        heads = {m.head: m for m in resolved}
        found = [
            replace(q, speaker=heads.get(q.speaker.head, q.speaker)) if q.speaker is not None else q
            for q in found
        ]
    finder = QuoteFinder(document)
    all_quotes = found + finder.indirect()
    all_quotes.sort(key=lambda q: (q.start, q.end))
    return replace(document, quotes=tuple(all_quotes))


def make_quote_stage(resources: Any, config: dict[str, Any]) -> Callable[[Document], Document]:
    return quotes
