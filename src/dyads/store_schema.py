"""What goes into the event store: its tables, their migrations, and the rows of one article.

The tables are documented for users in docs/store.md. Migrations are forward only: each has a
version number, runs once, in order, in its own transaction, and records itself in
``schema_version``. Never edit a released migration; add the next one (a change to the output
contract's columns needs one: ``tests/test_store.py`` checks the ``events`` table against
:data:`dyads.export.parquet.EVENT_COLUMNS`).

Three inputs become :class:`StoredArticle` units: coded articles from the pipeline, the JSON of
``dyads code --format json|jsonl`` (:func:`read_precoded`) and event Parquet files written by
``dyads export --format parquet`` or the Spark runner (:func:`read_event_parquet`).
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from .clustering import cluster_key, event_date, lone_cluster_id
from .export.contract import article_dict
from .export.parquet import flatten_event, read_event_rows
from .records import ArticleError, CodedArticle

log = logging.getLogger(__name__)

_MENTION_COLUMNS = """
    {p}_text VARCHAR, {p}_start BIGINT, {p}_end BIGINT, {p}_code VARCHAR, {p}_country VARCHAR,
    {p}_sector VARCHAR[], {p}_name VARCHAR, {p}_kind VARCHAR, {p}_former BOOLEAN, {p}_rule VARCHAR,
    {p}_refers_start BIGINT, {p}_refers_end BIGINT, {p}_refers_text VARCHAR"""

SCHEMA_V1 = f"""
CREATE TABLE settings (key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL);
CREATE SEQUENCE ingest_run_ids START 1;
CREATE TABLE ingest_runs (
    run_id INTEGER PRIMARY KEY, started_at TIMESTAMP NOT NULL, finished_at TIMESTAMP,
    status VARCHAR NOT NULL, command VARCHAR, dyads_version VARCHAR, host VARCHAR, pid INTEGER,
    articles_added INTEGER NOT NULL DEFAULT 0, articles_skipped INTEGER NOT NULL DEFAULT 0,
    events_added INTEGER NOT NULL DEFAULT 0, errors INTEGER NOT NULL DEFAULT 0);
CREATE TABLE ingest_errors (
    run_id INTEGER, logged_at TIMESTAMP NOT NULL, origin VARCHAR, article_id VARCHAR, stage VARCHAR,
    reason VARCHAR NOT NULL);
CREATE TABLE articles (
    id VARCHAR PRIMARY KEY, url VARCHAR, title VARCHAR, date DATE, date_source VARCHAR,
    origin VARCHAR, length BIGINT, text_hash VARCHAR, outlet VARCHAR,
    n_events INTEGER NOT NULL, notes VARCHAR[], ingested_at TIMESTAMP NOT NULL, run_id INTEGER);
CREATE TABLE events (
    event_id VARCHAR PRIMARY KEY, article_id VARCHAR NOT NULL, article_date DATE, url VARCHAR,
    sentence_index BIGINT, sentence VARCHAR,
    evidence_start BIGINT, evidence_end BIGINT, evidence_text VARCHAR,
    {_MENTION_COLUMNS.format(p="source")},
    {_MENTION_COLUMNS.format(p="target")},
    cameo_code VARCHAR NOT NULL, cameo_root VARCHAR NOT NULL, cameo_label VARCHAR,
    goldstein DOUBLE, quad_class BIGINT, cameo_modal_code VARCHAR,
    plover_type VARCHAR, plover_mode VARCHAR, plover_context VARCHAR[],
    modality VARCHAR NOT NULL, modality_cue VARCHAR,
    attribution_text VARCHAR, attribution_start BIGINT, attribution_end BIGINT,
    attribution_code VARCHAR, attribution_country VARCHAR, attribution_name VARCHAR,
    attribution_cue VARCHAR,
    date DATE, date_granularity VARCHAR, date_text VARCHAR, date_start BIGINT, date_end BIGINT,
    date_reason VARCHAR,
    location_name VARCHAR, location_country VARCHAR, location_adm1 VARCHAR, location_lat DOUBLE,
    location_lon DOUBLE, location_geonameid BIGINT, location_feature VARCHAR,
    location_text VARCHAR, location_start BIGINT, location_end BIGINT, location_reason VARCHAR,
    confidence DOUBLE, rule VARCHAR,
    event_date DATE, cluster_key VARCHAR, cluster_id BIGINT NOT NULL);
CREATE TABLE clusters (
    cluster_id BIGINT PRIMARY KEY, cluster_key VARCHAR, event_id VARCHAR NOT NULL,
    first_date DATE, last_date DATE, num_mentions INTEGER NOT NULL, num_sources INTEGER NOT NULL,
    num_articles INTEGER NOT NULL, first_added TIMESTAMP, is_root BOOLEAN);
