"""The flat event row: one definition for Parquet files, the event store and the Spark runner.

An event of the output contract (:func:`dyads.export.contract.event_dict`) is nested; a *flat event
row* has one column per leaf, named ``<object>_<field>`` (``source_code``, ``date_granularity``,
``location_lat``), with the CSV column names of the contract wherever the CSV has the field. Lists
stay lists (``source_sector``, ``plover_context``) and dates are real dates, so the rows load into
DuckDB, pandas and Spark without parsing.

- :data:`EVENT_SCHEMA` is the pyarrow schema of a flat event row. ``dyads export --format parquet``
  writes :data:`EXPORT_SCHEMA` (the same columns plus the cluster columns of the event store);
  the Spark runner writes :data:`EVENT_SCHEMA` (or :data:`EXPORT_SCHEMA` with null cluster
  columns) and ``dyads ingest --parquet`` reads either.
- :func:`flatten_event` and :func:`unflatten_event` convert between the contract dict and the
  flat row; ``unflatten_event(flatten_event(d)) == d`` for every contract event ``d``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import pyarrow as pa

from .contract import SCHEMA_VERSION

_STR = pa.string()
_INT = pa.int64()
_FLOAT = pa.float64()
_LIST = pa.list_(pa.string())

# (column, arrow type): the order is the column order of every flat-row file and table.
_MENTION = [
    ("text", _STR), ("start", _INT), ("end", _INT), ("code", _STR), ("country", _STR),
    ("sector", _LIST), ("name", _STR), ("kind", _STR), ("former", pa.bool_()), ("rule", _STR),
    ("refers_start", _INT), ("refers_end", _INT), ("refers_text", _STR),
]  # fmt: skip
EVENT_COLUMNS: list[tuple[str, pa.DataType]] = [
    ("event_id", _STR), ("article_id", _STR), ("article_date", pa.date32()), ("url", _STR),
    ("sentence_index", _INT), ("sentence", _STR),
    ("evidence_start", _INT), ("evidence_end", _INT), ("evidence_text", _STR),
    *[(f"source_{name}", kind) for name, kind in _MENTION],
    *[(f"target_{name}", kind) for name, kind in _MENTION],
    ("cameo_code", _STR), ("cameo_root", _STR), ("cameo_label", _STR), ("goldstein", _FLOAT),
    ("quad_class", _INT), ("cameo_modal_code", _STR),
    ("plover_type", _STR), ("plover_mode", _STR), ("plover_context", _LIST),
    ("modality", _STR), ("modality_cue", _STR),
    ("attribution_text", _STR), ("attribution_start", _INT), ("attribution_end", _INT),
    ("attribution_code", _STR), ("attribution_country", _STR), ("attribution_name", _STR),
    ("attribution_cue", _STR),
    ("date", pa.date32()), ("date_granularity", _STR), ("date_text", _STR), ("date_start", _INT),
    ("date_end", _INT), ("date_reason", _STR),
    ("location_name", _STR), ("location_country", _STR), ("location_adm1", _STR),
    ("location_lat", _FLOAT), ("location_lon", _FLOAT), ("location_geonameid", _INT),
    ("location_feature", _STR), ("location_text", _STR), ("location_start", _INT),
    ("location_end", _INT), ("location_reason", _STR),
    ("confidence", _FLOAT), ("rule", _STR),
]  # fmt: skip
# What the event store adds to each event (see docs/store.md, "Clustering").
CLUSTER_COLUMNS: list[tuple[str, pa.DataType]] = [
    ("event_date", pa.date32()),
    ("cluster_id", _INT),
    ("cluster_mentions", _INT),
    ("cluster_sources", _INT),
    ("cluster_articles", _INT),
]
_METADATA = {b"dyads.schema_version": SCHEMA_VERSION.encode(), b"dyads.kind": b"events"}
EVENT_SCHEMA = pa.schema([pa.field(n, t) for n, t in EVENT_COLUMNS], metadata=_METADATA)
EXPORT_SCHEMA = pa.schema(
    [pa.field(n, t) for n, t in EVENT_COLUMNS + CLUSTER_COLUMNS], metadata=_METADATA
)
EVENT_COLUMN_NAMES = [name for name, _ in EVENT_COLUMNS]


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def _iso(value: dt.date | str | None) -> str | None:
    if value is None:
        return None
    return value if isinstance(value, str) else value.isoformat()


def _flat_mention(prefix: str, mention: Mapping[str, Any] | None, row: dict[str, Any]) -> None:
    m = mention or {}
    refers = m.get("refers_to") or {}
    for name in ("text", "start", "end", "code", "country", "name", "kind", "former", "rule"):
        row[f"{prefix}_{name}"] = m.get(name)
    row[f"{prefix}_sector"] = list(m.get("sector") or []) if mention is not None else None
    row[f"{prefix}_refers_start"] = refers.get("start")
    row[f"{prefix}_refers_end"] = refers.get("end")
    row[f"{prefix}_refers_text"] = refers.get("text")


def flatten_event(event: Mapping[str, Any]) -> dict[str, Any]:
    """A contract event dict → a flat row with :data:`EVENT_COLUMN_NAMES` (dates as dates)."""
    row: dict[str, Any] = {
        "event_id": event["id"],
        "article_id": event["article_id"],
        "article_date": _date(event.get("article_date")),
        "url": event.get("url"),
        "sentence_index": event["sentence_index"],
        "sentence": event["sentence"],
        "evidence_start": event["evidence"]["start"],
        "evidence_end": event["evidence"]["end"],
        "evidence_text": event["evidence"]["text"],
    }
    _flat_mention("source", event.get("source"), row)
    _flat_mention("target", event.get("target"), row)
    cameo, plover = event["cameo"], event["plover"]
    row.update(
        cameo_code=cameo["code"],
        cameo_root=cameo["root"],
        cameo_label=cameo["label"],
        goldstein=cameo["goldstein"],
        quad_class=cameo["quad_class"],
        cameo_modal_code=cameo.get("modal_code"),
        plover_type=plover.get("type"),
        plover_mode=plover.get("mode"),
        plover_context=list(plover.get("context") or []),
        modality=event["modality"],
        modality_cue=event.get("modality_cue"),
    )
    attribution = event.get("attribution") or {}
    for name in ("text", "start", "end", "code", "country", "name", "cue"):
        row[f"attribution_{name}"] = attribution.get(name)
    date = event.get("date") or {}
    row["date"] = _date(date.get("value"))
    for name in ("granularity", "text", "start", "end", "reason"):
        row[f"date_{name}"] = date.get(name)
    location = event.get("location") or {}
    for name in ("name", "country", "adm1", "lat", "lon", "geonameid", "feature", "text"):
        row[f"location_{name}"] = location.get(name)
    for name in ("start", "end", "reason"):
        row[f"location_{name}"] = location.get(name)
    row["confidence"] = event["confidence"]
    row["rule"] = event.get("rule", "")
    return {name: row[name] for name in EVENT_COLUMN_NAMES}


def _nested_mention(prefix: str, row: Mapping[str, Any]) -> dict[str, Any] | None:
    if row.get(f"{prefix}_text") is None:
        return None
    out = {
        name: row.get(f"{prefix}_{name}") for name in ("text", "start", "end", "code", "country")
    }
    out["sector"] = list(row.get(f"{prefix}_sector") or [])
    out["name"] = row.get(f"{prefix}_name")
    out["kind"] = row.get(f"{prefix}_kind") or "unknown"
    out["former"] = bool(row.get(f"{prefix}_former"))
    out["rule"] = row.get(f"{prefix}_rule") or ""
    refers = None
    if row.get(f"{prefix}_refers_start") is not None:
        refers = {
            "start": row[f"{prefix}_refers_start"],
            "end": row.get(f"{prefix}_refers_end"),
            "text": row.get(f"{prefix}_refers_text"),
        }
    out["refers_to"] = refers
    return out


def unflatten_event(row: Mapping[str, Any]) -> dict[str, Any]:
    """A flat row (from a table, a Parquet file or :func:`flatten_event`) → a contract event."""
    attribution = None
    if row.get("attribution_text") is not None:
        attribution = {
            name: row.get(f"attribution_{name}")
            for name in ("text", "start", "end", "code", "country", "name")
        }
        attribution["cue"] = row.get("attribution_cue") or ""
    location = None
    if row.get("location_name") is not None:
        location = {
            name: row.get(f"location_{name}")
            for name in ("name", "country", "adm1", "lat", "lon", "geonameid", "feature", "text")
        }
        location["feature"] = location["feature"] or "city"
        location.update(
            start=row.get("location_start"),
            end=row.get("location_end"),
            reason=row.get("location_reason") or "",
        )
    return {
        "id": row["event_id"],
        "article_id": row["article_id"],
        "sentence_index": row["sentence_index"],
        "sentence": row["sentence"],
        "evidence": {
            "start": row["evidence_start"],
            "end": row["evidence_end"],
            "text": row["evidence_text"],
        },
        "source": _nested_mention("source", row),
        "target": _nested_mention("target", row),
        "cameo": {
            "code": row["cameo_code"],
            "root": row["cameo_root"],
            "label": row["cameo_label"],
            "goldstein": row["goldstein"],
            "quad_class": row["quad_class"],
            "modal_code": row.get("cameo_modal_code"),
        },
        "plover": {
            "type": row.get("plover_type"),
            "mode": row.get("plover_mode"),
            "context": list(row.get("plover_context") or []),
        },
        "modality": row["modality"],
        "modality_cue": row.get("modality_cue"),
        "attribution": attribution,
        "date": {
            "value": _iso(row.get("date")),
            "granularity": row.get("date_granularity") or "publication",
            "text": row.get("date_text"),
            "start": row.get("date_start"),
            "end": row.get("date_end"),
            "reason": row.get("date_reason") or "",
        },
        "location": location,
        "confidence": row["confidence"],
        "rule": row.get("rule") or "",
        "article_date": _iso(row.get("article_date")),
        "url": row.get("url"),
    }


def events_table(rows: Iterable[Mapping[str, Any]], schema: pa.Schema = EVENT_SCHEMA) -> pa.Table:
    """Flat rows → an Arrow table with exactly ``schema`` (missing columns are null)."""
    rows = list(rows)
    return pa.Table.from_pydict(
        {field.name: [r.get(field.name) for r in rows] for field in schema}, schema=schema
    )


def conform(batch: pa.RecordBatch | pa.Table, schema: pa.Schema = EXPORT_SCHEMA) -> pa.Table:
    """Reorder, fill (null) and cast the columns of ``batch`` to ``schema``.

    Raises ``ValueError`` naming the first required column that is missing (the event columns
    are required, the cluster columns are not).
    """
    table = pa.Table.from_batches([batch]) if isinstance(batch, pa.RecordBatch) else batch
    missing = [n for n in EVENT_COLUMN_NAMES if n in schema.names and n not in table.column_names]
    if missing:
        shown = ", ".join(missing[:5]) + (" ..." if len(missing) > 5 else "")
        raise ValueError(f"not a dyads event table: missing column(s) {shown}")
    columns = []
    for field in schema:
        if field.name in table.column_names:
            columns.append(table.column(field.name).cast(field.type))
        else:
            columns.append(pa.nulls(table.num_rows, field.type))
    return pa.Table.from_arrays(columns, schema=schema)


def write_parquet(batches: Iterable[pa.RecordBatch | pa.Table], path: str | Path) -> int:
    """Write batches as one Parquet file with :data:`EXPORT_SCHEMA`; returns the row count."""
    import pyarrow.parquet as pq

    rows = 0
    with pq.ParquetWriter(str(path), EXPORT_SCHEMA, compression="zstd") as writer:
        for batch in batches:
            table = conform(batch, EXPORT_SCHEMA)
            if table.num_rows:
                writer.write_table(table)
                rows += table.num_rows
    return rows


def read_event_rows(path: str | Path, batch_rows: int = 10_000) -> Iterator[dict[str, Any]]:
    """Flat rows of a Parquet event file (any column order; extra columns are ignored)."""
    import pyarrow.parquet as pq

    parquet = pq.ParquetFile(str(path))
    names = set(parquet.schema_arrow.names)
    columns = [n for n in EXPORT_SCHEMA.names if n in names]
    for batch in parquet.iter_batches(batch_size=batch_rows, columns=columns):
        yield from conform(batch, EVENT_SCHEMA).to_pylist()
