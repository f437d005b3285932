"""Load storage drivers by name through stevedore."""

from __future__ import annotations

import typing

from stevedore import driver as sd_driver

from zaqar.storage import base

DATA_NAMESPACE = "zaqar.data.storage"
CONTROL_NAMESPACE = "zaqar.control.storage"


def _plugin(namespace: str, name: str) -> type:
    manager = sd_driver.DriverManager(namespace, name, invoke_on_load=False)
    return manager.driver


def data_driver_class(name: str) -> type[base.DataDriverBase]:
    return _plugin(DATA_NAMESPACE, name)


def control_driver_class(name: str) -> type[base.ControlDriverBase]:
    return _plugin(CONTROL_NAMESPACE, name)


def load_data_driver(conf: typing.Any, name: str | None = None,
                     uri: str | None = None,
                     options: dict | None = None) -> base.DataDriverBase:
    """Build the data driver ``name`` (default: ``[drivers] message_store``);
    ``uri``/``options`` override its configured connection (pools)."""
    cls = data_driver_class(name or conf.drivers.message_store)
    return cls(conf, uri=uri, options=options)


def load_control_driver(conf: typing.Any,
                        name: str | None = None) -> base.ControlDriverBase:
    cls = control_driver_class(name or conf.drivers.management_store)
    return cls(conf)


def driver_name_for_uri(uri: str) -> str:
    """The data driver that serves a connection URI (pools carry only
    URIs): the scheme before any '+' or ':' names it."""
    scheme = uri.split(":", 1)[0].split("+", 1)[0].lower()
    aliases = {"sqlite": "sqlalchemy", "postgresql": "sqlalchemy",
               "postgres": "sqlalchemy", "mysql": "sqlalchemy",
               "mariadb": "sqlalchemy", "rediss": "redis",
               "unix": "redis", "mongodb": "mongodb"}
    return aliases.get(scheme, scheme)
