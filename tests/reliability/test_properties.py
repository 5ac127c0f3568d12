"""Property-based tests (hypothesis): the readers, the date resolver and the actor resolver never
raise on arbitrary input, and every offset they report lies inside the article and slices to the
reported text.

The reader and date properties need no model; the actor-resolver properties parse every example
with the real spaCy model (~10-30 ms each), so their example counts are modest and they are
marked ``slow``.
"""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from dyads.readers import read_stdin
from dyads.readers.decode import InputError, parse_date
from dyads.readers.html import read_html
from dyads.readers.tabular import article_from_record, read_csv, read_jsonl
from dyads.readers.text import read_text
from dyads.records import Article, ArticleError, EventDate
from dyads.temporal import TemporalResolver, find_expressions, resolve_expression
from dyads.temporal_patterns import WEEKDAYS

# Any code point, unpaired surrogates included (JSON can spell them; hypothesis leaves them out
# of st.text() by default).
ANY_CHAR = st.characters() | st.characters(codec=None, categories=["Cs"])
any_text = st.text(ANY_CHAR, max_size=300)
# Text built from the pieces that matter to the readers and the stages.
PIECES = [
    "date", "date ", "date 2025-02-27", "2025-13-45", "2025-02-27", "\n", "\r\n", "\r", " ", "\t",
    "\ufeff", "\x00", "\x07", "\u200b", "\u202e", "é", "\xff", "{", "}", "[", "]", '"', ",", ":",
    "\\", "\\u0000", "\\ud83d", "text", "published", "id", "Israel", "attacked", "Iran", "on",
    "Monday", ".", "<p>", "</p>", "<div>", "<script>", "&amp;", "&#0;", "<!--", "credit:",
    "(Reuters/X)", "(illustration)", "FILE - ", "Photo: ",
]  # fmt: skip
piece_text = st.lists(st.sampled_from(PIECES) | st.text(max_size=5), max_size=40).map("".join)
READ_SETTINGS = settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


def check_article(article: Article) -> None:
    """What every article a reader returns must satisfy."""
    text = article.text
    assert text and text == text.strip()
    assert "\r" not in text and "\x00" not in text
    for value in (text, article.id, article.title or "", article.url or "", article.origin):
        value.encode("utf-8")  # no unpaired surrogates: every writer can write it
    for span in article.excluded:
        assert 0 <= span.start < span.end <= len(text) and text[span.start : span.end] == span.text
    assert isinstance(article.date, dt.date | type(None))


def check_results(results: list, origin_prefix: str) -> None:
    for result in results:
        assert isinstance(result, Article | ArticleError), result
        assert result.origin.startswith(origin_prefix)
        if isinstance(result, Article):
            check_article(result)
        else:
            assert result.reason and "\n" not in result.reason  # one line


# -- readers ---------------------------------------------------------------------------------


@READ_SETTINGS
@given(data=st.binary(max_size=2000) | piece_text.map(lambda t: t.encode("utf-8", "replace")))
def test_text_reader_never_raises(data: bytes) -> None:
    result = read_text(data, "a.txt")
    check_results([result], "a.txt")


@READ_SETTINGS
@given(data=st.binary(max_size=3000) | piece_text.map(lambda t: t.encode("utf-8", "replace")))
def test_html_reader_never_raises(data: bytes) -> None:
    check_results([read_html(data, "a.html")], "a.html")


@READ_SETTINGS
@given(data=st.binary(max_size=2000) | piece_text.map(lambda t: t.encode("utf-8", "replace")))
@example(data=b'"\ntext"\nabc\n')  # found: a column name with a newline made a 2-line error
def test_csv_reader_never_raises(data: bytes) -> None:
    check_results(list(read_csv(io.BytesIO(data), "a.csv")), "a.csv")


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | any_text,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(any_text, inner, max_size=4),
    max_leaves=10,
)
DATES = st.dates().map(str) | st.sampled_from(["2025-13-45", "9999-12-31", "0001-01-01", ""])
# Records that are mostly well formed (so that articles come out, surrogates and all) ...
good_records = st.fixed_dictionaries(
    {"text": any_text.filter(str.strip) | piece_text.filter(str.strip)},
    optional={"date": DATES, "id": any_text | st.integers(), "title": any_text, "url": any_text},
)
# ... and records of anything.
wild_records = st.fixed_dictionaries(
    {},
    optional={
        "text": any_text | piece_text | json_values,
        "date": DATES | any_text | json_values,
        "published": any_text | st.datetimes().map(str),
        "id": any_text | json_values,
        "title": any_text | json_values,
        "url": any_text | json_values,
    },
)
records = good_records | wild_records
json_lines = st.lists(
    records.map(json.dumps).map(lambda s: s.encode())  # ensure_ascii: surrogates as \\udxxx
    | records.map(lambda r: json.dumps(r, ensure_ascii=False).encode("utf-8", "surrogatepass"))
    | json_values.map(json.dumps).map(str.encode)
    | st.binary(max_size=200).filter(lambda b: b"\n" not in b)
    | piece_text.map(lambda t: t.replace("\n", " ").encode("utf-8", "replace")),
    max_size=8,
)


