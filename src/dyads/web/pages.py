"""Pages of ``/api/events``: keyset cursors, and a listing built in two steps with a cache.

A page is found by a narrow query (the sort key, the row id and the cluster of the matching
events: cheap at any store size, and DuckDB's top-N keeps only ``limit`` rows); only then are the
page's events read whole, by row id, and only those not already in :class:`EventCache`. An event
(the output contract's object) does not change once stored, so the cache keeps each as JSON,
tagged with the store's version (:func:`store_version`): a store that changed invalidates it.
Cluster counts do change as reports arrive and are always read fresh.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

import duckdb
from pydantic_core import to_json

from ..export.parquet import unflatten_event
from .queries import COLUMNS_SQL, SORT_KEY, BadParameter, Filters, filter_sql


@dataclass(frozen=True)
class Cursor:
    """Where a page of ``/api/events`` ended: the sort key of its last row."""

    date: dt.date
    event_id: str
    order: str

    def encode(self) -> str:
        raw = json.dumps([self.date.isoformat(), self.event_id, self.order], separators=(",", ":"))
        return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")

    @classmethod
    def decode(cls, text: str, order: str) -> Cursor:
        bad = BadParameter("cursor", "not a cursor of this API (use next_cursor of a page)")
        try:
            raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
            date, event_id, cursor_order = json.loads(raw)
            value = cls(dt.date.fromisoformat(date), str(event_id), str(cursor_order))
        except (binascii.Error, ValueError, TypeError, UnicodeDecodeError):
            raise bad from None
        if not isinstance(event_id, str) or len(event_id) > 200:
            raise bad
        if value.order != order:
            raise BadParameter("cursor", f"this cursor belongs to order={value.order}, not {order}")
        return value


@dataclass(frozen=True)
class StoreVersion:
    """What changes whenever events are stored or deleted (the caches' tag), and whether the
    store keeps article texts."""

    key: tuple[Any, ...]
    has_text: bool = False


def store_version(con: duckdb.DuckDBPyConnection) -> StoreVersion:
    key = con.execute(
        "SELECT (SELECT count(*) FROM events), (SELECT count(*) FROM articles), "
        "(SELECT max(ingested_at) FROM articles), (SELECT max(run_id) FROM ingest_runs)"
    ).fetchall()[0]
    has_text = con.execute(
        "SELECT count(*) FROM duckdb_columns() WHERE table_name = 'articles' "
        "AND column_name = 'text'"
    ).fetchall()[0][0]
    return StoreVersion(tuple(key), bool(has_text))


class EventCache:
    """The JSON of recently served events, for one store version at a time (thread-safe LRU)."""

    def __init__(self, size: int = 20_000):
        self.size = size
        self._items: OrderedDict[str, bytes] = OrderedDict()
        self._version: Any = None
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def get_many(self, version: Any, ids: list[str]) -> dict[str, bytes]:
        with self._lock:
            if version != self._version:
                self._items.clear()
                self._version = version
            found = {}
            for event_id in ids:
                value = self._items.get(event_id)
                if value is not None:
                    self._items.move_to_end(event_id)
                    found[event_id] = value
            self.hits += len(found)
            self.misses += len(ids) - len(found)
            return found

    def put_many(self, version: Any, items: dict[str, bytes]) -> None:
        if self.size <= 0:
            return
        with self._lock:
            if version != self._version:
                return
            self._items.update(items)
            while len(self._items) > self.size:
                self._items.popitem(last=False)


def events_page(
    con: duckdb.DuckDBPyConnection,
    filters: Filters,
    limit: int,
    cursor: Cursor | None = None,
    order: str = "newest",
    cache: EventCache | None = None,
    version: Any = None,
) -> bytes:
    """One page of events (reports), newest or oldest first, as the JSON of ``EventsPage``."""
    where, params = filter_sql(filters)
    total = con.execute(f"SELECT count(*) FROM events WHERE {where}", params).fetchall()[0][0]
    op, direction = ("<", "DESC") if order == "newest" else (">", "ASC")
    page_where, page_params = where, list(params)
    if cursor is not None:
        page_where += f" AND ({SORT_KEY} {op} ? OR ({SORT_KEY} = ? AND event_id {op} ?))"
        page_params += [cursor.date, cursor.date, cursor.event_id]
    nulls = "NULLS LAST" if order == "newest" else "NULLS FIRST"  # undated: after the dated
    rows = con.execute(
        f"""WITH page AS (
                SELECT rowid AS rid, event_id, event_date, cluster_id FROM events
                WHERE {page_where}
                ORDER BY event_date {direction} {nulls}, event_id {direction} LIMIT ?)
            SELECT page.rid, page.event_id, page.event_date, page.cluster_id,
                   coalesce(page.event_date, DATE '0001-01-01') AS sort_key,
                   c.num_mentions, c.num_sources, c.num_articles
            FROM page LEFT JOIN clusters c ON c.cluster_id = page.cluster_id
            ORDER BY page.event_date {direction} {nulls}, page.event_id {direction}""",
        [*page_params, limit + 1],
    ).fetchall()
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        next_cursor = Cursor(rows[-1][4], rows[-1][1], order).encode()
    ids = [r[1] for r in rows]
    events = cache.get_many(version, ids) if cache is not None else {}
    missing = [r[0] for r in rows if r[1] not in events]
    if missing:
        cursor_ = con.execute(
            f"SELECT {COLUMNS_SQL} FROM events WHERE rowid IN (SELECT unnest(?))", [missing]
        )
        names = [d[0] for d in cursor_.description]
        fresh = {
            row[0]: to_json(unflatten_event(dict(zip(names, row, strict=True))))
            for row in cursor_.fetchall()
        }
        events.update(fresh)
        if cache is not None:
            cache.put_many(version, fresh)
    items = []
    for _, event_id, event_date, cluster_id, _, mentions, sources, articles in rows:
        cluster = (
            None if cluster_id is None
            else {"id": str(cluster_id), "mentions": mentions, "sources": sources, "articles": articles}
        )  # fmt: skip
        items.append(
            b'{"event":' + events[event_id] + b',"event_date":'
            + to_json(event_date) + b',"cluster":' + to_json(cluster) + b"}"
        )  # fmt: skip
    head = {"total": total, "limit": limit, "order": order, "next_cursor": next_cursor}
    return to_json(head)[:-1] + b',"items":[' + b",".join(items) + b"]}"
