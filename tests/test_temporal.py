"""The temporal resolver without spaCy: patterns, filters, resolution rules, properties."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dyads.temporal import (
    WEEKDAYS,
    TemporalResolver,
    find_candidates,
    find_expressions,
    resolve_expression,
)

THU = dt.date(2025, 2, 27)  # the seed article's publication date, a Thursday


def value(text: str, published: dt.date = THU, **kwargs) -> tuple[str, str] | None:
    found = resolve_expression(text, published, **kwargs)
    return (found.value.isoformat(), found.granularity) if found else None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("on Wednesday night", ("2025-02-26", "day")),
        ("late Tuesday", ("2025-02-25", "day")),
        ("on Thursday", ("2025-02-27", "day")),  # the publication's weekday: that day
        ("last Thursday", ("2025-02-20", "day")),
        ("next Monday", ("2025-03-03", "day")),
        ("yesterday", ("2025-02-26", "day")),
        ("last night", ("2025-02-26", "day")),
        ("two days ago", ("2025-02-25", "day")),
        ("a week ago", ("2025-02-20", "week")),
        ("last week", ("2025-02-17", "week")),
        ("this week", ("2025-02-24", "week")),
        ("earlier this month", ("2025-02-01", "month")),
        ("last month", ("2025-01-01", "month")),
        ("last year", ("2024-01-01", "year")),
        ("in December", ("2024-12-01", "month")),
        ("last December", ("2024-12-01", "month")),
        ("mid-March", ("2024-03-01", "month")),
        ("in 2024", ("2024-01-01", "year")),
        ("early 2023", ("2023-01-01", "year")),
        ("December 5, 2024", ("2024-12-05", "day")),
        ("Dec. 5", ("2024-12-05", "day")),
        ("5 December 2024", ("2024-12-05", "day")),
        ("on Feb. 13", ("2025-02-13", "day")),
        ("the 5th of December", ("2024-12-05", "day")),
        ("December 2024", ("2024-12-01", "month")),
        ("between March 3 and 8", ("2025-03-03", "week")),
        ("Feb. 13-14", ("2025-02-13", "day")),
        ("between 2014 and 2021", ("2014-01-01", "year")),
        ("the previous day", ("2025-02-26", "day")),
        ("the weekend", ("2025-02-22", "week")),
        ("2024-12-05", ("2024-12-05", "day")),
        ("12/05/2024", ("2024-12-05", "day")),
    ],
)
def test_resolves(text: str, expected: tuple[str, str]) -> None:
    assert value(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "We managed to prevent him",
        "Officials may decide",
        "Thousands march through the capital",
        "They rested in the sun",
        "The Sunday Times reported",
        "The Good Friday Agreement",
        "More than 2,000 troops",
        "Resolution 2334",
        "a 35-year-old man",
        "the 1990s",
        "Unit 504",
        "A force of 2000 soldiers",
        "Russia Today broadcast it",
        "May God protect us",
        "for two weeks",
        "in recent days",
        "Jan Egeland visited",
        "April Ryan asked",
        "the day before the election",
        "The report cited 2023 figures",
        "a month later than planned",
        "the March 23 Movement",
    ],
)
def test_no_false_dates(text: str) -> None:
    assert find_expressions(text, THU) == []


def test_tense_moves_weekdays_months_and_yearless_dates() -> None:
    assert value("on Monday", tense="future") == ("2025-03-03", "day")
    assert value("in June", tense="future") == ("2025-06-01", "month")
    assert value("on March 1", tense="past") == ("2024-03-01", "day")
    assert value("on March 1") == ("2025-03-01", "day")  # unknown tense: two weeks of slack
    assert value("on March 20") == ("2024-03-20", "day")
    assert value("on Dec. 5", tense="future") == ("2025-12-05", "day")


def test_same_weekday_can_mean_a_week_back() -> None:
    resolver = TemporalResolver(same_weekday_is_publication_day=False)
    assert value("on Thursday", resolver=resolver) == ("2025-02-20", "day")


def test_anaphoric_dates_follow_the_last_day_named() -> None:
    found = find_expressions(
        "The ship docked on March 8. Two days later, it left.", THU, tense="past"
    )
    assert [(d.text, d.value.isoformat()) for d in found] == [
        ("March 8", "2024-03-08"),
        ("Two days later", "2024-03-10"),
    ]


def test_offsets_and_reasons() -> None:
    text = "Herzog told Kahana in an interview on Wednesday night."
    (found,) = find_expressions(text, THU)
    assert text[found.start : found.end] == found.text == "Wednesday night"
    assert "Wednesday" in found.reason


def test_no_publication_date_resolves_only_absolute_dates() -> None:
    assert value("on Wednesday", published=None) is None
    assert value("December 5, 2024", published=None) == ("2024-12-05", "day")


def test_dateparser_fallback_for_other_calendar_shapes() -> None:
    resolver = TemporalResolver()
    for text in ("December the 5th, 2024", "5-Dec-2024", "2024/12/05"):
        assert find_expressions(text, THU) == []  # not our patterns' shapes
        assert resolver.resolve_calendar_text(text, THU) == (dt.date(2024, 12, 5), "day")
    assert value("December the 5th, 2024") == ("2024-12-05", "day")
    assert resolver.resolve_calendar_text("the March 23 Movement", THU) is None  # our filters
    assert resolver.resolve_calendar_text("We", THU) is None
    off = TemporalResolver(use_dateparser=False)
    assert off.resolve_calendar_text("December the 5th, 2024", THU) is None


def test_weekday_names_inside_other_words_are_no_anchor() -> None:
    assert find_candidates("the holidays and the Decision") == []


# -- properties ------------------------------------------------------------------------------
dates = st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2040, 12, 31))
news_words = st.sampled_from(
    [*WEEKDAYS, "January", "May", "March", "Dec.", "Sept.", "2024", "1999", "12", "5th", "of",
     "last", "next", "this", "week", "month", "year", "ago", "two", "days", "the", "in", "on",
     "between", "and", "to", "-", ",", ".", "yesterday", "today", "early", "late", "mid-",
     "previous", "day", "later", "We", "may", "sun", "Times", "2,000", "/", "2024-12-05"]
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(text=st.text(max_size=200), published=dates | st.none())
def test_arbitrary_text_never_raises(text: str, published: dt.date | None) -> None:
    for found in find_expressions(text, published):
        assert text[found.start : found.end] == found.text


@settings(max_examples=300, deadline=None)
@given(
    words=st.lists(news_words, max_size=25),
    published=dates,
    tense=st.sampled_from([None, "past", "future"]),
)
def test_newsy_text_offsets_and_granularity(
    words: list[str], published: dt.date, tense: str | None
) -> None:
    text = " ".join(words)
    found = find_expressions(text, published, tense=tense)
    for item in found:
        assert text[item.start : item.end] == item.text
        assert item.granularity in ("day", "week", "month", "year")
        assert item.value is not None
    spans = sorted((f.start, f.end) for f in found)
    assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:], strict=False))  # no overlaps


@given(published=dates, weekday=st.sampled_from(WEEKDAYS))
def test_weekdays_point_to_the_last_week(published: dt.date, weekday: str) -> None:
    found = resolve_expression(f"on {weekday}", published)
    assert found is not None and found.value.strftime("%A") == weekday
    assert 0 <= (published - found.value).days < 7
    ahead = resolve_expression(f"on {weekday}", published, tense="future")
    assert ahead is not None and 0 <= (ahead.value - published).days < 7


@given(
    day=st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2099, 12, 31)), published=dates
)
def test_explicit_dates_are_exact(day: dt.date, published: dt.date) -> None:
    for text in (
        f"{day:%B} {day.day}, {day.year}",
        f"{day.day} {day:%B} {day.year}",
        day.isoformat(),
    ):
        found = resolve_expression(f"on {text}", published)
        assert found is not None and found.value == day and found.granularity == "day"
