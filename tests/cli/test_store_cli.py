"""``dyads ingest | query | dyad | export | stats``: in-process with CliRunner, plus a real
process killed with SIGKILL in the middle of an ingest."""

from __future__ import annotations

import csv
import json
import os
import random
import signal
import subprocess
import sys
import time

import duckdb
import pytest
from click.testing import CliRunner
from jsonschema import Draft202012Validator

from dyads.cli import cli
from dyads.export.contract import CSV_COLUMNS, article_dict, event_dict, load_schema
from dyads.store import EventStore
from store_fixtures import make_article


def articles(n: int = 6, start: int = 0):
    specs = [
        [{"source": "ISRMIL", "target": "PSE", "root": "19", "place": "Gaza"}],
        [{"source": "USAGOV", "target": "ISR", "root": "04", "verb": "met"},
         {"source": "ISR", "target": "USA", "root": "06", "verb": "aided"}],
        [{"source": "IRN", "target": "USA", "root": "11", "verb": "criticized", "modality": "threatened"}],
    ]  # fmt: skip
    return [
        make_article(
            f"c{i}",
            f"2024-{1 + i % 3:02d}-{1 + i % 2:02d}",
            specs[i % 3],
            url=f"https://s{i % 4}.org/{i}",
        )
        for i in range(start, start + n)
    ]


def write_precoded(path, items, extra_lines=()):
    with open(path, "w", encoding="utf-8") as handle:
        for coded in items:
            handle.write(json.dumps(article_dict(coded)) + "\n")
        for line in extra_lines:
            handle.write(line + "\n")
    return path


def run(*args, ok=True):
    result = CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)
    if ok:
        assert result.exit_code == 0, result.output
    return result


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "events.duckdb"
    run("ingest", "--precoded", write_precoded(tmp_path / "coded.json", articles()), "--db", path)
    return path


def test_ingest_prints_a_summary_and_rerunning_adds_nothing(tmp_path):
    path = tmp_path / "events.duckdb"
    coded = write_precoded(tmp_path / "coded.json", articles(), ["{oops", '{"article": {"id": 3}}'])
    first = run("ingest", "--precoded", coded, "--db", path, "--commit-every", "2", ok=False)
    assert first.exit_code == 0
    assert "stored 6 articles (8 events)" in first.stdout and "articles/s" in first.stdout
    assert "0 already stored; 2 errors" in first.stdout
    assert "errors by stage and reason (2 in all)" in first.stdout
    assert (
        "1  read: malformed JSON\n" in first.stdout
        and "1  read: not dyads output\n" in first.stdout
    )
    assert "SELECT * FROM ingest_errors WHERE run_id = 1" in first.stdout
    error_lines = [line for line in first.stderr.splitlines() if line.startswith("dyads: error:")]
    assert error_lines == [
        f"dyads: error: {coded}:7: malformed JSON (Expecting property name enclosed in double quotes: "
        "line 1 column 2 (char 1))",
        f"dyads: error: {coded}:8 (article 3): not dyads output (top level: 'schema_version' is a "
        "required property)",
    ]
    second = run("ingest", "--precoded", coded, "--db", path, "--json")
    summary = json.loads(second.stdout)
    assert (summary["articles_added"], summary["articles_skipped"], summary["errors"]) == (0, 6, 2)
    assert summary["store"]["articles"] == 6 and summary["store"]["events"] == 8


