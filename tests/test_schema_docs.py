"""docs/schema.md and the shipped JSON Schema describe the same fields (they cannot drift)."""

import re
from pathlib import Path

from dyads.export.contract import CSV_COLUMNS, load_schema

DOC = (Path(__file__).resolve().parents[1] / "docs" / "schema.md").read_text()


def _table_fields(section: str) -> set[str]:
    body = DOC.split(f"## {section}", 1)[1].split("\n## ", 1)[0]
    fields = set()
    for line in body.splitlines():
        m = re.match(r"\| ([^|]+) \|", line)
        if m and not m.group(1).startswith(("field", "---")):
            fields |= {f.strip(" `") for f in m.group(1).split(",")}
    return fields


def test_event_fields_documented():
    schema = load_schema("event")["$defs"]["event"]
    assert _table_fields("Event") == set(schema["properties"])


def test_mention_fields_documented():
    schema = load_schema("mention")["$defs"]["mention"]
    assert _table_fields("Mention (source, target, actors)") == set(schema["properties"])


def test_place_fields_documented():
    schema = load_schema("place")["$defs"]["place"]
    assert _table_fields("Place (location, places)") == set(schema["properties"])


def test_quote_fields_documented():
    schema = load_schema("quote")["$defs"]["quote"]
    assert _table_fields("Quote (article objects)") == set(schema["properties"])


def test_csv_columns_documented():
    body = DOC.split("## CSV columns", 1)[1]
    documented = [c.strip(" `\n") for c in body.split("Lists")[0].replace("\n", " ").split(",")]
    assert documented == CSV_COLUMNS


def test_every_pattern_test_is_documented():
    from dyads.stages.constraints import TESTS

    doc = (Path(__file__).resolve().parents[1] / "docs" / "patterns.md").read_text()
    section = doc.split("### Tests (`when` / `unless`)", 1)[1].split("\n## ", 1)[0]
    assert {name for name in TESTS if f"`{name}`" not in section} == set()
