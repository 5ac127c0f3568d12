"""Cross-article event clustering: the same event reported several times counts once.

The rule (docs/store.md, "Clustering"):

1. Every event gets a *cluster key*: source actor code, target actor code, CAMEO root, place and
   modality (``USAGOV|IRN|16|g:130758|asserted``). An event with neither actor code resolved, or
   with no date at all (neither an event date nor a publication date), gets no key and is a
   cluster on its own.
2. Events with the same key are sorted by date. The earliest opens a cluster; every event dated
   at most ``window`` days after the date that opened the cluster joins it; the first event after
   that opens the next cluster, and so on. ``window=0`` clusters same-day reports only; the
   default of 1 also joins reports dated the next day (a story published the morning after, a
   "yesterday" resolved differently). Clusters never span more than ``window + 1`` days, so a
   daily series of attacks stays a series of events rather than chaining into one.
3. A cluster's id is a hash of its key and opening date (a hash of the event id for single
   events): the same events give the same clusters whatever order they were stored in, and
   re-running the rule on the whole store changes nothing.

``num_mentions`` counts the cluster's events, ``num_articles`` the distinct articles they come
from and ``num_sources`` the distinct news sources (URL hosts; articles without a URL count as
one unknown source), like GDELT's NumMentions/NumArticles/NumSources.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Mapping
from typing import Any

DEFAULT_WINDOW = 1


def place_key(row: Mapping[str, Any]) -> str:
    """``g:<geonameid>`` when the place is in the gazetteer, else ``n:<country>:<name>``, else ``-``."""
    if row.get("location_geonameid") is not None:
        return f"g:{row['location_geonameid']}"
    name = row.get("location_name")
    if name:
        return f"n:{row.get('location_country') or ''}:{' '.join(str(name).lower().split())}"
    return "-"


def event_date(row: Mapping[str, Any]) -> dt.date | None:
    """The date an event counts on: its own date, else its article's publication date."""
    return row.get("date") or row.get("article_date")


def cluster_key(row: Mapping[str, Any]) -> str | None:
    """The key of a flat event row (see the module docstring), or None for a lone event."""
    source, target = row.get("source_code"), row.get("target_code")
    if not source and not target:
        return None
    if event_date(row) is None:
        return None
    parts = (source or "-", target or "-", row["cameo_root"], place_key(row), row["modality"])
    return "|".join(parts)


def _hash_id(text: str) -> int:
    # 60 bits: a positive BIGINT, usable as GDELT's integer GlobalEventID.
    return int(hashlib.sha1(text.encode("utf-8")).hexdigest()[:15], 16)


def lone_cluster_id(event_id: str) -> int:
    return _hash_id(f"event|{event_id}")


def cluster_id(key: str, opened: dt.date) -> int:
    return _hash_id(f"{key}|{opened.isoformat()}")


def assign(
    events: Iterable[tuple[str, str, dt.date]], window: int = DEFAULT_WINDOW
) -> dict[str, int]:
    """``(event_id, key, date)`` of every event of some keys → ``{event_id: cluster_id}``.

    The result depends only on the set of events given, not on their order.
    """
    if window < 0:
        raise ValueError(f"the clustering window must be 0 or more days, not {window}")
    span = dt.timedelta(days=window)
    out: dict[str, int] = {}
    current_key: str | None = None
    opened: dt.date | None = None
    current = 0
    for event_id, key, date in sorted(events, key=lambda e: (e[1], e[2], e[0])):
        if key != current_key or opened is None or date > opened + span:
            current_key, opened = key, date
            current = cluster_id(key, date)
        out[event_id] = current
    return out


# -- SQL over the store (the tables are defined in dyads.store_schema) ---------------------------

CLUSTER_AGGREGATE_SQL = """
INSERT INTO clusters
SELECT
    e.cluster_id,
    any_value(e.cluster_key),
    first(e.event_id ORDER BY e.confidence DESC, e.sentence_index, e.event_date, e.event_id),
    min(e.event_date),
    max(e.event_date),
    count(*),
    count(DISTINCT coalesce(a.outlet, '')),
    count(DISTINCT e.article_id),
    min(a.ingested_at),
    bool_or(e.sentence_index = 0)
FROM events e JOIN articles a ON a.id = e.article_id {join}
WHERE {where}
GROUP BY e.cluster_id
"""
_SLICE = "JOIN _cluster_slice s ON e.cluster_key = s.key AND e.event_date >= s.start"


