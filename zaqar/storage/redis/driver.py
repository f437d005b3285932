"""The Redis data driver: queues, messages, claims and subscriptions.

Built for throughput: every operation is one round trip (a Lua script
or a pipeline), the API process does the JSON/MessagePack decoding, and
one connection pool per driver is shared by all threads.
"""

from __future__ import annotations

import logging
import typing

from zaqar.storage import base
from zaqar.storage.redis import claims
from zaqar.storage.redis import connection
from zaqar.storage.redis import keys
from zaqar.storage.redis import messages
from zaqar.storage.redis import options as redis_options
from zaqar.storage.redis import queues
from zaqar.storage.redis import records
from zaqar.storage.redis import scripts
from zaqar.storage.redis import subscriptions

LOG = logging.getLogger(__name__)

# Options a pool's ``options`` may override, with their types.
_POOL_OPTIONS: dict[str, type] = {
    "max_reconnect_attempts": int,
    "reconnect_sleep": float,
    "socket_timeout": float,
    "socket_connect_timeout": float,
    "key_expiry_margin": int,
}

_GC_BATCH = 100


def _settings(conf: typing.Any, options: dict | None) -> dict:
    group = conf[redis_options.MESSAGE_STORE_GROUP]
    values = {name: getattr(group, name) for name in _POOL_OPTIONS}
    for name, value in (options or {}).items():
        kind = _POOL_OPTIONS.get(name)
        if kind is None:
            LOG.warning("Redis driver: ignoring unknown pool option %r",
                        name)
            continue
        try:
            values[name] = kind(value)
        except (TypeError, ValueError):
            raise ValueError(f"Redis pool option {name} must be a "
                             f"{kind.__name__}, not {value!r}") from None
        if values[name] < 0:
            raise ValueError(f"Redis pool option {name} must not be "
                             "negative")
    return values


class DataDriver(base.DataDriverBase):

    capabilities = (base.Capabilities.FIFO, base.Capabilities.CLAIMS,
                    base.Capabilities.AOD,
                    base.Capabilities.HIGH_THROUGHPUT)

    def __init__(self, conf: typing.Any, uri: str | None = None,
                 options: dict | None = None):
        super().__init__(conf, uri=uri, options=options)
        for group, opts in redis_options.GROUPS:
            conf.register_opts(opts, group=group)
        values = _settings(conf, options)
        self.settings = connection.Settings(
            max_reconnect_attempts=values["max_reconnect_attempts"],
            reconnect_sleep=values["reconnect_sleep"],
            socket_timeout=values["socket_timeout"],
            socket_connect_timeout=values["socket_connect_timeout"])
        self.margin_ms = values["key_expiry_margin"] * 1000
        self.target = connection.parse_uri(
            uri or conf[redis_options.MESSAGE_STORE_GROUP].uri)
        self.client = connection.make_client(self.target, self.settings)
        # Hot paths: scripts and plain reads on the client's connections,
        # without redis-py's per-command layers.
        self.link = connection.Link(self.client)
        self.scripts = scripts.Scripts(self.link)
        self.queue_controller = queues.QueueController(self)
        self.message_controller = messages.MessageController(self)
        self.claim_controller = claims.ClaimController(self)
        self.subscription_controller = (
            subscriptions.SubscriptionController(self))

    def queue_script(self, name: str, project: str | None, queue: str,
                     args: list, now: int | None = None) -> typing.Any:
        """Run a script on one queue (common.lua's calling convention)."""
        return self.scripts.run(
            name,
            [keys.project_prefix(project), keys.queue_base(project, queue),
             keys.QUEUE_REGISTRY],
            [records.now_ms() if now is None else now, self.margin_ms]
            + args)

    def subscription_script(self, name: str, project: str | None,
                            queue: str, args: list,
                            now: int | None = None) -> typing.Any:
        """Run a script on the subscriptions of one queue."""
        return self.scripts.run(
            name,
            [keys.project_prefix(project),
             keys.subscription_base(project, queue),
             keys.SUBSCRIPTION_REGISTRY],
            [records.now_ms() if now is None else now, self.margin_ms]
            + args)

    def is_alive(self) -> bool:
        try:
            # Through the driver's own command path: a ping per health
            # check or GET /v2/ping, as cheap as any other command.
            return self.link.execute(b"PING") in (b"PONG", "PONG", True)
        except Exception:  # any failure means "not alive", never raise
            return False

    def gc(self) -> None:
        """Bring every registered queue and subscription index up to now:
        expired messages and claims leave the indexes (Redis expiry has
        already freed whole structures whose contents all expired)."""
        for script, registry in (("gc_queue", keys.QUEUE_REGISTRY),
                                 ("gc_subscriptions",
                                  keys.SUBSCRIPTION_REGISTRY)):
            connection.call(self.settings,
                            lambda: self._gc_registry(script, registry))

    def _gc_registry(self, script: str, registry: bytes) -> None:
        batch: list[bytes] = []
        for member in self.client.sscan_iter(registry, count=_GC_BATCH):
            batch.append(member)
            if len(batch) == _GC_BATCH:
                self._gc_batch(script, registry, batch)
                batch = []
        if batch:
            self._gc_batch(script, registry, batch)

    def _gc_batch(self, script: str, registry: bytes,
                  bases: list[bytes]) -> None:
        now = records.now_ms()
        self.scripts.run_many(script, [([member, member, registry],
                                        [now, self.margin_ms])
                                       for member in bases])

    def close(self) -> None:
        self.link.close()
        self.client.connection_pool.disconnect()
