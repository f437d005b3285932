"""Transport-neutral operations: validation, defaults and storage calls
written once, used by every REST version and the websocket transport."""

from __future__ import annotations

import typing

from zaqar.api.claims import Claims
from zaqar.api.flavors import Flavors
from zaqar.api.messages import Messages
from zaqar.api.pools import Pools
from zaqar.api.queues import Queues
from zaqar.api.subscriptions import Subscriptions
from zaqar.api.topics import Topics
from zaqar.transport.validation import Validator


class API:
    """The operations of one service instance, over its (pooled,
    pipelined) data store."""

    def __init__(self, conf: typing.Any, storage: typing.Any):
        self.conf = conf
        self.storage = storage
        self.validate = Validator(conf)
        self.subscriptions = Subscriptions(storage, self.validate, conf)
        self.queues = Queues(storage, self.validate, conf, self.subscriptions)
        self.messages = Messages(storage, self.validate, conf)
        self.claims = Claims(storage, self.validate, conf)
        self.topics = Topics(conf, storage, self.validate)
        if conf.pooling:  # the admin API of pooled storage
            self.pools = Pools(conf, storage, self.validate)
            self.flavors = Flavors(conf, storage, self.validate)

    def ping(self) -> bool:
        """Whether the storage answers right now (never raises)."""
        return self.storage.is_alive()

    def health(self) -> dict:
        """The detailed health document; only reachability when the
        storage does not answer."""
        if not self.storage.is_alive():
            return {"storage_reachable": False}
        return self.storage.health()
