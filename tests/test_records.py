import dataclasses

import pytest

from dyads.records import Article, Event, Span


def test_records_are_frozen():
    art = Article.from_text("Germany imposed sanctions on Iran.", "2025-02-27")
    with pytest.raises(dataclasses.FrozenInstanceError):
        art.text = "x"  # type: ignore[misc]


def test_article_from_text_gives_stable_id_and_exclusions():
    a = Article.from_text("Text. (credit: REUTERS/X)", "2025-02-27")
    b = Article.from_text("Text. (credit: REUTERS/X)", "2025-02-27")
    assert a.id == b.id and len(a.id) == 16
    assert [s.text for s in a.excluded] == ["(credit: REUTERS/X)"]


def test_event_id_is_stable():
    from dyads.ontology import load_ontology

    cameo = load_ontology().code("163")
    from dyads.records import PloverCode

    e1 = Event("a", 0, "s", Span(0, 3, "abc"), cameo, PloverCode("SANCTION"))
    e2 = dataclasses.replace(e1, confidence=0.9)
    assert e1.id == e2.id
    assert e1.id != dataclasses.replace(e1, trigger=Span(1, 3, "bc")).id
