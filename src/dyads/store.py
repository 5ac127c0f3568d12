"""The DuckDB event store: idempotent, crash-safe ingestion, clustering, queries.

    store = dyads.open("events.duckdb")
    store.ingest(pipeline.pipe(read(["news/"])))       # CodedArticle | ArticleError, in batches
    store.events(source="ISR", target="PSE", root=19, since="2024-01-01")   # a pyarrow Table
    store.dyad_series("USA", "ISR", by="month")

Concurrency (docs/store.md, "Several processes"): DuckDB lets one process write a database file,
and no other process open it, even read-only, while it does. The store therefore never keeps a
connection open: every read opens a short read-only connection, and ingestion opens a write
connection for each batch (one transaction) and closes it, so readers such as the web server get
in between batches. A connection that finds the file locked retries for ``lock_timeout``
seconds and then raises :class:`StoreLocked` naming the process that holds it.

Crash safety: a batch of articles is stored in one transaction with its events, actors, quotes,
places, errors, clusters and run counters, so a run killed at any point leaves the store as it
was after its last committed batch; running it again skips every article already stored (by id,
and by text hash when the text is known).
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import random
import re
import socket
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from . import __version__
from .clustering import DEFAULT_WINDOW, new_keys, recluster, recluster_all
from .records import Article, ArticleError, CodedArticle
from .store_query import FILTERS, PERIODS, StoreError, StoreQueries, _first, where_clause
from .store_schema import (
    CURRENT_VERSION,
    MIGRATIONS,
    StoredArticle,
    as_stored,
    row_schema,
    text_hash,
)

log = logging.getLogger(__name__)


class StoreLocked(StoreError):
    """Another process holds the file for longer than the lock timeout."""


class _NeedsMigration(StoreError):
    pass


@dataclass
class IngestReport:
    run_id: int
    articles_added: int = 0
    articles_skipped: int = 0
    events_added: int = 0
    errors: list[ArticleError] = field(default_factory=list)
    error_count: int = 0
    seconds: float = 0.0

    @property
    def articles_per_second(self) -> float:
        return (self.articles_added + self.articles_skipped) / self.seconds if self.seconds else 0.0


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class EventStore(StoreQueries):
    """A dyads event store in one DuckDB file (created on the first write)."""

    def __init__(self, path: str | Path, read_only: bool = False, lock_timeout: float = 60.0):
        self.path = Path(path)
        self.read_only = read_only
        self.lock_timeout = lock_timeout
        self._schema_checked = False

    def __repr__(self) -> str:
        return f"EventStore({str(self.path)!r})"

    # -- connections ---------------------------------------------------------------------------
    def _connect(self, write: bool) -> duckdb.DuckDBPyConnection:
        if write and self.read_only:
            raise StoreError(f"{self.path} was opened read-only")
        if not write and not self.path.exists():
            raise StoreError(
                f"no event store at {self.path} (create one with: dyads ingest ... --db {self.path})"
            )
        deadline = time.monotonic() + self.lock_timeout
        delay = 0.02
        while True:
            try:
                return duckdb.connect(str(self.path), read_only=not write)
            except duckdb.ConnectionException as err:
                if "different configuration" not in str(err):
                    raise StoreError(f"{self.path}: {err}") from None
                if not write:  # this process is writing the file: read through its database
                    return duckdb.connect(str(self.path))
                problem: Exception = err
            except duckdb.IOException as err:
                if "lock" not in str(err).lower():
                    raise StoreError(
                        f"{self.path} is not a DuckDB database or is damaged: {err}"
                    ) from None
                problem = err
            if time.monotonic() >= deadline:
                holder = re.search(r"PID \d+", str(problem))
                raise StoreLocked(
                    f"{self.path} is in use by another process ({holder.group(0) if holder else 'this one'}) "
                    f"and stayed locked for {self.lock_timeout:g}s. DuckDB allows one writing process "
                    "and no readers while it writes; dyads holds the file only per batch or query, so "
                    "retry, or stop the other process."
                ) from None
            time.sleep(delay * (1 + random.random()))
            delay = min(delay * 2, 0.5)

    @contextmanager
    def connection(self, write: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
        """A short-lived connection with the schema up to date; closed (lock released) on exit.

        Read connections are read-only. Use it for your own SQL, and keep it short: while any
        connection is open, no other process can write the file."""
        con = self._connect(write)
        try:
            if write or not self._schema_checked:
                try:
                    self._check_schema(con, write)
                except _NeedsMigration:
                    if self.read_only:
                        raise
                    con.close()
                    with self.connection(write=True):  # create or migrate (needs the write lock)
                        pass
                    con = self._connect(False)
            yield con
        finally:
            con.close()

    # -- schema ----------------------------------------------------------------------------------
    def _check_schema(self, con: duckdb.DuckDBPyConnection, write: bool) -> None:
        version = self._version(con)
        if version > CURRENT_VERSION:
            raise StoreError(
                f"{self.path} has schema version {version}, newer than this dyads ({__version__}) "
                f"knows ({CURRENT_VERSION}); upgrade dyads"
            )
        if version == 0:
            tables = [
                r[0]
                for r in con.execute(
                    "SELECT table_name FROM duckdb_tables() WHERE NOT temporary "
                    "UNION ALL SELECT view_name FROM duckdb_views() WHERE NOT internal AND NOT temporary"
                ).fetchall()
            ]
            if tables:
                shown = ", ".join(sorted(tables)[:5])
                raise StoreError(
                    f"{self.path} is a DuckDB database but not a dyads event store (it has {shown}); "
                    "choose another --db"
                )
        if version < CURRENT_VERSION:
            if not write:
                what = (
                    "is not a dyads event store"
                    if version == 0
                    else f"has schema version {version}"
                )
                raise _NeedsMigration(f"{self.path} {what}; open it writable once to migrate")
            self._migrate(con, version)
        self._schema_checked = True

    def _migrate(self, con: duckdb.DuckDBPyConnection, current: int) -> None:
        for migration in MIGRATIONS:
            if migration.version <= current:
                continue
            log.info(
                "%s: applying schema migration %d (%s)",
                self.path,
                migration.version,
                migration.description,
            )
            con.execute("BEGIN")
            try:
                con.execute(
                    "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, "
                    "description VARCHAR, applied_at TIMESTAMP, dyads_version VARCHAR)"
                )
                if callable(migration.apply):
                    migration.apply(con)
                else:
                    con.execute(migration.apply)
                con.execute(
                    "INSERT INTO schema_version VALUES (?, ?, ?, ?)",
                    [migration.version, migration.description, _utcnow(), __version__],
                )
                if current == 0:
                    con.execute(
                        "INSERT INTO settings VALUES ('cluster_window', ?)", [str(DEFAULT_WINDOW)]
                    )
                    con.execute(
                        "INSERT INTO settings VALUES ('created_by', ?)", [f"dyads {__version__}"]
                    )
                con.execute("COMMIT")
            except Exception as err:
                con.execute("ROLLBACK")
                raise StoreError(
                    f"{self.path}: schema migration {migration.version} failed: {err}"
                ) from err
            current = migration.version

    @property
    def schema_version(self) -> int:
        with self.connection() as con:
            return self._version(con)

    @property
    def cluster_window(self) -> int:
        with self.connection() as con:
            row = _first(con, "SELECT value FROM settings WHERE key = 'cluster_window'")
        return int(row[0]) if row else DEFAULT_WINDOW

    def set_cluster_window(self, days: int) -> int:
        """Store a new clustering window and recluster every event with it (one transaction)."""
        if days < 0:
            raise StoreError(f"the clustering window must be 0 or more days, not {days}")
        with self.connection(write=True) as con:
            con.execute("BEGIN")
            try:
                con.execute(
                    "UPDATE settings SET value = ? WHERE key = 'cluster_window'", [str(days)]
                )
                count = recluster_all(con, days)
                con.execute("COMMIT")
            except Exception:
                con.execute("ROLLBACK")
                raise
        return count

    # -- ingestion -------------------------------------------------------------------------------
    def stored_keys(self) -> tuple[set[str], set[str]]:
        """Ids and text hashes of the stored articles (to skip them before coding)."""
        if not self.path.exists():
            return set(), set()
        with self.connection() as con:
            ids = {r[0] for r in con.execute("SELECT id FROM articles").fetchall()}
            hashes = {
                r[0]
                for r in con.execute(
                    "SELECT text_hash FROM articles WHERE text_hash IS NOT NULL"
                ).fetchall()
            }
        return ids, hashes

    def skip_stored(
        self, items: Iterable[Any], on_skip: Callable[[Article], None]
    ) -> Iterator[Any]:
        """Pass ``items`` through, leaving out articles already stored (checked before coding)."""
        ids, hashes = self.stored_keys()
        for item in items:
            if isinstance(item, Article):
                digest = text_hash(item.text)
                if item.id in ids or digest in hashes:  # stored, or earlier in this input
                    on_skip(item)
                    continue
                ids.add(item.id)
                hashes.add(digest)
            yield item

    def ingest(
        self,
        items: Iterable[Any],
        batch_size: int = 100,
        max_seconds: float = 5.0,
        command: str = "",
        on_error: Callable[[ArticleError], None] | None = None,
        on_item: Callable[[], None] | None = None,
    ) -> IngestReport:
        """Store ``CodedArticle | ArticleError`` items (or :class:`StoredArticle` units).

        Items are stored in batches of ``batch_size`` articles (sooner when ``max_seconds`` have
        passed since the batch began), one transaction each. Articles already stored are
        skipped. ``on_error`` sees each error as it is found (including store failures)."""
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        report = IngestReport(run_id=self._start_run(command))
        started = time.perf_counter()
        batch: list[StoredArticle | ArticleError] = []
        batch_began = time.monotonic()
        status = "failed"
        try:
            for item in items:
                unit = _to_unit(item)
                if not batch:
                    batch_began = time.monotonic()
                batch.append(unit)
                if isinstance(unit, ArticleError) and on_error is not None:
                    on_error(unit)
                if on_item is not None:
                    on_item()
                if len(batch) >= batch_size or time.monotonic() - batch_began >= max_seconds:
                    pending, batch = batch, []
                    self._flush(pending, report, on_error)
            pending, batch = batch, []
            if pending:
                self._flush(pending, report, on_error)
            status = "done"
        except BaseException as exc:
            status = "interrupted" if isinstance(exc, KeyboardInterrupt) else "failed"
            if batch:  # store what was coded before a failure, Ctrl-C or a --strict stop
                try:
                    self._flush(batch, report, None)
                except Exception as err:
                    log.error("could not store the last %d results: %s", len(batch), err)
            raise
        finally:
            report.seconds = time.perf_counter() - started
            try:
                self._finish_run(report.run_id, status)
            except StoreError:
                if status == "done":
                    raise
                log.warning("could not mark ingest run %d as %s", report.run_id, status)
        return report

    def _start_run(self, command: str) -> int:
        host = socket.gethostname()
        with self.connection(write=True) as con:
            con.execute("BEGIN")
            running = con.execute(
                "SELECT run_id, pid FROM ingest_runs WHERE status = 'running' AND host = ?", [host]
            ).fetchall()
            for run_id, pid in running:
                if not _alive(pid):
                    con.execute(
                        "UPDATE ingest_runs SET status = 'interrupted' WHERE run_id = ?", [run_id]
                    )
            row = _first(
                con,
                "INSERT INTO ingest_runs (run_id, started_at, status, command, dyads_version, host, pid) "
                "VALUES (nextval('ingest_run_ids'), ?, 'running', ?, ?, ?, ?) RETURNING run_id",
                [_utcnow(), command, __version__, host, os.getpid()],
            )
            con.execute("COMMIT")
        assert row is not None
        return int(row[0])

    def _finish_run(self, run_id: int, status: str) -> None:
        with self.connection(write=True) as con:
            con.execute(
                "UPDATE ingest_runs SET status = ?, finished_at = ? WHERE run_id = ?",
                [status, _utcnow(), run_id],
            )

    def _flush(
        self,
        batch: list[StoredArticle | ArticleError],
        report: IngestReport,
        on_error: Callable[[ArticleError], None] | None,
    ) -> None:
        units = [u for u in batch if isinstance(u, StoredArticle)]
        errors = [u for u in batch if isinstance(u, ArticleError)]
        try:
            with self.connection(write=True) as con:
                added, skipped, events = self._write_batch(con, units, errors, report.run_id)
        except StoreError:
            raise
        except (duckdb.Error, pa.ArrowException) as err:  # a value the tables cannot take
            if len(units) > 1 or (units and errors):  # find the article at fault
                log.warning(
                    "a batch of %d articles failed (%s); storing them one by one", len(units), err
                )
                if errors:
                    self._flush(list(errors), report, on_error)
                for unit in units:
                    self._flush([unit], report, on_error)
                return
            if not units:
                raise StoreError(f"{self.path}: could not record errors: {err}") from err
            failure = ArticleError(
                units[0].origin,
                f"could not be stored: {str(err).splitlines()[0]}",
                units[0].id,
                stage="store",
            )
            if on_error is not None:
                on_error(failure)
            self._flush([failure], report, on_error)
            return
        report.articles_added += added
        report.articles_skipped += skipped
        report.events_added += events
        report.error_count += len(errors)
        report.errors.extend(errors[: max(0, 1000 - len(report.errors))])
        log.info(
            "committed %d articles (%d events, %d already stored, %d errors)",
            added,
            events,
            skipped,
            len(errors),
        )

    def _write_batch(
        self,
        con: duckdb.DuckDBPyConnection,
        units: list[StoredArticle],
        errors: list[ArticleError],
        run_id: int,
    ) -> tuple[int, int, int]:
        con.execute("BEGIN")
        try:
            window_rows = con.execute(
                "SELECT value FROM settings WHERE key = 'cluster_window'"
            ).fetchall()
            window = int(window_rows[0][0]) if window_rows else DEFAULT_WINDOW
            con.register(
                "_batch_keys",
                pa.table({"id": [u.id for u in units], "h": [u.text_hash for u in units]}),
            )
            ids = {
                r[0]
                for r in con.execute(
                    "SELECT id FROM articles WHERE id IN (SELECT id FROM _batch_keys)"
                ).fetchall()
            }
            hashes = {
                r[0]
                for r in con.execute(
                    "SELECT text_hash FROM articles WHERE text_hash IN (SELECT h FROM _batch_keys WHERE h IS NOT NULL)"
                ).fetchall()
            }
            con.unregister("_batch_keys")
            new: list[StoredArticle] = []
            for unit in units:
                if unit.id in ids or (unit.text_hash is not None and unit.text_hash in hashes):
                    continue
                new.append(unit)
                ids.add(unit.id)
                if unit.text_hash is not None:
                    hashes.add(unit.text_hash)
            now = _utcnow()
            articles = [{**u.article_row(), "ingested_at": now, "run_id": run_id} for u in new]
            events = [e for u in new for e in u.events]
            self._insert(con, "articles", articles)
            self._insert(con, "events", events)
            for table in ("actors", "quotes", "places"):
                self._insert(con, table, [row for u in new for row in getattr(u, table)])
            self._insert(con, "ingest_errors", [
                {"run_id": run_id, "logged_at": now, "origin": str(e.origin), "stage": str(e.stage),
                 "article_id": None if e.article_id is None else str(e.article_id),
                 "reason": str(e.reason)} for e in errors
            ])  # fmt: skip
            lone = [e["event_id"] for e in events if e["cluster_key"] is None]
            recluster(con, new_keys(events), lone, window)
            con.execute(
                "UPDATE ingest_runs SET articles_added = articles_added + ?, articles_skipped = "
                "articles_skipped + ?, events_added = events_added + ?, errors = errors + ? WHERE run_id = ?",
                [len(new), len(units) - len(new), len(events), len(errors), run_id],
            )
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
        return len(new), len(units) - len(new), len(events)

    @staticmethod
    def _insert(con: duckdb.DuckDBPyConnection, table: str, rows: list[dict[str, Any]]) -> None:
        if not rows:
            return
        data = pa.Table.from_pylist(rows, schema=row_schema(table))
        con.register("_rows", data)
        try:
            con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM _rows").fetchall()
        finally:
            con.unregister("_rows")


def _to_unit(item: Any) -> StoredArticle | ArticleError:
    """An item to store, or the error that says why it cannot be (never an exception for bad
    data; a TypeError for something that is not a result at all)."""
    if not isinstance(item, StoredArticle | ArticleError | CodedArticle):
        raise TypeError(
            f"cannot store a {type(item).__name__} (expected CodedArticle or ArticleError)"
        )
    try:
        return as_stored(item)
    except Exception as err:
        article = getattr(item, "article", None)
        return ArticleError(
            getattr(article, "origin", "") or "<input>",
            f"could not be stored: {type(err).__name__}: {err}",
            getattr(article, "id", None),
            stage="store",
        )


def _alive(pid: int | None) -> bool:
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


__all__ = [
    "FILTERS",
    "PERIODS",
    "EventStore",
    "IngestReport",
    "StoreError",
    "StoreLocked",
    "where_clause",
]
