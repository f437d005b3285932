"""The MongoDB data and control drivers.

Both connect the same way (``Connection``): one ``MongoClient`` per driver,
write concern ``majority`` unless the URI sets ``w``, and a refusal of a
standalone ``mongod`` unless ``[DEFAULT] unreliable`` is set, because a
standalone server can lose acknowledged messages and has no transactions.
"""

from __future__ import annotations

import logging
import random
import time
import typing
import urllib.parse

import pymongo
from pymongo import errors as mongo_errors
from pymongo import write_concern as mongo_wc

from zaqar.storage import base
from zaqar.storage import errors
from zaqar.storage.mongodb import catalogue
from zaqar.storage.mongodb import claims
from zaqar.storage.mongodb import flavors
from zaqar.storage.mongodb import messages
from zaqar.storage.mongodb import options as mongo_options
from zaqar.storage.mongodb import pools
from zaqar.storage.mongodb import queues
from zaqar.storage.mongodb import retry
from zaqar.storage.mongodb import subscriptions

LOG = logging.getLogger(__name__)

# Used when the URI does not say otherwise: fail start-up and requests
# within seconds when no server answers, instead of pymongo's 30 s.
DEFAULT_SERVER_SELECTION_TIMEOUT_MS = 5000

# A transaction that keeps meeting concurrent writers (many producers on
# one queue) is retried for this long before the operation fails.
TRANSACTION_RETRY_SECONDS = 60.0

T = typing.TypeVar("T")


class UnreliableDeployment(errors.StorageError):
    """The server is a standalone mongod and ``unreliable`` is not set."""


class Connection:
    """A client, the database and what the deployment supports."""

    def __init__(self, conf: typing.Any, group: str, uri: str | None,
                 options: dict | None):
        settings = conf[group]
        overrides = dict(options or {})
        uri = uri or settings.uri
        if not uri:
            raise errors.StorageError(
                f"[{group}] uri is not set: give the MongoDB connection "
                "string, e.g. mongodb://127.0.0.1:27017/?replicaSet=rs0")
        self.retry_policy = retry.RetryPolicy(
            attempts=int(overrides.get("max_reconnect_attempts",
                                       settings.max_reconnect_attempts)),
            max_sleep=float(overrides.get("max_retry_sleep",
                                          settings.max_retry_sleep)),
            max_jitter=float(overrides.get("max_retry_jitter",
                                           settings.max_retry_jitter)))
        database = overrides.get("database") or settings.database

        client_kwargs: dict[str, typing.Any] = {}
        if "serverselectiontimeoutms" not in _uri_option_names(uri):
            client_kwargs["serverSelectionTimeoutMS"] = (
                DEFAULT_SERVER_SELECTION_TIMEOUT_MS)
        try:
            self.client: pymongo.MongoClient = pymongo.MongoClient(
                uri, **client_kwargs)
        except (mongo_errors.ConfigurationError, ValueError,
                TypeError) as exc:
            raise errors.StorageError(
                f"[{group}] uri is not a valid MongoDB URI: {exc}") from exc
        if "w" in self.client.write_concern.document:
            self.write_concern = self.client.write_concern
        else:
            self.write_concern = mongo_wc.WriteConcern(w="majority")
        self.db = self.client.get_database(
            database, write_concern=self.write_concern)
        self._admin = self.client.admin

        try:
            kind = retry.call(self.retry_policy, self._deployment_kind)
        except errors.StorageError:
            self.client.close()
            raise
        if kind == "standalone" and not conf.unreliable:
            hosts = ", ".join(f"{h}:{p}" for h, p in self.client.nodes) \
                or "the server"
            self.client.close()
            raise UnreliableDeployment(
                f"MongoDB at {hosts} is a standalone mongod: it can lose "
                "acknowledged writes and has no transactions. Use a replica "
                "set or mongos (add ?replicaSet=<name> to the URI), or set "
                "[DEFAULT] unreliable = True to accept the risk.")
        self.kind = kind
        self.transactions = kind != "standalone"

    def _deployment_kind(self) -> str:
        hello = self.client.admin.command("hello")
        if hello.get("msg") == "isdbgrid":
            return "mongos"
        if hello.get("setName"):
            return "replicaset"
        return "standalone"

    def ensure_indexes(self, specs: typing.Iterable[tuple[str, list,
                                                            dict]]) -> None:
        def create() -> None:
            for collection, keys, kwargs in specs:
                self.db[collection].create_index(keys, **kwargs)
        retry.call(self.retry_policy, create)

    def atomic(self, fn: typing.Callable[[typing.Any], T]) -> T:
        """Run ``fn(session)`` in a transaction, retrying it when it met a
        concurrent writer. Without transactions (standalone, unreliable)
        ``fn(None)`` runs as plain separate writes."""
        if not self.transactions:
            return fn(None)
        deadline = time.monotonic() + TRANSACTION_RETRY_SECONDS
        attempt = 0
        with self.client.start_session() as session:
            while True:
                session.start_transaction(write_concern=self.write_concern)
                try:
                    result = fn(session)
                    self._commit(session)
                    return result
                except mongo_errors.PyMongoError as exc:
                    if session.in_transaction:
                        session.abort_transaction()
                    if not exc.has_error_label("TransientTransactionError") \
                            or time.monotonic() > deadline:
                        raise
                except BaseException:
                    if session.in_transaction:
                        session.abort_transaction()
                    raise
                attempt += 1
                time.sleep(random.uniform(0, min(0.2, 0.002 * 2 ** attempt)))

    @staticmethod
    def _commit(session: typing.Any) -> None:
        for _ in range(5):
            try:
                session.commit_transaction()
                return
            except mongo_errors.PyMongoError as exc:
                if not exc.has_error_label("UnknownTransactionCommitResult"):
                    raise
        session.commit_transaction()

    def is_alive(self) -> bool:
        try:
            self._admin.command("ping")
            return True
        except Exception:  # noqa: BLE001 - is_alive never raises
            return False

    def close(self) -> None:
        self.client.close()


