"""A parsed article as plain Python objects, built once, read by every stage.

The stages walk the dependency tree a great deal (children, heads, their labels and lemmas).
With spaCy's own objects every step creates a new ``Token`` and looks its strings up again,
and in the profile of the pipeline that was the largest single cost of every stage. A
``TokenTable`` reads the parse once with ``Doc.to_array`` into one :class:`Tok` per token,
whose attributes are plain Python values, and whose ``head``, ``children``, ``lefts`` and
``rights`` are other ``Tok`` objects. The names are spaCy's (``dep_``, ``lower_``, ``i``,
``idx``, ``doc[i]``, ``doc[a:b]``, ``doc.ents``, ``doc.sents``, ``doc.char_span``...), so the
stages read a ``TokenTable`` or a spaCy ``Doc`` alike (tests build small Docs by hand).

The table is a read-only view: it never changes the parse. Rarely used, harder to copy
properties (``left_edge``, ``right_edge``, ``conjuncts``, ``Span.root``, ``char_span``) are
asked of spaCy and mapped back to the table's tokens, so they answer exactly as spaCy does.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import Any

import numpy
from spacy.attrs import (
    DEP,
    ENT_IOB,
    ENT_TYPE,
    HEAD,
    IDX,
    IS_PUNCT,
    IS_SPACE,
    IS_TITLE,
    IS_UPPER,
    LEMMA,
    LENGTH,
    LIKE_NUM,
    LOWER,
    POS,
    SENT_START,
    SPACY,
    TAG,
)

from ..records import Document

STRING_COLUMNS = [LOWER, LEMMA, POS, TAG, DEP, ENT_TYPE]
NUMBER_COLUMNS = [IDX, LENGTH, HEAD, ENT_IOB, SPACY, SENT_START]
FLAGS = [IS_PUNCT, IS_SPACE, IS_TITLE, IS_UPPER, LIKE_NUM]
IOB = ("", "I", "O", "B")


class Tok:
    """One token: spaCy's attribute names, plain values (the rarer ones read from the table)."""

    __slots__ = (
        "doc", "i", "idx", "text", "lower_", "lemma_", "pos_", "tag_", "dep_", "ent_type_",
        "is_punct", "is_space", "head", "children", "lefts", "rights",
    )  # fmt: skip

    def __len__(self) -> int:
        return len(self.text)

    def __str__(self) -> str:
        return self.text

    def __repr__(self) -> str:
        return self.text

    @property
    def ent_iob_(self) -> str:
        return IOB[self.doc.columns[3][self.i]]

    @property
    def whitespace_(self) -> str:
        return " " if self.doc.columns[4][self.i] else ""

    @property
    def is_sent_start(self) -> bool | None:
        # SENT_START is 1, 0 (unknown) or -1, which the unsigned array holds as 2**64 - 1
        value = self.doc.columns[5][self.i]
        return True if value == 1 else (None if value == 0 else False)

    @property
    def is_title(self) -> bool:
        return bool(self.doc.flags[self.i][2])

    @property
    def is_upper(self) -> bool:
        return bool(self.doc.flags[self.i][3])

    @property
    def like_num(self) -> bool:
        return bool(self.doc.flags[self.i][4])

    @property
    def sent(self) -> TSpan:
        return self.doc.sents[self.doc.sentence_of[self.i]]

    @property
    def subtree(self) -> Iterator[Tok]:
        # spaCy's order: the left children's subtrees, the token, the right children's
        for word in self.lefts:
            yield from word.subtree
        yield self
        for word in self.rights:
            yield from word.subtree

    @property
    def left_edge(self) -> Tok:
        return self.doc[self.doc.spacy[self.i].left_edge.i]

    @property
    def right_edge(self) -> Tok:
        return self.doc[self.doc.spacy[self.i].right_edge.i]

    @property
    def conjuncts(self) -> tuple[Tok, ...]:
        return tuple(self.doc[t.i] for t in self.doc.spacy[self.i].conjuncts)

    def nbor(self, offset: int = 1) -> Tok:
        j = self.i + offset
        if not 0 <= j < len(self.doc):
            raise IndexError(f"token {self.i} has no neighbour at offset {offset}")
        return self.doc[j]