CREATE TABLE actors (
    article_id VARCHAR NOT NULL, seq INTEGER NOT NULL, text VARCHAR, start BIGINT, "end" BIGINT,
    code VARCHAR, country VARCHAR, sector VARCHAR[], name VARCHAR, kind VARCHAR, former BOOLEAN,
    rule VARCHAR, refers_start BIGINT, refers_end BIGINT, refers_text VARCHAR);
CREATE TABLE quotes (
    article_id VARCHAR NOT NULL, seq INTEGER NOT NULL, start BIGINT, "end" BIGINT, text VARCHAR,
    sentence_index BIGINT, kind VARCHAR, speaker_text VARCHAR, speaker_start BIGINT,
    speaker_end BIGINT, speaker_code VARCHAR, speaker_country VARCHAR, speaker_name VARCHAR,
    verb_start BIGINT, verb_end BIGINT, verb_text VARCHAR);
CREATE TABLE places (
    article_id VARCHAR NOT NULL, seq INTEGER NOT NULL, name VARCHAR, country VARCHAR,
    adm1 VARCHAR, lat DOUBLE, lon DOUBLE, geonameid BIGINT, feature VARCHAR, text VARCHAR,
    start BIGINT, "end" BIGINT, reason VARCHAR);
CREATE VIEW cluster_detail AS
    SELECT c.*, e.* EXCLUDE (event_id, cluster_id, cluster_key, event_date)
    FROM clusters c JOIN events e ON e.event_id = c.event_id;
"""


def _arrow(columns: str) -> Any:
    """A pyarrow schema from ``name:type`` pairs (s string, i int64, f float64, b bool, d date,
    t timestamp, l list of strings): the rows given to DuckDB are typed, and keys that are not
    columns (a field the contract added later) are left out instead of failing the batch."""
    import pyarrow as pa

    types = {"s": pa.string(), "i": pa.int64(), "f": pa.float64(), "b": pa.bool_(),
             "d": pa.date32(), "t": pa.timestamp("us"), "l": pa.list_(pa.string())}  # fmt: skip
    return pa.schema(
        [(name, types[kind]) for name, kind in (c.split(":") for c in columns.split())]
    )


_MENTION_ROW = "text:s start:i end:i code:s country:s sector:l name:s kind:s former:b rule:s refers_start:i refers_end:i refers_text:s"
ROW_SCHEMAS = {
    "articles": "id:s url:s title:s date:d date_source:s origin:s length:i text_hash:s outlet:s n_events:i notes:l ingested_at:t run_id:i text:s",
    "actors": "article_id:s seq:i " + _MENTION_ROW,
    "quotes": "article_id:s seq:i start:i end:i text:s sentence_index:i kind:s speaker_text:s speaker_start:i speaker_end:i speaker_code:s speaker_country:s speaker_name:s verb_start:i verb_end:i verb_text:s",
    "places": "article_id:s seq:i name:s country:s adm1:s lat:f lon:f geonameid:i feature:s text:s start:i end:i reason:s",
    "ingest_errors": "run_id:i logged_at:t origin:s article_id:s stage:s reason:s",
}  # fmt: skip


def row_schema(table: str) -> Any:
    """The pyarrow schema of rows for ``table`` (``events``: the flat event row and the store's
    own columns)."""
    import pyarrow as pa

    if table == "events":
        from .export.parquet import EVENT_COLUMNS

        extra = [
            ("event_date", pa.date32()),
            ("cluster_key", pa.string()),
            ("cluster_id", pa.int64()),
        ]
        return pa.schema(EVENT_COLUMNS + extra)
    return _arrow(ROW_SCHEMAS[table])


@dataclass(frozen=True)
class Migration:
    version: int
    description: str
    apply: str | Callable[[Any], None]  # SQL script, or a function of the DuckDB connection


MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        1, "articles, events, clusters, actors, quotes, places, ingest runs and errors", SCHEMA_V1
    ),
    Migration(
        2,
        "articles.text: the article text, so evidence offsets can be shown in context",
        "ALTER TABLE articles ADD COLUMN text VARCHAR;",
    ),
)
CURRENT_VERSION = MIGRATIONS[-1].version
TABLES = (
    "articles",
    "events",
    "clusters",
    "actors",
    "quotes",
    "places",
    "ingest_errors",
    "ingest_runs",
)


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def outlet(url: str | None) -> str | None:
    """The news source of an article: its URL's host without ``www.`` (``voanews.com``)."""
    if not url:
        return None
    try:
        host = (urlsplit(url).hostname or "").lower()
    except ValueError:
        return None
    return host.removeprefix("www.") or None


