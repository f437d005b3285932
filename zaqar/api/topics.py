"""Topic operations: the queue, message and subscription operations, run
in the topic storage namespace (``zaqar.storage.topics``).

A topic is a queue that only fans out: clients post messages, read them
back, and subscribe; there are no claims. ``Topics`` has the shape of the
``API`` object (``conf``, ``validate``, ``queues``, ``messages``,
``subscriptions``), so the REST resources of queues, messages and
subscriptions serve topics when built with it.
"""

from __future__ import annotations

import typing

from zaqar.api.messages import Messages
from zaqar.api.queues import Queues, reserved_defaults
from zaqar.api.subscriptions import TOPICS, Subscriptions
from zaqar.storage import topics as topic_storage

# The reserved attributes a topic shows with their defaults.
SHOWN_DEFAULTS = ("_max_messages_post_size", "_default_message_ttl",
                  "_default_message_delay")


class TopicContainers(Queues):
    """Topic create/get/update/delete/list/stats/purge: queue operations
    that show only the reserved attributes meaningful for topics."""

    def __init__(self, storage: typing.Any, validate: typing.Any,
                 conf: typing.Any, subscriptions: typing.Any):
        super().__init__(storage, validate, conf, subscriptions)
        self._shown = tuple((key, default) for key, default
                            in reserved_defaults(conf)
                            if key in SHOWN_DEFAULTS)

    def with_defaults(self, metadata: dict) -> dict:
        shown = dict(metadata)
        for key, default in self._shown:
            if not shown.get(key):
                shown[key] = default
        return shown


class Topics:
    def __init__(self, conf: typing.Any, storage: typing.Any,
                 validate: typing.Any):
        self.conf = conf
        self.validate = validate
        self.storage = topic_storage.TopicStorage(storage)
        self.subscriptions = Subscriptions(self.storage, validate, conf,
                                           namespace=TOPICS)
        self.queues = TopicContainers(self.storage, validate, conf,
                                      self.subscriptions)
        self.messages = Messages(self.storage, validate, conf)
