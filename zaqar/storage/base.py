"""The storage contract every driver implements.

A data driver stores queues, messages, claims, subscriptions and topics; a
control driver stores pools, flavors and the catalogue (queue -> pool).
Drivers are loaded by stevedore (``zaqar.data.storage``,
``zaqar.control.storage``) and must all pass ``tests/storage``.

Conventions shared by every controller:

* ``project`` scopes everything; ``None`` is a namespace of its own (used by
  the v1 API without a project header). Nothing of one project is ever
  visible to another.
* Times are seconds since the epoch (``time.time()``); ``ttl``/``age`` are
  whole seconds. Expired messages, claims and subscriptions behave as if
  deleted on every read, before any garbage collection ran.
* Identifiers are opaque strings chosen by the driver. Claim ids must be
  UUID strings (the transport rejects other forms early). An id of the wrong
  form is simply "not found", never an error.
* Paging markers are exclusive: a page starts strictly after the marker.
  Queue (and topic, pool, flavor) markers are names and order is byte order
  of the name; a marker that is not stored still positions by name. Message
  and subscription markers are ids; an unknown id restarts from the head.

Message records returned by drivers are dicts with these keys::

    id           str
    ttl          int    current TTL (claims may extend it)
    age          int    seconds since the message was posted
    body         any JSON value
    created      float  posting time (epoch seconds)
    claim_id     str | None   the live claim holding it, else None
    claim_count  int    claims it received (counted only when the queue has
                        both _max_claim_count and _dead_letter_queue)
    client_uuid  str | None   Client-ID of the poster (canonical form)
"""

from __future__ import annotations

import abc
import logging
import time
import typing
import uuid

from zaqar.common import ids

LOG = logging.getLogger(__name__)

Message = dict[str, typing.Any]
Metadata = dict[str, typing.Any]

# Queue attributes the storage layer acts on (the transport validates them).
MAX_CLAIM_COUNT = "_max_claim_count"
DEAD_LETTER_QUEUE = "_dead_letter_queue"
DEAD_LETTER_QUEUE_MESSAGES_TTL = "_dead_letter_queue_messages_ttl"


class Capabilities:
    """Names a driver reports for flavors (``capabilities``)."""

    FIFO = "FIFO"
    CLAIMS = "CLAIMS"
    DURABILITY = "DURABILITY"
    AOD = "AOD"  # at least once delivery
    HIGH_THROUGHPUT = "HIGH_THROUGHPUT"


class ControllerBase(abc.ABC):
    """Keeps a reference to the driver so controllers can share state."""

    def __init__(self, driver: typing.Any):
        self.driver = driver


class QueueBase(ControllerBase):
    """Queues: a name unique per project, plus a free JSON metadata object."""

    @abc.abstractmethod
    def list(self, project: str | None, marker: str | None = None,
             limit: int = 10, detailed: bool = False,
             name: str | None = None,
             filters: Metadata | None = None) -> list[dict]:
        """Queues of ``project`` sorted by name, after ``marker``.

        Items are ``{"name": ...}``, plus ``"metadata"`` (as stored) when
        ``detailed``. ``name`` keeps queues whose name contains it;
        ``filters`` keeps queues whose metadata has each key equal to the
        given value.
        """

    @abc.abstractmethod
    def count(self, project: str | None) -> int:
        """Number of queues in ``project``."""

    @abc.abstractmethod
    def create(self, name: str, project: str | None,
               metadata: Metadata | None = None) -> bool:
        """Create the queue; True if created, False if it already existed.

        An existing queue keeps its metadata untouched.
        """

    @abc.abstractmethod
    def exists(self, name: str, project: str | None) -> bool:
        """Whether the queue is stored."""

    @abc.abstractmethod
    def get_metadata(self, name: str, project: str | None) -> Metadata:
        """Stored metadata; raises QueueDoesNotExist."""

    @abc.abstractmethod
    def set_metadata(self, name: str, metadata: Metadata,
                     project: str | None) -> None:
        """Replace the metadata; raises QueueDoesNotExist."""

    @abc.abstractmethod
    def delete(self, name: str, project: str | None) -> None:
        """Delete the queue with its messages and claims (not its
        subscriptions). A missing queue is not an error."""

    @abc.abstractmethod
    def stats(self, name: str, project: str | None) -> dict:
        """``{"claimed", "free", "total"}`` of live messages, plus
        ``"oldest"``/``"newest"`` message records when total > 0.

        ``claimed`` counts messages under a live claim (delayed ones are in
        ``total`` and ``free``). Raises QueueDoesNotExist.
        """