def _uri_option_names(uri: str) -> set[str]:
    query = urllib.parse.urlsplit(uri).query
    return {name.lower() for name, _ in
            urllib.parse.parse_qsl(query, keep_blank_values=True)}


class DataDriver(base.DataDriverBase):
    """Queues, messages, claims and subscriptions in one database."""

    capabilities = (base.Capabilities.FIFO, base.Capabilities.CLAIMS,
                    base.Capabilities.DURABILITY, base.Capabilities.AOD,
                    base.Capabilities.HIGH_THROUGHPUT)

    def __init__(self, conf: typing.Any, uri: str | None = None,
                 options: dict | None = None):
        super().__init__(conf, uri=uri, options=options)
        self.connection = Connection(
            conf, mongo_options.MESSAGE_STORE_GROUP, uri, options)
        self.retry_policy = self.connection.retry_policy
        self.db = self.connection.db
        self.connection.ensure_indexes(
            queues.INDEXES + messages.INDEXES + claims.INDEXES
            + subscriptions.INDEXES)
        self.queue_controller = queues.QueueController(self)
        self.message_controller = messages.MessageController(self)
        self.claim_controller = claims.ClaimController(self)
        self.subscription_controller = subscriptions.SubscriptionController(self)

    def atomic(self, fn: typing.Callable[[typing.Any], T]) -> T:
        return self.connection.atomic(fn)


    def is_alive(self) -> bool:
        return self.connection.is_alive()

    def gc(self) -> None:
        """TTL indexes already remove expired documents (within a minute,
        by default); this removes them now."""
        self.message_controller.remove_expired()
        self.claim_controller.remove_expired()
        self.subscription_controller.remove_expired()

    def close(self) -> None:
        self.connection.close()


class ControlDriver(base.ControlDriverBase):
    """Pools, flavors and the catalogue."""

    def __init__(self, conf: typing.Any):
        super().__init__(conf)
        self.connection = Connection(
            conf, mongo_options.MANAGEMENT_STORE_GROUP, None, None)
        self.retry_policy = self.connection.retry_policy
        self.db = self.connection.db
        self.connection.ensure_indexes(
            pools.INDEXES + flavors.INDEXES + catalogue.INDEXES)
        self.pools_controller = pools.PoolsController(self)
        self.flavors_controller = flavors.FlavorsController(self)
        self.catalogue_controller = catalogue.CatalogueController(self)

    def is_alive(self) -> bool:
        return self.connection.is_alive()

    def close(self) -> None:
        self.connection.close()
