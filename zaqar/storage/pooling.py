"""The pooled data driver: every queue lives on one pool (a data driver
of its own) and each operation is routed there through the catalogue.

Reads may use the catalogue cache; writes ask the catalogue (see
``pool_catalog``). New queues, whether created explicitly or on first
use (posting, subscribing, a dead-letter queue filled by a claim), are
placed by weight among the pools of the queue's ``_flavor`` (all pools
without one). Listing queues walks the catalogue in name order, across
pools. ``doc/pooling.rst`` is the operator's view.
"""

from __future__ import annotations

import itertools
import logging
import typing

from zaqar.storage import base, errors
from zaqar.storage.pool_catalog import VIRTUAL_POOL, Catalog

LOG = logging.getLogger(__name__)

FLAVOR = "_flavor"

# A dead-letter move across pools takes messages in batches of this
# size, at most this many batches per claim (the rest go with the next).
_TRANSFER_BATCH = 20
_TRANSFER_ROUNDS = 5
# The transfer's own claim on the local copy of the dead-letter queue.
_TRANSFER_CLAIM = {"ttl": 60, "grace": 0}

T = typing.TypeVar("T")


def _no_queue(queue: str, project: str | None) -> typing.NoReturn:
    raise errors.QueueDoesNotExist(queue, project)


class _Routed(base.ControllerBase):
    """Routing shared by the controllers."""

    @property
    def _catalog(self) -> Catalog:
        return self.driver.catalog

    def _read(self, project: str | None, queue: str,
              call: typing.Callable[[base.DataDriverBase], T],
              missing: typing.Callable[[], T],
              looks_missing: typing.Callable[[T], bool] = lambda _: False
              ) -> T:
        """Run a read on the queue's pool.

        A cached route is checked against the catalogue when the answer
        looks like the queue is not there (a ``DoesNotExist`` error, or
        ``looks_missing(result)``), and the read runs again on the right
        pool when the cache was stale. ``missing()`` answers for a queue
        no pool holds.
        """
        route = self._catalog.lookup(project, queue)
        if route is None:
            return missing()
        try:
            result = call(route.driver)
        except errors.DoesNotExist:
            if not route.cached:
                raise
            fresh = self._catalog.lookup(project, queue, fresh=True)
            if fresh is not None and fresh.pool == route.pool:
                raise
        else:
            if not (route.cached and looks_missing(result)):
                return result
            fresh = self._catalog.lookup(project, queue, fresh=True)
            if fresh is not None and fresh.pool == route.pool:
                return result
        if fresh is None:
            return missing()
        return call(fresh.driver)

    def _write(self, project: str | None, queue: str,
               call: typing.Callable[[base.DataDriverBase], T],
               missing: typing.Callable[[], T]) -> T:
        """Run a write on the pool the catalogue names (never a cached
        answer); ``missing()`` answers for a queue no pool holds."""
        route = self._catalog.lookup(project, queue, fresh=True)
        if route is None:
            return missing()
        return call(route.driver)