class MessageBase(ControllerBase):
    """Messages in a queue, FIFO by posting order."""

    @abc.abstractmethod
    def post(self, queue: str, messages: list[dict], project: str | None,
             client_uuid: str | None) -> list[str]:
        """Store ``messages`` (each ``{"body", "ttl", "delay"}``, already
        validated and defaulted) in order; return their ids in order.

        Creates the queue (with empty metadata) when it does not exist.
        All or nothing.
        """

    @abc.abstractmethod
    def list(self, queue: str, project: str | None,
             client_uuid: str | None = None, marker: str | None = None,
             limit: int = 10, echo: bool = False,
             include_claimed: bool = False,
             include_delayed: bool = False) -> list[Message]:
        """Up to ``limit`` live messages after ``marker``, FIFO.

        Skips messages of ``client_uuid`` unless ``echo``, messages under a
        live claim unless ``include_claimed``, and messages whose delay has
        not elapsed unless ``include_delayed``. A missing queue is an empty
        list.
        """

    @abc.abstractmethod
    def get(self, queue: str, message_id: str,
            project: str | None) -> Message:
        """One live message; raises QueueDoesNotExist or
        MessageDoesNotExist."""

    @abc.abstractmethod
    def bulk_get(self, queue: str, message_ids: list[str],
                 project: str | None) -> list[Message]:
        """Live messages among ``message_ids``, in the order asked; unknown
        ids are skipped."""

    @abc.abstractmethod
    def delete(self, queue: str, message_id: str, project: str | None,
               claim: str | None = None) -> None:
        """Delete one message, respecting its claim.

        No-op when the message or queue does not exist. If the message is
        under a live claim: without ``claim`` raise MessageIsClaimed; with
        another live claim raise MessageIsClaimedBy when ``claim`` exists,
        else ClaimDoesNotExist. If it is not claimed and ``claim`` is given
        raise MessageNotClaimed.
        """

    @abc.abstractmethod
    def bulk_delete(self, queue: str, message_ids: list[str],
                    project: str | None,
                    claim_ids: list[str] | None = None) -> None:
        """Delete the listed messages, claimed or not.

        With ``claim_ids``, every listed live message must be held by one of
        those live claims, else MessageIsClaimedBy / MessageNotClaimed is
        raised and nothing is deleted.
        """

    @abc.abstractmethod
    def pop(self, queue: str, limit: int,
            project: str | None) -> list[Message]:
        """Atomically remove and return up to ``limit`` free, non-delayed
        messages, FIFO. Each record carries the id of the internal claim
        used for the removal in ``claim_id``."""

    @abc.abstractmethod
    def purge(self, queue: str, project: str | None) -> None:
        """Delete every message of the queue, claimed or not."""


class ClaimBase(ControllerBase):
    """Leases of messages to one consumer."""

    @abc.abstractmethod
    def create(self, queue: str, metadata: dict, project: str | None,
               limit: int = 10) -> tuple[str | None, list[Message]]:
        """Claim up to ``limit`` free messages for ``metadata["ttl"]`` s.

        Free = live, delay elapsed, not under a live claim; oldest first;
        never two live claims on one message, whatever runs concurrently.
        Claimed messages that would expire before the claim get
        ``expires = claim expiry + metadata["grace"]`` and ``ttl = claim ttl
        + grace``; the comparison is in whole seconds (as upstream), so a
        300 s message claimed for 300 s within the second it was posted
        keeps its ttl. When the queue has ``_max_claim_count`` and
        ``_dead_letter_queue`` (naming another queue: a queue that is its
        own dead-letter queue has none), a selected message whose
        claim_count already reached the maximum is moved, unclaimed, to the
        dead-letter queue
        (same project, created if missing; TTL replaced by
        ``_dead_letter_queue_messages_ttl`` when set) instead of being
        returned, and every returned message's claim_count grows by one.

        Returns ``(claim_id, messages)``; ``(None, [])`` when nothing was
        claimed (missing queue included).
        """

    @abc.abstractmethod
    def get(self, queue: str, claim_id: str,
            project: str | None) -> tuple[dict, list[Message]]:
        """``({"id", "ttl", "age"}, messages)`` of a live claim; ``age``
        counts from creation or last renewal. Raises ClaimDoesNotExist.

        A claim lives until it expires or is released, whatever happens to
        its messages: ``messages`` are the live ones it still holds, so
        deleted (or expired) messages are no longer listed and the list
        may be empty; such a claim can still be renewed and released. A
        purge is the exception: it deletes the queue's claims along with
        every message, so they no longer exist afterwards."""

    @abc.abstractmethod
    def update(self, queue: str, claim_id: str, metadata: dict,
               project: str | None) -> None:
        """Renew: the claim expires ``ttl`` seconds from now; its messages
        are extended as in ``create``. Raises ClaimDoesNotExist."""

    @abc.abstractmethod
    def delete(self, queue: str, claim_id: str, project: str | None) -> None:
        """Release the claim's messages at once (their extended TTLs stay).
        Unknown claims are not an error."""


