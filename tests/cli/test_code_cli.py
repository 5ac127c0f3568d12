"""`dyads code`, `info`, `dicts validate` run in-process with click's CliRunner."""

import csv
import io
import json

import jsonschema
import pytest
from click.testing import CliRunner

from dyads.cli import cli
from dyads.export.contract import CSV_COLUMNS, load_schema

pytestmark = pytest.mark.slow
# dates/places stages are exercised elsewhere; CLI tests use the default configuration
EVENT = jsonschema.Draft202012Validator(load_schema("event"))
ARTICLE = jsonschema.Draft202012Validator(load_schema("article"))


def run(*args, input=None):
    return CliRunner().invoke(
        cli, ["-q", *args] if "-v" not in args else list(args), input=input, catch_exceptions=False
    )


def test_seed_jsonl_is_schema_valid(seed_path):
    result = run("code", str(seed_path))
    assert result.exit_code == 0, result.stderr
    events = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(events) >= 8
    for event in events:
        EVENT.validate(event)
        assert event["article_date"] == "2025-02-27"
        for role in ("source", "target"):
            assert not (event[role] and "REUTERS" in event[role]["text"])


def test_seed_json_format(seed_path):
    result = run("code", str(seed_path), "--format", "json", "--include-text")
    (line,) = result.stdout.splitlines()
    article = json.loads(line)
    ARTICLE.validate(article)
    assert (
        article["article"]["date"] == "2025-02-27" and article["article"]["date_source"] == "header"
    )
    text = article["article"]["text"]
    credit = next(s for s in article["article"]["excluded"] if "credit" in s["text"])
    assert text[credit["start"] : credit["end"]] == credit["text"]
    assert not any(credit["start"] <= a["start"] < credit["end"] for a in article["actors"])
    assert article["quotes"] and all(
        q["speaker"] is None or q["speaker"]["text"] for q in article["quotes"]
    )


def test_csv_format(seed_path):
    result = run("code", str(seed_path), "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert list(rows[0].keys()) == CSV_COLUMNS
    assert {r["cameo_code"] for r in rows} >= {"163"}


def test_stdin_with_date():
    result = run(
        "code", "-", "--date", "2025-02-27", input="Germany imposed sanctions on Iran on Monday."
    )
    (event,) = [json.loads(line) for line in result.stdout.splitlines()]
    assert (
        event["cameo"]["code"] == "163"
        and event["source"]["country"] == "DEU"
        and event["target"]["country"] == "IRN"
    )


def test_table_format():
    result = run(
        "code",
        "-",
        "--date",
        "2025-02-27",
        "--format",
        "table",
        input="Germany imposed sanctions on Iran.",
    )
    assert "163" in result.stdout and "DEU" in result.stdout


def test_bad_inputs_are_reported_and_the_batch_goes_on(tmp_path):
    (tmp_path / "good.txt").write_text("date 2025-02-27 Germany imposed sanctions on Iran.")
    (tmp_path / "bad.txt").write_text("date 2025-13-45 Broken header.")
    (tmp_path / "c.jsonl").write_text(
        '{"text": "Russia condemned the sanctions.", "date": "2025-02-27"}\n{broken\n'
    )
    result = CliRunner().invoke(cli, ["code", str(tmp_path)])
    assert result.exit_code == 0
    errors = [line for line in result.stderr.splitlines() if line.startswith("dyads: error")]
    assert len(errors) == 2
    assert any("bad.txt" in e and "date header" in e for e in errors)
    assert any("c.jsonl:2" in e and "malformed JSON" in e for e in errors)
    assert len(result.stdout.splitlines()) >= 2


def test_nothing_coded_exits_nonzero(tmp_path):
    (tmp_path / "bad.txt").write_text("date 2025-13-45 Broken.")
    assert CliRunner().invoke(cli, ["code", str(tmp_path / "bad.txt")]).exit_code == 1


def test_strict_stops_at_the_first_error(tmp_path):
    (tmp_path / "a.txt").write_text("date 2025-13-45 Broken.")
    (tmp_path / "b.txt").write_text("date 2025-02-27 Germany imposed sanctions on Iran.")
    result = CliRunner().invoke(cli, ["code", str(tmp_path), "--strict"])
    assert result.exit_code == 1 and result.stdout == ""


def test_parallel_equals_serial(tmp_path):
    from pathlib import Path

    samples = Path(__file__).resolve().parents[2] / "samples"
    one = run("code", str(samples), "-p", "1")
    two = run("code", str(samples), "-p", "2", "--batch-size", "2")
    assert one.stdout == two.stdout and one.stdout


def test_info():
    result = run("info", "--json")
    info = json.loads(result.stdout)
    assert info["ontology"]["cameo_codes"] == 312 and info["ontology"]["plover_types"] == 16
    assert info["actors"]["people"] >= 1500 and info["actors"]["countries"] >= 249
    assert "en_" in info["model"] or "core_web_sm" in info["model"]


def test_dicts_validate():
    result = run("dicts", "validate")
    assert result.exit_code == 0 and result.stdout.strip().endswith("ok")


def test_user_patterns_file(tmp_path):
    patterns = tmp_path / "mine.yaml"
    patterns.write_text('- id: my-scold\n  code: "111"\n  verbs: [scold]\n')
    result = run(
        "code",
        "-",
        "--date",
        "2025-02-27",
        "--patterns",
        str(patterns),
        input="France scolded Italy.",
    )
    (event,) = [json.loads(line) for line in result.stdout.splitlines()]
    assert event["rule"] == "my-scold" and event["target"]["country"] == "ITA"


def test_a_pattern_id_used_twice_is_reported(tmp_path):
    patterns = tmp_path / "mine.yaml"
    patterns.write_text(
        '- id: my-scold\n  code: "111"\n  verbs: [scold]\n'
        '- id: my-scold\n  code: "112"\n  verbs: [chide]\n'
    )
    result = run("dicts", "validate", "--patterns", str(patterns))
    assert result.exit_code == 1 and "id 'my-scold' is already used" in result.output
