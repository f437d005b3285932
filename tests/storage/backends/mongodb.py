"""The MongoDB driver on a real replica-set mongod (see
``tests.storage.mongodb.server``), in a database of its own per session."""

from __future__ import annotations

from tests.storage.mongodb import server
from zaqar.storage.mongodb import driver
from zaqar.storage.mongodb import options


def _configure(conf, group: str) -> None:
    conf.set_override("uri", server.URI, group=group)
    conf.set_override("database", server.database(), group=group)


def data_driver(conf):
    _configure(conf, options.MESSAGE_STORE_GROUP)
    return driver.DataDriver(conf)


def control_driver(conf):
    _configure(conf, options.MANAGEMENT_STORE_GROUP)
    return driver.ControlDriver(conf)
