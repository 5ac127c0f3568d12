"""The SQL of the web API: validated filters → parameterised queries over the event store.

Every value a client sends reaches DuckDB as a bound parameter (``?``); the only text formatted
into SQL is chosen from fixed whitelists here (table and column names). The store's own filters
(:func:`dyads.store_query.where_clause`) are reused, so ``/api/events?source=ISR`` means what
``dyads query --source ISR`` means; the web adds ``dyad``, ``place`` and ``q``.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import duckdb

from ..export.parquet import EVENT_COLUMN_NAMES, unflatten_event
from ..store_query import where_clause
from .evidence import locate_sentence

COLUMNS_SQL = ", ".join(f'"{name}"' for name in EVENT_COLUMN_NAMES)
SORT_KEY = "coalesce(event_date, DATE '0001-01-01')"
QUAD_COUNTS = """count(*) FILTER (WHERE quad_class = 1) AS verbal_coop,
       count(*) FILTER (WHERE quad_class = 2) AS material_coop,
       count(*) FILTER (WHERE quad_class = 3) AS verbal_conflict,
       count(*) FILTER (WHERE quad_class = 4) AS material_conflict"""
# The name an actor code goes by: the most frequent name of its mentions, if at least half of
# them have it (a code such as CVL, civilians, covers many people and has no name).
_NAMES = """names AS (
            SELECT code, name FROM (
                SELECT code, name, count(*) AS n, sum(count(*)) OVER (PARTITION BY code) AS total
                FROM sides GROUP BY code, name)
            WHERE name IS NOT NULL AND n * 2 >= total
            QUALIFY row_number() OVER (PARTITION BY code ORDER BY n DESC, name) = 1)"""
PERIODS = ("day", "week", "month", "quarter", "year")
MAX_FILLED_PERIODS = 4000


class BadParameter(ValueError):
    """A parameter that passed type checks but makes no sense (reported as a 422 on ``field``)."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class Filters:
    """The event filters of the API (all optional, combined with AND; a list means any of)."""

    source: tuple[str, ...] = ()
    target: tuple[str, ...] = ()
    actor: tuple[str, ...] = ()
    dyad: tuple[str, str] | None = None  # either direction
    root: tuple[str, ...] = ()
    code: tuple[str, ...] = ()
    quad_class: tuple[int, ...] = ()
    modality: tuple[str, ...] = ()
    plover_type: tuple[str, ...] = ()
    country: tuple[str, ...] = ()
    article_id: tuple[str, ...] = ()
    cluster_id: tuple[int, ...] = ()
    since: dt.date | None = None
    until: dt.date | None = None
    place: str | None = None
    q: str | None = None
    min_confidence: float | None = None

    def store_filters(self) -> dict[str, Any]:
        names = ("source", "target", "actor", "root", "code", "quad_class", "modality",
                 "plover_type", "country", "article_id", "cluster_id")  # fmt: skip
        out: dict[str, Any] = {n: list(getattr(self, n)) for n in names if getattr(self, n)}
        for name in ("since", "until", "min_confidence"):
            if getattr(self, name) is not None:
                out[name] = getattr(self, name)
        return out


def filter_sql(filters: Filters, date_column: str = "event_date") -> tuple[str, list[Any]]:
    """The SQL condition and parameters of ``filters`` (over ``events`` or ``cluster_detail``)."""
    if filters.since and filters.until and filters.since > filters.until:
        raise BadParameter("until", f"until={filters.until} is before since={filters.since}")
    where, params = where_clause(filters.store_filters(), date_column=date_column)
    parts = [where]
    if filters.dyad is not None:
        a, b = filters.dyad
        ab, ab_params = where_clause({"source": a, "target": b})
        ba, ba_params = where_clause({"source": b, "target": a})
        parts.append(f"(({ab}) OR ({ba}))")
        params += ab_params + ba_params
    if filters.place:
        if filters.place.isdigit():
            parts.append("location_geonameid = ?")
            params.append(int(filters.place))
        else:
            parts.append("lower(location_name) = ?")
            params.append(filters.place.strip().lower())
    if filters.q:
        parts.append("contains(lower(sentence), ?)")
        params.append(filters.q.strip().lower())
    return " AND ".join(parts), params


