"""Code articles on Spark: JSONL or Parquet articles in, event Parquet out.

    from pyspark.sql import SparkSession
    from dyads.scale.spark import code_spark

    spark = SparkSession.builder.getOrCreate()
    report = code_spark(spark, "s3://bucket/articles/2025-03-*.jsonl", "s3://bucket/events/2025-03")

Articles are read into a DataFrame (JSON lines through Spark's JSON reader with a fixed schema,
or Parquet), turned into :class:`~dyads.records.Article` records exactly as ``dyads code`` turns
a JSONL line or a Parquet row into one (:func:`dyads.readers.tabular.article_from_record`), and
coded partition by partition with ``mapInArrow``: each Python worker process builds one
:class:`~dyads.pipeline.Pipeline` and keeps it for every task it runs. The events are written as
Parquet with the columns of :data:`dyads.export.parquet.EVENT_SCHEMA` (the flat event row), which
``dyads ingest --parquet``, DuckDB, pandas and Spark read directly; the rows of one article are
consecutive within a file. Articles that cannot be read or coded go to a separate Parquet output
(``OUTPUT/_errors`` by default; Spark's readers skip ``_``-prefixed paths) with the columns
``origin, article_id, stage, reason``; they never fail the job.

Everything the executors need travels in the task closure (the merged configuration as plain
data); ``dyads`` itself, spaCy and the model must be installed on the executors (docs/scale.md).
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import logging
import time
import warnings
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from ..export.contract import event_dict
from ..export.parquet import EVENT_COLUMN_NAMES, EVENT_COLUMNS, flatten_event
from ..readers.decode import InputError
from ..readers.tabular import DATE_FIELDS, article_from_record
from ..records import Article, ArticleError, CodedArticle

if TYPE_CHECKING:  # pragma: no cover
    from pyspark.sql import DataFrame, SparkSession

    from ..config import Config
    from ..pipeline import Pipeline

log = logging.getLogger(__name__)

#: The article fields read from JSON lines and Parquet (all as strings from JSON).
ARTICLE_FIELDS: tuple[str, ...] = ("id", "url", "title", *DATE_FIELDS, "text")
CORRUPT = "_corrupt_record"
ORIGIN = "_origin"
KIND = "_kind"  # one row per event ("event"), per failed input ("error"), per coded article
ERROR_COLUMNS: tuple[str, ...] = ("origin", "article_id", "stage", "reason")

_CODED_SCHEMA = pa.schema(
    [pa.field(name, kind) for name, kind in EVENT_COLUMNS]
    + [pa.field(KIND, pa.string())]
    + [pa.field(f"error_{name}", pa.string()) for name in ERROR_COLUMNS]
)


@dataclass(frozen=True)
class SparkReport:
    """What a run did: counts, where it wrote, how long it took."""

    articles: int
    events: int
    errors: int
    output: str
    errors_output: str
    seconds: float

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


# -- on the executors ---------------------------------------------------------------------------


class _ExecutorPipeline:
    """The pipeline of this Python worker process, kept across the tasks the worker runs.

    Spark reuses Python workers (``spark.python.worker.reuse``, on by default), so the spaCy model
    and the dictionaries load once per worker process, not once per partition. Set only inside
    executor processes; keyed by the configuration so that two jobs with different configurations
    in one session do not share a pipeline, and rebuilt every
    :data:`~dyads.scale.parallel.RENEW_AFTER` articles (spaCy's vocabulary only grows).
    """

    key: str | None = None
    pipeline: Pipeline | None = None
    coded: int = 0

    @classmethod
    def get(cls, config_data: Mapping[str, Any], articles: int = 0) -> Pipeline:
        """The pipeline for ``config_data``, about to code ``articles`` more articles."""
        from .parallel import RENEW_AFTER, build_worker_pipeline

        key = json.dumps(config_data, sort_keys=True, default=str)
        if cls.pipeline is None or cls.key != key or cls.coded >= RENEW_AFTER:
            cls.pipeline, cls.key, cls.coded = None, None, 0  # free the old one first
            cls.pipeline, cls.key = build_worker_pipeline(config_data), key
        cls.coded += articles
        return cls.pipeline


def _to_article(row: Mapping[str, Any], default_date: dt.date | None) -> Article | ArticleError:
    origin = row.get(ORIGIN) or "<spark input>"
    corrupt = row.get(CORRUPT)
    if corrupt is not None:
        shown = corrupt if len(corrupt) <= 80 else corrupt[:77] + "..."
        return ArticleError(origin, f"malformed JSON line: {shown!r}")
    record = {name: row.get(name) for name in ARTICLE_FIELDS}
    try:
        return article_from_record(record, origin, default_date)
    except InputError as err:
        rid = record.get("id")
        return ArticleError(origin, str(err), None if rid is None else str(rid))


def _rows(result: CodedArticle | ArticleError) -> Iterator[dict[str, Any]]:
    if isinstance(result, ArticleError):
        yield {
            KIND: "error",
            "error_origin": result.origin,
            "error_article_id": result.article_id,
            "error_stage": result.stage,
            "error_reason": result.reason,
        }
        return
    for event in result.events:
        row = flatten_event(event_dict(event, result.article))
        row[KIND] = "event"
        yield row
    yield {KIND: "article", "article_id": result.article.id}


def code_arrow_batches(
    batches: Iterator[pa.RecordBatch],
    config_data: Mapping[str, Any],
    default_date: dt.date | None = None,
    batch_size: int | None = None,
) -> Iterator[pa.RecordBatch]:
    """The ``mapInArrow`` function: article batches in, flat event (and error) rows out.

    Exposed for users' own Spark pipelines; :func:`code_dataframe` wraps it.
    """
    for batch in batches:
        size = batch_size or _ExecutorPipeline.get(config_data).batch_size
        for start in range(0, batch.num_rows, size):
            items = [_to_article(row, default_date) for row in batch.slice(start, size).to_pylist()]
            pipeline = _ExecutorPipeline.get(config_data, len(items))
            rows = [row for result in pipeline.process_batch(items) for row in _rows(result)]
            yield pa.RecordBatch.from_pylist(rows, schema=_CODED_SCHEMA)


# -- on the driver ------------------------------------------------------------------------------


def _spark_schema(schema: pa.Schema) -> Any:
    from pyspark.sql.pandas.types import from_arrow_schema

    return from_arrow_schema(schema)


def _guess_format(paths: Sequence[str]) -> str:
    from pathlib import Path

    for path in paths:
        name = path.rstrip("/").lower()
        if name.endswith(".parquet") or name.endswith(".pq"):
            return "parquet"
        local = Path(path)
        if "://" not in path and local.is_dir() and any(local.glob("*.parquet")):
            return "parquet"
    return "jsonl"


def read_articles(
    spark: SparkSession, input_path: str | Sequence[str], input_format: str | None = None
) -> DataFrame:
    """A DataFrame of articles (:data:`ARTICLE_FIELDS`, plus the input file and, for JSON, the
    malformed lines) from JSON lines or Parquet files, directories or globs."""
    from pyspark.sql import functions as F
    from pyspark.sql.types import StringType, StructField, StructType

    paths = [input_path] if isinstance(input_path, str) else list(input_path)
    fmt = input_format or _guess_format(paths)
    if fmt in ("jsonl", "json", "ndjson"):
        schema = StructType(
            [StructField(name, StringType()) for name in ARTICLE_FIELDS]
            + [StructField(CORRUPT, StringType())]
        )
        frame = (
            spark.read.schema(schema)
            .option("mode", "PERMISSIVE")
            .option("columnNameOfCorruptRecord", CORRUPT)
            .json(paths)
        )
    elif fmt == "parquet":
        frame = spark.read.parquet(*paths)
        if "text" not in frame.columns:
            raise ValueError(
                f"{', '.join(paths)}: no 'text' column (columns: {', '.join(frame.columns)})"
            )
        columns = [
            F.col(name) if name in frame.columns else F.lit(None).cast("string").alias(name)
            for name in ARTICLE_FIELDS
        ]
        frame = frame.select(*columns, F.lit(None).cast("string").alias(CORRUPT))
    else:
        raise ValueError(f"unknown input format {fmt!r} (jsonl or parquet)")
    return frame.withColumn(ORIGIN, F.input_file_name())


def code_dataframe(
    articles: DataFrame,
    config: Config | None = None,
    default_date: dt.date | None = None,
    batch_size: int | None = None,
) -> DataFrame:
    """Code a DataFrame of articles (columns as :func:`read_articles` gives them; only ``text``
    is required). Returns one row per event (the flat event columns), per input that failed
    (``error_*`` columns) and per coded article, told apart by the ``_kind`` column."""
    from pyspark.sql import functions as F

    from ..config import Config

    config = config or Config.load()
    for name in (*ARTICLE_FIELDS, CORRUPT, ORIGIN):
        if name not in articles.columns:
            articles = articles.withColumn(name, F.lit(None).cast("string"))
    articles = articles.select(*ARTICLE_FIELDS, CORRUPT, ORIGIN)
    func = functools.partial(
        code_arrow_batches,
        config_data=dict(config.data),
        default_date=default_date,
        batch_size=batch_size,
    )
    with warnings.catch_warnings():  # pyspark 4.3 on pandas 3; the Arrow path does not use pandas
        warnings.filterwarnings("ignore", message="PySpark does not yet fully support pandas")
        return articles.mapInArrow(func, _spark_schema(_CODED_SCHEMA))


def code_spark(
    spark: SparkSession,
    input_path: str | Sequence[str],
    output_path: str,
    config: Config | None = None,
    *,
    input_format: str | None = None,
    errors_path: str | None = None,
    mode: str = "errorifexists",
    partitions: int | None = None,
    default_date: dt.date | None = None,
    batch_size: int | None = None,
) -> SparkReport:
    """Read articles, code them on the cluster and write events (and errors) as Parquet.

    ``partitions``: how many tasks to split the articles into; by default the input's own
    partitioning, raised to the session's default parallelism when it has fewer partitions
    (a single small file would otherwise be coded by one core). ``mode`` is Spark's save mode
    (``errorifexists``, ``overwrite``, ...). Errors go to ``errors_path`` (default
    ``OUTPUT/_errors``).
    """
    from pyspark import StorageLevel
    from pyspark.sql import functions as F

    started = time.perf_counter()
    errors_path = errors_path or output_path.rstrip("/") + "/_errors"
    articles = read_articles(spark, input_path, input_format)
    wanted = partitions or _default_partitions(spark, articles)
    if wanted and wanted != _partitions(articles):
        articles = articles.repartition(wanted)
    coded = code_dataframe(articles, config, default_date, batch_size)
    # Events and errors are two outputs of one pass: keep the coded rows instead of coding twice.
    coded = coded.persist(StorageLevel.MEMORY_AND_DISK)
    try:
        events = coded.filter(F.col(KIND) == "event").select(*EVENT_COLUMN_NAMES)
        events.write.mode(mode).option("compression", "zstd").parquet(output_path)
        errors = coded.filter(F.col(KIND) == "error").select(
            *[F.col(f"error_{name}").alias(name) for name in ERROR_COLUMNS]
        )
        errors.write.mode(mode).option("compression", "zstd").parquet(errors_path)
        counts = {row[KIND]: row["count"] for row in coded.groupBy(KIND).count().collect()}
    finally:
        coded.unpersist()
    return SparkReport(
        articles=int(counts.get("article", 0)),
        events=int(counts.get("event", 0)),
        errors=int(counts.get("error", 0)),
        output=output_path,
        errors_output=errors_path,
        seconds=round(time.perf_counter() - started, 2),
    )


def _partitions(frame: DataFrame) -> int | None:
    try:
        return frame.rdd.getNumPartitions()
    except Exception:  # Spark Connect has no RDDs: leave the partitioning alone
        return None


def _default_partitions(spark: SparkSession, frame: DataFrame) -> int | None:
    current = _partitions(frame)
    try:
        parallelism = spark.sparkContext.defaultParallelism
    except Exception:  # Spark Connect
        return None
    if current is not None and current < parallelism:
        return parallelism
    return None
