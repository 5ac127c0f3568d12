"""Reading the event store: filters, events, clusters, dyad series, stats and checks.

:class:`StoreQueries` is the read half of :class:`dyads.store.EventStore` (a mixin: it needs the
store's ``connection()`` and ``path``). The filters are documented in docs/store.md.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from .clustering import DEFAULT_WINDOW, assign
from .export.parquet import EVENT_COLUMN_NAMES
from .store_schema import TABLES

FILTERS = (
    "source", "target", "actor", "root", "code", "quad_class", "modality", "plover_type",
    "since", "until", "country", "article_id", "cluster_id", "min_confidence",
)  # fmt: skip
PERIODS = ("day", "week", "month", "quarter", "year")


class StoreError(Exception):
    """A problem with the store file (missing, locked, damaged, too new) or a bad request."""


def _first(
    con: duckdb.DuckDBPyConnection, query: str, params: list[Any] | None = None
) -> tuple[Any, ...] | None:
    """The first row of a query, reading the whole result (DuckDB 2 refuses new work on a
    connection with an unfinished result)."""
    rows = con.execute(query, params or []).fetchall()
    return rows[0] if rows else None


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list | tuple | set | frozenset) else [value]


def _as_date(value: Any, name: str) -> dt.date:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise StoreError(f"{name}={value!r} is not a date (YYYY-MM-DD)") from None


def _root(value: Any) -> str:
    text = str(value).strip()
    if not text.isdigit() or len(text) > 2:
        raise StoreError(f"root={value!r} is not a CAMEO root (01 to 20)")
    return text.zfill(2)


def where_clause(
    filters: Mapping[str, Any], date_column: str = "event_date"
) -> tuple[str, list[Any]]:
    """SQL condition and parameters for the :data:`FILTERS` (documented in docs/store.md)."""
    unknown = sorted(set(filters) - set(FILTERS))
    if unknown:
        raise TypeError(f"unknown filter(s) {', '.join(unknown)}; known: {', '.join(FILTERS)}")
    parts: list[str] = []
    params: list[Any] = []

    def any_of(template: str, values: list[Any]) -> None:
        if values:
            parts.append("(" + " OR ".join([template] * len(values)) + ")")
            for value in values:
                params.extend([value] * template.count("?"))

    actor = "(starts_with({0}_code, ?) OR {0}_country = ?)"
    any_of(actor.format("source"), [str(v).upper() for v in _as_list(filters.get("source"))])
    any_of(actor.format("target"), [str(v).upper() for v in _as_list(filters.get("target"))])
    any_of(
        f"({actor.format('source')} OR {actor.format('target')})",
        [str(v).upper() for v in _as_list(filters.get("actor"))],
    )
    any_of("cameo_root = ?", [_root(v) for v in _as_list(filters.get("root"))])
    any_of("starts_with(cameo_code, ?)", [str(v) for v in _as_list(filters.get("code"))])
    any_of("quad_class = ?", [int(v) for v in _as_list(filters.get("quad_class"))])
    any_of("modality = ?", _as_list(filters.get("modality")))
    any_of("plover_type = ?", [str(v).upper() for v in _as_list(filters.get("plover_type"))])
    any_of("location_country = ?", [str(v).upper() for v in _as_list(filters.get("country"))])
    any_of("article_id = ?", [str(v) for v in _as_list(filters.get("article_id"))])
    any_of("cluster_id = ?", [int(v) for v in _as_list(filters.get("cluster_id"))])
    if filters.get("since") is not None:
        parts.append(f"{date_column} >= ?")
        params.append(_as_date(filters["since"], "since"))
    if filters.get("until") is not None:
        parts.append(f"{date_column} <= ?")
        params.append(_as_date(filters["until"], "until"))
    if filters.get("min_confidence") is not None:
        parts.append("confidence >= ?")
        params.append(float(filters["min_confidence"]))
    return (" AND ".join(parts) or "TRUE"), params


class StoreQueries:
    """Read methods of the event store; every call opens and closes its own connection."""

    path: Path

    def connection(self, write: bool = False) -> Any:  # pragma: no cover - EventStore's
        raise NotImplementedError

    @staticmethod
    def _version(con: duckdb.DuckDBPyConnection) -> int:
        found = _first(
            con,
            "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'schema_version' AND NOT temporary",
        )
        if not found or not found[0]:
            return 0
        row = _first(con, "SELECT max(version) FROM schema_version")
        return int(row[0] or 0) if row else 0

    # -- reading ---------------------------------------------------------------------------------
    def sql(self, query: str, params: list[Any] | None = None) -> pa.Table:
        """Run your own SQL (read-only) and get an Arrow table."""
        with self.connection() as con:
            return con.sql(query, params=params or None).to_arrow_table()

    def _event_query(
        self, filters: Mapping[str, Any], limit: int | None = None
    ) -> tuple[str, list[Any]]:
        where, params = where_clause(filters)
        columns = ", ".join(f'e."{name}"' for name in EVENT_COLUMN_NAMES)
        query = (
            f"SELECT {columns}, e.event_date, e.cluster_id, c.num_mentions AS cluster_mentions, "
            "c.num_sources AS cluster_sources, c.num_articles AS cluster_articles "
            f"FROM events e LEFT JOIN clusters c ON c.cluster_id = e.cluster_id WHERE {where} "
            "ORDER BY e.event_date NULLS LAST, e.article_id, e.sentence_index, e.evidence_start"
        )
        if limit is not None:
            query += f" LIMIT {int(limit)}"
        return query, params

    def events(self, limit: int | None = None, **filters: Any) -> pa.Table:
        """Events (every field of the output contract, flat) with their cluster's counts."""
        query, params = self._event_query(filters, limit)
        return self.sql(query, params)

    def df(self, limit: int | None = None, **filters: Any) -> Any:
        """:meth:`events` as a pandas DataFrame (needs pandas: ``pip install 'dyads[pandas]'``)."""
        try:
            import pandas  # noqa: F401
        except ImportError:
            raise StoreError(
                "pandas is not installed (pip install 'dyads[pandas]'); .events() gives an Arrow table"
            ) from None
        return self.events(limit=limit, **filters).to_pandas()

    @contextmanager
    def event_batches(
        self, batch_rows: int = 50_000, **filters: Any
    ) -> Iterator[pa.RecordBatchReader]:
        """Stream the :meth:`events` rows (for exports); the read lock is held while it is open."""
        query, params = self._event_query(filters)
        with self.connection() as con:
            yield con.sql(query, params=params or None).to_arrow_reader(batch_rows)

    def clusters(self, limit: int | None = None, modality: Any = None, **filters: Any) -> pa.Table:
        """One row per cluster: counts, first/last date and its representative event's fields."""
        where, params = where_clause({**filters, "modality": modality}, date_column="first_date")
        query = (
            f"SELECT * FROM cluster_detail WHERE {where} ORDER BY first_date NULLS LAST, cluster_id"
        )
        if limit is not None:
            query += f" LIMIT {int(limit)}"
        return self.sql(query, params)

    @contextmanager
    def cluster_records(
        self, all_modalities: bool = False, **filters: Any
    ) -> Iterator[Iterator[dict[str, Any]]]:
        """Stream cluster rows as dicts (for the GDELT export): asserted clusters unless
        ``all_modalities``; dated clusters only."""
        if not all_modalities:
            filters = {**filters, "modality": filters.get("modality") or "asserted"}
        where, params = where_clause(filters, date_column="first_date")
        query = (
            f"SELECT * FROM cluster_detail WHERE {where} AND first_date IS NOT NULL "
            "ORDER BY first_date, cluster_id"
        )

        def rows(reader: pa.RecordBatchReader) -> Iterator[dict[str, Any]]:
            for batch in reader:
                yield from batch.to_pylist()

        with self.connection() as con:
            yield rows(con.sql(query, params=params or None).to_arrow_reader(10_000))

    def dyad_series(
        self,
        a: str,
        b: str,
        by: str = "month",
        undirected: bool = False,
        modalities: Iterable[str] | None = ("asserted",),
        mentions: bool = False,
    ) -> pa.Table:
        """Per period: clusters (or, with ``mentions``, events) from ``a`` to ``b`` by QuadClass
        and their Goldstein sum. ``a``/``b`` match actor codes by prefix or country."""
        if by not in PERIODS:
            raise StoreError(f"by={by!r}: choose from {', '.join(PERIODS)}")
        table, date = ("events", "event_date") if mentions else ("cluster_detail", "first_date")
        pair, params = where_clause({"source": a, "target": b})
        if undirected:
            back, back_params = where_clause({"source": b, "target": a})
            pair, params = f"({pair} OR {back})", params + back_params
        mods = list(modalities or [])
        if mods:
            pair += f" AND modality IN ({', '.join('?' * len(mods))})"
            params += mods
        query = f"""
            SELECT date_trunc('{by}', {date})::DATE AS period,
                   count(*) FILTER (WHERE quad_class = 1) AS verbal_coop,
                   count(*) FILTER (WHERE quad_class = 2) AS material_coop,
                   count(*) FILTER (WHERE quad_class = 3) AS verbal_conflict,
                   count(*) FILTER (WHERE quad_class = 4) AS material_conflict,
                   count(*) AS events,
                   round(sum(goldstein), 2) AS goldstein
            FROM {table} WHERE {pair} AND {date} IS NOT NULL
            GROUP BY period ORDER BY period"""
        return self.sql(query, params)

    def top_dyads(self, n: int = 10, modalities: Iterable[str] | None = ("asserted",)) -> pa.Table:
        """The ``n`` actor pairs with the most clusters, with counts by QuadClass."""
        mods = list(modalities or [])
        where = f"modality IN ({', '.join('?' * len(mods))})" if mods else "TRUE"
        query = f"""
            SELECT source_code, target_code, count(*) AS events,
                   count(*) FILTER (WHERE quad_class = 1) AS verbal_coop,
                   count(*) FILTER (WHERE quad_class = 2) AS material_coop,
                   count(*) FILTER (WHERE quad_class = 3) AS verbal_conflict,
                   count(*) FILTER (WHERE quad_class = 4) AS material_conflict,
                   round(sum(goldstein), 2) AS goldstein, min(first_date) AS first, max(last_date) AS last
            FROM cluster_detail
            WHERE {where} AND source_code IS NOT NULL AND target_code IS NOT NULL
            GROUP BY source_code, target_code ORDER BY events DESC, source_code, target_code
            LIMIT {int(n)}"""
        return self.sql(query, mods)

    def stats(self) -> dict[str, Any]:
        """Counts, date range, schema version, clustering window and the last ingest runs."""
        with self.connection() as con:

            def one(query: str) -> Any:
                row = _first(con, query)
                return row[0] if row else None

            out: dict[str, Any] = {"path": str(self.path), "size_bytes": self.path.stat().st_size}
            out["schema_version"] = self._version(con)
            out["cluster_window"] = int(
                one("SELECT value FROM settings WHERE key = 'cluster_window'") or 0
            )
            for table in TABLES:
                out[table] = one(f"SELECT count(*) FROM {table}")
            out["articles_with_events"] = one("SELECT count(*) FROM articles WHERE n_events > 0")
            out["multi_article_clusters"] = one(
                "SELECT count(*) FROM clusters WHERE num_articles > 1"
            )
            out["first_date"], out["last_date"] = _first(
                con, "SELECT min(event_date), max(event_date) FROM events"
            ) or (None, None)
            out["events_by_modality"] = dict(
                con.execute(
                    "SELECT modality, count(*) FROM events GROUP BY 1 ORDER BY 2 DESC"
                ).fetchall()
            )
            out["clusters_by_quad_class"] = dict(
                con.execute(
                    "SELECT quad_class, count(*) FROM cluster_detail GROUP BY 1 ORDER BY 1"
                ).fetchall()
            )
            runs = con.execute(
                "SELECT run_id, status, started_at, finished_at, articles_added, articles_skipped, "
                "events_added, errors FROM ingest_runs ORDER BY run_id DESC LIMIT 5"
            ).fetchall()
            names = ("run_id", "status", "started_at", "finished_at", "articles_added",
                     "articles_skipped", "events_added", "errors")  # fmt: skip
            out["runs"] = [dict(zip(names, run, strict=True)) for run in runs]
        events = out["events"] or 0
        out["bytes_per_1000_events"] = round(out["size_bytes"] * 1000 / events) if events else None
        return out

    def verify(self) -> list[str]:
        """Consistency checks (each article once, events ↔ articles ↔ clusters, the clustering
        rule); returns the problems found, an empty list when all is well."""
        problems: list[str] = []
        with self.connection() as con:
            checks = {
                "articles stored more than once": "SELECT count(*) FROM (SELECT id FROM articles GROUP BY id HAVING count(*) > 1)",
                "events stored more than once": "SELECT count(*) FROM (SELECT event_id FROM events GROUP BY event_id HAVING count(*) > 1)",
                "events without their article": "SELECT count(*) FROM events e ANTI JOIN articles a ON a.id = e.article_id",
                "articles whose n_events is wrong": "SELECT count(*) FROM articles a LEFT JOIN (SELECT article_id, count(*) n FROM events GROUP BY 1) e ON e.article_id = a.id WHERE a.n_events <> coalesce(e.n, 0)",
                "events without their cluster": "SELECT count(*) FROM events e ANTI JOIN clusters c ON c.cluster_id = e.cluster_id",
                "clusters without events": "SELECT count(*) FROM clusters c ANTI JOIN events e ON e.cluster_id = c.cluster_id",
                "clusters whose counts are wrong": "SELECT count(*) FROM clusters c JOIN (SELECT cluster_id, count(*) n, count(DISTINCT article_id) a FROM events GROUP BY 1) e USING (cluster_id) WHERE c.num_mentions <> e.n OR c.num_articles <> e.a",
            }  # fmt: skip
            for label, query in checks.items():
                count = _first(con, query)
                if count and count[0]:
                    problems.append(f"{count[0]} {label}")
            window_row = _first(con, "SELECT value FROM settings WHERE key = 'cluster_window'")
            window = int(window_row[0]) if window_row else DEFAULT_WINDOW
            keyed = con.execute(
                "SELECT event_id, cluster_key, event_date, cluster_id FROM events WHERE cluster_key IS NOT NULL"
            ).fetchall()
        expected = assign([(e, k, d) for e, k, d, _ in keyed], window)
        wrong = sum(1 for e, _, _, c in keyed if expected[e] != c)
        if wrong:
            problems.append(f"{wrong} events in the wrong cluster for a window of {window} days")
        return problems