def test_ingest_of_nothing_but_errors_exits_1(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("nope\n")
    result = run("ingest", "--precoded", bad, "--db", tmp_path / "e.duckdb", ok=False)
    assert result.exit_code == 1


def test_strict_stops_at_the_first_error_and_keeps_what_came_before(tmp_path):
    path = tmp_path / "events.duckdb"
    items = articles()
    coded = tmp_path / "coded.json"
    with coded.open("w") as handle:
        for i, item in enumerate(items):
            handle.write(json.dumps(article_dict(item)) + "\n")
            if i == 2:
                handle.write("{broken\n")
    result = run("ingest", "--precoded", coded, "--db", path, "--strict", ok=False)
    assert result.exit_code == 1 and "malformed JSON" in result.stderr
    store = EventStore(path)
    assert store.stats()["articles"] == 3 and store.stats()["ingest_errors"] == 1
    assert store.stats()["runs"][0]["status"] == "failed"


def test_ingest_jsonl_events_from_dyads_code(tmp_path):
    path = tmp_path / "events.jsonl"
    with path.open("w") as handle:
        for coded in articles():
            for event in coded.events:
                handle.write(json.dumps(event_dict(event, coded.article)) + "\n")
    result = run("ingest", "--precoded", path, "--db", tmp_path / "e.duckdb")
    assert "stored 6 articles (8 events)" in result.stdout


def test_query_formats_and_filters(db):
    table = run("query", "--db", db, "--source", "ISR", "--root", "19").stdout
    lines = table.splitlines()
    assert lines[0].split() == [
        "date",
        "source",
        "event",
        "target",
        "modality",
        "articles",
        "evidence",
    ]
    assert len(lines) == 2 + 2 and all("ISRMIL" in line for line in lines[2:])
    rows = list(
        csv.DictReader(
            run("query", "--db", db, "-f", "csv", "--since", "2024-02-01").stdout.splitlines()
        )
    )
    assert rows and list(rows[0]) == CSV_COLUMNS
    assert all(r["date"] >= "2024-02-01" for r in rows)
    validator = Draft202012Validator(load_schema("event"))
    events = [
        json.loads(line) for line in run("query", "--db", db, "-f", "json").stdout.splitlines()
    ]
    assert len(events) == 8
    assert all(not list(validator.iter_errors(e)) for e in events)
    assert (
        run("query", "--db", db, "--modality", "threatened", "-f", "json").stdout.count("\n") == 2
    )
    clusters = run("query", "--db", db, "--clusters", "-f", "json").stdout.splitlines()
    assert len(clusters) == 4 and {json.loads(c)["num_articles"] for c in clusters} == {2}


def test_query_limits_tables_and_says_so(db):
    result = run("query", "--db", db, "--limit", "3")
    assert len(result.stdout.splitlines()) == 2 + 3
    assert "first 3 rows" in result.stderr


def test_dyad_series_and_top_dyads(db):
    out = run("dyad", "--db", db, "USA", "ISR", "--by", "month").stdout
    assert out.splitlines()[0] == "USA -> ISR: events per month"
    assert "total: 1 events, Goldstein sum 1.0" in out  # two reports of one meeting
    rows = list(
        csv.DictReader(
            run("dyad", "--db", db, "usa", "isr", "--undirected", "-f", "csv").stdout.splitlines()
        )
    )
    assert [(r["period"], r["verbal_coop"], r["material_coop"]) for r in rows] == [
        ("2024-02-01", "1", "1")
    ]
    mentions = run("dyad", "--db", db, "ISR", "PSE", "--mentions", "-f", "json").stdout.splitlines()
    assert sum(json.loads(m)["events"] for m in mentions) == 2
    top = run("dyad", "--db", db).stdout
    assert top.splitlines()[0].split()[:3] == ["source_code", "target_code", "events"]
    assert "IRN" not in top  # threatened only: asserted events count
    assert "IRN" in run("dyad", "--db", db, "--all-modalities").stdout


def test_export_every_format(db, tmp_path):
    gdelt = tmp_path / "events.tsv"
    result = run("export", "--db", db, "-f", "gdelt", "--out", gdelt)
    assert "wrote 3 clusters" in result.stderr
    lines = gdelt.read_text().splitlines()
    assert len(lines) == 3 and all(len(line.split("\t")) == 61 for line in lines)
    assert (
        len(run("export", "--db", db, "-f", "gdelt", "--all-modalities").stdout.splitlines()) == 4
    )
    parquet = tmp_path / "events.parquet"
    run("export", "--db", db, "-f", "parquet", "--out", parquet)
    con = duckdb.connect()
    assert con.execute(
        f"SELECT count(*), count(DISTINCT cluster_id) FROM '{parquet}'"
    ).fetchone() == (8, 4)
    rows = list(
        csv.DictReader(run("export", "--db", db, "-f", "csv", "--root", "04").stdout.splitlines())
    )
    assert len(rows) == 2 and rows[0]["cameo_root"] == "04"
    jsonl = tmp_path / "events.jsonl"
    run("export", "--db", db, "-f", "jsonl", "-o", jsonl)
    assert len(jsonl.read_text().splitlines()) == 8
    assert run("export", "--db", db, "-f", "parquet", ok=False).exit_code == 2


def test_export_parquet_then_ingest_parquet(db, tmp_path):
    parquet = tmp_path / "events.parquet"
    run("export", "--db", db, "-f", "parquet", "--out", parquet)
    copy = tmp_path / "copy.duckdb"
    result = run("ingest", "--parquet", parquet, "--db", copy)
    assert "stored 6 articles (8 events)" in result.stdout
    assert EventStore(copy).events() == EventStore(db).events()
    assert run("ingest", "--parquet", "--precoded", parquet, "--db", copy, ok=False).exit_code == 2


def test_stats(db):
    out = run("stats", "--db", db, "--check").stdout
    from dyads.store_schema import CURRENT_VERSION

    assert f"schema version {CURRENT_VERSION}, clustering window 1 days" in out
    assert "check     ok" in out
    data = json.loads(run("stats", "--db", db, "--json").stdout)
    assert (data["articles"], data["events"], data["clusters"]) == (6, 8, 4)
    assert data["runs"][0]["status"] == "done"


def test_cluster_window_option_reclusters(db, tmp_path):
    gaza = {"source": "ISRMIL", "target": "PSE", "root": "19", "place": "Gaza"}
    later = write_precoded(tmp_path / "later.json", [make_article("l1", "2024-01-20", [gaza])])
    run("ingest", "--precoded", later, "--db", db)
    assert json.loads(run("stats", "--db", db, "--json").stdout)["clusters"] == 5
    more = write_precoded(tmp_path / "more.json", articles(3, start=6))
    result = run("-v", "ingest", "--precoded", more, "--db", db, "--cluster-window", "60")
    assert "reclustering" in result.stderr
    data = json.loads(run("stats", "--db", db, "--json", "--check").stdout)
    assert data["cluster_window"] == 60 and data["problems"] == []
    assert data["clusters"] == 4  # the strike of 20 January joins the one of 1-2 January


def test_store_problems_are_one_line_errors(tmp_path):
    missing = tmp_path / "missing.duckdb"
    for args in (("query", "--db", missing), ("stats", "--db", missing), ("dyad", "--db", missing, "USA", "ISR"),
                 ("export", "--db", missing, "-f", "jsonl")):  # fmt: skip
        result = run(*args, ok=False)
        assert result.exit_code == 1
        assert result.stderr.strip().splitlines() == [
            f"dyads: error: no event store at {missing} (create one with: dyads ingest ... --db {missing})"
        ]
    db = tmp_path / "e.duckdb"
    run("ingest", "--precoded", write_precoded(tmp_path / "c.json", articles(1)), "--db", db)
    bad = run("query", "--db", db, "--since", "2024-13-01", ok=False)
    assert bad.exit_code == 2 and "is not a date" in bad.output


@pytest.mark.slow
def test_ingest_text_through_the_pipeline(tmp_path, seed_path):
    from dyads.pipeline import Pipeline

    try:
        _ = Pipeline().stages
    except Exception as err:
        pytest.skip(f"the pipeline cannot run yet: {type(err).__name__}: {err}")
    db = tmp_path / "e.duckdb"
    first = run("ingest", seed_path, "--db", db, "--processes", "1")
    assert "stored 1 articles" in first.stdout
    again = run("ingest", seed_path, "--db", db, "--processes", "1")
    assert "stored 0 articles" in again.stdout and "1 already stored" in again.stdout


# -- SIGKILL ---------------------------------------------------------------------------------


def _start(db, source):
    return subprocess.Popen(
        [sys.executable, "-m", "dyads", "-v", "ingest", "--precoded", str(source), "--db", str(db),
         "--commit-every", "20"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip


@pytest.mark.slow
def test_sigkill_during_ingest_then_rerun_stores_every_article_exactly_once(tmp_path):
    """A real ``dyads ingest`` process is killed with SIGKILL three times, at different points
    (right after a commit and a few milliseconds into the next batch), then run to the end."""
    n = 1200
    items = articles(n)
    source = write_precoded(tmp_path / "coded.json", items)
    expected_events = sum(len(c.events) for c in items)
    db = tmp_path / "events.duckdb"
    rng = random.Random(6)
    for kill, commits_before_kill in enumerate((3, 5, 4)):
        process = _start(db, source)
        seen = 0
        while seen < commits_before_kill:
            line = process.stderr.readline()
            assert line, f"ingest ended before it could be killed (run {kill})"
            seen += "committed" in line
        time.sleep(rng.uniform(0, 0.05))  # sometimes inside the next transaction
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=60)
        process.stderr.close()
        assert process.returncode == -signal.SIGKILL
        partial = EventStore(db).stats()
        assert 0 < partial["articles"] < n
        assert EventStore(db).verify() == []  # consistent after every kill
    final = subprocess.run(
        [sys.executable, "-m", "dyads", "ingest", "--precoded", str(source), "--db", str(db), "--json"],
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert final.returncode == 0, final.stderr
    summary = json.loads(final.stdout)
    assert summary["articles_added"] + summary["articles_skipped"] == n
    store = EventStore(db)
    stats = store.stats()
    assert (stats["articles"], stats["events"]) == (n, expected_events)
    assert store.verify() == []
    per_article = store.sql("SELECT count(*) AS n FROM articles GROUP BY id HAVING count(*) > 1")
    assert per_article.num_rows == 0
    reference = EventStore(tmp_path / "reference.duckdb")
    reference.ingest(items, batch_size=500)
    columns = "cluster_id, cluster_key, event_id, first_date, last_date, num_mentions, num_sources, num_articles"
    query = f"SELECT {columns} FROM clusters ORDER BY cluster_id"
    assert store.sql(query) == reference.sql(query)
    statuses = [run["status"] for run in store.stats()["runs"]]
    assert statuses == ["done", "interrupted", "interrupted", "interrupted"]


@pytest.mark.slow
def test_two_ingests_of_one_store_take_turns(tmp_path):
    """DuckDB allows one writing process; two `dyads ingest` runs share the file batch by batch."""
    items = articles(200)
    first = write_precoded(tmp_path / "first.json", items[:125])
    second = write_precoded(tmp_path / "second.json", items[75:])  # 50 articles in both
    db = tmp_path / "events.duckdb"
    command = [
        sys.executable,
        "-m",
        "dyads",
        "ingest",
        "--precoded",
        "--db",
        str(db),
        "--commit-every",
        "10",
        "--json",
    ]
    runs = [
        subprocess.Popen([*command, str(path)], stdout=subprocess.PIPE, text=True)
        for path in (first, second)
    ]
    summaries = [json.loads(run.communicate(timeout=600)[0]) for run in runs]
    assert all(run.returncode == 0 for run in runs)
    assert sum(s["articles_added"] for s in summaries) == 200
    assert sum(s["articles_skipped"] for s in summaries) == 50
    store = EventStore(db)
    assert store.stats()["articles"] == 200 and store.verify() == []