class QueueController(_Routed, base.QueueBase):

    # Catalogue names read per window of a detailed or filtered listing.
    LISTING_PAGE = 100

    def list(self, project: str | None, marker: str | None = None,
             limit: int = 10, detailed: bool = False,
             name: str | None = None,
             filters: base.Metadata | None = None) -> list[dict]:
        if limit <= 0:
            return []
        virtual = self._catalog.virtual
        if not detailed and not filters and not virtual:
            # The catalogue alone answers, a page at a time.
            return [{"name": queue} for queue in
                    self._catalog.names(project, marker, limit, name)]
        # Otherwise the pools answer (they hold the metadata and apply
        # the filters), one window of the catalogue at a time: the
        # catalogue's next names after the marker say which pools to ask
        # and which of their queues are theirs, up to the window's last
        # name (no end when the catalogue has no more).
        found: list[dict] = []
        page = max(limit, self.LISTING_PAGE)
        while len(found) < limit:
            entries = self._catalog.catalogue.list(project, marker=marker,
                                                   limit=page)
            last = entries[-1]["queue"] if len(entries) == page else None
            owners = {entry["queue"]: entry["pool"] for entry in entries}
            pools = set(owners.values())
            if virtual:
                pools.add(VIRTUAL_POOL)
            window: list[dict] = []
            for pool in sorted(pools):
                window.extend(self._window(
                    pool, project, marker, last, limit - len(found),
                    owners, detailed=detailed, name=name, filters=filters))
            found.extend(sorted(window, key=lambda item: item["name"]))
            if last is None:
                break
            marker = last
        return found[:limit]

    def _window(self, pool: str, project: str | None, after: str | None,
                last: str | None, wanted: int, owners: dict[str, str],
                **listing: typing.Any) -> list[dict]:
        """Up to ``wanted`` queues of one pool named after ``after`` and
        up to ``last``, keeping those the catalogue places on that pool
        (a pool may hold a stale copy of a queue that lives elsewhere);
        in the virtual pool, those the catalogue does not know."""
        controller = self._catalog.driver(pool).queue_controller
        page = max(wanted, 10)
        kept: list[dict] = []
        while True:
            items = controller.list(project, marker=after, limit=page,
                                    **listing)
            for item in items:
                if last is not None and item["name"] > last:
                    return kept
                owner = owners.get(item["name"])
                if owner == pool or (owner is None
                                     and pool == VIRTUAL_POOL):
                    kept.append(item)
                    if len(kept) == wanted:
                        return kept
            if len(items) < page:
                return kept
            after = items[-1]["name"]

    def count(self, project: str | None) -> int:
        if not self._catalog.virtual:
            return self._catalog.catalogue.count(project)
        # Queues from before pooling are in the virtual pool, whether or
        # not the catalogue has placed them there since: count the
        # catalogue's other queues, then ask the virtual pool.
        catalogue = self._catalog.catalogue
        return (catalogue.count(project)
                - catalogue.count(project, pool=VIRTUAL_POOL)
                + self._catalog.driver(VIRTUAL_POOL).queue_controller.count(
                    project))

    def create(self, name: str, project: str | None,
               metadata: base.Metadata | None = None) -> bool:
        metadata = metadata or {}
        flavor = metadata.get(FLAVOR) or None
        if flavor is not None:
            self._catalog.check_flavor(project, flavor)
        route, placed = self._catalog.register(project, name, flavor=flavor)
        queues = route.driver.queue_controller
        created = queues.create(name, project, metadata)
        if not created and placed:
            # The pool kept a queue of that name the catalogue did not
            # know (left by an interrupted delete, or a local copy of a
            # dead-letter queue): the new queue gets the metadata asked
            # for.
            queues.set_metadata(name, metadata, project)
            return True
        return created

    def exists(self, name: str, project: str | None) -> bool:
        return self._read(
            project, name,
            lambda d: d.queue_controller.exists(name, project),
            lambda: False, looks_missing=lambda found: not found)

    def get_metadata(self, name: str, project: str | None) -> base.Metadata:
        return self._read(
            project, name,
            lambda d: d.queue_controller.get_metadata(name, project),
            lambda: _no_queue(name, project))

    def set_metadata(self, name: str, metadata: base.Metadata,
                     project: str | None) -> None:
        return self._write(
            project, name,
            lambda d: d.queue_controller.set_metadata(name, metadata,
                                                      project),
            lambda: _no_queue(name, project))

    def delete(self, name: str, project: str | None) -> None:
        route = self._catalog.lookup(project, name, fresh=True)
        if route is None:
            return
        # The data goes first: if this fails the catalogue still leads
        # to it and the delete can be repeated.
        route.driver.queue_controller.delete(name, project)
        self._catalog.forget(project, name)

    def stats(self, name: str, project: str | None) -> dict:
        return self._read(
            project, name, lambda d: d.queue_controller.stats(name, project),
            lambda: _no_queue(name, project))


class MessageController(_Routed, base.MessageBase):

    def post(self, queue: str, messages: list[dict], project: str | None,
             client_uuid: str | None) -> list[str]:
        route, _ = self._catalog.register(project, queue)
        return route.driver.message_controller.post(queue, messages, project,
                                                    client_uuid)

    def list(self, queue: str, project: str | None,
             client_uuid: str | None = None, marker: str | None = None,
             limit: int = 10, echo: bool = False,
             include_claimed: bool = False,
             include_delayed: bool = False) -> list[base.Message]:
        return self._read(
            project, queue,
            lambda d: d.message_controller.list(
                queue, project, client_uuid=client_uuid, marker=marker,
                limit=limit, echo=echo, include_claimed=include_claimed,
                include_delayed=include_delayed),
            list, looks_missing=lambda found: not found)

    def get(self, queue: str, message_id: str,
            project: str | None) -> base.Message:
        return self._read(
            project, queue,
            lambda d: d.message_controller.get(queue, message_id, project),
            lambda: _no_queue(queue, project))

    def bulk_get(self, queue: str, message_ids: list[str],
                 project: str | None) -> list[base.Message]:
        return self._read(
            project, queue,
            lambda d: d.message_controller.bulk_get(queue, message_ids,
                                                    project),
            list, looks_missing=lambda found: not found)

    def delete(self, queue: str, message_id: str, project: str | None,
               claim: str | None = None) -> None:
        return self._write(
            project, queue,
            lambda d: d.message_controller.delete(queue, message_id, project,
                                                  claim=claim),
            lambda: None)

    def bulk_delete(self, queue: str, message_ids: list[str],
                    project: str | None,
                    claim_ids: list[str] | None = None) -> None:
        return self._write(
            project, queue,
            lambda d: d.message_controller.bulk_delete(
                queue, message_ids, project, claim_ids=claim_ids),
            lambda: None)

    def pop(self, queue: str, limit: int,
            project: str | None) -> list[base.Message]:
        return self._write(
            project, queue,
            lambda d: d.message_controller.pop(queue, limit, project), list)

    def purge(self, queue: str, project: str | None) -> None:
        return self._write(
            project, queue,
            lambda d: d.message_controller.purge(queue, project),
            lambda: None)


