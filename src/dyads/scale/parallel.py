"""Process-parallel coding with bounded memory and stable output order.

Each worker process builds its own :class:`~dyads.pipeline.Pipeline` once (the spaCy model and
dictionaries load once per worker) and codes whole batches. At most ``2 × processes`` batches are
in flight, so memory stays flat however long the input is, and results come back in input order.
Workers start from a clean ``forkserver`` process, never as forks of a parent holding DuckDB
connections or progress-bar threads.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
from collections import deque
from collections.abc import Iterable, Iterator, Mapping
from concurrent.futures import Future, ProcessPoolExecutor
from typing import TYPE_CHECKING, Any

from ..records import Article, ArticleError

if TYPE_CHECKING:  # pragma: no cover
    from ..config import Config
    from ..pipeline import Pipeline, Result

log = logging.getLogger(__name__)


class _WorkerState:
    """The pipeline of the current worker process (one per process, built by the initializer)."""

    pipeline: Pipeline | None = None


def _init_worker(config_data: Mapping[str, Any], log_level: int) -> None:
    from ..config import Config
    from ..pipeline import Pipeline

    logging.basicConfig(level=log_level, format="%(levelname)s %(name)s: %(message)s")
    _WorkerState.pipeline = Pipeline(Config(config_data))
    _ = _WorkerState.pipeline.nlp, _WorkerState.pipeline.stages  # load now, not in the first task


def _work(batch: list[Article | ArticleError]) -> list[Result]:
    pipeline = _WorkerState.pipeline
    assert pipeline is not None, "worker used before _init_worker"
    try:
        return pipeline.process_batch(batch)
    except Exception as err:  # keep the run going; every article of the batch is reported
        log.exception("worker batch failed")
        return [
            item
            if isinstance(item, ArticleError)
            else ArticleError(item.origin, f"worker failed: {type(err).__name__}: {err}", item.id)
            for item in batch
        ]


def default_processes() -> int:
    return max(
        1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    )


def parallel_pipe(
    config: Config,
    batches: Iterable[list[Article | ArticleError]],
    processes: int,
    max_pending: int | None = None,
) -> Iterator[Result]:
    method = "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"
    context = multiprocessing.get_context(method)
    limit = max_pending or 2 * processes
    with ProcessPoolExecutor(
        max_workers=processes,
        mp_context=context,
        initializer=_init_worker,
        initargs=(dict(config.data), logging.getLogger().getEffectiveLevel()),
    ) as executor:
        pending: deque[Future[list[Result]]] = deque()
        for batch in batches:
            pending.append(executor.submit(_work, batch))
            while len(pending) >= limit:
                yield from pending.popleft().result()
        while pending:
            yield from pending.popleft().result()