@dataclass
class StoredArticle:
    """One article as the store holds it: the contract's article metadata and flat rows."""

    meta: dict[str, Any]
    events: list[dict[str, Any]] = field(default_factory=list)
    actors: list[dict[str, Any]] = field(default_factory=list)
    quotes: list[dict[str, Any]] = field(default_factory=list)
    places: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    text_hash: str | None = None
    text: str | None = None

    @property
    def id(self) -> str:
        return self.meta["id"]

    @property
    def origin(self) -> str:
        return self.meta.get("origin") or ""

    def article_row(self) -> dict[str, Any]:
        m = self.meta
        return {
            "id": m["id"], "url": m.get("url"), "title": m.get("title"),
            "date": _date(m.get("date")), "date_source": m.get("date_source"),
            "origin": m.get("origin"), "length": m.get("length"), "text_hash": self.text_hash,
            "outlet": outlet(m.get("url")), "n_events": len(self.events),
            "notes": list(self.notes), "text": self.text,
        }  # fmt: skip


def _date(value: Any) -> Any:
    import datetime as dt

    return dt.date.fromisoformat(value) if isinstance(value, str) and value else value or None


def _mention_row(mention: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    refers = mention.get("refers_to") or {}
    row = {f"{prefix}{k}": mention.get(k) for k in ("text", "start", "end", "code", "country")}
    row.update({f"{prefix}{k}": mention.get(k) for k in ("name", "kind", "former", "rule")})
    row[f"{prefix}sector"] = list(mention.get("sector") or [])
    row.update({f"{prefix}refers_{k}": refers.get(k) for k in ("start", "end", "text")})
    return row


def store_event_row(event: Mapping[str, Any]) -> dict[str, Any]:
    """A contract event → its ``events`` row (flat columns plus date, key and lone cluster id)."""
    row = flatten_event(event)
    row["event_date"] = event_date(row)
    row["cluster_key"] = cluster_key(row)
    row["cluster_id"] = lone_cluster_id(row["event_id"])  # replaced by clustering when keyed
    return row


def from_article_dict(data: Mapping[str, Any], hash_: str | None = None) -> StoredArticle:
    """The contract's article object (``dyads code --format json``) → a :class:`StoredArticle`."""
    meta = dict(data["article"])
    text = meta.pop("text", None)
    if hash_ is None and isinstance(text, str):
        hash_ = text_hash(text)
    events, seen = [], set()
    for event in data.get("events") or []:
        if event["id"] in seen:  # the same trigger, code and actors twice: one event
            log.debug("article %s: duplicate event %s dropped", meta["id"], event["id"])
            continue
        seen.add(event["id"])
        events.append(store_event_row(event))
    quotes = []
    for seq, q in enumerate(data.get("quotes") or []):
        speaker, verb = q.get("speaker") or {}, q.get("verb") or {}
        row = {
            "article_id": meta["id"],
            "seq": seq,
            **{k: q.get(k) for k in ("start", "end", "text", "sentence_index", "kind")},
        }
        row.update(
            {
                f"speaker_{k}": speaker.get(k)
                for k in ("text", "start", "end", "code", "country", "name")
            }
        )
        row.update({f"verb_{k}": verb.get(k) for k in ("start", "end", "text")})
        quotes.append(row)
    places = [
        {"article_id": meta["id"], "seq": seq, **dict(place)}
        for seq, place in enumerate(p for p in data.get("places") or [] if p)
    ]
    actors = [
        {"article_id": meta["id"], "seq": seq, **_mention_row(m)}
        for seq, m in enumerate(m for m in data.get("actors") or [] if m)
    ]
    return StoredArticle(
        meta=meta, events=events, actors=actors, quotes=quotes, places=places,
        notes=list(data.get("notes") or []), text_hash=hash_,
        text=text if isinstance(text, str) else None,
    )  # fmt: skip


def from_coded(coded: CodedArticle) -> StoredArticle:
    return from_article_dict(article_dict(coded, include_text=True), text_hash(coded.article.text))


def as_stored(item: Any) -> StoredArticle | ArticleError:
    if isinstance(item, StoredArticle | ArticleError):
        return item
    if isinstance(item, CodedArticle):
        return from_coded(item)
    raise TypeError(f"cannot store a {type(item).__name__} (expected CodedArticle or ArticleError)")


# -- pre-coded input -------------------------------------------------------------------------


def _validators() -> tuple[Any, Any]:
    from jsonschema import Draft202012Validator

    from .export.contract import load_schema

    return Draft202012Validator(load_schema("article")), Draft202012Validator(load_schema("event"))


def _schema_problem(validator: Any, obj: Any) -> str | None:
    error = next(iter(validator.iter_errors(obj)), None)
    if error is None:
        return None
    where = "/".join(str(p) for p in error.absolute_path) or "top level"
    return f"not dyads output ({where}: {error.message[:160]})"


def _articles_from_events(events: list[dict[str, Any]], origin: str) -> dict[str, Any]:
    first = events[0]
    meta = {"id": first["article_id"], "title": None, "url": first.get("url"),
            "date": first.get("article_date"), "date_source": "precoded", "origin": origin}  # fmt: skip
    return {
        "article": meta,
        "events": events,
        "quotes": [],
        "places": [],
        "actors": [],
        "notes": [],
    }


def read_precoded(paths: Iterable[str | Path]) -> Iterator[StoredArticle | ArticleError]:
    """Read ``dyads code`` output: ``--format json`` (one article object per line) or
    ``--format jsonl`` (one event per line; consecutive events of an article form the article,
    so articles without events are not known). Each object is checked against the JSON Schema."""
    article_validator, event_validator = _validators()
    for path in paths:
        name = str(path)
        pending: list[dict[str, Any]] = []
        pending_origin = ""
        try:
            handle = open(path, "rb") if name != "-" else _stdin()  # noqa: SIM115
        except OSError as err:
            yield ArticleError(name, f"cannot read: {err.strerror or err}")
            continue
        with handle:
            for lineno, raw in enumerate(handle, start=1):
                origin = f"{name}:{lineno}"
                if not raw.strip():
                    continue
                try:
                    obj = json.loads(raw)
                except (json.JSONDecodeError, UnicodeDecodeError, RecursionError) as err:
                    yield ArticleError(origin, f"malformed JSON ({err})", stage="read")
                    continue
                is_event = isinstance(obj, dict) and "cameo" in obj and "article" not in obj
                if pending and (not is_event or obj.get("article_id") != pending[0]["article_id"]):
                    yield from_article_dict(_articles_from_events(pending, pending_origin))
                    pending = []
                if is_event:
                    problem = _schema_problem(event_validator, obj)
                    if problem:
                        yield ArticleError(origin, problem, _article_id(obj), stage="read")
                        continue
                    pending_origin = pending_origin if pending else origin
                    pending.append(obj)
                    continue
                problem = _schema_problem(article_validator, obj)
                if problem:
                    yield ArticleError(origin, problem, _article_id(obj), stage="read")
                    continue
                if not obj["article"].get("origin"):
                    obj["article"]["origin"] = origin
                yield from_article_dict(obj)
        if pending:
            yield from_article_dict(_articles_from_events(pending, pending_origin))


def _article_id(obj: Any) -> str | None:
    """The article id of a JSON object that failed validation, if it has a usable one."""
    if not isinstance(obj, dict):
        return None
    value = obj.get("article_id")
    if value is None and isinstance(obj.get("article"), dict):
        value = obj["article"].get("id")
    return None if value is None or isinstance(value, dict | list) else str(value)


def _stdin() -> Any:
    import sys

    return sys.stdin.buffer


def read_event_parquet(paths: Iterable[str | Path]) -> Iterator[StoredArticle | ArticleError]:
    """Read event Parquet files (``dyads export --format parquet``, the Spark runner) or
    directories of them: the rows of one article must be consecutive in a file."""
    from .export.parquet import unflatten_event

    files: list[Path] = []
    for path in map(Path, paths):  # a Spark output directory holds part-*.parquet files
        files.extend(sorted(path.rglob("*.parquet")) if path.is_dir() else [path])
    for path in files:
        name = str(path)
        pending: list[dict[str, Any]] = []
        origin = name
        try:
            for number, row in enumerate(read_event_rows(path), start=1):
                if pending and row["article_id"] != pending[0]["article_id"]:
                    yield from_article_dict(_articles_from_events(pending, origin))
                    pending = []
                if not pending:
                    origin = f"{name}:row {number}"
                pending.append(unflatten_event(row))
        except Exception as err:  # OSError, pyarrow's ArrowInvalid, a missing column, ...
            reason = str(err).splitlines()[0] if str(err) else type(err).__name__
            yield ArticleError(name, f"cannot read event Parquet: {reason}")
            pending = []
        if pending:
            yield from_article_dict(_articles_from_events(pending, origin))