# The columns of the representative event that the aggregates read (a narrow derived table is
# much cheaper for DuckDB to plan than the cluster_detail view with all its columns).
_CLUSTER_EVENT_COLUMNS = (
    "source_code", "source_country", "source_name", "target_code", "target_country",
    "target_name", "cameo_root", "cameo_code", "quad_class", "goldstein", "modality",
    "plover_type", "location_country", "location_name", "location_geonameid", "location_lat",
    "location_lon", "location_feature", "article_id", "confidence", "sentence",
)  # fmt: skip
_CLUSTERS = (
    "(SELECT c.cluster_id, c.first_date, "
    + ", ".join(f"e.{name}" for name in _CLUSTER_EVENT_COLUMNS)
    + " FROM clusters c JOIN events e ON e.event_id = c.event_id) AS cd"
)


def _table(count: str) -> tuple[str, str]:
    """(FROM clause, date column): event clusters (each event once) or every report."""
    if count == "reports":
        return "events", "event_date"
    if count == "clusters":
        return _CLUSTERS, "first_date"
    raise BadParameter("count", f"count={count!r}: choose clusters or reports")


def _records(con: duckdb.DuckDBPyConnection, query: str, params: Sequence[Any]) -> list[dict]:
    cursor = con.execute(query, list(params))
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _iso(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date | dt.datetime) else value


# -- events ----------------------------------------------------------------------------------------


def event_item(row: dict[str, Any]) -> dict[str, Any]:
    """A flat events row (with the store's columns) → the API's item: the contract event and
    what the store adds (the date it counts on and its cluster)."""
    cluster = None
    if row.get("cluster_id") is not None:
        cluster = {
            "id": str(row["cluster_id"]),  # 60-bit: a string, JavaScript numbers lose digits
            "mentions": row.get("cluster_mentions"),
            "sources": row.get("cluster_sources"),
            "articles": row.get("cluster_articles"),
        }
    return {
        "event": unflatten_event(row),
        "event_date": _iso(row.get("event_date")),
        "cluster": cluster,
    }


def event_row(con: duckdb.DuckDBPyConnection, event_id: str) -> dict[str, Any] | None:
    rows = _records(
        con,
        f"""SELECT {_prefixed("e")}, e.event_date, e.cluster_id, c.num_mentions AS cluster_mentions,
                   c.num_sources AS cluster_sources, c.num_articles AS cluster_articles
            FROM events e LEFT JOIN clusters c ON c.cluster_id = e.cluster_id
            WHERE e.event_id = ? LIMIT 1""",
        [event_id],
    )
    return rows[0] if rows else None


def _prefixed(alias: str) -> str:
    return ", ".join(f'{alias}."{name}"' for name in EVENT_COLUMN_NAMES)


def cluster_info(con: duckdb.DuckDBPyConnection, cluster_id: int, event_id: str) -> dict | None:
    rows = _records(con, "SELECT * FROM clusters WHERE cluster_id = ?", [cluster_id])
    if not rows:
        return None
    c = rows[0]
    others = _records(
        con,
        "SELECT event_id, article_id, event_date, url, sentence FROM events "
        "WHERE cluster_id = ? AND event_id <> ? ORDER BY event_date, event_id LIMIT 20",
        [cluster_id, event_id],
    )
    return {
        "id": str(c["cluster_id"]),
        "key": c["cluster_key"],
        "representative": c["event_id"],
        "first_date": _iso(c["first_date"]),
        "last_date": _iso(c["last_date"]),
        "mentions": c["num_mentions"],
        "sources": c["num_sources"],
        "articles": c["num_articles"],
        "is_root": c["is_root"],
        "other_reports": [{k: _iso(v) for k, v in r.items()} for r in others],
    }


# -- articles --------------------------------------------------------------------------------------

_ARTICLE_COLUMNS = (
    "id, url, title, date, date_source, origin, length, outlet, n_events, notes, ingested_at"
)


def article_row(con: duckdb.DuckDBPyConnection, article_id: str) -> dict[str, Any] | None:
    rows = _records(con, f"SELECT {_ARTICLE_COLUMNS} FROM articles WHERE id = ?", [article_id])
    if not rows:
        return None
    return {k: (list(v) if k == "notes" else _iso(v)) for k, v in rows[0].items()}


