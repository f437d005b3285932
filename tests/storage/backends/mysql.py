"""The SQL driver on MariaDB/MySQL (``tests.services.MYSQL_URI``), in a
database of its own per test session."""

from __future__ import annotations

import sqlalchemy as sa

from tests import services
from tests.storage import sqldb
from zaqar.storage.sqlalchemy import driver


def _in_database(url: sa.URL, database: str) -> sa.URL:
    return url.set(database=database)


DATABASE = sqldb.PrivateDatabase(
    "MySQL", services.MYSQL_URI,
    list_sql="SELECT schema_name FROM information_schema.schemata "
             "WHERE schema_name LIKE 'zaqar\\_test\\_%'",
    create_sql="CREATE DATABASE `{name}` CHARACTER SET utf8mb4",
    drop_sql="DROP DATABASE IF EXISTS `{name}`",
    uri_for=_in_database)


def data_driver(conf):
    return driver.DataDriver(conf, uri=DATABASE.uri())


def control_driver(conf):
    return driver.ControlDriver(sqldb.management_conf(DATABASE.uri()))
