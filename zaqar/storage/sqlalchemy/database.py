"""One database: its engine, short transactions, and error translation.

Every controller call is one transaction run through :meth:`Database.read`
or :meth:`Database.write`. Writes on SQLite start with ``BEGIN IMMEDIATE``
so that writers (threads or gunicorn worker processes) queue on the
database lock up front instead of failing when a read lock cannot be
upgraded; server databases retry a transaction the server aborted as a
deadlock. Failures reach callers only as :mod:`zaqar.storage.errors`.

On SQLite, the file is local and connections are cheap to keep: each
transaction takes an open connection from an idle list of the process
(instead of a pool checkout and reset per call), and the writers of one
process take turns on a lock of their own, so that only one of them at a
time waits in SQLite's busy handler (which sleeps in growing steps).
"""

from __future__ import annotations

import contextlib
import logging
import os
import sqlite3
import threading
import time
import typing
import weakref

import sqlalchemy as sa
from sqlalchemy import event, exc
from sqlalchemy.engine import make_url

from zaqar.storage import errors
from zaqar.storage.sqlalchemy import turns

LOG = logging.getLogger(__name__)

T = typing.TypeVar("T")

# PostgreSQL SQLSTATEs and MySQL error numbers of aborted transactions
# that succeed when simply run again.
_PG_RETRY = {"40P01", "40001"}  # deadlock detected, serialization failure
_MYSQL_RETRY = {1213, 1205}  # deadlock, lock wait timeout
_ATTEMPTS = 5

# PRAGMA synchronous in WAL mode: FULL syncs the log at every commit;
# NORMAL only at checkpoints (a commit survives a crash of the process,
# not the loss of power or of the operating system).
SYNCHRONOUS = ("FULL", "NORMAL")

_databases: weakref.WeakSet[Database] = weakref.WeakSet()


def _after_fork() -> None:
    # A forked worker must not reuse the parent's sockets or file handles.
    for database in list(_databases):
        database.forget_connections()
        database.engine.dispose(close=False)


os.register_at_fork(after_in_child=_after_fork)


