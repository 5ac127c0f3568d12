"""The dates stage: hand-built parses for the attachment rules, the model for the seed article."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest
import spacy
from spacy.tokens import Doc

from dyads.config import Config
from dyads.records import Article, CameoCode, Document, Event, PloverCode, Span
from dyads.resources import Resources
from dyads.stages.dates import clause_tense, make_date_stage
from dyads.stages.segment import segment

THU = dt.date(2025, 2, 27)
VOCAB = spacy.blank("en").vocab


def parsed(spec: str, date: dt.date | None = THU, ents: dict[str, str] | None = None) -> Document:
    """A Document from ``word|POS|TAG|dep|head[|lemma]`` tokens separated by spaces."""
    words, pos, tags, deps, heads, lemmas = [], [], [], [], [], []
    for item in spec.split():
        parts = item.split("|")
        word, p, tag, dep, head = parts[:5]
        words.append(word)
        pos.append(p)
        tags.append(tag)
        deps.append(dep)
        heads.append(int(head))
        lemmas.append(parts[5] if len(parts) > 5 else word.lower())
    spaces = [i + 1 < len(words) and words[i + 1] not in ".,;" for i in range(len(words))]
    labels = ["O"] * len(words)
    for phrase, label in (ents or {}).items():
        first = words.index(phrase.split()[0])
        for k in range(len(phrase.split())):
            labels[first + k] = ("B-" if k == 0 else "I-") + label
    doc = Doc(VOCAB, words=words, spaces=spaces, pos=pos, tags=tags, deps=deps, heads=heads,
              lemmas=lemmas, ents=labels)  # fmt: skip
    return segment(Document(article=Article.from_text(doc.text, date), doc=doc))


def with_events(document: Document, *triggers: str) -> Document:
    events = []
    for word in triggers:
        token = next(t for t in document.doc if t.text == word)
        span = Span(token.idx, token.idx + len(token), token.text)
        events.append(Event(document.article.id, 0, token.sent.text, span,
                            CameoCode("010", "01", "x", 0.0, 1), PloverCode(None),
                            trigger_token=token.i))  # fmt: skip
    return replace(document, events=tuple(events))


@pytest.fixture(scope="module")
def stage():
    config = Config.load()
    return make_date_stage(Resources(config), config.section("stages.dates"))


TOLD = (
    "Herzog|PROPN|NNP|nsubj|1 told|VERB|VBD|ROOT|1|tell Kahana|PROPN|NNP|dobj|1 in|ADP|IN|prep|1 "
    "an|DET|DT|det|5 interview|NOUN|NN|pobj|3 on|ADP|IN|prep|5 Wednesday|PROPN|NNP|compound|8 "
    "night|NOUN|NN|pobj|6 .|PUNCT|.|punct|1"
)
TOLD_THAT = (
    "Herzog|PROPN|NNP|nsubj|1 told|VERB|VBD|ROOT|1|tell Kahana|PROPN|NNP|dobj|1 on|ADP|IN|prep|1 "
    "Wednesday|PROPN|NNP|compound|5 night|NOUN|NN|pobj|3 that|SCONJ|IN|mark|8 "
    "Blinken|PROPN|NNP|nsubj|8 imposed|VERB|VBD|ccomp|1|impose sanctions|NOUN|NNS|dobj|8 .|PUNCT|.|punct|1"
)


def date_of(document: Document, trigger: str):
    return next(e.date for e in document.events if e.trigger.text == trigger)


def test_the_reporting_event_gets_its_date(stage) -> None:
    out = stage(with_events(parsed(TOLD), "told"))
    (found,) = out.dates
    assert (found.text, found.value, found.granularity) == (
        "Wednesday night",
        dt.date(2025, 2, 26),
        "day",
    )
    assert out.article.text[found.start : found.end] == found.text
    date = date_of(out, "told")
    assert date.value == dt.date(2025, 2, 26) and "modifies 'told'" in date.reason


def test_reporting_dates_do_not_leak_into_the_complement(stage) -> None:
    alone = stage(with_events(parsed(TOLD_THAT), "imposed"))  # "told" is no event here
    assert date_of(alone, "imposed").granularity == "publication"
    both = stage(with_events(parsed(TOLD_THAT), "told", "imposed"))
    assert date_of(both, "told").value == dt.date(2025, 2, 26)
    assert date_of(both, "imposed") == replace(date_of(alone, "imposed"))
    assert date_of(both, "imposed").value == THU


def test_a_date_in_the_complement_belongs_to_it(stage) -> None:
    doc = parsed(
        "Herzog|PROPN|NNP|nsubj|1 said|VERB|VBD|ROOT|1|say Blinken|PROPN|NNP|nsubj|3 "
        "imposed|VERB|VBD|ccomp|1|impose sanctions|NOUN|NNS|dobj|3 on|ADP|IN|prep|3 "
        "Monday|PROPN|NNP|pobj|5 .|PUNCT|.|punct|1"
    )
    out = stage(with_events(doc, "said", "imposed"))
    assert date_of(out, "imposed").value == dt.date(2025, 2, 24)
    assert date_of(out, "said").granularity == "publication"


def test_a_fronted_date_covers_coordinated_verbs(stage) -> None:
    doc = parsed(
        "On|ADP|IN|prep|4 Tuesday|PROPN|NNP|pobj|0 ,|PUNCT|,|punct|4 troops|NOUN|NNS|nsubj|4 "
        "entered|VERB|VBD|ROOT|4|enter Rafah|PROPN|NNP|dobj|4 and|CCONJ|CC|cc|4 "
        "killed|VERB|VBD|conj|4|kill five|NUM|CD|nummod|9 people|NOUN|NNS|dobj|7 .|PUNCT|.|punct|4"
    )
    out = stage(with_events(doc, "entered", "killed"))
    assert date_of(out, "entered").value == date_of(out, "killed").value == dt.date(2025, 2, 25)


def test_a_noun_event_and_a_carrier_verb(stage) -> None:
    doc = parsed(
        "The|DET|DT|det|1 attack|NOUN|NN|nsubj|2 came|VERB|VBD|ROOT|2|come on|ADP|IN|prep|2 "
        "Monday|PROPN|NNP|pobj|3 .|PUNCT|.|punct|2"
    )
    out = stage(with_events(doc, "attack"))
    assert date_of(out, "attack").value == dt.date(2025, 2, 24)


def test_future_clauses_look_forward(stage) -> None:
    doc = parsed(
        "The|DET|DT|det|1 ministers|NOUN|NNS|nsubj|3 will|AUX|MD|aux|3 meet|VERB|VB|ROOT|3 "
        "on|ADP|IN|prep|3 Monday|PROPN|NNP|pobj|4 .|PUNCT|.|punct|3"
    )
    out = stage(with_events(doc, "meet"))
    assert date_of(out, "meet").value == dt.date(2025, 3, 3)
    assert clause_tense(out.doc[5]) == "future"
    assert clause_tense(parsed(TOLD).doc[8]) == "past"


def test_events_without_expression_and_articles_without_date(stage) -> None:
    out = stage(with_events(parsed(TOLD, date=None), "told"))
    assert out.dates == ()  # a weekday needs a publication date
    date = date_of(out, "told")
    assert (date.value, date.granularity) == (None, "publication")
    doc = parsed(
        "Israel|PROPN|NNP|nsubj|1 struck|VERB|VBD|ROOT|1|strike .|PUNCT|.|punct|1", date=None
    )
    date = date_of(stage(with_events(doc, "struck")), "struck")
    assert (date.value, date.granularity, date.reason) == (None, "publication", "publication date")


def test_false_dates_are_filtered_by_the_parse(stage) -> None:
    doc = parsed(
        "The|DET|DT|det|3 March|PROPN|NNP|compound|3 23|NUM|CD|nummod|1 Movement|PROPN|NNP|nsubj|4 "
        "captured|VERB|VBD|ROOT|4|capture Goma|PROPN|NNP|dobj|4 .|PUNCT|.|punct|4",
        ents={"The March 23 Movement": "ORG"},
    )
    assert stage(doc).dates == ()
    we = parsed(
        "We|PRON|PRP|nsubj|1 managed|VERB|VBD|ROOT|1|manage .|PUNCT|.|punct|1", ents={"We": "DATE"}
    )
    assert stage(we).dates == ()


def test_the_stage_does_not_mutate_its_input(stage) -> None:
    document = with_events(parsed(TOLD), "told")
    out = stage(document)
    assert document.dates == () and document.events[0].date is None
    assert out is not document


@pytest.mark.slow
def test_seed_article(nlp, seed_path) -> None:
    """The seed targets with stand-in events on the triggers a coder uses."""
    from dyads.readers.text import read_text
    from dyads.stages.parse import text_for_parse

    article = read_text(seed_path.read_bytes(), str(seed_path))
    doc = nlp(text_for_parse(article, 100_000)[0])
    document = with_events(segment(Document(article=article, doc=doc)), "told", "impose", "halt")
    config = Config.load()
    out = make_date_stage(Resources(config), config.section("stages.dates"))(document)
    told = date_of(out, "told")
    assert (told.value, told.granularity, told.text) == (
        dt.date(2025, 2, 26),
        "day",
        "Wednesday night",
    )
    assert date_of(out, "impose").granularity == "publication"
    assert date_of(out, "halt").granularity == "publication"
    assert all((d.text or "").lower() != "we" for d in out.dates)
    assert all(article.text[d.start : d.end] == d.text for d in out.dates)
    assert not any("2024" in (d.text or "") for d in out.dates)  # the caption's date is excluded


@pytest.mark.slow
def test_seed_article_through_the_pipeline(seed_coded) -> None:
    told = [e for e in seed_coded.events if e.trigger.text == "told"]
    for event in told:
        assert (event.date.value, event.date.granularity) == (dt.date(2025, 2, 26), "day")
    assert all((e.date.text or "").lower() != "we" for e in seed_coded.events)
