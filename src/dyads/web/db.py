"""Reading the event store from a web server without locking out ``dyads ingest``.

DuckDB lets one process write a file and, while any process has it open, no other process write
it (docs/store.md, "Several processes"). The store's rule is *open, read, close*. A web server
follows it with one twist, because opening a DuckDB file costs tens of milliseconds and
concurrent requests of one process share the open database anyway:

- requests share one read-only handle (a DuckDB cursor each), opened by the first request that
  needs it and closed once no request has used it for ``linger`` seconds;
- the handle is never held for more than ``max_hold`` seconds at a stretch: after that, new
  requests wait until the running ones finish, the file is closed and left closed for ``gap``
  seconds, so that a writer retrying its lock (``dyads ingest`` retries with back-off for up to
  60 s) gets in between even when requests never stop;
- while an ingest is running (a ``running`` row in ``ingest_runs`` whose process is alive),
  holds are shorter and gaps longer (``busy_hold``, ``busy_gap``): the server shares the file
  with the writer instead of starving it, and reads simply wait while a batch is written;
- :meth:`ReadGate.exclusive` closes the handle and keeps readers out while this process writes
  (``POST /api/articles``).

Every read sees the last committed state as of the moment the handle was opened; a handle lives
at most ``max_hold`` seconds, so a committed batch shows up within that time.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from typing import Any

import duckdb

from ..store import EventStore

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class GateTimes:
    """Seconds: how long the read handle may stay open and how long it is then left closed."""

    linger: float = 0.5  # keep an idle handle open this long for the next request
    max_hold: float = 3.0  # never hold the file longer than this at a stretch ...
    gap: float = 0.25  # ... then leave it closed this long before reopening
    busy_hold: float = 1.0  # the same while an ingest is running
    busy_gap: float = 0.5
    check_every: float = 0.05  # how often the closer thread looks at the handle


def _alive(pid: int | None) -> bool:
    if not pid:
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, ValueError):
        return True
    return True


class ReadGate:
    """Shares one read-only connection of an :class:`EventStore` among concurrent requests."""

    def __init__(self, store: EventStore, times: GateTimes | None = None):
        self.store = store
        self.times = times or GateTimes()
        self._cond = threading.Condition()
        self._con: duckdb.DuckDBPyConnection | None = None
        self._cm: AbstractContextManager[duckdb.DuckDBPyConnection] | None = None
        self._active = 0
        self._opened_at = 0.0
        self._last_used = 0.0
        self._reopen_at = 0.0
        self._draining = False
        self._opening = False
        self._writers = 0
        self._busy = False  # an ingest was running when the handle was opened
        self._error: BaseException | None = None
        self._error_generation = 0
        self._closer: threading.Thread | None = None
        self._stopped = False
        self.opens = 0  # how many times the file was opened (for tests and benchmarks)

    # -- reading ---------------------------------------------------------------------------------
    @contextmanager
    def cursor(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A cursor on the shared read-only handle; the handle is released when the block ends."""
        con = self._acquire()
        try:
            with self._cond:
                cur = con.cursor()
            try:
                yield cur
            finally:
                cur.close()
        finally:
            self._release()

    def _hold_limits(self) -> tuple[float, float]:
        t = self.times
        return (t.busy_hold, t.busy_gap) if self._busy else (t.max_hold, t.gap)

    def _acquire(self) -> duckdb.DuckDBPyConnection:
        with self._cond:
            generation = self._error_generation
            while True:
                if self._stopped:
                    raise RuntimeError("the server is shutting down")
                if self._error_generation != generation and self._error is not None:
                    raise self._error  # the open this request waited for failed
                now = time.monotonic()
                if self._con is not None and not self._draining and not self._writers:
                    hold, _ = self._hold_limits()
                    if now - self._opened_at < hold:
                        self._active += 1
                        return self._con
                    self._draining = True  # held long enough: let a writer in
                    if self._active == 0:
                        self._close_locked(with_gap=True)
                    continue
                if self._con is None and not self._opening and not self._writers:
                    if now < self._reopen_at:
                        self._cond.wait(self._reopen_at - now)
                        continue
                    self._opening = True
                    break
                self._cond.wait(0.5)
        try:
            con, cm, busy = self._open()
        except BaseException as err:
            with self._cond:
                self._opening = False
                self._error = err
                self._error_generation += 1
                self._cond.notify_all()
            raise
        with self._cond:
            self._opening = False
            self._con, self._cm, self._busy = con, cm, busy
            self._opened_at = self._last_used = time.monotonic()
            self._draining = False
            self._active += 1
            self.opens += 1
            self._start_closer()
            self._cond.notify_all()
            return con

    def _release(self) -> None:
        with self._cond:
            self._active -= 1
            self._last_used = time.monotonic()
            if self._active == 0 and (self._draining or self._writers):
                self._close_locked(with_gap=self._draining)
            self._cond.notify_all()

    def _open(self) -> tuple[duckdb.DuckDBPyConnection, Any, bool]:
        cm = self.store.connection()
        con = cm.__enter__()
        try:
            busy = self._ingest_running(con)
        except Exception:
            cm.__exit__(None, None, None)
            raise
        if busy:
            log.debug("an ingest is running: sharing %s in short turns", self.store.path)
        return con, cm, busy

    @staticmethod
    def _ingest_running(con: duckdb.DuckDBPyConnection) -> bool:
        rows = con.execute(
            "SELECT host, pid FROM ingest_runs WHERE status = 'running'"
        ).fetchall()
        host = socket.gethostname()
        return any(h != host or (_alive(pid) and pid != os.getpid()) for h, pid in rows)

    def _close_locked(self, with_gap: bool) -> None:
        cm, self._cm, self._con = self._cm, None, None
        self._draining = False
        if with_gap:
            _, gap = self._hold_limits()
            self._reopen_at = time.monotonic() + gap
        if cm is not None:
            try:
                cm.__exit__(None, None, None)
            except Exception:  # pragma: no cover - closing a read-only handle
                log.warning("closing %s failed", self.store.path, exc_info=True)
        self._cond.notify_all()

    # -- the closer thread -------------------------------------------------------------------------
    def _start_closer(self) -> None:
        if self._closer is None or not self._closer.is_alive():
            self._closer = threading.Thread(target=self._close_idle, name="dyads-read-gate", daemon=True)
            self._closer.start()

    def _close_idle(self) -> None:
        with self._cond:
            while self._con is not None and not self._stopped:
                now = time.monotonic()
                hold, _ = self._hold_limits()
                if self._active == 0 and now - self._last_used >= self.times.linger:
                    self._close_locked(with_gap=False)
                    break
                if self._active == 0 and now - self._opened_at >= hold:
                    self._close_locked(with_gap=True)
                    break
                self._cond.wait(self.times.check_every)

    # -- writing -------------------------------------------------------------------------------
    @contextmanager
    def exclusive(self, timeout: float = 60.0) -> Iterator[None]:
        """Close the shared handle and keep readers out while this process writes the file."""
        deadline = time.monotonic() + timeout
        with self._cond:
            self._writers += 1
            try:
                while self._active or self._opening:
                    left = deadline - time.monotonic()
                    if left <= 0:
                        raise TimeoutError("reads did not finish in time")
                    self._cond.wait(min(left, 0.5))
                if self._con is not None:
                    self._close_locked(with_gap=False)
            except BaseException:
                self._writers -= 1
                self._cond.notify_all()
                raise
        try:
            yield
        finally:
            with self._cond:
                self._writers -= 1
                self._cond.notify_all()

    # -- state -------------------------------------------------------------------------------------
    @property
    def is_open(self) -> bool:
        with self._cond:
            return self._con is not None

    def close(self) -> None:
        """Close the handle (waiting for running reads) and refuse new reads."""
        with self._cond:
            self._stopped = True
            deadline = time.monotonic() + 10
            while self._active and time.monotonic() < deadline:
                self._cond.wait(0.1)
            if self._con is not None:
                self._close_locked(with_gap=False)
            self._cond.notify_all()