class TSpan:
    """A slice of the table (``doc[a:b]``, an entity, a sentence)."""

    __slots__ = ("doc", "start", "end", "label_")

    def __init__(self, doc: TokenTable, start: int, end: int, label: str = ""):
        self.doc, self.start, self.end, self.label_ = doc, start, end, label

    def __len__(self) -> int:
        return self.end - self.start

    def __iter__(self) -> Iterator[Tok]:
        return iter(self.doc.tokens[self.start : self.end])

    def __getitem__(self, key: int | slice) -> Any:
        if isinstance(key, slice):
            start, stop, _ = key.indices(len(self))
            return TSpan(self.doc, self.start + start, self.start + max(start, stop))
        n = len(self)
        if key < 0:
            key += n
        if not 0 <= key < n:
            raise IndexError(f"span index {key} out of range")
        return self.doc.tokens[self.start + key]

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, TSpan)
            and other.doc is self.doc
            and (other.start, other.end, other.label_) == (self.start, self.end, self.label_)
        )

    def __hash__(self) -> int:
        return hash((id(self.doc), self.start, self.end, self.label_))

    def __repr__(self) -> str:
        return self.text

    @property
    def start_char(self) -> int:
        return self.doc.tokens[self.start].idx if self.end > self.start else 0

    @property
    def end_char(self) -> int:
        if self.end <= self.start:
            return 0
        last = self.doc.tokens[self.end - 1]
        return last.idx + len(last.text)

    @property
    def text(self) -> str:
        return self.doc.text[self.start_char : self.end_char] if self.end > self.start else ""

    @property
    def root(self) -> Tok:
        return self.doc[self.doc.spacy[self.start : self.end].root.i]


class StringNames(dict):
    """Hash → string, filled from a spaCy ``StringStore`` as hashes are first seen.

    A token stage keeps one for the articles it reads, so each word's strings are looked up
    in spaCy once, not once per token. It is emptied when it reaches ``limit`` entries.
    """

    def __init__(self, strings: Any, limit: int = 500_000):
        super().__init__({0: ""})
        self.strings, self.limit = strings, limit

    def __missing__(self, key: int) -> str:
        if len(self) >= self.limit:
            self.clear()
            self[0] = ""
        value = self[key] = self.strings[key]
        return value


