"""Typed errors raised by storage drivers.

The transports map them to status codes and bodies in one place each
(``zaqar/transport/wsgi/errors.py``, the websocket protocol); their
messages are part of the wire contract (the websocket transport shows them
verbatim), so keep the wording.
"""

from __future__ import annotations


class StorageError(Exception):
    """Base class; an unmapped StorageError means the backend failed."""


class ConnectionError(StorageError):
    """The backend could not be reached."""


class DoesNotExist(StorageError):
    """Something named in the request is not stored."""


class Conflict(StorageError):
    """The change would break a uniqueness rule."""


class QueueDoesNotExist(DoesNotExist):
    def __init__(self, name: str, project: str | None):
        self.name, self.project = name, project
        super().__init__(f"Queue {name} does not exist for project {project}")


class TopicDoesNotExist(DoesNotExist):
    def __init__(self, name: str, project: str | None):
        self.name, self.project = name, project
        super().__init__(f"Topic {name} does not exist for project {project}")


class QueueIsEmpty(StorageError):
    def __init__(self, name: str, project: str | None):
        self.name, self.project = name, project
        super().__init__(f"Queue {name} in project {project} is empty")


class MessageDoesNotExist(DoesNotExist):
    def __init__(self, mid: str, queue: str, project: str | None):
        self.mid, self.queue, self.project = mid, queue, project
        super().__init__(f"Message {mid} does not exist in queue {queue} "
                         f"for project {project}")


class ClaimDoesNotExist(DoesNotExist):
    def __init__(self, cid: str, queue: str, project: str | None):
        self.cid, self.queue, self.project = cid, queue, project
        super().__init__(f"Claim {cid} does not exist in queue {queue} "
                         f"for project {project}")


class MessageConflict(Conflict):
    """A message operation clashed with its claim state."""


class MessageIsClaimed(MessageConflict):
    def __init__(self, mid: str):
        self.mid = mid
        super().__init__(f"Message {mid} is claimed")


class MessageNotClaimed(MessageConflict):
    def __init__(self, mid: str):
        self.mid = mid
        super().__init__(f"Message {mid} is no longer claimed")


class MessageIsClaimedBy(MessageConflict):
    def __init__(self, mid: str, cid: str):
        self.mid, self.cid = mid, cid
        super().__init__(f"Message {mid} is not claimed by {cid}")


class SubscriptionDoesNotExist(DoesNotExist):
    def __init__(self, sid: str):
        self.sid = sid
        super().__init__(f"Subscription {sid} does not exist")


class SubscriptionAlreadyExists(Conflict):
    def __init__(self, subscriber: str = ""):
        self.subscriber = subscriber
        super().__init__("Such subscription already exists. Subscriptions "
                         "are unique by project + queue + subscriber URI.")


class PoolDoesNotExist(DoesNotExist):
    def __init__(self, name: str | None):
        self.name = name
        super().__init__(f"Pool {name} does not exist")


class PoolAlreadyExists(Conflict):
    def __init__(self):
        super().__init__("The database URI is in use by another pool.")


class PoolInUseByFlavor(StorageError):
    def __init__(self, pool: str, flavor: str):
        self.pool, self.flavor = pool, flavor
        super().__init__(f"This pool is used by flavors {flavor}; "
                         "It cannot be deleted.")


class PoolCapabilitiesMismatch(StorageError):
    def __init__(self):
        super().__init__("The pool being added does not support the "
                         "minimum set of capabilities")


class PoolHasQueues(StorageError):
    def __init__(self, name: str):
        self.name = name
        super().__init__(f"Pool {name} still holds queues; move or delete "
                         "them before deleting the pool.")


class NoPoolFound(StorageError):
    def __init__(self):
        super().__init__("No pools registered")


class FlavorDoesNotExist(DoesNotExist):
    def __init__(self, name: str):
        self.name = name
        super().__init__(f"Flavor {name} does not exist")


class QueueNotMapped(DoesNotExist):
    def __init__(self, name: str, project: str | None):
        self.name, self.project = name, project
        super().__init__(f"No pool found for queue {name} for project "
                         f"{project}")