def stored_article_id(
    con: duckdb.DuckDBPyConnection, article_id: str, text_hash: str
) -> str | None:
    """The id of a stored article with this id or this text (the store's idempotency keys)."""
    rows = con.execute(
        "SELECT id FROM articles WHERE id = ? OR text_hash = ? LIMIT 1", [article_id, text_hash]
    ).fetchall()
    return rows[0][0] if rows else None


_SPAN_COLUMNS = ("evidence", "source", "target", "attribution", "date", "location")


def article_sentences(con: duckdb.DuckDBPyConnection, article_id: str) -> list[dict[str, Any]]:
    """The article's sentences the store knows (those with events), with their offsets.

    The store keeps each event's sentence but not the article text; a sentence's start is found
    from the offsets of the spans its events carry (``text[start:end] == span`` always holds)."""
    spans_sql = ", ".join(f"{n}_start, {n}_end, {n}_text" for n in _SPAN_COLUMNS)
    rows = con.execute(
        f"SELECT sentence_index, sentence, {spans_sql} FROM events WHERE article_id = ? "
        "ORDER BY sentence_index",
        [article_id],
    ).fetchall()
    by_index: dict[int, tuple[str, list[tuple[int, int, str]]]] = {}
    for index, sentence, *cells in rows:
        spans = by_index.setdefault(index, (sentence, []))[1]
        for k in range(0, len(cells), 3):
            start, end, text = cells[k : k + 3]
            if start is not None and end is not None and text:
                spans.append((start, end, text))
    out = []
    for index, (sentence, spans) in sorted(by_index.items()):
        start = locate_sentence(sentence, spans)
        out.append(
            {
                "index": index,
                "start": start,
                "end": None if start is None else start + len(sentence),
                "text": sentence,
            }
        )
    return out


def article_text_window(
    con: duckdb.DuckDBPyConnection, article_id: str, start: int, end: int, chars: int = 600
) -> dict[str, Any] | None:
    """The article text around ``start:end``, for a store that keeps article texts (an
    ``articles.text`` column: the store does not have one yet, see docs/web.md)."""
    rows = con.execute("SELECT text FROM articles WHERE id = ?", [article_id]).fetchall()
    if not rows or rows[0][0] is None:
        return None
    text = rows[0][0]
    lo, hi = max(0, start - chars), min(len(text), end + chars)
    return {"start": lo, "end": hi, "text": text[lo:hi]}


def article_events(con: duckdb.DuckDBPyConnection, article_id: str, limit: int) -> list[dict]:
    rows = _records(
        con,
        f"""SELECT {_prefixed("e")}, e.event_date, e.cluster_id, c.num_mentions AS cluster_mentions,
                   c.num_sources AS cluster_sources, c.num_articles AS cluster_articles
            FROM events e LEFT JOIN clusters c ON c.cluster_id = e.cluster_id
            WHERE e.article_id = ? ORDER BY e.sentence_index, e.evidence_start, e.event_id LIMIT ?""",
        [article_id, limit],
    )
    return [event_item(r) for r in rows]


def article_parts(con: duckdb.DuckDBPyConnection, article_id: str) -> dict[str, list[dict]]:
    """The article's actor mentions, quotes and places as the store keeps them."""
    out = {}
    for table in ("actors", "quotes", "places"):
        rows = _records(
            con, f"SELECT * EXCLUDE (article_id) FROM {table} WHERE article_id = ? ORDER BY seq",
            [article_id],
        )  # fmt: skip
        out[table] = [
            {k: (list(v) if isinstance(v, list) else v) for k, v in r.items()} for r in rows
        ]
    return out


def quote_around(
    con: duckdb.DuckDBPyConnection, article_id: str, start: int, end: int
) -> dict[str, Any] | None:
    """The innermost stored quote of the article that contains ``start:end``."""
    rows = _records(
        con,
        'SELECT * EXCLUDE (article_id) FROM quotes WHERE article_id = ? AND start <= ? AND "end" >= ? '
        'ORDER BY "end" - start, seq LIMIT 1',
        [article_id, start, end],
    )
    return rows[0] if rows else None


# -- aggregates ------------------------------------------------------------------------------------