@READ_SETTINGS
@given(lines=json_lines, ending=st.sampled_from([b"\n", b"\r\n"]))
def test_jsonl_reader_gives_one_result_per_line_and_never_raises(
    lines: list[bytes], ending: bytes
) -> None:
    data = ending.join(lines)
    results = list(read_jsonl(io.BytesIO(data), "a.jsonl"))
    check_results(results, "a.jsonl:")
    # every line that is not blank gives exactly one result, named by its line number
    wanted = [f"a.jsonl:{n}" for n, raw in enumerate(data.split(b"\n"), start=1) if raw.strip()]
    assert [r.origin for r in results] == wanted


@READ_SETTINGS
@given(record=records)
def test_a_record_is_an_article_or_an_input_error(record: dict) -> None:
    try:
        article = article_from_record(record, "r", None)
    except InputError as err:
        assert str(err)
    else:
        check_article(article)


@READ_SETTINGS
@given(data=st.binary(max_size=1000) | json_lines.map(b"\n".join))
def test_stdin_never_raises(data: bytes) -> None:
    check_results(list(read_stdin(stream=io.BufferedReader(io.BytesIO(data)))), "<stdin>")


@READ_SETTINGS
@given(value=json_values | st.dates() | st.datetimes() | any_text)
def test_parse_date_returns_a_date_or_raises_input_error(value: object) -> None:
    try:
        assert isinstance(parse_date(value), dt.date)
    except InputError:
        pass


# -- the date resolver -----------------------------------------------------------------------

all_dates = st.dates()  # 0001-01-01 to 9999-12-31: the edges overflow any date arithmetic
DATE_WORDS = [
    *WEEKDAYS, "January", "May", "March", "Dec.", "Sept.", "2024", "1999", "1800", "2099", "12",
    "31", "5th", "of", "last", "next", "this", "week", "month", "year", "weekend", "ago", "two",
    "400", "days", "the", "in", "on", "between", "and", "to", "-", "–", ",", ".", "/", "yesterday",
    "today", "tomorrow", "tonight", "early", "late", "mid-", "previous", "following", "day",
    "later", "earlier", "before", "after", "same", "12/05/2024", "31/12/2024", "2024-12-05",
    "2024-02-30", "February 30", "Feb. 29", "the 5th of December", "night", "morning",
]  # fmt: skip
date_text = st.lists(st.sampled_from(DATE_WORDS), max_size=20).map(" ".join) | st.text(max_size=200)
tenses = st.sampled_from([None, "past", "future"])


def check_date(found: EventDate, text: str) -> None:
    assert found.start is not None and found.end is not None
    assert 0 <= found.start < found.end <= len(text)
    assert text[found.start : found.end] == found.text
    assert found.granularity in ("day", "week", "month", "year")
    assert isinstance(found.value, dt.date) and found.reason


@settings(max_examples=400, deadline=None)
@given(
    text=date_text,
    published=all_dates | st.none(),
    tense=tenses,
    anchor=all_dates | st.none(),
)
@example(text="yesterday", published=dt.date.min, tense=None, anchor=None)
@example(text="tomorrow next year", published=dt.date.max, tense="future", anchor=None)
@example(text="the following day", published=dt.date.max, tense=None, anchor=dt.date.max)
@example(text="two months ago last month", published=dt.date.min, tense="past", anchor=None)
@example(text="December 5", published=dt.date.max, tense="future", anchor=None)
def test_resolve_expression_never_raises_and_offsets_hold(
    text: str, published: dt.date | None, tense: str | None, anchor: dt.date | None
) -> None:
    found = resolve_expression(text, published, tense=tense, anchor=anchor)
    if found is not None:
        check_date(found, text)
    for item in find_expressions(text, published, tense=tense, anchor=anchor):
        check_date(item, text)


@settings(max_examples=200, deadline=None)
@given(
    sentences=st.lists(date_text, min_size=1, max_size=5),
    published=all_dates | st.none(),
    tense=tenses,
)
def test_sentence_level_finder_offsets_point_into_the_article(
    sentences: list[str], published: dt.date | None, tense: str | None
) -> None:
    """``TemporalResolver.find(sentence, offset=sentence start)`` as a stage calls it: offsets
    land in the article, expressions do not overlap, and the cache keeps them stable."""
    article = ". ".join(sentences)
    resolver = TemporalResolver()
    start = 0
    for sentence in sentences:
        found = resolver.find(sentence, published, offset=start, tense=tense)
        again = resolver.find(sentence, published, offset=start, tense=tense)
        assert found == again
        for item in found:
            check_date(item, article)
            assert start <= item.start and item.end <= start + len(sentence)
        pairs = sorted((f.start, f.end) for f in found)
        assert all(a[1] <= b[0] for a, b in zip(pairs, pairs[1:], strict=False))
        start += len(sentence) + 2


