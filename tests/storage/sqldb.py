"""A private, freshly migrated database for one test session.

Shared by the PostgreSQL and MySQL backends: each session works in a
schema (PostgreSQL) or database (MySQL) of its own, created empty at the
start, migrated to head by the driver, and dropped at exit, so parallel
sessions and other users of the ``test`` database never interfere.
Leftovers of sessions that died are dropped when their process is gone.
"""

from __future__ import annotations

import atexit
import os
import re
import typing
import uuid

import sqlalchemy as sa
from oslo_config import cfg

from tests import services
from zaqar.common import configs

_NAME = re.compile(r"zaqar_test_(\d+)_[0-9a-f]{8}")


class PrivateDatabase:
    """Creates the namespace on first use; ``uri`` connects into it."""

    def __init__(self, what: str, base_uri: str,
                 list_sql: str, create_sql: str, drop_sql: str,
                 uri_for: typing.Callable[[sa.URL, str], sa.URL]):
        self.what, self.base_uri = what, base_uri
        self._list, self._create, self._drop = list_sql, create_sql, drop_sql
        self._uri_for = uri_for
        self._uri: str | None = None

    def uri(self) -> str:
        if self._uri is None:
            self._uri = self._setup()
        return self._uri

    def _setup(self) -> str:
        engine = sa.create_engine(self.base_uri, poolclass=sa.NullPool)
        name = f"zaqar_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
        try:
            with engine.begin() as conn:
                for (old,) in conn.execute(sa.text(self._list)):
                    match = _NAME.fullmatch(old)
                    if match and not services.pid_alive(int(match.group(1))):
                        conn.execute(sa.text(self._drop.format(name=old)))
                conn.execute(sa.text(self._create.format(name=name)))
        except sa.exc.OperationalError as err:
            services.unavailable(self.what, str(err.orig))
        finally:
            engine.dispose()
        atexit.register(self._teardown, name)
        url = self._uri_for(sa.engine.make_url(self.base_uri), name)
        return url.render_as_string(hide_password=False)

    def _teardown(self, name: str) -> None:
        engine = sa.create_engine(self.base_uri, poolclass=sa.NullPool)
        try:
            with engine.begin() as conn:
                conn.execute(sa.text(self._drop.format(name=name)))
        except sa.exc.SQLAlchemyError:
            pass  # dropped by the next session (its process is gone)
        finally:
            engine.dispose()


def _in_schema(url: sa.URL, schema: str) -> sa.URL:
    return url.update_query_dict({"options": f"-csearch_path={schema}"})


def _in_database(url: sa.URL, database: str) -> sa.URL:
    return url.set(database=database)


def private_postgresql() -> PrivateDatabase:
    """A schema of its own in ``tests.services.POSTGRES_URI``."""
    return PrivateDatabase(
        "PostgreSQL", services.POSTGRES_URI,
        list_sql="SELECT nspname FROM pg_namespace "
                 "WHERE nspname LIKE 'zaqar_test_%'",
        create_sql='CREATE SCHEMA "{name}"',
        drop_sql='DROP SCHEMA IF EXISTS "{name}" CASCADE',
        uri_for=_in_schema)


def private_mysql() -> PrivateDatabase:
    """A database of its own on ``tests.services.MYSQL_URI``'s server."""
    return PrivateDatabase(
        "MySQL", services.MYSQL_URI,
        list_sql="SELECT schema_name FROM information_schema.schemata "
                 "WHERE schema_name LIKE 'zaqar\\_test\\_%'",
        create_sql="CREATE DATABASE `{name}` CHARACTER SET utf8mb4",
        drop_sql="DROP DATABASE IF EXISTS `{name}`",
        uri_for=_in_database)


def management_conf(uri: str) -> cfg.ConfigOpts:
    """A configuration whose management store is ``uri`` (a copy, so the
    session's shared configuration stays untouched)."""
    conf = configs.register(cfg.ConfigOpts())
    conf([], project="zaqar", default_config_files=[])
    conf.set_override("uri", uri, group=configs.SQL_MANAGEMENT_STORE_GROUP)
    return conf
