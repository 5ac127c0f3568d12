"""Reading the event store from a web server without locking out ``dyads ingest``.

DuckDB lets one process write a file and, while any process has it open, no other process write
it (docs/store.md, "Several processes"). The store's rule is *open, read, close*. Opening a
DuckDB file costs tens of milliseconds, and the concurrent requests of one process share the
open database anyway, so a server that opened the file per request would both be slow and, under
steady traffic, never let go of it. :class:`ReadGate` keeps the rule's intent instead:

- requests share one read-only handle (a DuckDB cursor each), opened by the first request that
  needs it and closed once no request has used it for ``watched_linger`` seconds (``linger``
  without inotify);
- **a writer that knocks gets in**: on Linux the gate watches the file with inotify; when
  another process opens it (``dyads ingest`` trying for its write lock, which it retries with
  back-off for up to 60 s), the gate stops handing out the handle, closes it as soon as the
  running requests finish, and leaves the file alone for ``writer_gap`` seconds; new requests
  wait meanwhile (they are not refused: a request waits up to the lock timeout, then gets a 503);
- without inotify (or as a safety net with it) the handle is never held longer than
  ``max_hold`` seconds at a stretch; it is then closed and left closed for ``gap`` seconds;
  while an ingest is running (a ``running`` row in ``ingest_runs`` whose process is alive) the
  turns are shorter (``busy_hold``, ``busy_gap``);
- :meth:`ReadGate.exclusive` closes the handle and keeps readers out while this process writes
  (``POST /api/articles``).

A read sees the store as committed when the handle was opened; a committed batch shows up once
the handle is reopened (after a writer's turn, an idle pause or ``max_hold``).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import os
import select
import socket
import struct
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from ..store import EventStore

log = logging.getLogger(__name__)

IN_OPEN = 0x20


@dataclass(frozen=True)
class GateTimes:
    """Seconds: how long the read handle may stay open and how long it is then left closed."""

    linger: float = 0.5  # without inotify: keep an idle handle open this long for the next request
    watched_linger: float = 5.0  # with inotify (a knocking writer gets in at once anyway)
    max_hold: float = 3.0  # without inotify: never hold the file longer than this at a stretch,
    gap: float = 0.25  # then leave it closed this long
    busy_hold: float = 1.0  # the same while an ingest is running
    busy_gap: float = 0.5
    watched_hold: float = 30.0  # with inotify: the safety net
    writer_gap: float = 1.0  # a knocking writer gets the file for at least this long
    watch: bool = True  # use inotify where the system has it
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


class OpenWatcher:
    """Calls ``on_open`` when a process opens ``path`` (Linux inotify through libc)."""

    def __init__(self, path: Path, on_open: Any):
        self.path = path
        self.on_open = on_open
        self._stop = threading.Event()
        self._fd = -1
        libc_name = ctypes.util.find_library("c")
        libc = ctypes.CDLL(libc_name, use_errno=True) if libc_name else None
        if libc is None or not hasattr(libc, "inotify_init1"):
            raise OSError("inotify is not available")
        fd = libc.inotify_init1(os.O_CLOEXEC | os.O_NONBLOCK)
        if fd < 0:
            raise OSError(ctypes.get_errno(), "inotify_init1 failed")
        directory = str(path.resolve().parent).encode()
        if libc.inotify_add_watch(fd, directory, IN_OPEN) < 0:
            os.close(fd)
            raise OSError(ctypes.get_errno(), f"cannot watch {path.parent}")
        self._fd = fd
        self._name = path.name.encode()
        self._thread = threading.Thread(target=self._run, name="dyads-store-watch", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                ready, _, _ = select.select([self._fd], [], [], 0.5)
                if not ready:
                    continue
                data = os.read(self._fd, 65536)
            except (BlockingIOError, InterruptedError):
                continue
            except OSError:
                return
            offset = 0
            while offset + 16 <= len(data):
                _, mask, _, size = struct.unpack_from("iIII", data, offset)
                name = data[offset + 16 : offset + 16 + size].rstrip(b"\0")
                offset += 16 + size
                if mask & IN_OPEN and name == self._name:
                    self.on_open()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2)
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1


class ReadGate:
    """Shares one read-only connection of an :class:`EventStore` among concurrent requests."""

    def __init__(
        self,
        store: EventStore,
        times: GateTimes | None = None,
        on_open: Callable[[duckdb.DuckDBPyConnection], Any] | None = None,
    ):
        self.store = store
        self.times = times or GateTimes()
        self.on_open = on_open  # its result, computed at each open, is :attr:`token`
        self.token: Any = None
        self._cond = threading.Condition()
        self._con: duckdb.DuckDBPyConnection | None = None
        self._cm: AbstractContextManager[duckdb.DuckDBPyConnection] | None = None
        self._active = 0
        self._opened_at = 0.0
        self._last_used = 0.0
        self._reopen_at = 0.0
        self._own_until = 0.0  # opens of the file until then are this process's own
        self._draining = False
        self._drain_gap = 0.0
        self._opening = False
        self._writers = 0
        self._busy = False  # an ingest was running when the handle was opened
        self._error: BaseException | None = None
        self._error_generation = 0
        self._closer: threading.Thread | None = None
        self._watcher: OpenWatcher | None = None
        self._watch_failed = not self.times.watch
        self.opens = 0  # how many times the file was opened (for tests and benchmarks)
        self.yields = 0  # how many times a knocking writer was let in

    # -- reading ---------------------------------------------------------------------------------
    @contextmanager
    def cursor(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A cursor on the shared read-only handle; the handle is released when the block ends
        (:attr:`token` belongs to the handle while the block runs)."""
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

    def _limits(self) -> tuple[float, float]:
        t = self.times
        if self._busy:
            return t.busy_hold, t.busy_gap
        if self._watcher is not None:
            return t.watched_hold, t.gap
        return t.max_hold, t.gap

    def _acquire(self) -> duckdb.DuckDBPyConnection:
        with self._cond:
            generation = self._error_generation
            while True:
                if self._error_generation != generation and self._error is not None:
                    raise self._error  # the open this request waited for failed
                now = time.monotonic()
                if self._con is not None and not self._draining and not self._writers:
                    hold, gap = self._limits()
                    if now - self._opened_at < hold:
                        self._active += 1
                        return self._con
                    self._drain(gap)  # held long enough: let a writer in
                    continue
                if self._con is None and not self._opening and not self._writers:
                    if now < self._reopen_at:
                        self._cond.wait(self._reopen_at - now)
                        continue
                    self._opening = True
                    break
                self._cond.wait(0.5)
        try:
            con, cm, busy, token = self._open()
        except BaseException as err:
            with self._cond:
                self._opening = False
                self._own_until = time.monotonic() + 0.25
                self._error = err
                self._error_generation += 1
                self._cond.notify_all()
            raise
        with self._cond:
            self._opening = False
            self._con, self._cm, self._busy, self.token = con, cm, busy, token
            self._opened_at = self._last_used = self._own_until = time.monotonic()
            self._own_until += 0.25
            self._draining = False
            self._active += 1
            self.opens += 1
            self._start_threads()
            self._cond.notify_all()
            return con

    def _release(self) -> None:
        with self._cond:
            self._active -= 1
            self._last_used = time.monotonic()
            if self._active == 0 and (self._draining or self._writers):
                self._close_locked(gap=self._drain_gap if self._draining else 0.0)
            self._cond.notify_all()

    def _drain(self, gap: float) -> None:
        """Hand out no more cursors; close when the running reads are done (lock held)."""
        self._drain_gap = max(self._drain_gap, gap) if self._draining else gap
        self._draining = True
        if self._active == 0:
            self._close_locked(gap=self._drain_gap)

    def _open(self) -> tuple[duckdb.DuckDBPyConnection, Any, bool, Any]:
        cm = self.store.connection()
        con = cm.__enter__()
        try:
            busy = self._ingest_running(con)
            token = self.on_open(con) if self.on_open is not None else None
        except Exception:
            cm.__exit__(None, None, None)
            raise
        if busy:
            log.debug("an ingest is running: sharing %s in short turns", self.store.path)
        return con, cm, busy, token

    @staticmethod
    def _ingest_running(con: duckdb.DuckDBPyConnection) -> bool:
        rows = con.execute("SELECT host, pid FROM ingest_runs WHERE status = 'running'").fetchall()
        host = socket.gethostname()
        return any(h != host or (_alive(pid) and pid != os.getpid()) for h, pid in rows)

    def _close_locked(self, gap: float) -> None:
        cm, self._cm, self._con = self._cm, None, None
        self._draining = False
        self._drain_gap = 0.0
        self._reopen_at = time.monotonic() + gap
        if cm is not None:
            try:
                cm.__exit__(None, None, None)
            except Exception:  # pragma: no cover - closing a read-only handle
                log.warning("closing %s failed", self.store.path, exc_info=True)
        self._cond.notify_all()

    # -- a writer knocks -------------------------------------------------------------------------
    def _knock(self) -> None:
        with self._cond:
            if self._con is None or self._opening or time.monotonic() < self._own_until:
                return  # not holding the file, or our own open
            if not self._draining:
                self.yields += 1
                log.debug("another process opened %s: letting it in", self.store.path)
            self._drain(self.times.writer_gap)

    # -- the closer and watcher threads ------------------------------------------------------------
    def _start_threads(self) -> None:
        if self._closer is None or not self._closer.is_alive():
            self._closer = threading.Thread(
                target=self._close_idle, name="dyads-read-gate", daemon=True
            )
            self._closer.start()
        if self._watcher is None and not self._watch_failed:
            try:
                self._watcher = OpenWatcher(self.store.path, self._knock)
            except (OSError, AttributeError) as err:
                log.debug("not watching %s (%s): holding it in turns of %ss", self.store.path, err, self.times.max_hold)  # fmt: skip
                self._watch_failed = True

    def _close_idle(self) -> None:
        with self._cond:
            while self._con is not None:
                now = time.monotonic()
                hold, gap = self._limits()
                linger = (
                    self.times.watched_linger if self._watcher is not None else self.times.linger
                )
                if self._active == 0 and now - self._last_used >= linger:
                    self._close_locked(gap=0.0)
                    break
                if self._active == 0 and now - self._opened_at >= hold:
                    self._close_locked(gap=gap)
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
                    self._close_locked(gap=0.0)
            except BaseException:
                self._writers -= 1
                self._cond.notify_all()
                raise
        try:
            yield
        finally:
            with self._cond:
                self._writers -= 1
                self._own_until = time.monotonic() + 0.25
                self._cond.notify_all()

    # -- state -------------------------------------------------------------------------------------
    @property
    def is_open(self) -> bool:
        with self._cond:
            return self._con is not None

    @property
    def watching(self) -> bool:
        return self._watcher is not None

    def close(self) -> None:
        """Close the handle after the running reads and stop watching (a later read reopens)."""
        with self._cond:
            deadline = time.monotonic() + 10
            while self._active and time.monotonic() < deadline:
                self._cond.wait(0.1)
            if self._con is not None:
                self._close_locked(gap=0.0)
            watcher, self._watcher = self._watcher, None
            self._cond.notify_all()
        if watcher is not None:
            watcher.stop()