class SubscriptionBase(ControllerBase):
    """Subscribers of a queue (or topic): webhooks, e-mail, websockets.

    Records are ``{"id", "source", "subscriber", "ttl", "age", "options",
    "confirmed"}``; expired subscriptions are invisible.
    """

    @abc.abstractmethod
    def list(self, queue: str, project: str | None, marker: str | None = None,
             limit: int = 10) -> list[dict]:
        """Live subscriptions of the queue after ``marker``, ordered by id."""

    @abc.abstractmethod
    def get(self, queue: str, subscription_id: str,
            project: str | None) -> dict:
        """Raises SubscriptionDoesNotExist."""

    @abc.abstractmethod
    def create(self, queue: str, subscriber: str, ttl: int, options: dict,
               project: str | None) -> str:
        """Store a subscription (unconfirmed) and return its id.

        Raises SubscriptionAlreadyExists when a live subscription of the
        same project, queue and subscriber exists.
        """

    @abc.abstractmethod
    def update(self, queue: str, subscription_id: str, project: str | None,
               **fields: typing.Any) -> None:
        """Change ``subscriber``, ``ttl`` (lifetime restarts now) and/or
        ``options`` (replaced whole). Raises SubscriptionDoesNotExist or
        SubscriptionAlreadyExists (subscriber taken)."""

    @abc.abstractmethod
    def delete(self, queue: str, subscription_id: str,
               project: str | None) -> None:
        """Unknown subscriptions are not an error."""

    @abc.abstractmethod
    def exists(self, queue: str, subscription_id: str,
               project: str | None) -> bool:
        ...

    @abc.abstractmethod
    def get_with_subscriber(self, queue: str, subscriber: str,
                            project: str | None) -> dict | None:
        """The live subscription of this subscriber, or None."""

    @abc.abstractmethod
    def confirm(self, queue: str, subscription_id: str, project: str | None,
                confirmed: bool = True) -> None:
        """Set the confirmed flag. Raises SubscriptionDoesNotExist."""

    @abc.abstractmethod
    def purge(self, queue: str, project: str | None) -> None:
        """Delete every subscription of the queue."""


class DataDriverBase(abc.ABC):
    """A data store: queues, messages, claims, subscriptions (and topics).

    ``conf`` is the oslo.config object; ``uri`` overrides the configured
    connection string (the pooling layer builds one driver per pool).
    """

    capabilities: tuple[str, ...] = ()

    # Set by each driver's constructor.
    queue_controller: QueueBase
    message_controller: MessageBase
    claim_controller: ClaimBase
    subscription_controller: SubscriptionBase

    def __init__(self, conf: typing.Any, uri: str | None = None,
                 options: dict | None = None):
        self.conf = conf

    @abc.abstractmethod
    def is_alive(self) -> bool:
        """Whether the backend answers right now (never raises)."""

    @abc.abstractmethod
    def gc(self) -> None:
        """Remove what has expired (messages, claims, subscriptions)."""

    def close(self) -> None:
        """Release connections."""

    def health(self) -> dict:
        """The detailed health document (``GET /v2/health``).

        Really runs the basic operations on a scratch queue of a reserved
        project and times each; later operations are skipped when one they
        depend on failed.
        """
        return _operation_status(self)


class PoolsBase(ControllerBase):
    """Registered storage pools (control plane)."""

    @abc.abstractmethod
    def list(self, marker: str | None = None, limit: int = 10,
             detailed: bool = False) -> list[dict]:
        """Pools ``{"name", "uri", "weight", "flavor"}`` (+ ``"options"``
        when detailed), by name after ``marker``."""

    @abc.abstractmethod
    def create(self, name: str, weight: int, uri: str,
               flavor: str | None = None, options: dict | None = None) -> None:
        """Create or replace. Raises PoolAlreadyExists when another pool
        uses ``uri``."""

    @abc.abstractmethod
    def get(self, name: str, detailed: bool = False) -> dict:
        """Raises PoolDoesNotExist."""

    @abc.abstractmethod
    def exists(self, name: str) -> bool: ...

    @abc.abstractmethod
    def update(self, name: str, **fields: typing.Any) -> None:
        """Raises PoolDoesNotExist / PoolAlreadyExists."""

    @abc.abstractmethod
    def delete(self, name: str) -> None:
        """Raises PoolInUseByFlavor, or PoolHasQueues while the
        catalogue maps queues to it; unknown pools are not an error."""

    @abc.abstractmethod
    def get_pools_by_flavor(self, flavor: str | None,
                            detailed: bool = False) -> list[dict]:
        """Pools of a flavor (all pools without a flavor for None)."""

    @abc.abstractmethod
    def drop_all(self) -> None: ...


