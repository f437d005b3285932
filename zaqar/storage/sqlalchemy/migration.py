"""Bringing a database's schema to a revision with Alembic, safely.

Several processes (gunicorn workers, ``zaqar-sql-db-manage``) may start at
once; each takes a database-wide lock before it looks at the schema
version, so exactly one of them migrates and the others find the work
done: SQLite an exclusive transaction, PostgreSQL a transaction-scoped
advisory lock, MySQL/MariaDB a named lock (``GET_LOCK``).
"""

from __future__ import annotations

import contextlib
import logging
import os
import typing

import sqlalchemy as sa

# Alembic announces its plugins (when imported) and its dialect (on every
# start-up check) at INFO; only actual migrations deserve an operator's
# attention.
logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)

from alembic import command  # noqa: E402
from alembic.config import Config  # noqa: E402
from alembic.runtime.migration import MigrationContext  # noqa: E402
from alembic.script import ScriptDirectory  # noqa: E402

from zaqar.storage import errors  # noqa: E402
from zaqar.storage.sqlalchemy.database import Database, translate  # noqa: E402

MIGRATIONS = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                          "migrations")
# Arbitrary constant naming the advisory lock ("zaqar" in ASCII).
_PG_LOCK_KEY = 0x7A61716172
_MYSQL_LOCK_SECONDS = 300


def alembic_config(connection: sa.Connection | None = None) -> Config:
    """Alembic's configuration; env.py migrates ``connection``."""
    config = Config(os.path.join(MIGRATIONS, "alembic.ini"))
    config.set_main_option("script_location", MIGRATIONS)
    config.attributes["connection"] = connection
    return config


def head() -> str:
    """The newest revision shipped with this code."""
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def history() -> list[tuple[str, str | None, str]]:
    """``(revision, down_revision, description)``, newest first."""
    script = ScriptDirectory.from_config(alembic_config())
    return [(rev.revision, typing.cast(str | None, rev.down_revision),
             rev.doc or "") for rev in script.walk_revisions()]


def current(database: Database) -> str | None:
    """The revision the database is at (None: never migrated)."""
    def work(conn: sa.Connection) -> str | None:
        return MigrationContext.configure(conn).get_current_revision()
    chatty = logging.getLogger("alembic.runtime.migration")
    level = chatty.level
    chatty.setLevel(logging.WARNING)
    try:
        return database.read(work)
    finally:
        chatty.setLevel(level)


def upgrade(database: Database, revision: str = "head") -> None:
    """Migrate up to ``revision``; cheap when already there."""
    if revision == "head" and current(database) == head():
        return
    with _locked(database) as conn:
        command.upgrade(alembic_config(conn), revision)


def downgrade(database: Database, revision: str) -> None:
    with _locked(database) as conn:
        command.downgrade(alembic_config(conn), revision)


@contextlib.contextmanager
def _locked(database: Database) -> typing.Iterator[sa.Connection]:
    """A connection, in a transaction, holding the migration lock."""
    engine = database.engine
    if database.dialect == "sqlite":
        engine = engine.execution_options(sqlite_begin="EXCLUSIVE")
    try:
        with engine.connect() as conn, conn.begin():
            if database.dialect == "postgresql":
                conn.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"),
                             {"key": _PG_LOCK_KEY})
                yield conn
            elif database.dialect == "mysql":
                with _mysql_lock(conn):
                    yield conn
            else:
                yield conn
    except sa.exc.SQLAlchemyError as err:
        raise translate(err) from err


@contextlib.contextmanager
def _mysql_lock(conn: sa.Connection) -> typing.Iterator[None]:
    name = "zaqar-migrate-" + (conn.engine.url.database or "")[:40]
    got = conn.execute(sa.text("SELECT GET_LOCK(:name, :wait)"),
                       {"name": name, "wait": _MYSQL_LOCK_SECONDS}).scalar()
    if got != 1:
        raise errors.ConnectionError(
            f"timed out after {_MYSQL_LOCK_SECONDS} s waiting for another "
            "process to finish migrating the database")
    try:
        yield
    finally:
        conn.execute(sa.text("SELECT RELEASE_LOCK(:name)"), {"name": name})
