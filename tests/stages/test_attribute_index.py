"""The indexed attribute matcher finds exactly what spaCy's Matcher finds."""

from __future__ import annotations

import pytest
import spacy
from spacy.tokens import Doc

from dyads.stages.attribute_index import IndexedAttributeMatcher, index_attribute_ruler

PATTERNS = [
    {"patterns": [[{"TAG": "VBZ"}]], "attrs": {"POS": "VERB"}},
    {"patterns": [[{"TAG": "VBZ", "LOWER": "gets"}]], "attrs": {"LEMMA": "get"}},
    {"patterns": [[{"LOWER": {"IN": ["a", "the"]}}]], "attrs": {"POS": "DET"}},
    {"patterns": [[{"DEP": "expl"}, {"LOWER": {"IN": ["is", "'s"]}}]], "attrs": {"POS": "AUX"}, "index": 1},
    {"patterns": [[{"LOWER": {"REGEX": "^y'?$"}}, {"LOWER": "all"}]], "attrs": {"LEMMA": "you"}},
    {"patterns": [[{"IS_SPACE": True, "DEP": {"NOT_IN": [""]}}]], "attrs": {"DEP": "dep"}},
    {"patterns": [[{"ORTH": "Qatar"}]], "attrs": {"POS": "PROPN"}},
    {"patterns": [[{"TAG": "NN"}], [{"TAG": "NNS"}]], "attrs": {"POS": "NOUN"}},
]  # fmt: skip


def _doc(vocab):
    words = [
        "There",
        "'s",
        "a",
        "cat",
        "and",
        "y'",
        "all",
        "know",
        "it",
        "gets",
        "Qatar",
        "  ",
        "cats",
    ]
    tags = ["EX", "VBZ", "DT", "NN", "CC", "PRP", "DT", "VBP", "PRP", "VBZ", "NNP", "_SP", "NNS"]
    deps = [
        "expl",
        "ROOT",
        "det",
        "attr",
        "cc",
        "nsubj",
        "det",
        "conj",
        "nsubj",
        "ccomp",
        "dobj",
        "dep",
        "npadvmod",
    ]
    heads = [1, 1, 3, 1, 1, 7, 5, 1, 9, 7, 9, 10, 9]
    return Doc(vocab, words=words, tags=tags, deps=deps, heads=heads)


def test_matches_equal_spacys_on_a_hand_built_doc():
    nlp = spacy.blank("en")
    ruler = nlp.add_pipe("attribute_ruler")
    ruler.add_patterns(PATTERNS)
    doc = _doc(nlp.vocab)
    spacy_matches = type(ruler).match(ruler, doc)
    assert IndexedAttributeMatcher.for_ruler(ruler).match(doc) == spacy_matches
    assert len(spacy_matches) >= 8  # every kind of pattern found something


def test_attributes_set_as_spacys_ruler_sets_them():
    """Same tokens, same values, later patterns winning, negative indices counted from the end."""
    patterns = [
        *PATTERNS,
        {"patterns": [[{"TAG": "DT"}, {"TAG": "NN"}]], "attrs": {"LEMMA": "kitty", "MORPH": "Number=Sing"}, "index": -1},
        {"patterns": [[{"LOWER": "cat"}]], "attrs": {"POS": "PROPN", "TAG": "NNP"}},
    ]  # fmt: skip

    def annotated(indexed: bool) -> list[tuple]:
        nlp = spacy.blank("en")
        ruler = nlp.add_pipe("attribute_ruler")
        ruler.add_patterns(patterns)
        if indexed:
            assert index_attribute_ruler(nlp) is True
        doc = ruler(_doc(nlp.vocab))
        return [(t.pos_, t.tag_, t.lemma_, str(t.morph), t.dep_) for t in doc]

    assert annotated(True) == annotated(False)
    assert annotated(True)[3][:3] == ("PROPN", "NNP", "kitty")


def test_an_index_outside_the_match_raises_spacys_error():
    nlp = spacy.blank("en")
    ruler = nlp.add_pipe("attribute_ruler")
    ruler.add_patterns([{"patterns": [[{"LOWER": "cat"}]], "attrs": {"POS": "NOUN"}, "index": 2}])
    assert index_attribute_ruler(nlp) is True
    with pytest.raises(ValueError, match="E1001"):
        ruler(_doc(nlp.vocab))


def test_unsupported_operators_leave_the_ruler_alone():
    nlp = spacy.blank("en")
    ruler = nlp.add_pipe("attribute_ruler")
    ruler.add_patterns([{"patterns": [[{"LOWER": "a", "OP": "+"}]], "attrs": {"POS": "DET"}}])
    assert IndexedAttributeMatcher.for_ruler(ruler) is None
    assert index_attribute_ruler(nlp) is False
    assert "match" not in vars(ruler)


@pytest.mark.slow
def test_the_english_model_gets_the_same_attributes(pipeline, voa_path):
    """Over real news, the model with the indexed ruler tags, lemmatises and morphs every token
    as spaCy's own ruler does."""
    import json

    from dyads.stages.parse import load_model

    plain = load_model(pipeline.config.section("nlp").get("model", "auto"))
    indexed = load_model(pipeline.config.section("nlp").get("model", "auto"))
    assert index_attribute_ruler(indexed) is True
    with voa_path.open(encoding="utf-8") as lines:
        texts = [json.loads(line)["text"] for line, _ in zip(lines, range(25), strict=False)]
    texts.append("There's a cat.\n\n  Y'all ain't seen nothin' yet, he gets what he got.")
    for a, b in zip(plain.pipe(texts), indexed.pipe(texts), strict=True):
        assert [(t.pos_, t.tag_, t.lemma_, str(t.morph), t.dep_) for t in a] == [
            (t.pos_, t.tag_, t.lemma_, str(t.morph), t.dep_) for t in b
        ]