def _dead_letter(metadata: base.Metadata,
                 queue: str) -> tuple[str, int | None] | None:
    """``(dead-letter queue, its message TTL)`` when the queue moves
    messages away after ``_max_claim_count`` claims (as the drivers
    decide it)."""
    target = metadata.get(base.DEAD_LETTER_QUEUE)
    if not metadata.get(base.MAX_CLAIM_COUNT) or not target or (
            not isinstance(target, str)) or target == queue:
        return None
    ttl = metadata.get(base.DEAD_LETTER_QUEUE_MESSAGES_TTL)
    try:
        return target, int(ttl) if ttl else None
    except (TypeError, ValueError):
        return target, None


class ClaimController(_Routed, base.ClaimBase):
    """Claims, and the dead-letter moves they make.

    A pool's driver moves dead-lettered messages into the queue of that
    name *on its own store*. So before claiming, a dead-letter queue
    that no pool holds yet is placed on the source queue's pool; when it
    already lives on another pool, the messages the driver moved into
    its local copy are carried over to the right pool after the claim.
    """

    def create(self, queue: str, metadata: dict, project: str | None,
               limit: int = 10) -> tuple[str | None, list[base.Message]]:
        route = self._catalog.lookup(project, queue, fresh=True)
        if route is None:
            return None, []
        claims = route.driver.claim_controller
        try:
            settings = _dead_letter(
                route.driver.queue_controller.get_metadata(queue, project),
                queue)
        except errors.QueueDoesNotExist:
            return None, []
        if settings is None:
            return claims.create(queue, metadata, project, limit=limit)
        target, ttl = settings
        dead, _ = self._catalog.register(project, target, pool=route.pool)
        result = claims.create(queue, metadata, project, limit=limit)
        if dead.pool != route.pool:
            _transfer(route.driver, dead.driver, target, project, ttl)
        return result

    def get(self, queue: str, claim_id: str,
            project: str | None) -> tuple[dict, list[base.Message]]:
        def missing() -> typing.NoReturn:
            raise errors.ClaimDoesNotExist(claim_id, queue, project)
        return self._read(
            project, queue,
            lambda d: d.claim_controller.get(queue, claim_id, project),
            missing)

    def update(self, queue: str, claim_id: str, metadata: dict,
               project: str | None) -> None:
        def missing() -> typing.NoReturn:
            raise errors.ClaimDoesNotExist(claim_id, queue, project)
        return self._write(
            project, queue,
            lambda d: d.claim_controller.update(queue, claim_id, metadata,
                                                project),
            missing)

    def delete(self, queue: str, claim_id: str, project: str | None) -> None:
        return self._write(
            project, queue,
            lambda d: d.claim_controller.delete(queue, claim_id, project),
            lambda: None)


def _transfer(source: base.DataDriverBase, target: base.DataDriverBase,
              queue: str, project: str | None, ttl: int | None) -> None:
    """Carry the messages in ``source``'s copy of ``queue`` over to
    ``target``: claim a batch (so concurrent transfers never take the
    same message), post it, then delete it. A crash in between posts a
    batch twice at worst, never loses it."""
    for _ in range(_TRANSFER_ROUNDS):
        _, moved = source.claim_controller.create(
            queue, dict(_TRANSFER_CLAIM), project, limit=_TRANSFER_BATCH)
        if not moved:
            return
        for client, group in itertools.groupby(
                moved, key=lambda message: message.get("client_uuid")):
            batch = [{"body": message["body"],
                      "ttl": ttl or max(1, message["ttl"] - message["age"]),
                      "delay": 0} for message in group]
            target.message_controller.post(queue, batch, project, client)
        source.message_controller.bulk_delete(
            queue, [message["id"] for message in moved], project)


