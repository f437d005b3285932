"""The SQL data and control drivers (stevedore entry points ``sqlalchemy``
and ``sqlite``)."""

from __future__ import annotations

import logging
import time
import typing

import sqlalchemy as sa

from zaqar.common import configs
from zaqar.storage import base
from zaqar.storage.sqlalchemy import catalogue, claims, flavors, messages
from zaqar.storage.sqlalchemy import migration, pools, queues
from zaqar.storage.sqlalchemy import subscriptions, tables
from zaqar.storage.sqlalchemy.database import Database

LOG = logging.getLogger(__name__)

# Rows removed per transaction by gc(), so SQLite writers never wait long.
_GC_BATCH = 1000
# Settings a pool's ``options`` may override.
_OVERRIDABLE = ("pool_size", "busy_timeout", "auto_migrate")


def open_database(group: typing.Any, uri: str | None = None,
                  options: dict | None = None) -> Database:
    """Connect as the option group says (``uri``/``options`` win) and
    bring the schema to head when ``auto_migrate`` is on."""
    settings = {name: getattr(group, name) for name in _OVERRIDABLE}
    for key, value in (options or {}).items():
        if key in ("pool_size", "busy_timeout"):
            if isinstance(value, bool) or not isinstance(value, int) or (
                    value < 1):
                raise ValueError(f"pool option {key} must be a positive "
                                 f"integer, not {value!r}")
        elif key == "auto_migrate" and not isinstance(value, bool):
            raise ValueError(f"pool option auto_migrate must be a boolean, "
                             f"not {value!r}")
        elif key not in settings:
            continue
        settings[key] = value
    database = Database(uri or group.uri, pool_size=settings["pool_size"],
                        busy_timeout=settings["busy_timeout"],
                        synchronous=group.sqlite_synchronous)
    if settings["auto_migrate"]:
        try:
            migration.upgrade(database)
        except Exception:
            database.close()
            raise
    return database


class DataDriver(base.DataDriverBase):
    """Queues, messages, claims and subscriptions in one SQL database."""

    capabilities = (base.Capabilities.FIFO, base.Capabilities.CLAIMS,
                    base.Capabilities.DURABILITY, base.Capabilities.AOD)

    def __init__(self, conf: typing.Any, uri: str | None = None,
                 options: dict | None = None):
        super().__init__(conf, uri=uri, options=options)
        group = conf[configs.SQL_MESSAGE_STORE_GROUP]
        self.database = open_database(group, uri, options)
        self.queue_controller = queues.QueueController(self)
        self.message_controller = messages.MessageController(self)
        self.claim_controller = claims.ClaimController(self)
        self.subscription_controller = subscriptions.SubscriptionController(self)

    def is_alive(self) -> bool:
        return self.database.ping()

    def gc(self) -> None:
        """Delete expired messages, claims and subscriptions, in batches."""
        now = time.time()
        M, C, S = tables.messages, tables.claims, tables.subscriptions
        self._sweep(sa.select(M.c.id).where(M.c.expires <= now), M)
        self._sweep(sa.select(S.c.id).where(S.c.expires <= now), S)

        def release(conn: sa.Connection) -> int:
            ids = list(conn.execute(sa.select(C.c.id).where(
                C.c.expires <= now).limit(_GC_BATCH)).scalars())
            if ids:
                conn.execute(sa.update(M).where(M.c.claim_id.in_(ids))
                             .values(claim_id=None, claim_expires=None))
                conn.execute(sa.delete(C).where(C.c.id.in_(ids)))
            return len(ids)
        while self.database.write(release) == _GC_BATCH:
            pass

    def _sweep(self, expired: sa.Select, table: sa.Table) -> None:
        def batch(conn: sa.Connection) -> int:
            ids = list(conn.execute(expired.limit(_GC_BATCH)).scalars())
            if ids:
                conn.execute(sa.delete(table).where(table.c.id.in_(ids)))
            return len(ids)
        while self.database.write(batch) == _GC_BATCH:
            pass

    def close(self) -> None:
        self.database.close()


class ControlDriver(base.ControlDriverBase):
    """Pools, flavors and the catalogue in one SQL database."""

    def __init__(self, conf: typing.Any):
        super().__init__(conf)
        group = conf[configs.SQL_MANAGEMENT_STORE_GROUP]
        self.database = open_database(group)
        self.pools_controller = pools.PoolsController(self)
        self.flavors_controller = flavors.FlavorsController(self)
        self.catalogue_controller = catalogue.CatalogueController(self)

    def is_alive(self) -> bool:
        return self.database.ping()

    def close(self) -> None:
        self.database.close()