def recluster(
    con: Any, new_keys: Mapping[str, dt.date], lone_events: list[str], window: int
) -> int:
    """Bring the clusters up to date after events were added, inside the caller's transaction on
    the DuckDB connection ``con``.

    ``new_keys`` maps each key that got new events to the earliest of their dates. Clusters of
    that key that opened before the last cluster opening on or before that date cannot change
    (the rule walks forward in time), so only the events from that opening on are assigned
    again. ``lone_events`` are the new events without a key. Returns the events (re)assigned."""
    import pyarrow as pa

    assigned = 0
    if new_keys:
        keys = sorted(new_keys)
        arrow = pa.table({"key": keys, "dmin": pa.array([new_keys[k] for k in keys], pa.date32())})
        con.register("_cluster_keys", arrow)
        con.execute(
            "CREATE OR REPLACE TEMP TABLE _cluster_slice AS "
            "SELECT k.key, coalesce(max(c.first_date), any_value(k.dmin)) AS start "
            "FROM _cluster_keys k LEFT JOIN clusters c ON c.cluster_key = k.key AND c.first_date <= k.dmin "
            "GROUP BY k.key"
        ).fetchall()
        con.unregister("_cluster_keys")
        rows = con.execute(
            f"SELECT e.event_id, e.cluster_key, e.event_date FROM events e {_SLICE}"
        ).fetchall()
        mapping = assign(rows, window)
        table = pa.table(
            {"event_id": list(mapping), "cluster_id": pa.array(mapping.values(), pa.int64())}
        )
        con.register("_cluster_map", table)
        con.execute(
            "UPDATE events SET cluster_id = m.cluster_id FROM _cluster_map m "
            "WHERE events.event_id = m.event_id AND events.cluster_id IS DISTINCT FROM m.cluster_id"
        ).fetchall()
        con.unregister("_cluster_map")
        con.execute(
            "DELETE FROM clusters USING _cluster_slice s "
            "WHERE clusters.cluster_key = s.key AND clusters.first_date >= s.start"
        ).fetchall()
        con.execute(CLUSTER_AGGREGATE_SQL.format(join=_SLICE, where="TRUE")).fetchall()
        con.execute("DROP TABLE _cluster_slice").fetchall()
        assigned += len(mapping)
    if lone_events:
        con.register("_lone_events", pa.table({"event_id": lone_events}))
        con.execute(
            "DELETE FROM clusters WHERE cluster_key IS NULL AND event_id IN "
            "(SELECT event_id FROM _lone_events)"
        ).fetchall()
        where = "e.cluster_key IS NULL AND e.event_id IN (SELECT event_id FROM _lone_events)"
        con.execute(CLUSTER_AGGREGATE_SQL.format(join="", where=where)).fetchall()
        con.unregister("_lone_events")
        assigned += len(lone_events)
    return assigned


def new_keys(rows: Iterable[Mapping[str, Any]]) -> dict[str, dt.date]:
    """``{key: earliest date}`` of flat event rows that have a key (for :func:`recluster`)."""
    out: dict[str, dt.date] = {}
    for row in rows:
        key, date = row.get("cluster_key"), row.get("event_date")
        if key is not None and date is not None and (key not in out or date < out[key]):
            out[key] = date
    return out


def recluster_all(con: Any, window: int) -> int:
    """Recompute every cluster of the store with ``window`` (inside the caller's transaction)."""
    keys = con.execute(
        "SELECT cluster_key, min(event_date) FROM events WHERE cluster_key IS NOT NULL GROUP BY 1"
    ).fetchall()
    lone = con.execute("SELECT event_id FROM events WHERE cluster_key IS NULL").fetchall()
    con.execute("DELETE FROM clusters").fetchall()
    return recluster(con, dict(keys), [e for (e,) in lone], window)