class FlavorsBase(ControllerBase):
    """Flavors: named groups of pools (control plane)."""

    @abc.abstractmethod
    def list(self, project: str | None = None, marker: str | None = None,
             limit: int = 10, detailed: bool = False) -> list[dict]: ...

    @abc.abstractmethod
    def create(self, name: str, project: str | None = None,
               capabilities: dict | None = None) -> None: ...

    @abc.abstractmethod
    def get(self, name: str, project: str | None = None,
            detailed: bool = False) -> dict:
        """Raises FlavorDoesNotExist."""

    @abc.abstractmethod
    def exists(self, name: str, project: str | None = None) -> bool: ...

    @abc.abstractmethod
    def update(self, name: str, project: str | None = None,
               **fields: typing.Any) -> None: ...

    @abc.abstractmethod
    def delete(self, name: str, project: str | None = None) -> None: ...

    @abc.abstractmethod
    def drop_all(self) -> None: ...


class CatalogueBase(ControllerBase):
    """Where each queue lives: (project, queue) -> pool name."""

    @abc.abstractmethod
    def list(self, project: str | None, marker: str | None = None,
             limit: int | None = None) -> list[dict]:
        """Entries ``{"project", "queue", "pool"}`` of a project, by queue
        name: those after ``marker``, at most ``limit`` (None: all)."""

    @abc.abstractmethod
    def count(self, project: str | None, pool: str | None = None) -> int:
        """How many queues of the project the catalogue places (on
        ``pool`` only, when given)."""

    @abc.abstractmethod
    def get(self, project: str | None, queue: str) -> dict:
        """Raises QueueNotMapped."""

    @abc.abstractmethod
    def exists(self, project: str | None, queue: str) -> bool: ...

    @abc.abstractmethod
    def insert(self, project: str | None, queue: str, pool: str) -> None: ...

    @abc.abstractmethod
    def delete(self, project: str | None, queue: str) -> None: ...

    @abc.abstractmethod
    def update(self, project: str | None, queue: str, pool: str) -> None: ...

    @abc.abstractmethod
    def drop_all(self) -> None: ...


class ControlDriverBase(abc.ABC):
    """A management store: pools, flavors, catalogue."""

    # Set by each driver's constructor.
    pools_controller: PoolsBase
    flavors_controller: FlavorsBase
    catalogue_controller: CatalogueBase

    def __init__(self, conf: typing.Any):
        self.conf = conf

    @abc.abstractmethod
    def is_alive(self) -> bool: ...

    def close(self) -> None:
        """Release connections."""


# -- health ----------------------------------------------------------------

_HEALTH_PROJECT = "zaqar-health-check"


def _operation_status(driver: DataDriverBase) -> dict:
    queue = "health-" + uuid.uuid4().hex
    project = _HEALTH_PROJECT
    state: dict[str, typing.Any] = {}
    status: dict[str, dict] = {}

    def run(name: str, fn: typing.Callable[[], typing.Any]) -> bool:
        start = time.monotonic()
        ok, ref = True, None
        try:
            state[name] = fn()
        except Exception:
            ok, ref = False, str(uuid.uuid4())
            LOG.exception(
                "health check %s failed (ref %s)", name, ref)
        status[name] = {"succeeded": ok,
                        "seconds": round(time.monotonic() - start, 4),
                        "ref": ref}
        return ok

    queues, messages, claims = (driver.queue_controller,
                                driver.message_controller,
                                driver.claim_controller)
    if run("create_queue", lambda: queues.create(queue, project)):
        if run("post_messages", lambda: messages.post(
                queue, [{"body": "health", "ttl": 60, "delay": 0}] * 10,
                project, None)):
            if run("claim_messages", lambda: claims.create(
                    queue, {"ttl": 60, "grace": 60}, project, limit=2)):
                run("list_messages", lambda: messages.list(
                    queue, project, include_claimed=True, echo=True))
                cid, claimed = state["claim_messages"]
                if claimed:
                    run("delete_messages", lambda: messages.delete(
                        queue, claimed[0]["id"], project, claim=cid))
                    run("delete_claim", lambda: claims.delete(
                        queue, cid, project))
            run("bulk_delete_messages", lambda: messages.bulk_delete(
                queue, state["post_messages"], project))
        run("delete_queue", lambda: queues.delete(queue, project))
    return {"storage_reachable": True, "operation_status": status}


def is_claim_id(value: str | None) -> bool:
    """Claim ids are UUIDs; anything else cannot name a claim."""
    return bool(value) and ids.is_uuid(typing.cast(str, value))

