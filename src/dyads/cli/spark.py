"""``dyads spark``: code JSONL/Parquet articles on Spark and write event Parquet."""

from __future__ import annotations

import json
import logging
import os
import sys
import warnings

import click

from .common import _date, build_config

log = logging.getLogger("dyads")


def _conf(
    ctx: click.Context, param: click.Parameter, values: tuple[str, ...]
) -> list[tuple[str, str]]:
    pairs = []
    for value in values:
        key, sep, setting = value.partition("=")
        if not sep or not key.strip():
            raise click.BadParameter(f"{value!r} is not KEY=VALUE")
        pairs.append((key.strip(), setting))
    return pairs


def _session(master: str | None, conf: list[tuple[str, str]], quiet: bool, verbose: bool):
    """The Spark session to run in, and whether this command started it (and so stops it)."""
    from pyspark.sql import SparkSession

    existing = SparkSession.getActiveSession()

    under_spark_submit = "PYSPARK_GATEWAY_PORT" in os.environ
    local = master is None or master.startswith("local")
    if not under_spark_submit and local:
        # Local mode: the Python workers must be this interpreter (the one dyads is installed in).
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    builder = SparkSession.builder.appName("dyads")
    if master is not None:
        builder = builder.master(master)
    elif not under_spark_submit:
        builder = builder.master("local[*]")
    if quiet:
        builder = builder.config("spark.ui.showConsoleProgress", "false")
    for key, value in conf:
        builder = builder.config(key, value)
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR" if quiet else "INFO" if verbose else "WARN")
    return spark, existing is None


@click.command()
@click.argument("inputs", nargs=-1, required=True)
@click.argument("output")
@click.option(
    "--input-format",
    type=click.Choice(["jsonl", "parquet"]),
    default=None,
    help="Format of INPUTS (default: parquet for .parquet files and directories of them, else jsonl).",
)
@click.option(
    "--errors",
    "errors_path",
    default=None,
    help="Where failed articles go (default: OUTPUT/_errors).",
)
@click.option(
    "--overwrite", is_flag=True, help="Replace OUTPUT (and the errors output) if they exist."
)
@click.option(
    "--partitions",
    type=click.IntRange(min=1),
    default=None,
    help="Split the articles into this many tasks (default: the input's partitions, at least the default parallelism).",
)
@click.option(
    "--master", default=None, help="Spark master URL (default: spark-submit's, else local[*])."
)
@click.option(
    "--conf",
    "conf",
    multiple=True,
    callback=_conf,
    metavar="KEY=VALUE",
    help="Spark configuration setting; repeatable.",
)
@click.option(
    "--date", callback=_date, help="Publication date (YYYY-MM-DD) for articles that have none."
)
@click.option(
    "--config",
    "config_path",
    type=click.Path(exists=True, dir_okay=False),
    help="TOML file merged over the default configuration.",
)
@click.option("--model", default=None, help="spaCy model name or path (default: auto).")
@click.option(
    "--patterns",
    "pattern_files",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False),
    help="Extra pattern file (YAML); repeatable. Must exist at the same path on the executors.",
)
@click.option(
    "--actors",
    "actor_files",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False),
    help="Extra actor dictionary file; repeatable. Must exist at the same path on the executors.",
)
@click.option(
    "--batch-size", type=click.IntRange(min=1), default=None, help="Articles per parse batch."
)
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@click.pass_context
def spark(ctx, inputs, output, input_format, errors_path, overwrite, partitions, master, conf, date,
          config_path, model, pattern_files, actor_files, batch_size, as_json):  # fmt: skip
    """Code articles on Spark: INPUTS (JSON lines or Parquet files, directories or globs, local
    or any filesystem Spark reads) into event Parquet in OUTPUT (a directory).

    Events have the columns of 'dyads export --format parquet' without the cluster columns;
    'dyads ingest --parquet OUTPUT/*.parquet' stores them and DuckDB reads them with
    read_parquet('OUTPUT/*.parquet'). Articles that cannot be read or coded go to
    OUTPUT/_errors. Runs locally on all cores unless --master or spark-submit says otherwise
    (docs/scale.md).
    """
    obj = ctx.obj or {}
    quiet = bool(obj.get("quiet"))
    try:
        import pyspark  # noqa: F401
    except ImportError:
        click.echo("dyads: error: pyspark is not installed (pip install 'dyads[spark]')", err=True)
        sys.exit(1)
    from ..scale.spark import code_spark

    # pyspark 4.3 warns that it does not fully support pandas 3; dyads' Arrow path is unaffected.
    warnings.filterwarnings("ignore", message="PySpark does not yet fully support pandas")

    config = build_config(config_path, model, pattern_files, actor_files)
    try:
        session, started = _session(master, conf, quiet, logging.getLogger().level <= logging.INFO)
    except Exception as err:  # no Java, a bad master URL, ...
        reason = str(err).splitlines()[0] if str(err) else type(err).__name__
        click.echo(f"dyads: error: Spark did not start ({reason}); it needs Java 17 or later "
                   "(java -version)", err=True)  # fmt: skip
        sys.exit(1)
    try:
        report = code_spark(
            session, list(inputs), output, config, input_format=input_format,
            errors_path=errors_path, mode="overwrite" if overwrite else "errorifexists",
            partitions=partitions, default_date=date, batch_size=batch_size,
        )  # fmt: skip
    except Exception as err:
        from pyspark.errors import PySparkException

        if not isinstance(err, PySparkException | ValueError):
            raise
        reason = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        click.echo(f"dyads: error: {reason}", err=True)
        sys.exit(1)
    finally:
        if started:  # a session that was running before (a notebook, a test) stays up
            session.stop()
    if as_json:
        click.echo(json.dumps(report.as_dict(), indent=2))
    elif not quiet:
        rate = report.articles / report.seconds if report.seconds else 0.0
        click.echo(
            f"dyads: coded {report.articles:,} articles into {report.events:,} events in "
            f"{report.seconds:,.1f}s ({rate:,.1f} articles/s); {report.errors:,} errors",
            err=True,
        )
        click.echo(f"events: {report.output}   errors: {report.errors_output}", err=True)
    if report.articles == 0 and report.errors:
        ctx.exit(1)
