"""The pipeline end to end: batching, errors in place, streaming in constant memory."""

import gc
import tracemalloc

import pytest

from dyads.config import Config
from dyads.pipeline import Pipeline
from dyads.records import Article, ArticleError, CodedArticle, Document

pytestmark = pytest.mark.slow


def test_code_one_article(pipeline):
    coded = pipeline(
        Article.from_text("Germany imposed sanctions on Iran on Monday.", "2025-02-27")
    )
    assert isinstance(coded, CodedArticle)
    (event,) = [e for e in coded.events if e.cameo.code == "163"]
    assert event.source.actor.country == "DEU" and event.target.actor.country == "IRN"


def test_errors_pass_through_in_order(pipeline):
    items = [
        Article.from_text("Russia's army shelled Kharkiv.", "2025-02-27"),
        ArticleError("x.txt", "broken"),
        Article.from_text("Hello.", "2025-02-27"),
    ]
    results = list(pipeline.pipe(items, batch_size=2))
    assert [type(r).__name__ for r in results] == ["CodedArticle", "ArticleError", "CodedArticle"]


def boom(document: Document) -> Document:
    if "boom" in document.article.text:
        raise ValueError("kaboom")
    return document


def make_boom(resources, config):
    return boom


def test_a_failing_article_does_not_stop_the_batch():
    config = Config.load(overrides={"pipeline": {"stages": ["segment", "test_pipeline:make_boom"]}})
    pipeline = Pipeline(config)
    results = list(
        pipeline.pipe(
            [Article.from_text(t, "2025-01-01") for t in ("fine one", "boom here", "fine two")]
        )
    )
    assert [type(r).__name__ for r in results] == ["CodedArticle", "ArticleError", "CodedArticle"]
    assert "kaboom" in results[1].reason and "boom" in results[1].stage


def test_long_articles_are_cut_with_a_note():
    config = Config.load(
        overrides={"nlp": {"max_chars": 2000}, "pipeline": {"stages": ["segment"]}}
    )
    text = "Troops crossed the border. " * 400
    coded = Pipeline(config)(Article.from_text(text, "2025-01-01"))
    assert coded.notes and "cut to" in coded.notes[0]
    assert coded.sentences[-1].end <= 2001


def test_streaming_memory_is_flat():
    """10,000 small articles through a generator: memory does not grow with the input."""
    config = Config.load(
        overrides={"pipeline": {"stages": ["segment", "actors", "quotes", "coding", "modality"]}}
    )
    pipeline = Pipeline(config)

    countries = ["Iran", "Syria", "Cuba", "Venezuela", "Russia", "Belarus", "Myanmar", "Sudan"]

    def articles(n):
        # 10,000 distinct articles over a bounded vocabulary: spaCy's own string store grows
        # with every new word (a property of spaCy, see docs/scale.md); this test is about
        # what dyads itself keeps
        for i in range(n):
            text = f"Germany imposed sanctions on {countries[i % 8]} on day {i % 28 + 1}."
            yield Article.from_text(text, "2025-02-27", id=f"a{i}")

    def run(n):
        count = 0
        for result in pipeline.pipe(articles(n), batch_size=64):
            count += len(result.events)
        return count

    from dyads.dictionaries.normalize import fold, name_key

    # Bounded caches filled by earlier tests would evict untraced entries and let traced ones
    # pile up (a tracemalloc artefact): start them empty, then warm up.
    fold.cache_clear()
    name_key.cache_clear()
    run(200)
    gc.collect()
    tracemalloc.start()
    run(1000)
    gc.collect()
    small_kept, small_peak = tracemalloc.get_traced_memory()
    tracemalloc.reset_peak()
    events = run(10000)
    gc.collect()
    large_kept, large_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert events >= 10000
    # what stays after a run does not grow with the input ...
    assert large_kept < small_kept + 1_000_000, (small_kept, large_kept)
    # ... and the peak stays of the order of one batch: cyclic garbage waits for the collector,
    # so peaks vary, but holding 10,000 coded articles would take well over 50 MB
    assert large_peak < 3 * small_peak + 4_000_000, (small_peak, large_peak)


def test_parallel_output_equals_serial(pipeline):
    texts = [
        f"Germany imposed sanctions on Iran. Russia's army shelled Kharkiv {i} times."
        for i in range(12)
    ]
    items = [Article.from_text(t, "2025-02-27", id=f"p{i}") for i, t in enumerate(texts)]
    serial = [
        [(e.cameo.code, e.trigger.start) for e in r.events]
        for r in pipeline.pipe(items, batch_size=4)
    ]
    parallel = [
        [(e.cameo.code, e.trigger.start) for e in r.events]
        for r in pipeline.pipe(items, batch_size=4, processes=2)
    ]
    assert serial == parallel and any(serial)
