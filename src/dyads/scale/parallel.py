"""Process-parallel coding with bounded memory and stable output order.

Each worker process builds its own :class:`~dyads.pipeline.Pipeline` once (the spaCy model and
dictionaries load once per worker) and codes whole batches. At most ``2 × processes`` batches are
in flight, so memory stays flat however long the input is, and results come back in input order.
Workers start from a clean ``forkserver`` process, never as forks of a parent holding DuckDB
connections or progress-bar threads, and only as many start as there are batches to code.
A worker rebuilds its pipeline every :data:`RENEW_AFTER` articles, because spaCy's vocabulary
grows with every new word it sees.

Failures:

- an exception while coding an article becomes an :class:`~dyads.records.ArticleError` in place
  (as with one process);
- a worker that cannot build its pipeline (no spaCy model, a bad stage name) raises the same
  exception in the calling process as ``Pipeline.pipe`` with one process would;
- a worker process that dies (killed by the out-of-memory killer, a crash in native code) takes
  down the pool: the batches in flight are coded again in a fresh pool, one at a time, and the
  articles of a batch that kills its worker again are retried one by one, so that only the
  article that kills a worker is reported (as an ``ArticleError`` of stage ``worker``).
"""

from __future__ import annotations

import gc
import logging
import math
import multiprocessing
import os
import signal
from collections import deque
from collections.abc import Iterable, Iterator, Mapping
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..records import Article, ArticleError

if TYPE_CHECKING:  # pragma: no cover
    from ..config import Config
    from ..pipeline import Pipeline, Result

log = logging.getLogger(__name__)

Batch = list[Article | ArticleError]
# spaCy's vocabulary grows with every new word a worker sees; rebuilding the pipeline after this
# many articles keeps a worker's memory flat on an endless stream (a rebuild takes seconds).
RENEW_AFTER = 50_000
# A pool that breaks this many times in a row without coding anything is not coming back.
MAX_CONSECUTIVE_BREAKS = 3
DIED = "the worker process died while coding this article (killed, out of memory, or a crash)"


class _WorkerState:
    """Per-process state of a worker: its pipeline, or why it could not be built.

    Class attributes, set by :func:`_init_worker` and :func:`_work` in each worker process; the
    parent process never sets them.
    """

    pipeline: Pipeline | None = None
    error: BaseException | None = None
    config_data: Mapping[str, Any] = {}
    renew_after: int = RENEW_AFTER
    coded: int = 0  # articles coded by the current pipeline


def build_worker_pipeline(config_data: Mapping[str, Any]) -> Pipeline:
    """A loaded pipeline, its objects moved out of the garbage collector's sight.

    The model and dictionaries are some 150,000 Python objects that live as long as the worker;
    without ``gc.freeze`` every full collection (and coding allocates enough to trigger them)
    walks them all again, about 5% of a worker's time. A pipeline being replaced is unfrozen
    first so that it can be collected.
    """
    from ..config import Config
    from ..pipeline import Pipeline

    gc.unfreeze()
    pipeline = Pipeline(Config(config_data))
    _ = pipeline.nlp, pipeline.stages  # load now, not in the first task
    gc.collect()
    gc.freeze()
    return pipeline


def _init_worker(
    config_data: Mapping[str, Any], log_level: int, renew_after: int = RENEW_AFTER
) -> None:
    # Ctrl-C reaches the whole process group: the parent stops the pool (letting running batches
    # finish), so workers ignore it instead of each printing a KeyboardInterrupt traceback.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    logging.basicConfig(level=log_level, format="dyads: %(levelname)s: %(message)s")
    _WorkerState.config_data, _WorkerState.renew_after = config_data, renew_after
    try:
        _WorkerState.pipeline = build_worker_pipeline(config_data)
    except Exception as err:  # raised again by every task, so the parent sees the real reason
        _WorkerState.error = err


def _work(batch: Batch) -> list[Result]:
    if _WorkerState.error is not None:
        raise _WorkerState.error
    if _WorkerState.coded >= _WorkerState.renew_after:
        log.debug("rebuilding the pipeline after %d articles", _WorkerState.coded)
        _WorkerState.pipeline, _WorkerState.coded = None, 0  # free the old one first
        try:
            _WorkerState.pipeline = build_worker_pipeline(_WorkerState.config_data)
        except Exception as err:
            _WorkerState.error = err
            raise
    pipeline = _WorkerState.pipeline
    assert pipeline is not None, "worker used before _init_worker"
    _WorkerState.coded += len(batch)
    try:
        return pipeline.process_batch(batch)
    except Exception as err:  # keep the run going; every article of the batch is reported
        log.exception("worker batch failed")
        return [
            item
            if isinstance(item, ArticleError)
            else ArticleError(
                item.origin, f"worker failed: {type(err).__name__}: {err}", item.id, stage="worker"
            )
            for item in batch
        ]