class Database:
    """A SQLAlchemy engine set up for one of the supported databases."""

    def __init__(self, uri: str, pool_size: int = 10,
                 busy_timeout: int = 30, synchronous: str = "FULL"):
        try:
            url = make_url(uri)
        except exc.ArgumentError as err:
            raise ValueError(f"invalid database URI {uri!r}: {err}") from None
        if synchronous not in SYNCHRONOUS:
            raise ValueError(f"sqlite_synchronous must be one of "
                             f"{', '.join(SYNCHRONOUS)}, not {synchronous!r}")
        self.uri = uri
        self.dialect = url.get_backend_name()
        if self.dialect == "mariadb":
            self.dialect = "mysql"
        if self.dialect == "sqlite":
            self.engine = _sqlite_engine(url, pool_size, busy_timeout,
                                         synchronous)
        elif self.dialect in ("postgresql", "mysql"):
            self.engine = _server_engine(url, pool_size)
        else:
            raise ValueError(
                f"unsupported database {url.get_backend_name()!r} in URI; "
                "use sqlite, postgresql or mysql/mariadb")
        # The same pool, but transactions start with BEGIN IMMEDIATE on
        # SQLite (a no-op option elsewhere).
        self._writer = self.engine.execution_options(sqlite_begin="IMMEDIATE")
        self._kept = self.dialect == "sqlite"
        # Idle open connections (SQLite): readers and writers apart, as
        # their transactions begin differently.
        self._idle: dict[sa.Engine, list[sa.Connection]] = {
            self.engine: [], self._writer: []}
        self._write_turn = threading.Lock()
        self._busy_timeout = busy_timeout
        self._turn_path = (os.path.abspath(url.database) + "-writers"
                           if self._kept else None)
        self._turn: turns.ProcessTurn | None = None
        self._open_turn()
        _databases.add(self)

    def _open_turn(self) -> None:
        if self._turn_path is None:
            return
        try:
            self._turn = turns.ProcessTurn(self._turn_path)
        except OSError as err:  # e.g. a read-only folder: SQLite alone
            LOG.warning("no writers' turn at %s (%s); SQLite writers of "
                        "different processes will poll for the lock",
                        self._turn_path, err)
            self._turn = None

    @contextlib.contextmanager
    def _writers_turn(self) -> typing.Iterator[None]:
        """This process's turn to write: a thread lock, then the turn
        across processes (turns.ProcessTurn: a flock() whose waiters are
        woken the moment it is free, where SQLite's busy handler would
        poll in steps of up to 100 ms). The database lock (BEGIN
        IMMEDIATE) is still what protects the data; this only orders the
        writers that use it."""
        deadline = time.monotonic() + self._busy_timeout
        if not self._write_turn.acquire(timeout=self._busy_timeout):
            raise errors.ConnectionError(
                f"database unavailable: no turn to write within "
                f"{self._busy_timeout} s")
        try:
            turn = self._turn
            if turn is None:
                yield
                return
            # Held by another process only while it runs one transaction;
            # a process frozen in one must not stall the others for ever.
            try:
                turn.acquire(deadline - time.monotonic())
            except turns.TurnTimeout:
                raise errors.ConnectionError(
                    "database unavailable: another process held the "
                    f"write turn for {self._busy_timeout} s") from None
            try:
                yield
            finally:
                turn.release()
        finally:
            self._write_turn.release()

    def read(self, work: typing.Callable[[sa.Connection], T]) -> T:
        """Run ``work`` in a read transaction (one consistent snapshot on
        SQLite)."""
        if self._kept:
            return self._run_kept(self.engine, work)
        return self._run(self.engine, work)

    def write(self, work: typing.Callable[[sa.Connection], T]) -> T:
        """Run ``work`` in a write transaction; retried when the server
        aborted it as a deadlock."""
        if self._kept:
            with self._writers_turn():
                return self._run_kept(self._writer, work)
        return self._run(self._writer, work)

    def _run(self, engine: sa.Engine,
             work: typing.Callable[[sa.Connection], T]) -> T:
        for attempt in range(1, _ATTEMPTS + 1):
            try:
                with engine.connect() as conn, conn.begin():
                    return work(conn)
            except exc.DBAPIError as err:
                if attempt < _ATTEMPTS and self._retryable(err):
                    LOG.debug("transaction aborted (%s), retrying", err.orig)
                    time.sleep(0.01 * attempt)
                    continue
                raise translate(err) from err
            except exc.SQLAlchemyError as err:
                raise translate(err) from err
        raise AssertionError("unreachable")

    def _run_kept(self, engine: sa.Engine,
                  work: typing.Callable[[sa.Connection], T]) -> T:
        """One transaction on a kept connection (SQLite, never retried).
        A connection goes back to the idle list only after a commit or a
        clean rollback."""
        idle = self._idle[engine]
        try:
            try:
                conn = idle.pop()
            except IndexError:
                conn = engine.connect()
            clean = began = False
            try:
                with conn.begin():
                    began = True
                    result = work(conn)
                clean = True
            except BaseException:
                # Kept after a failure of ``work`` that left no transaction
                # open; a connection that could not even begin is closed.
                clean = (began and not conn.invalidated
                         and not conn.in_transaction())
                raise
            finally:
                if clean:
                    idle.append(conn)
                else:
                    conn.close()
            return result
        except exc.SQLAlchemyError as err:
            raise translate(err) from err

    def forget_connections(self) -> None:
        """Drop the kept connections without closing them (after a fork,
        they belong to the parent)."""
        for idle in self._idle.values():
            idle.clear()
        self._write_turn = threading.Lock()
        # A lock taken on the inherited open file would be shared with
        # the parent: open the file anew.
        if self._turn is not None:
            self._turn.forget()
            self._open_turn()

    def _retryable(self, err: exc.DBAPIError) -> bool:
        orig = err.orig
        if self.dialect == "postgresql":
            return getattr(orig, "pgcode", None) in _PG_RETRY
        if self.dialect == "mysql":
            args = getattr(orig, "args", ())
            return bool(args) and args[0] in _MYSQL_RETRY
        return False

    def ping(self) -> bool:
        """Whether the database answers a trivial query (never raises)."""
        try:
            with self.engine.connect() as conn:
                conn.execute(sa.text("SELECT 1"))
            return True
        except Exception:  # noqa: BLE001 - any failure means "not alive"
            LOG.debug("database ping failed", exc_info=True)
            return False

    def close(self) -> None:
        for idle in self._idle.values():
            while idle:
                try:
                    idle.pop().close()
                except IndexError:
                    break
        if self._turn is not None:
            self._turn.close()
            self._turn = None
        self.engine.dispose()


