"""The dates and places test sets (>= 95% right), the corpus figures and the quality.md section."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from dyads.config import Config
from dyads.evaluation.when_where import (
    PLACE_CASES,
    TEMPORAL_CASES,
    CorpusFigures,
    SetScore,
    Timing,
    WhenWhereResult,
    evaluate_when_where,
    load_cases,
    score_places,
    score_temporal,
    when_where_section,
)
from dyads.resources import Resources

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def temporal_cases():
    return load_cases(ROOT / TEMPORAL_CASES)


@pytest.fixture(scope="module")
def place_cases():
    return load_cases(ROOT / PLACE_CASES)


def test_the_test_sets_are_big_and_well_formed(temporal_cases, place_cases) -> None:
    positives = [c for c in temporal_cases if c["expected"]]
    assert len(positives) >= 150 and len(temporal_cases) - len(positives) >= 20
    for case in positives:
        dt.date.fromisoformat(case["published"])
        dt.date.fromisoformat(case["expected"]["value"])
        assert case["expected"]["granularity"] in ("day", "week", "month", "year")
        assert case["expected"]["text"] in case["text"], case
    located = [c for c in place_cases if c["expected"]]
    assert len(located) >= 150 and len(place_cases) - len(located) >= 15
    for case in located:
        assert case["expected"]["text"] in case["text"], case
        assert len(case["expected"]["country"]) == 3


def test_the_resolver_alone_on_the_temporal_set(temporal_cases) -> None:
    """Without a parse there is no tense: a few future- and past-tense cases are lost."""
    score = score_temporal(temporal_cases)
    assert score.accuracy >= 0.90, [m.text for m in score.misses]


@pytest.mark.slow
def test_the_temporal_set_is_95_percent_right(nlp, temporal_cases) -> None:
    score = score_temporal(temporal_cases, nlp)
    assert score.accuracy >= 0.95, [(m.text, m.expected, m.got) for m in score.misses]


@pytest.mark.slow
def test_the_place_set_is_95_percent_right(nlp, place_cases) -> None:
    score = score_places(place_cases, nlp, Resources(Config.load()))
    assert score.accuracy >= 0.95, [(m.text, m.expected, m.got) for m in score.misses]


@pytest.mark.slow
def test_the_section_from_a_pipeline(pipeline, tmp_path) -> None:
    """`dyads eval` passes its Pipeline; a missing corpus just leaves its figures out."""
    text = when_where_section(pipeline, corpus_path=tmp_path / "absent.jsonl")
    assert text.startswith("## When and where") and "| place mentions" in text


@pytest.mark.slow
def test_the_whole_evaluation_on_part_of_the_corpus(nlp, voa_path, seed_path) -> None:
    result = evaluate_when_where(nlp, corpus_path=voa_path, seed_path=seed_path, max_articles=12)
    assert result.temporal.accuracy >= 0.95 and result.places.accuracy >= 0.95
    assert all(ok for _, ok, _ in result.seed), result.seed
    corpus = result.corpus
    assert corpus is not None and corpus.articles == 12 and corpus.expressions > 0
    assert result.timing is not None and result.timing.fraction < 0.10
    assert result.timing.gazetteer_load_s < 1.0
    text = result.markdown()
    assert text.startswith("## When and where") and "voa_stories.jsonl" in text


def test_the_markdown_section() -> None:
    result = WhenWhereResult(
        SetScore("temporal expressions", 160, 158),
        SetScore("place mentions", 170, 165),
        seed=[("the statement is dated 2025-02-26 (day)", True, "'Wednesday night'")],
        corpus=CorpusFigures("../shared/corpora/voa_stories.jsonl", 89, events=700,
                             events_own_date=100, events_other_date=90, events_located=80,
                             expressions=650, articles_with_expression=87, places=550,
                             articles_with_place=84, stages=("segment", "dates", "places")),
        timing=Timing(parse_ms=80.0, dates_ms=2.0, places_ms=2.0, gazetteer_load_s=0.3),
    )  # fmt: skip
    text = when_where_section(result)
    assert "| temporal expressions (`tests/data/temporal_cases.yaml`) | 160 | 158 | 98.8% |" in text
    assert "700 events; 100 (14.3%)" in text and "90 (12.9%)" in text
    assert "5.0% of the parse" in text and "0.30 s" in text
    assert "✔ the statement" in text


def test_without_a_model_only_the_temporal_set_is_scored(tmp_path) -> None:
    result = evaluate_when_where(None)
    assert result.mode == "resolver only" and result.temporal.total >= 170
    assert result.places.total == 0 and result.corpus is None
    assert "When and where" in result.markdown()