def _cgroup_cpus() -> int | None:
    """The CPU limit of a cgroup v2 quota (containers), if one is set."""
    try:
        quota, period = Path("/sys/fs/cgroup/cpu.max").read_text().split()[:2]
        if quota != "max":
            return max(1, math.ceil(int(quota) / int(period)))
    except (OSError, ValueError):
        pass
    return None


def default_processes() -> int:
    """The CPUs this process may use: its affinity mask, capped by a container's CPU quota."""
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    quota = _cgroup_cpus()
    return max(1, min(cpus or 1, quota or cpus or 1))


class _Pool:
    """A ProcessPoolExecutor of pipeline workers that can be replaced when a worker dies."""

    def __init__(self, config: Config, processes: int, renew_after: int = RENEW_AFTER):
        method = (
            "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"
        )
        self.context = multiprocessing.get_context(method)
        level = logging.getLogger().getEffectiveLevel()
        self.initargs = (dict(config.data), level, renew_after)
        self.processes = processes
        self.executor = self._new()

    def _new(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(
            max_workers=self.processes,
            mp_context=self.context,
            initializer=_init_worker,
            initargs=self.initargs,
        )

    def submit(self, batch: Batch) -> Future[list[Result]]:
        try:
            return self.executor.submit(_work, batch)
        except BrokenProcessPool as err:  # a worker died since the last result: recover later
            future: Future[list[Result]] = Future()
            future.set_exception(err)
            return future

    def renew(self) -> None:
        self.executor.shutdown(wait=True, cancel_futures=True)
        self.executor = self._new()

    def close(self) -> None:
        self.executor.shutdown(wait=True, cancel_futures=True)


def _result(future: Future[list[Result]]) -> list[Result] | None:
    """The results of a finished task, or None when its worker died."""
    try:
        return future.result()
    except BrokenProcessPool:
        return None


def _recover(pool: _Pool, pending: deque[tuple[Batch, Future[list[Result]]]]) -> Iterator[Result]:
    """After a worker died: code every unfinished batch again, one at a time, in a new pool."""
    log.warning("a worker process died; coding the %d batches in flight again", len(pending))
    pool.renew()
    breaks = 0
    while pending:
        batch, future = pending.popleft()
        results = _result(future) if future.done() else None
        if results is None:
            results = _result(pool.submit(batch))
        if results is not None:
            breaks = 0
            yield from results
            continue
        pool.renew()  # this batch kills its worker: find the article that does
        for item in batch:
            if isinstance(item, ArticleError):
                yield item
                continue
            single = _result(pool.submit([item]))
            if single is not None:
                breaks = 0
                yield from single
                continue
            breaks += 1
            if breaks >= MAX_CONSECUTIVE_BREAKS:
                raise RuntimeError(
                    f"worker processes died on {breaks} articles in a row; giving up "
                    "(out of memory? try fewer --processes or a smaller --batch-size)"
                )
            log.error("%s (article %s): %s", item.origin, item.id, DIED)
            yield ArticleError(item.origin, DIED, item.id, stage="worker")
            pool.renew()


def parallel_pipe(
    config: Config,
    batches: Iterable[Batch],
    processes: int,
    max_pending: int | None = None,
    renew_after: int = RENEW_AFTER,
) -> Iterator[Result]:
    """Code ``batches`` in ``processes`` worker processes; results in input order.

    At most ``max_pending`` batches (default ``2 × processes``) are read ahead of the results the
    caller has taken, so memory does not grow with the input. Closing the generator early
    cancels the batches not yet started. Each worker rebuilds its pipeline after
    ``renew_after`` articles.
    """
    limit = max(1, max_pending or 2 * processes)
    pool = _Pool(config, processes, renew_after)
    pending: deque[tuple[Batch, Future[list[Result]]]] = deque()

    def drain(until: int) -> Iterator[Result]:
        while len(pending) > until:
            batch, future = pending[0]
            results = _result(future)
            if results is None:
                yield from _recover(pool, pending)
                return
            pending.popleft()
            yield from results

    try:
        for batch in batches:
            pending.append((batch, pool.submit(batch)))
            yield from drain(limit - 1)
        yield from drain(0)
    finally:
        pool.close()