def translate(err: exc.SQLAlchemyError) -> errors.StorageError:
    """The storage error for a database failure."""
    if isinstance(err, (exc.OperationalError, exc.InterfaceError,
                        exc.DisconnectionError, exc.TimeoutError)) or (
            isinstance(err, exc.DBAPIError) and err.connection_invalidated):
        return errors.ConnectionError(f"database unavailable: {err}")
    return errors.StorageError(f"database error: {err}")


_BEGIN = {mode: f"BEGIN {mode}"
          for mode in ("DEFERRED", "IMMEDIATE", "EXCLUSIVE")}


def _sqlite_engine(url: sa.URL, pool_size: int, busy_timeout: int,
                   synchronous: str) -> sa.Engine:
    path = url.database or ""
    if path in ("", ":memory:") or url.query.get("mode") == "memory":
        raise ValueError(
            "an in-memory SQLite database cannot be shared between "
            "connections; give a file path (sqlite:////path/zaqar.sqlite)")
    folder = os.path.dirname(os.path.abspath(path))
    try:
        os.makedirs(folder, exist_ok=True)
    except OSError as err:
        raise errors.ConnectionError(
            f"cannot create the folder of the SQLite database: {err}"
        ) from err
    engine = sa.create_engine(
        url, pool_size=pool_size, max_overflow=pool_size,
        connect_args={"timeout": busy_timeout, "check_same_thread": False})

    @event.listens_for(engine, "connect")
    def _configure(dbapi_conn, _record):
        # Transactions are begun explicitly (below), not by the sqlite3
        # module, so that writers can take the lock with BEGIN IMMEDIATE.
        dbapi_conn.isolation_level = None
        cursor = dbapi_conn.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {int(busy_timeout * 1000)}")
        _enter_wal(cursor, busy_timeout)
        cursor.execute(f"PRAGMA synchronous = {synchronous}")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(conn):
        statement = _BEGIN[conn.get_execution_options().get("sqlite_begin",
                                                             "DEFERRED")]
        # Straight to the sqlite3 connection (a fifth of a short
        # transaction's cost through exec_driver_sql), with SQLAlchemy's
        # error wrapping kept.
        try:
            conn.connection.driver_connection.execute(statement)
        except sqlite3.Error as err:
            raise exc.DBAPIError.instance(statement, (), err,
                                          sqlite3.Error) from err

    return engine


def _enter_wal(cursor: sqlite3.Cursor, busy_timeout: float) -> None:
    """Switch the database to WAL (a no-op once the file is in WAL).

    While one process turns a new file to WAL, another one's switch can
    fail at once with "database is locked": SQLite refuses it without
    calling the busy handler, to avoid a deadlock. Gunicorn workers that
    open a new database together would then fail to boot, so wait here
    for the switch as the busy handler would for a lock."""
    deadline = time.monotonic() + busy_timeout
    pause = 0.002
    while True:
        try:
            cursor.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as err:
            if (err.sqlite_errorcode & 0xFF != sqlite3.SQLITE_BUSY
                    or time.monotonic() + pause > deadline):
                raise
        time.sleep(pause)
        pause = min(pause * 2, 0.05)


def _server_engine(url: sa.URL, pool_size: int) -> sa.Engine:
    # READ COMMITTED: every statement sees the latest committed rows, which
    # the claim queries (SKIP LOCKED) rely on; it is PostgreSQL's default
    # and avoids InnoDB's gap locks on MySQL.
    return sa.create_engine(
        url, pool_size=pool_size, max_overflow=pool_size,
        pool_pre_ping=True, pool_recycle=3600,
        isolation_level="READ COMMITTED")