class SubscriptionController(_Routed, base.SubscriptionBase):

    def list(self, queue: str, project: str | None, marker: str | None = None,
             limit: int = 10) -> list[dict]:
        return self._read(
            project, queue,
            lambda d: d.subscription_controller.list(
                queue, project, marker=marker, limit=limit),
            list, looks_missing=lambda found: not found)

    def get(self, queue: str, subscription_id: str,
            project: str | None) -> dict:
        def missing() -> typing.NoReturn:
            raise errors.SubscriptionDoesNotExist(subscription_id)
        return self._read(
            project, queue,
            lambda d: d.subscription_controller.get(queue, subscription_id,
                                                    project),
            missing)

    def create(self, queue: str, subscriber: str, ttl: int, options: dict,
               project: str | None) -> str:
        route, _ = self._catalog.register(project, queue)
        return route.driver.subscription_controller.create(
            queue, subscriber, ttl, options, project)

    def update(self, queue: str, subscription_id: str, project: str | None,
               **fields: typing.Any) -> None:
        def missing() -> typing.NoReturn:
            raise errors.SubscriptionDoesNotExist(subscription_id)
        return self._write(
            project, queue,
            lambda d: d.subscription_controller.update(
                queue, subscription_id, project, **fields),
            missing)

    def delete(self, queue: str, subscription_id: str,
               project: str | None) -> None:
        return self._write(
            project, queue,
            lambda d: d.subscription_controller.delete(
                queue, subscription_id, project),
            lambda: None)

    def exists(self, queue: str, subscription_id: str,
               project: str | None) -> bool:
        return self._read(
            project, queue,
            lambda d: d.subscription_controller.exists(
                queue, subscription_id, project),
            lambda: False, looks_missing=lambda found: not found)

    def get_with_subscriber(self, queue: str, subscriber: str,
                            project: str | None) -> dict | None:
        return self._read(
            project, queue,
            lambda d: d.subscription_controller.get_with_subscriber(
                queue, subscriber, project),
            lambda: None, looks_missing=lambda found: found is None)

    def confirm(self, queue: str, subscription_id: str, project: str | None,
                confirmed: bool = True) -> None:
        def missing() -> typing.NoReturn:
            raise errors.SubscriptionDoesNotExist(subscription_id)
        return self._write(
            project, queue,
            lambda d: d.subscription_controller.confirm(
                queue, subscription_id, project, confirmed=confirmed),
            missing)

    def purge(self, queue: str, project: str | None) -> None:
        return self._write(
            project, queue,
            lambda d: d.subscription_controller.purge(queue, project),
            lambda: None)


class DataDriver(base.DataDriverBase):
    """The data plane spread over the pools of a control driver."""

    def __init__(self, conf: typing.Any, control: base.ControlDriverBase):
        super().__init__(conf)
        self.control = control
        self.catalog = Catalog(conf, control)
        self.queue_controller = QueueController(self)
        self.message_controller = MessageController(self)
        self.claim_controller = ClaimController(self)
        self.subscription_controller = SubscriptionController(self)

    def is_alive(self) -> bool:
        """The catalogue answers: requests can be routed. Each pool's
        own state is in ``health()`` (one pool down must not take every
        API node out of a load balancer)."""
        try:
            return bool(self.control.is_alive())
        except Exception:  # never raises, as the contract says
            return False

    def gc(self) -> None:
        """Collect on every pool; one pool failing does not stop the
        others (its error is raised at the end)."""
        failure: Exception | None = None
        for name in self.catalog.pool_names():
            try:
                self.catalog.driver(name).gc()
            except errors.StorageError as exc:
                LOG.error("garbage collection on pool %s failed: %s",
                          name, exc)
                failure = failure or exc
        if failure is not None:
            raise failure

    def health(self) -> dict:
        """``{"catalog_reachable": bool, <pool>: <its health>, ...}``."""
        document: dict[str, typing.Any] = {
            "catalog_reachable": self.is_alive()}
        if not document["catalog_reachable"]:
            return document
        for name in self.catalog.pool_names():
            try:
                driver = self.catalog.driver(name)
            except errors.StorageError as exc:
                LOG.error("pool %s cannot be opened: %s", name, exc)
                document[name] = {"storage_reachable": False}
                continue
            document[name] = (driver.health() if driver.is_alive()
                              else {"storage_reachable": False})
        return document

    def close(self) -> None:
        self.catalog.close()
