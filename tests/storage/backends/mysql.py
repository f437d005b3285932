"""The SQL driver on MariaDB/MySQL (``tests.services.MYSQL_URI``), in a
database of its own per test session."""

from __future__ import annotations

from tests.storage import sqldb
from zaqar.storage.sqlalchemy import driver

DATABASE = sqldb.private_mysql()


def data_driver(conf):
    return driver.DataDriver(conf, uri=DATABASE.uri())


def control_driver(conf):
    return driver.ControlDriver(sqldb.management_conf(DATABASE.uri()))