# -- the actor resolver over real parses ---------------------------------------------------

ACTOR_WORDS = [
    "Israel", "Israeli", "Iran", "Iranian", "Russia", "Russian", "the", "The", "United", "States",
    "US", "U.S.", "Hamas", "Hezbollah", "Netanyahu", "Benjamin", "Putin", "Vladimir", "Trump",
    "Blinken", "Secretary", "of", "State", "former", "Foreign", "Minister", "army", "forces",
    "officials", "government", "he", "she", "they", "it", "its", "his", "their", "who", "which",
    "said", "told", "attacked", "met", "imposed", "sanctions", "on", "in", "Gaza", "Kharkiv",
    "Tehran", "and", "or", "but", ",", ".", ";", "'s", '"', "“", "”", "(", ")", "-", "—",
    "Monday", "yesterday", "al-", "El", "UN", "NATO", "EU", "a", "an", "country", "ministry",
    "rebels", "protesters", "\n", "\n\n", "credit:", "REUTERS/X", "(illustration)", "12", "2024",
]  # fmt: skip
actor_text = st.lists(st.sampled_from(ACTOR_WORDS), max_size=60).map(" ".join)
# Arbitrary text as a reader would hand it over: no unpaired surrogates (readers replace them).
arbitrary_text = st.text(max_size=300)
ACTOR_SETTINGS = settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


def parsed(pipeline, text: str, date: dt.date | None):
    from dyads.records import Document
    from dyads.stages.parse import limit_sentence_tokens, text_for_parse
    from dyads.stages.segment import segment

    article = Article.from_text(text, date)
    prepared, _ = text_for_parse(article, 100_000)
    doc, _ = limit_sentence_tokens(pipeline.nlp, pipeline.nlp(prepared), 250)
    return segment(Document(article=article, doc=doc))


def check_span(text: str, start: int, end: int, value: str, what: object) -> None:
    assert 0 <= start < end <= len(text), what
    assert text[start:end] == value, what


def check_mentions(document, mentions) -> None:
    text = document.article.text
    n_sentences = len(document.sentences)
    for m in mentions:
        check_span(text, m.start, m.end, m.text, m)
        assert 0 <= m.sentence_index < n_sentences, m
        assert 0 <= m.tokens[0] < m.tokens[1] <= len(document.doc), m
        if m.refers_to is not None:
            check_span(text, m.refers_to.start, m.refers_to.end, m.refers_to.text, m)
        assert m.actor.code is None or m.actor.code.isupper(), m


@pytest.mark.slow
@ACTOR_SETTINGS
@given(text=actor_text | arbitrary_text, date=st.dates() | st.none())
@example(text="Sanctions the troops United the and the from the shelled.", date=None)
def test_actor_resolver_never_raises_and_mentions_slice_the_text(pipeline, text, date) -> None:
    from dyads.stages.actors import ActorResolver

    document = parsed(pipeline, text, date)
    resolver = ActorResolver(pipeline.resources.actors, pipeline.resources.gazetteer, document)
    check_mentions(document, resolver.run())


@pytest.mark.slow
@ACTOR_SETTINGS
@given(text=actor_text | arbitrary_text, date=st.dates() | st.none())
@example(text='Israel " "', date=None)  # found: quote marks around nothing broke quotes
def test_every_stage_keeps_every_offset_inside_the_article(pipeline, text, date) -> None:
    """The whole pipeline (actors, quotes, coding, modality, dates, places, refine) on the same
    kind of text: every span of the coded article slices to its text."""
    from dyads.export.contract import article_dict

    coded = pipeline(Article.from_text(text, date))
    article = text
    for m in coded.mentions:
        check_span(article, m.start, m.end, m.text, m)
        assert 0 <= m.sentence_index < len(coded.sentences), m
        if m.refers_to is not None:
            check_span(article, m.refers_to.start, m.refers_to.end, m.refers_to.text, m)
    for event in coded.events:
        check_span(article, event.trigger.start, event.trigger.end, event.trigger.text, event)
        for mention in (event.source, event.target):
            if mention is not None:
                check_span(article, mention.start, mention.end, mention.text, event)
        if event.attribution is not None:
            a = event.attribution
            check_span(article, a.start, a.end, a.text, event)
        if event.date is not None and event.date.start is not None:
            check_span(article, event.date.start, event.date.end, event.date.text, event)
    for quote in coded.quotes:
        check_span(article, quote.start, quote.end, quote.text, quote)
        if quote.speaker is not None:
            check_span(article, quote.speaker.start, quote.speaker.end, quote.speaker.text, quote)
        if quote.verb is not None:
            check_span(article, quote.verb.start, quote.verb.end, quote.verb.text, quote)
    for place in coded.places:
        if place.start is not None:
            check_span(article, place.start, place.end, place.text, place)
    for sentence in coded.sentences:
        check_span(article, sentence.start, sentence.end, sentence.text, sentence)
    json.dumps(article_dict(coded), ensure_ascii=False).encode("utf-8")
