"""The Spark runner in local[2] mode: the same events as ``dyads code`` on the same inputs."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import sys
from pathlib import Path

import pytest

pytestmark = [
    pytest.mark.slow,
    pytest.mark.spark,
    pytest.mark.filterwarnings("ignore:PySpark does not yet fully support pandas"),
]

SAMPLES = Path(__file__).resolve().parents[2] / "samples"

if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
    pytest.skip(
        "no Java runtime (pyspark needs Java 17+; `make system-deps` installs "
        "openjdk-17-jre-headless)",
        allow_module_level=True,
    )
pytest.importorskip("pyspark", reason="pyspark is not installed (pip install 'dyads[spark]')")


@pytest.fixture(scope="module")
def spark(tmp_path_factory):
    from pyspark.sql import SparkSession

    previous = os.environ.get("PYSPARK_PYTHON")
    os.environ["PYSPARK_PYTHON"] = sys.executable  # workers run the interpreter dyads is in
    local_dir = tmp_path_factory.mktemp("spark-local")
    session = (
        SparkSession.builder.master("local[2]")
        .appName("dyads-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.default.parallelism", "2")
        .config("spark.local.dir", str(local_dir))
        .config("spark.sql.warehouse.dir", str(local_dir / "warehouse"))
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("WARN")
    yield session
    session.stop()
    if previous is None:
        os.environ.pop("PYSPARK_PYTHON", None)
    else:
        os.environ["PYSPARK_PYTHON"] = previous


def single_machine(path: Path) -> list[dict]:
    """Flat event rows from ``dyads code PATH`` (one process), as the Parquet writer makes them."""
    from click.testing import CliRunner

    from dyads.cli import cli
    from dyads.export.parquet import flatten_event

    result = CliRunner().invoke(cli, ["-q", "code", str(path), "-p", "1"])
    assert result.exit_code == 0, result.output
    return [flatten_event(json.loads(line)) for line in result.stdout.splitlines() if line]


def spark_rows(directory: Path) -> list[dict]:
    """Flat event rows of a Spark output directory (its ``_errors`` and ``_SUCCESS`` skipped)."""
    import pyarrow.dataset as ds

    from dyads.export.parquet import EVENT_SCHEMA, conform

    table = ds.dataset(str(directory), format="parquet").to_table()
    return conform(table, EVENT_SCHEMA).to_pylist()


def by_id(rows: list[dict]) -> dict[str, dict]:
    keyed = {row["event_id"]: row for row in rows}
    assert len(keyed) == len(rows), "duplicate event ids"
    return keyed


def assert_same_events(spark_side: list[dict], local_side: list[dict]) -> None:
    assert local_side, "the samples should give events"
    spark_events, local_events = by_id(spark_side), by_id(local_side)
    assert sorted(spark_events) == sorted(local_events)
    key = ("article_id", "cameo_code", "evidence_start", "evidence_end",
           "source_start", "source_end", "target_start", "target_end")  # fmt: skip
    assert sorted(tuple(r[k] for k in key) for r in spark_side) == sorted(
        tuple(r[k] for k in key) for r in local_side
    )
    for event_id, row in local_events.items():  # and every other column too
        assert spark_events[event_id] == row, event_id


def test_jsonl_samples_give_the_single_machine_events(spark, tmp_path):
    from dyads.scale.spark import code_spark

    source = SAMPLES / "articles.jsonl"
    report = code_spark(spark, str(source), str(tmp_path / "events"), partitions=2)
    assert report.errors == 0
    expected = single_machine(source)
    assert report.articles == sum(1 for line in source.open() if line.strip())
    assert report.events == len(expected)
    assert_same_events(spark_rows(tmp_path / "events"), expected)


def test_parquet_samples_give_the_single_machine_events(spark, tmp_path):
    import csv

    import pyarrow as pa
    import pyarrow.parquet as pq

    from dyads.scale.spark import code_spark

    # The CSV sample as a Parquet table, with a real DATE column (what an archive would hold).
    with (SAMPLES / "more_articles.csv").open(encoding="utf-8", newline="") as handle:
        records = list(csv.DictReader(handle))
    table = pa.Table.from_pylist(records)
    table = table.set_column(
        table.column_names.index("published"),
        "published",
        pa.array([dt.date.fromisoformat(r["published"][:10]) for r in records], pa.date32()),
    )
    source = tmp_path / "articles.parquet"
    pq.write_table(table, source)
    report = code_spark(spark, str(source), str(tmp_path / "events"))
    assert report.errors == 0 and report.articles == table.num_rows
    assert_same_events(spark_rows(tmp_path / "events"), single_machine(source))


def test_bad_records_go_to_the_errors_output(spark, tmp_path):
    import pyarrow.parquet as pq

    from dyads.scale.spark import code_spark

    good = json.loads((SAMPLES / "articles.jsonl").read_text().splitlines()[0])
    source = tmp_path / "mixed.jsonl"
    source.write_text(
        "\n".join(
            [
                '{"id": "broken", "text": "no closing brace"',
                json.dumps({"id": "no-text", "date": "2025-01-01"}),
                json.dumps({"id": "bad-date", "date": "yesterday", "text": "Iran said no."}),
                json.dumps(good),
            ]
        )
        + "\n"
    )
    report = code_spark(spark, str(source), str(tmp_path / "events"))
    assert report.articles == 1 and report.errors == 3
    errors = pq.read_table(tmp_path / "events" / "_errors").to_pylist()
    assert sorted(errors[0]) == ["article_id", "origin", "reason", "stage"]
    reasons = sorted(e["reason"] for e in errors)
    assert any("malformed JSON" in r for r in reasons)
    assert any("no 'text' field" in r for r in reasons)
    assert any("not an ISO date" in r for r in reasons)
    assert all(e["origin"].endswith("mixed.jsonl") for e in errors)
    # the single machine rejects the same three records and codes the same events
    assert_same_events(spark_rows(tmp_path / "events"), single_machine(source))


def test_cli_output_is_read_by_duckdb_and_ingest(spark, tmp_path):
    """`dyads spark` (in the running session) writes what DuckDB and `dyads ingest --parquet` read."""
    import duckdb
    from click.testing import CliRunner

    from dyads.cli import cli

    source = SAMPLES / "articles.jsonl"
    out = tmp_path / "events"
    runner = CliRunner()
    result = runner.invoke(cli, ["spark", str(source), str(out), "--json", "--partitions", "2"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["errors"] == 0 and summary["events"] > 0
    again = runner.invoke(cli, ["spark", str(source), str(out)])
    assert again.exit_code == 1 and "already exists" in again.output  # no silent overwrite
    assert spark.sparkContext._jsc is not None  # the running session was not stopped

    count = duckdb.sql(f"SELECT count(*) FROM read_parquet('{out}/*.parquet')").fetchall()[0][0]
    assert count == summary["events"]
    parts = sorted(str(p) for p in out.glob("*.parquet"))
    db = tmp_path / "events.duckdb"
    stored = runner.invoke(cli, ["ingest", "--parquet", *parts, "--db", str(db), "--json"])
    assert stored.exit_code == 0, stored.output
    assert json.loads(stored.stdout)["events_added"] == summary["events"]
