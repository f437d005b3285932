"""The SQL driver's embedded default: a SQLite file under the session's
fresh ``state_path`` (no URI configured at all)."""

from __future__ import annotations

from zaqar.storage.sqlalchemy import driver


def data_driver(conf):
    return driver.DataDriver(conf)


def control_driver(conf):
    return driver.ControlDriver(conf)
