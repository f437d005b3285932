"""The SQL driver on PostgreSQL (``tests.services.POSTGRES_URI``), in a
schema of its own per test session."""

from __future__ import annotations

import sqlalchemy as sa

from tests import services
from tests.storage import sqldb
from zaqar.storage.sqlalchemy import driver


def _in_schema(url: sa.URL, schema: str) -> sa.URL:
    return url.update_query_dict({"options": f"-csearch_path={schema}"})


DATABASE = sqldb.PrivateDatabase(
    "PostgreSQL", services.POSTGRES_URI,
    list_sql="SELECT nspname FROM pg_namespace "
             "WHERE nspname LIKE 'zaqar_test_%'",
    create_sql='CREATE SCHEMA "{name}"',
    drop_sql='DROP SCHEMA IF EXISTS "{name}" CASCADE',
    uri_for=_in_schema)


def data_driver(conf):
    return driver.DataDriver(conf, uri=DATABASE.uri())


def control_driver(conf):
    return driver.ControlDriver(sqldb.management_conf(DATABASE.uri()))
