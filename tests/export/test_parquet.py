"""The flat event row and the Parquet files: round trips, schema, DuckDB re-reading, ingest."""

from __future__ import annotations

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from dyads.export.contract import CSV_COLUMNS, event_dict, load_schema
from dyads.export.parquet import (
    CLUSTER_COLUMNS,
    EVENT_COLUMN_NAMES,
    EVENT_SCHEMA,
    EXPORT_SCHEMA,
    conform,
    events_table,
    flatten_event,
    read_event_rows,
    unflatten_event,
    write_parquet,
)
from dyads.records import Mention, Span
from dyads.store import EventStore
from dyads.store_schema import read_event_parquet
from store_fixtures import ACTORS, PLACES, make_article

spec = st.fixed_dictionaries(
    {
        "source": st.sampled_from([None, *ACTORS]),
        "target": st.sampled_from([None, *ACTORS]),
        "root": st.sampled_from(["01", "04", "11", "19"]),
        "modality": st.sampled_from(["asserted", "negated", "threatened"]),
        "place": st.sampled_from(["", *PLACES]),
        "date": st.sampled_from([None, "2024-02-29", "1999-12-31"]),
        "confidence": st.floats(0, 1),
        "attribution": st.sampled_from([None, "USAGOV", "IGOUNO"]),
    }
)


@given(st.lists(spec, min_size=1, max_size=4), st.sampled_from([None, "2024-03-01"]))
@settings(max_examples=100, deadline=None)
def test_flatten_then_unflatten_gives_the_contract_back(specs, article_date):
    coded = make_article("p1", article_date, specs)
    for event in coded.events:
        original = event_dict(event, coded.article)
        flat = flatten_event(original)
        assert list(flat) == EVENT_COLUMN_NAMES
        assert unflatten_event(flat) == original


def test_a_mention_with_an_antecedent_round_trips():
    coded = make_article("p2")
    event = coded.events[0]
    pronoun = Mention(
        0, 2, "It", 0, 0, (0, 1), ACTORS["ISR"], "pronoun", refers_to=Span(40, 46, "Israel")
    )
    original = event_dict(type(event)(**{**_fields(event), "source": pronoun}), coded.article)
    assert unflatten_event(flatten_event(original)) == original
    assert flatten_event(original)["source_refers_text"] == "Israel"


def _fields(obj):
    return {name: getattr(obj, name) for name in obj.__slots__}


def test_schema_covers_the_csv_columns_and_is_one_definition():
    assert set(CSV_COLUMNS) <= set(EVENT_COLUMN_NAMES)
    assert EXPORT_SCHEMA.names == EVENT_COLUMN_NAMES + [n for n, _ in CLUSTER_COLUMNS]
    assert EVENT_SCHEMA.metadata[b"dyads.kind"] == b"events"
    assert EXPORT_SCHEMA.field("source_sector").type == pa.list_(pa.string())
    assert EXPORT_SCHEMA.field("date").type == pa.date32()