def series(
    con: duckdb.DuckDBPyConnection, filters: Filters, by: str, count: str = "clusters"
) -> list[dict[str, Any]]:
    """Per period: events by QuadClass, all events, the Goldstein sum and mean."""
    if by not in PERIODS:
        raise BadParameter("by", f"by={by!r}: choose from {', '.join(PERIODS)}")
    table, date = _table(count)
    where, params = filter_sql(filters, date_column=date)
    query = f"""
        SELECT date_trunc(?, {date})::DATE AS period, {QUAD_COUNTS}, count(*) AS events,
               round(sum(goldstein), 2) AS goldstein, round(avg(goldstein), 2) AS goldstein_mean
        FROM {table} WHERE {where} AND {date} IS NOT NULL
        GROUP BY period ORDER BY period"""
    rows = _records(con, query, [by, *params])
    return fill_periods(rows, by)


def _next_period(day: dt.date, by: str) -> dt.date:
    if by == "day":
        return day + dt.timedelta(days=1)
    if by == "week":
        return day + dt.timedelta(days=7)
    months = {"month": 1, "quarter": 3, "year": 12}[by]
    month = day.month - 1 + months
    return dt.date(day.year + month // 12, month % 12 + 1, 1)


def fill_periods(rows: list[dict[str, Any]], by: str) -> list[dict[str, Any]]:
    """Rows for the periods in between that have no events (zeros), so a chart has no gaps."""
    if not rows:
        return []
    found = {r["period"]: r for r in rows}
    zero = {k: 0 for k in rows[0] if k != "period"}
    zero["goldstein_mean"] = None
    out, day = [], rows[0]["period"]
    while day <= rows[-1]["period"] and len(out) < MAX_FILLED_PERIODS:
        out.append(found.get(day) or {"period": day, **zero, "goldstein": 0.0})
        day = _next_period(day, by)
    if len(out) >= MAX_FILLED_PERIODS:  # too long a range to fill: only the periods with events
        out = rows
    return [{**r, "period": r["period"].isoformat()} for r in out]


def actor_names(con: duckdb.DuckDBPyConnection) -> dict[str, tuple[str | None, str | None]]:
    """Every actor code of the store → (the name it goes by, its country), over all reports."""
    rows = con.execute(
        f"""WITH sides AS (
                SELECT source_code AS code, source_name AS name, source_country AS country
                FROM events WHERE source_code IS NOT NULL
                UNION ALL
                SELECT target_code, target_name, target_country FROM events
                WHERE target_code IS NOT NULL),
            {_NAMES}
            SELECT code, any_value(names.name), mode(country)
            FROM sides LEFT JOIN names USING (code) GROUP BY code"""
    ).fetchall()
    return {code: (name, country) for code, name, country in rows}


def actors(
    con: duckdb.DuckDBPyConnection,
    filters: Filters,
    search: str | None,
    limit: int,
    count: str = "reports",
    names: dict[str, tuple[str | None, str | None]] | None = None,
) -> list[dict[str, Any]]:
    """The actors (codes) with the most events as source or target; ``search`` matches a code
    prefix or words of the name (``names``: :func:`actor_names`)."""
    table, date = _table(count)
    where, params = filter_sql(filters, date_column=date)
    names = names if names is not None else actor_names(con)
    having, having_params = "", []
    if search:
        words = search.strip().lower()
        named = sorted(code for code, (name, _) in names.items() if name and words in name.lower())
        having = "HAVING starts_with(code, ?) OR list_contains(?, code)"
        having_params = [search.strip().upper(), named]
    query = f"""
        WITH f AS (SELECT source_code, target_code FROM {table} WHERE {where}),
        sides AS (
            SELECT source_code AS code, 1 AS s, 0 AS t FROM f WHERE source_code IS NOT NULL
            UNION ALL
            SELECT target_code, 0, 1 FROM f WHERE target_code IS NOT NULL)
        SELECT code, sum(s)::BIGINT AS as_source, sum(t)::BIGINT AS as_target, count(*) AS events
        FROM sides GROUP BY code {having} ORDER BY events DESC, code LIMIT ?"""
    out = []
    for row in _records(con, query, [*params, *having_params, limit]):
        name, country = names.get(row["code"], (None, None))
        out.append({"code": row["code"], "name": name, "country": country, **{k: row[k] for k in ("as_source", "as_target", "events")}})  # fmt: skip
    return out


def network(
    con: duckdb.DuckDBPyConnection,
    filters: Filters,
    by: str,
    limit: int,
    count: str = "clusters",
    country_names: dict[str, str] | None = None,
    names: dict[str, tuple[str | None, str | None]] | None = None,
) -> dict[str, Any]:
    """Actor graph: one edge per (source, target) with its counts; nodes with their totals."""
    table, date = _table(count)
    if by == "actor":
        src, tgt = "source_code", "target_code"
    elif by == "country":
        src, tgt = "coalesce(source_country, source_code)", "coalesce(target_country, target_code)"
    else:
        raise BadParameter("by", f"by={by!r}: choose actor or country")
    where, params = filter_sql(filters, date_column=date)
    edges = _records(
        con,
        f"""SELECT {src} AS source, {tgt} AS target, count(*) AS events, {QUAD_COUNTS},
                   round(sum(goldstein), 2) AS goldstein
            FROM {table} WHERE {where} AND {src} IS NOT NULL AND {tgt} IS NOT NULL
            GROUP BY ALL ORDER BY events DESC, source, target LIMIT ?""",
        [*params, limit],
    )
    totals: dict[str, dict[str, int]] = defaultdict(lambda: {"out": 0, "in": 0})
    for edge in edges:
        totals[edge["source"]]["out"] += edge["events"]
        totals[edge["target"]]["in"] += edge["events"]
    if by == "actor":
        names = names if names is not None else (actor_names(con) if totals else {})
    else:
        names = {c: ((country_names or {}).get(c), c) for c in totals}
    nodes = [
        {
            "id": code,
            "name": names.get(code, (None, None))[0],
            "country": names.get(code, (None, None))[1],
            "events_out": t["out"],
            "events_in": t["in"],
            "events": t["out"] + t["in"],
        }
        for code, t in sorted(totals.items(), key=lambda kv: (-(kv[1]["out"] + kv[1]["in"]), kv[0]))
    ]
    return {"by": by, "nodes": nodes, "edges": edges}


def places(
    con: duckdb.DuckDBPyConnection, filters: Filters, limit: int, count: str = "clusters"
) -> dict[str, list[dict[str, Any]]]:
    """Event places (points with counts) and events per location country."""
    table, date = _table(count)
    where, params = filter_sql(filters, date_column=date)
    points = _records(
        con,
        f"""SELECT location_geonameid AS geonameid, location_name AS name,
                   location_country AS country, location_feature AS feature,
                   round(avg(location_lat), 5) AS lat, round(avg(location_lon), 5) AS lon,
                   count(*) AS events, {QUAD_COUNTS}, round(sum(goldstein), 2) AS goldstein
            FROM {table} WHERE {where} AND location_lat IS NOT NULL AND location_lon IS NOT NULL
            GROUP BY location_geonameid, location_name, location_country, location_feature
            ORDER BY events DESC, name LIMIT ?""",
        [*params, limit],
    )
    countries = _records(
        con,
        f"""SELECT location_country AS country, count(*) AS events, {QUAD_COUNTS},
                   round(sum(goldstein), 2) AS goldstein
            FROM {table} WHERE {where} AND location_country IS NOT NULL
            GROUP BY location_country ORDER BY events DESC, country""",
        params,
    )
    return {"points": points, "countries": countries}


def store_summary(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    row = con.execute(
        "SELECT (SELECT count(*) FROM articles), (SELECT count(*) FROM events), "
        "(SELECT count(*) FROM clusters), (SELECT min(event_date) FROM events), "
        "(SELECT max(event_date) FROM events)"
    ).fetchall()[0]
    names = ("articles", "events", "clusters", "first_date", "last_date")
    return {k: _iso(v) for k, v in zip(names, row, strict=True)}


def plover_types_in_store(con: duckdb.DuckDBPyConnection) -> list[str]:
    return [
        r[0]
        for r in con.execute(
            "SELECT DISTINCT plover_type FROM events WHERE plover_type IS NOT NULL ORDER BY 1"
        ).fetchall()
    ]
