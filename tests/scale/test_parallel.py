"""Process-parallel coding: input order, bounded read-ahead, worker failures, same events.

Most tests use spaCy's blank English pipeline and small stages defined here (workers import
this module by name), so they need processes but not the trained model.
"""

from __future__ import annotations

import os
import time
from dataclasses import replace

import pytest

from dyads.config import Config
from dyads.pipeline import Pipeline, batched
from dyads.records import Article, ArticleError, CodedArticle, Document
from dyads.scale.parallel import default_processes, parallel_pipe

pytestmark = pytest.mark.slow


# -- stages the workers load by name ("test_parallel:make_...") ----------------------------------


def make_sleepy(resources, config):
    """Articles that say "slow" take a while: later batches finish before earlier ones."""

    def stage(document: Document) -> Document:
        if "slow" in document.article.text:
            time.sleep(0.4)
        elif "nap" in document.article.text:
            time.sleep(0.05)
        return replace(document, notes=(f"pid {os.getpid()}",))

    return stage


def make_crashy(resources, config):
    """An article that says "CRASH" kills its worker process outright (like the OOM killer)."""

    def stage(document: Document) -> Document:
        if "CRASH" in document.article.text:
            os._exit(17)
        return document

    return stage


class _Builds:
    count = 0  # pipelines built in this (worker) process


def make_counted(resources, config):
    """Notes which pipeline of its worker coded each article."""
    _Builds.count += 1
    build = f"{os.getpid()}:{_Builds.count}"

    def stage(document: Document) -> Document:
        return replace(document, notes=(build,))

    return stage


def config_with(stage: str) -> Config:
    return Config.load(overrides={"nlp": {"model": "blank:en"}, "pipeline": {"stages": [stage]}})


def article(i: int, word: str = "fine") -> Article:
    return Article.from_text(f"Article {i} is {word}.", "2025-01-01", id=f"a{i:03d}")


# -- tests ------------------------------------------------------------------------------------------


def test_results_come_back_in_input_order():
    items: list[Article | ArticleError] = []
    for i in range(40):
        items.append(article(i, "slow" if i % 10 == 0 else "nap" if i % 3 else "fine"))
        if i % 7 == 0:
            items.append(ArticleError(f"input:{i}", "unreadable"))
    results = list(Pipeline(config_with("test_parallel:make_sleepy")).pipe(items, 3, processes=2))
    assert [getattr(r, "article", r) for r in results] == items
    pids = {r.notes[0] for r in results if isinstance(r, CodedArticle)}
    assert len(pids) == 2, "both workers coded articles"


def test_input_is_read_at_most_max_pending_batches_ahead():
    read = 0

    def batches():
        nonlocal read
        for i in range(30):
            read += 1
            yield [article(i, "nap")]

    taken = 0
    for _ in parallel_pipe(config_with("test_parallel:make_sleepy"), batches(), 2, max_pending=3):
        taken += 1
        assert read - taken <= 3, f"read {read} batches with only {taken} results taken"
    assert taken == 30


def test_closing_early_does_not_code_the_rest():
    items = [article(i, "slow") for i in range(60)]
    stream = Pipeline(config_with("test_parallel:make_sleepy")).pipe(items, 1, processes=2)
    first = next(stream)
    started = time.perf_counter()
    stream.close()  # cancels what has not started: no 60 × 0.4 s wait
    assert time.perf_counter() - started < 5
    assert first.article.id == "a000"


def test_a_worker_that_cannot_start_raises_the_real_error():
    from dyads.registry import UnknownStage

    pipeline = Pipeline(config_with("no_such_stage"))
    with pytest.raises(UnknownStage, match="no_such_stage"):
        list(pipeline.pipe([article(i) for i in range(4)], 2, processes=2))


def test_a_dying_worker_loses_only_its_article():
    items = [article(i, "CRASH" if i == 13 else "fine") for i in range(24)]
    results = list(Pipeline(config_with("test_parallel:make_crashy")).pipe(items, 4, processes=2))
    assert len(results) == len(items)
    failed = [r for r in results if isinstance(r, ArticleError)]
    assert [(e.article_id, e.stage) for e in failed] == [("a013", "worker")]
    assert "died" in failed[0].reason
    coded = [r.article for r in results if isinstance(r, CodedArticle)]
    assert coded == [a for a in items if a.id != "a013"]


def test_a_worker_rebuilds_its_pipeline_every_renew_after_articles():
    batches = batched((article(i) for i in range(16)), 2)
    results = list(
        parallel_pipe(config_with("test_parallel:make_counted"), batches, 1, renew_after=4)
    )
    builds = [r.notes[0] for r in results]
    assert len(results) == 16 and len({b.split(":")[0] for b in builds}) == 1
    assert [b.split(":")[1] for b in builds] == [str(1 + i // 4) for i in range(16)]


def test_default_processes_is_the_usable_cpu_count():
    from dyads.cli.common import resolve_processes

    n = default_processes()
    assert 1 <= n <= (os.cpu_count() or 1)
    assert resolve_processes(None) == n and resolve_processes(3) == 3


def test_parallel_events_equal_serial_events_on_the_samples(pipeline):
    """The real pipeline over every bundled sample: 2 processes give the 1-process output."""
    from pathlib import Path

    from dyads.export.contract import article_dict
    from dyads.readers import read

    samples = Path(__file__).resolve().parents[2] / "samples"
    serial = [article_dict(r) for r in pipeline.pipe(read([samples]), batch_size=2)]
    parallel = [article_dict(r) for r in pipeline.pipe(read([samples]), batch_size=2, processes=2)]
    assert parallel == serial
    assert sum(len(a["events"]) for a in serial) > 0


def test_batched_reads_lazily():
    seen = []

    def items():
        for i in range(10):
            seen.append(i)
            yield i

    stream = batched(items(), 3)
    assert next(stream) == [0, 1, 2] and seen == [0, 1, 2]