class TokenTable:
    """A spaCy ``Doc`` read once into :class:`Tok` objects (``spacy`` keeps the Doc)."""

    def __init__(self, doc: Any, names: StringNames | None = None):
        self.spacy = doc
        self.text: str = doc.text
        self.vocab = doc.vocab
        n = len(doc)
        self.tokens: list[Tok] = []
        self.sents: list[TSpan] = []
        self.sentence_of: list[int] = []
        self.ents: tuple[TSpan, ...] = ()
        self.columns: list[list[int]] = [[] for _ in NUMBER_COLUMNS]
        self.flags: list[list[int]] = []
        if names is None or names.strings is not doc.vocab.strings:
            names = StringNames(doc.vocab.strings)
        self.names = names  # hash → string, kept by the stage for the next article
        if not n:
            return
        lookup = names.__getitem__
        lower, lemma, pos, tag, dep, ent = (
            list(map(lookup, column)) for column in doc.to_array(STRING_COLUMNS).T.tolist()
        )
        numbers = doc.to_array(NUMBER_COLUMNS).astype("int64")  # HEAD offsets are signed
        numbers[:, 2] += numpy.arange(n)
        self.columns = numbers.T.tolist()
        flags = doc.to_array(FLAGS)
        self.flags = flags.tolist()
        punct, space = flags[:, 0].tolist(), flags[:, 1].tolist()
        text, tokens, new = self.text, self.tokens, Tok.__new__
        for i, idx, length in zip(range(n), self.columns[0], self.columns[1], strict=True):
            t = new(Tok)
            t.doc, t.i, t.idx, t.text = self, i, idx, text[idx : idx + length]
            t.children, t.lefts, t.rights = [], [], []
            t.lower_, t.lemma_, t.pos_, t.tag_, t.dep_ = lower[i], lemma[i], pos[i], tag[i], dep[i]
            t.ent_type_, t.is_punct, t.is_space = ent[i], punct[i] == 1, space[i] == 1
            tokens.append(t)
        for t, h in zip(tokens, self.columns[2], strict=True):
            head = tokens[h]
            t.head = head
            if head is not t:
                head.children.append(t)
                (head.lefts if t.i < head.i else head.rights).append(t)
        self._read_sentences(doc)
        self.ents = self._read_entities(ent)

    def _read_entities(self, labels: list[str]) -> tuple[TSpan, ...]:
        """Entities as spaCy's ``Doc.ents`` reads them from the IOB tags (B starts one, I
        continues it, O or a missing tag ends it; entities without a label are dropped)."""
        found = []
        start, label = -1, ""
        for i, iob in enumerate(self.columns[3]):
            if iob == 1 and start != -1:  # I
                continue
            if start != -1:
                found.append(TSpan(self, start, i, label))
                start = -1
            if iob == 3 and labels[i]:  # B
                start, label = i, labels[i]
            elif iob == 1:  # I without a B: spaCy refuses such a Doc
                raise ValueError(f"token {i} continues an entity that never began")
        if start != -1:
            found.append(TSpan(self, start, len(self.tokens), label))
        return tuple(span for span in found if span.label_)

    def _read_sentences(self, doc: Any) -> None:
        """Sentences as spaCy's ``Doc.sents`` finds them: a new one at every SENT_START of 1."""
        n = len(self.tokens)
        if not doc.has_annotation("SENT_START"):
            return  # as with spaCy, a Doc without sentence boundaries has no ``sents``
        sent_start = self.columns[5]
        starts = [0] + [i for i in range(1, n) if sent_start[i] == 1] + [n]
        sentence_of: list[int] = []
        for k in range(len(starts) - 1):
            self.sents.append(TSpan(self, starts[k], starts[k + 1]))
            sentence_of += [k] * (starts[k + 1] - starts[k])
        self.sentence_of = sentence_of

    def __len__(self) -> int:
        return len(self.tokens)

    def __iter__(self) -> Iterator[Tok]:
        return iter(self.tokens)

    def __getitem__(self, key: int | slice) -> Any:
        if key.__class__ is int:
            return self.tokens[key]
        if isinstance(key, slice):
            start, stop, _ = key.indices(len(self.tokens))
            return TSpan(self, start, max(start, stop))
        return self.tokens[key]

    def char_span(self, start: int, end: int, label: str = "", **kwargs: Any) -> TSpan | None:
        span = self.spacy.char_span(start, end, label=label, **kwargs)
        return None if span is None else TSpan(self, span.start, span.end, span.label_)

    def to_array(self, attrs: Any) -> Any:
        return self.spacy.to_array(attrs)


class TokenStage:
    """The stage: the article's spaCy Doc replaced by its :class:`TokenTable`."""

    def __init__(self) -> None:
        self.names: StringNames | None = None

    def __call__(self, document: Document) -> Document:
        doc = document.doc
        if isinstance(doc, TokenTable):
            return document
        table = TokenTable(doc, self.names)
        self.names = table.names  # a new one when the vocabulary changed
        return replace(document, doc=table)


def make_token_stage(resources: Any, config: dict[str, Any]) -> Callable[[Document], Document]:
    return TokenStage()