def _leaves(schema: dict, node: dict, path: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    if "$ref" in node:
        node = schema["$defs"][node["$ref"].split("/")[-1]]
    for option in node.get("oneOf", []):
        if "$ref" in option:
            return _leaves(schema, option, path)
    if "properties" not in node:
        return [path]
    return [
        leaf
        for name, sub in node["properties"].items()
        for leaf in _leaves(schema, sub, (*path, name))
    ]


def _flat_name(path: tuple[str, ...]) -> str:
    special = {("id",): "event_id", ("date", "value"): "date", ("cameo", "goldstein"): "goldstein",
               ("cameo", "quad_class"): "quad_class"}  # fmt: skip
    if path in special:
        return special[path]
    return "_".join(p.replace("refers_to", "refers") for p in path)


def test_every_field_of_the_contract_has_a_flat_column():
    """When the output contract grows a field, this fails until the flat row (and a store
    migration) carry it."""
    schema = load_schema("event")
    names = {_flat_name(leaf) for leaf in _leaves(schema, schema["$defs"]["event"])}
    assert names - set(EVENT_COLUMN_NAMES) == set()


def test_conform_fills_casts_and_names_missing_columns():
    coded = make_article("p3")
    table = events_table([flatten_event(event_dict(e, coded.article)) for e in coded.events])
    assert table.schema == EVENT_SCHEMA
    widened = conform(table, EXPORT_SCHEMA)
    assert widened.schema == EXPORT_SCHEMA and widened["cluster_id"].null_count == 1
    with pytest.raises(ValueError, match="missing column.*event_id"):
        conform(table.drop_columns(["event_id"]))


@pytest.fixture
def exported(tmp_path):
    store = EventStore(tmp_path / "events.duckdb")
    store.ingest([
        make_article("e1", "2024-01-10", [{"source": "ISRMIL", "target": "PSE", "root": "19", "place": "Gaza"},
                                          {"source": "USAGOV", "target": "IRN", "root": "11", "modality": "threatened"}]),
        make_article("e2", "2024-01-10", [{"source": "ISRMIL", "target": "PSE", "root": "19", "place": "Gaza"}]),
        make_article("e3", "2024-01-12", [{"source": "IGOUNO", "target": None, "root": "01"}]),
    ])  # fmt: skip
    path = tmp_path / "events.parquet"
    with store.event_batches(batch_rows=2) as reader:
        rows = write_parquet(reader, path)
    assert rows == 4
    return store, path


def test_parquet_export_reads_back_through_duckdb(exported):
    store, path = exported
    assert pq.read_schema(path).remove_metadata() == EXPORT_SCHEMA.remove_metadata()
    assert pq.read_schema(path).metadata[b"dyads.schema_version"] == b"1.0"
    con = duckdb.connect()
    rows = con.execute(
        f"SELECT article_id, source_code, source_sector, cluster_mentions, cluster_articles, date "
        f"FROM read_parquet('{path}') ORDER BY article_id, evidence_start"
    ).fetchall()
    assert [r[:5] for r in rows] == [
        ("e1", "ISRMIL", ["MIL"], 2, 2),
        ("e1", "USAGOV", ["GOV"], 1, 1),
        ("e2", "ISRMIL", ["MIL"], 2, 2),
        ("e3", "IGOUNO", ["IGO", "UNO"], 1, 1),
    ]
    assert str(rows[0][5]) == "2024-01-10"
    described = dict(
        con.execute(f"DESCRIBE SELECT * FROM read_parquet('{path}')").fetchall()[i][:2]
        for i in range(3)
    )
    assert described == {"event_id": "VARCHAR", "article_id": "VARCHAR", "article_date": "DATE"}


def test_parquet_rows_are_the_store_events(exported):
    store, path = exported
    stored = {r["event_id"]: r for r in store.events().to_pylist()}
    for row in read_event_rows(path):
        assert unflatten_event(row) == unflatten_event(stored[row["event_id"]])


def test_ingest_parquet_gives_the_same_events(exported, tmp_path):
    store, path = exported
    units = list(read_event_parquet([path]))
    assert [(u.id, len(u.events)) for u in units] == [("e1", 2), ("e2", 1), ("e3", 1)]
    copy = EventStore(tmp_path / "copy.duckdb")
    report = copy.ingest(units)
    assert report.events_added == 4
    assert copy.events() == store.events()
    assert copy.ingest(read_event_parquet([path])).articles_added == 0


def test_a_spark_file_without_cluster_columns_is_read(tmp_path):
    coded = make_article("s1", events=[{"source": "DEU", "target": "IRN", "root": "16"}])
    table = events_table([flatten_event(event_dict(e, coded.article)) for e in coded.events])
    path = tmp_path / "part-00000.parquet"
    pq.write_table(table.select(list(reversed(table.column_names))), path)  # any column order
    (unit,) = read_event_parquet([path])
    assert unit.id == "s1" and unit.events[0]["source_code"] == "DEU"
    (again,) = read_event_parquet([tmp_path])  # a Spark output directory
    assert again.events == unit.events


def test_a_parquet_file_that_is_not_events_is_an_error(tmp_path):
    path = tmp_path / "articles.parquet"
    pq.write_table(pa.table({"id": ["1"], "text": ["hello"]}), path)
    (error,) = read_event_parquet([path])
    assert error.origin == str(path) and "missing column" in error.reason
    (missing,) = read_event_parquet([tmp_path / "nope.parquet"])
    assert "cannot read event Parquet" in missing.reason


def test_jsonl_rows_rebuilt_from_the_store_validate_against_the_contract(exported):
    store, _ = exported
    validator = Draft202012Validator(load_schema("event"))
    for row in store.events().to_pylist():
        errors = list(validator.iter_errors(unflatten_event(row)))
        assert errors == []
