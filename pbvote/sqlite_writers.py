"""One writer at a time on SQLite, queued on a lock instead of in SQLite's sleeping busy handler.

SQLite lets one connection write; the others wait in its busy handler, which sleeps 1, 2, 5 … 100 ms
between tries, so in a burst a waiting writer can sleep far longer than the writes before it took (p99 near a
second with 8 writers). Before a connection's first write of a transaction, pbvote takes a thread lock
within the process, then an flock on a file beside the database across processes; both are let go when
the transaction commits or rolls back. Reads never wait. A writer that cannot get the lock within the
busy timeout goes ahead and leaves the decision to SQLite, as before.
"""

from __future__ import annotations

import fcntl
import os
import threading
import time
from collections.abc import Callable
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine

WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")
_LOCKS: dict[str, WriterLock] = {}  # one per database file in this process, whatever the number of engines
_LOCKS_GUARD = threading.Lock()


class WriterLock:
    """A lock shared by the threads of this process and, through a lock file, by every process."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._threads = threading.Lock()
        self._owner: int | None = None
        self._depth = 0
        self._file: tuple[int, int] | None = None  # (pid, fd): a child of a fork opens its own

    def acquire(self, timeout: float) -> bool:
        """Wait for the lock (True), or give up after ``timeout`` seconds (False)."""
        me = threading.get_ident()
        if self._owner == me:  # this thread writes through a second connection: SQLite decides
            self._depth += 1
            return True
        deadline = time.monotonic() + timeout
        if not self._threads.acquire(timeout=timeout):
            return False
        fd, pause = self._fd(), 0.0002
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    self._threads.release()
                    return False
                time.sleep(pause)
                pause = min(pause * 2, 0.002)
        self._owner, self._depth = me, 1
        return True

    def release(self) -> None:
        self._depth -= 1
        if self._depth > 0:
            return
        self._owner = None
        fcntl.flock(self._fd(), fcntl.LOCK_UN)
        self._threads.release()

    def _fd(self) -> int:
        pid = os.getpid()
        if self._file is None or self._file[0] != pid:
            self._file = (pid, os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600))
        return self._file[1]


def lock_for(database_path: str) -> WriterLock:
    """The process's lock for this database file (engines of the same file must share it)."""
    path = os.path.abspath(database_path) + ".writer-lock"
    with _LOCKS_GUARD:
        return _LOCKS.setdefault(path, WriterLock(path))


def install(engine: Engine, database_path: str, timeout: float) -> WriterLock:
    """Make the engine's writers take the lock before their first write and drop it after the end."""
    lock, holders = lock_for(database_path), set[int]()

    @event.listens_for(engine, "before_cursor_execute")
    def _before_write(conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        key = _raw_id(conn.connection)
        if key not in holders and statement.lstrip()[:7].upper().startswith(WRITES) and lock.acquire(timeout):
            holders.add(key)

    # The commit and rollback events fire before the DBAPI call; the lock must last until it has returned,
    # so the dialect's own calls (also used when the pool resets a returned connection) are wrapped.
    dialect = engine.dialect
    for name in ("do_commit", "do_rollback"):
        setattr(dialect, name, _releasing(getattr(dialect, name), lock, holders))
    return lock


def _releasing(finish: Callable[[Any], None], lock: WriterLock, holders: set[int]) -> Callable[[Any], None]:
    def finish_then_release(dbapi_connection: Any) -> None:
        try:
            finish(dbapi_connection)
        finally:
            key = _raw_id(dbapi_connection)
            if key in holders:
                holders.discard(key)
                lock.release()

    return finish_then_release


def _raw_id(connection: Any) -> int:
    """The identity of the sqlite3 connection behind the pool's proxy."""
    return id(getattr(connection, "dbapi_connection", connection))
