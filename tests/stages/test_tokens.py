"""The token table answers as spaCy's Doc does, and the pipeline's output does not depend on it."""

from __future__ import annotations

import json
from itertools import islice

import pytest
import spacy
from spacy.tokens import Doc, Span

from dyads.records import Article, Document
from dyads.stages.tokens import StringNames, TokenStage, TokenTable

TOKEN_ATTRS = [
    "i", "idx", "text", "lower_", "lemma_", "pos_", "tag_", "dep_", "ent_type_", "ent_iob_",
    "whitespace_", "is_punct", "is_space", "is_title", "is_upper", "like_num",
    "is_sent_start",
]  # fmt: skip


def _hand_built() -> Doc:
    nlp = spacy.blank("en")
    words = ["The", "U.S.", "army", "said", "Hamas", "fired", "42", "rockets", ".", "NATO", "agreed", "!"]  # fmt: skip
    spaces = [True, True, True, True, True, True, True, False, True, True, False, False]
    doc = Doc(
        nlp.vocab,
        words=words,
        spaces=spaces,
        tags=["DT", "NNP", "NN", "VBD", "NNP", "VBD", "CD", "NNS", ".", "NNP", "VBD", "."],
        pos=[
            "DET",
            "PROPN",
            "NOUN",
            "VERB",
            "PROPN",
            "VERB",
            "NUM",
            "NOUN",
            "PUNCT",
            "PROPN",
            "VERB",
            "PUNCT",
        ],  # fmt: skip
        lemmas=[
            "the",
            "U.S.",
            "army",
            "say",
            "Hamas",
            "fire",
            "42",
            "rocket",
            ".",
            "NATO",
            "agree",
            "!",
        ],  # fmt: skip
        deps=[
            "det",
            "compound",
            "nsubj",
            "ROOT",
            "nsubj",
            "ccomp",
            "nummod",
            "dobj",
            "punct",
            "nsubj",
            "ROOT",
            "punct",
        ],  # fmt: skip
        heads=[2, 2, 3, 3, 5, 3, 7, 5, 3, 10, 10, 10],
        sent_starts=[
            True,
            False,
            False,
            False,
            False,
            False,
            False,
            False,
            False,
            True,
            False,
            False,
        ],  # fmt: skip
    )
    doc.ents = [Span(doc, 1, 2, "GPE"), Span(doc, 4, 5, "ORG"), Span(doc, 6, 7, "CARDINAL"), Span(doc, 9, 10, "ORG")]  # fmt: skip
    return doc


def assert_same(doc: Doc, table: TokenTable) -> None:
    assert len(table) == len(doc) and table.text == doc.text
    for a, b in zip(doc, table, strict=True):
        for attr in TOKEN_ATTRS:
            assert getattr(a, attr) == getattr(b, attr), (a.i, attr)
        assert b.head.i == a.head.i and b.head is table[a.head.i]
        for attr in ("children", "lefts", "rights", "subtree", "conjuncts"):
            assert [t.i for t in getattr(b, attr)] == [t.i for t in getattr(a, attr)], (a.i, attr)
        assert (b.left_edge.i, b.right_edge.i) == (a.left_edge.i, a.right_edge.i)
        assert (b.sent.start, b.sent.end) == (a.sent.start, a.sent.end)
        assert b.sent is table[b.sent.start].sent  # one object per sentence
    spans = [(s.start, s.end, s.text, s.start_char, s.end_char, s.root.i) for s in doc.sents]
    assert [
        (s.start, s.end, s.text, s.start_char, s.end_char, s.root.i) for s in table.sents
    ] == spans
    ents = [(e.start, e.end, e.label_, e.text, e.root.i) for e in doc.ents]
    assert [(e.start, e.end, e.label_, e.text, e.root.i) for e in table.ents] == ents


def test_hand_built_doc_reads_as_spacy_reads_it():
    doc = _hand_built()
    table = TokenTable(doc)
    assert_same(doc, table)
    assert table[2:4].text == doc[2:4].text == "army said"
    assert table[-1].text == "!" and table[1:3][-1].text == "army"
    assert table[3].nbor(-1) is table[2]
    with pytest.raises(IndexError):
        table[0].nbor(-1)
    span = table.char_span(4, 7, alignment_mode="expand")
    assert (span.start, span.end, span.text) == (1, 2, "U.S.")
    assert table.char_span(5, 7) is None  # as spaCy: not on token boundaries
    assert table[1:3] == table[1:3] and len({table[1:3], table[1:3]}) == 1


def test_empty_doc():
    table = TokenTable(Doc(spacy.blank("en").vocab, words=[]))
    assert len(table) == 0 and list(table) == [] and table.sents == [] and table.ents == ()


def test_string_names_look_each_hash_up_once():
    doc = _hand_built()
    names = StringNames(doc.vocab.strings)
    first = TokenTable(doc, names)
    size = len(names)
    second = TokenTable(doc, names)
    assert len(names) == size and [t.lemma_ for t in first] == [t.lemma_ for t in second]
    small = StringNames(doc.vocab.strings, limit=3)
    assert [t.lower_ for t in TokenTable(doc, small)] == [t.lower_ for t in doc]
    assert len(small) <= 3


def test_stage_replaces_the_doc_once():
    doc = _hand_built()
    document = Document(article=Article.from_text(doc.text, "2024-01-01"), doc=doc)
    stage = TokenStage()
    once = stage(document)
    assert isinstance(once.doc, TokenTable) and once.doc.spacy is doc
    assert stage(once) is once


@pytest.mark.slow
def test_parsed_news_reads_as_spacy_reads_it(nlp, voa_path):
    texts = [json.loads(line)["text"] for line in islice(voa_path.open(), 12)]
    for doc in nlp.pipe(texts):
        assert_same(doc, TokenTable(doc))


@pytest.mark.slow
def test_stages_code_the_same_from_a_doc_and_from_a_table(pipeline, voa_path):
    """Every stage reads spaCy's Doc (tests, users' own code) and the table alike."""
    articles = [
        Article.from_text(json.loads(line)["text"], "2024-03-01")
        for line in islice(voa_path.open(), 6)
    ]
    stages = [(name, stage) for name, stage in pipeline.stages if name != "tokens"]

    def code(doc, article):
        document = Document(article=article, doc=doc)
        for _, stage in stages:
            document = stage(document)
        return document.coded()

    for article, doc in zip(articles, pipeline.nlp.pipe([a.text for a in articles]), strict=True):
        from_doc, from_table = code(doc, article), code(TokenTable(doc), article)
        assert from_table.events == from_doc.events
        assert from_table.mentions == from_doc.mentions
        assert from_table.quotes == from_doc.quotes
        assert from_table.places == from_doc.places
