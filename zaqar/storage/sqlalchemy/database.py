"""One database: its engine, short transactions, and error translation.

Every controller call is one transaction run through :meth:`Database.read`
or :meth:`Database.write`. Writes on SQLite start with ``BEGIN IMMEDIATE``
so that writers (threads or gunicorn worker processes) queue on the
database lock up front instead of failing when a read lock cannot be
upgraded; server databases retry a transaction the server aborted as a
deadlock. Failures reach callers only as :mod:`zaqar.storage.errors`.
"""

from __future__ import annotations

import logging
import os
import time
import typing
import weakref

import sqlalchemy as sa
from sqlalchemy import event, exc
from sqlalchemy.engine import make_url

from zaqar.storage import errors

LOG = logging.getLogger(__name__)

T = typing.TypeVar("T")

# PostgreSQL SQLSTATEs and MySQL error numbers of aborted transactions
# that succeed when simply run again.
_PG_RETRY = {"40P01", "40001"}  # deadlock detected, serialization failure
_MYSQL_RETRY = {1213, 1205}  # deadlock, lock wait timeout
_ATTEMPTS = 5

_databases: weakref.WeakSet[Database] = weakref.WeakSet()


def _after_fork() -> None:
    # A forked worker must not reuse the parent's sockets or file handles.
    for database in list(_databases):
        database.engine.dispose(close=False)


os.register_at_fork(after_in_child=_after_fork)


class Database:
    """A SQLAlchemy engine set up for one of the supported databases."""

    def __init__(self, uri: str, pool_size: int = 10,
                 busy_timeout: int = 30):
        try:
            url = make_url(uri)
        except exc.ArgumentError as err:
            raise ValueError(f"invalid database URI {uri!r}: {err}") from None
        self.uri = uri
        self.dialect = url.get_backend_name()
        if self.dialect == "mariadb":
            self.dialect = "mysql"
        if self.dialect == "sqlite":
            self.engine = _sqlite_engine(url, pool_size, busy_timeout)
        elif self.dialect in ("postgresql", "mysql"):
            self.engine = _server_engine(url, pool_size)
        else:
            raise ValueError(
                f"unsupported database {url.get_backend_name()!r} in URI; "
                "use sqlite, postgresql or mysql/mariadb")
        # The same pool, but transactions start with BEGIN IMMEDIATE on
        # SQLite (a no-op option elsewhere).
        self._writer = self.engine.execution_options(sqlite_begin="IMMEDIATE")
        _databases.add(self)

    def read(self, work: typing.Callable[[sa.Connection], T]) -> T:
        """Run ``work`` in a read transaction (one consistent snapshot on
        SQLite)."""
        return self._run(self.engine, work)

    def write(self, work: typing.Callable[[sa.Connection], T]) -> T:
        """Run ``work`` in a write transaction; retried when the server
        aborted it as a deadlock."""
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
        self.engine.dispose()


def translate(err: exc.SQLAlchemyError) -> errors.StorageError:
    """The storage error for a database failure."""
    if isinstance(err, (exc.OperationalError, exc.InterfaceError,
                        exc.DisconnectionError, exc.TimeoutError)) or (
            isinstance(err, exc.DBAPIError) and err.connection_invalidated):
        return errors.ConnectionError(f"database unavailable: {err}")
    return errors.StorageError(f"database error: {err}")


def _sqlite_engine(url: sa.URL, pool_size: int,
                   busy_timeout: int) -> sa.Engine:
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
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = FULL")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(conn):
        mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
        conn.exec_driver_sql(f"BEGIN {mode}")

    return engine


def _server_engine(url: sa.URL, pool_size: int) -> sa.Engine:
    # READ COMMITTED: every statement sees the latest committed rows, which
    # the claim queries (SKIP LOCKED) rely on; it is PostgreSQL's default
    # and avoids InnoDB's gap locks on MySQL.
    return sa.create_engine(
        url, pool_size=pool_size, max_overflow=pool_size,
        pool_pre_ping=True, pool_recycle=3600,
        isolation_level="READ COMMITTED")
