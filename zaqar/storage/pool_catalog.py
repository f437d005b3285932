"""Where each queue lives when pooling is on: the catalogue lookups and
their cache, placement of new queues by weight, and one data driver per
pool.

The catalogue in the management store is the truth. Lookups are cached in
the process, but a cached answer is only trusted for reads: a read that
finds nothing through a cached answer asks the catalogue again (another
API node may have deleted the queue and created it on another pool), and
every write asks the catalogue, so a stale cache entry never sends a
write to the wrong pool. ``doc/pooling.rst`` explains the choices.
"""

from __future__ import annotations

import collections
import dataclasses
import json
import logging
import random
import threading
import time
import typing

from stevedore import exception as sd_exception

from zaqar.storage import base, errors, loader

LOG = logging.getLogger(__name__)

# The message store configured in [drivers], when
# [pooling:catalog] enable_virtual_pool is on (a reserved pool name).
VIRTUAL_POOL = "__virtual__"

# Cached (project, queue) -> pool answers: how many, and for how long.
CACHE_SIZE = 100_000
CACHE_SECONDS = 60.0
# How often a pool's URI and options are read again, so that a change
# made through another API node reaches this one.
POOL_REFRESH_SECONDS = 10.0


@dataclasses.dataclass(frozen=True)
class Route:
    """The pool of one queue and its driver; ``cached`` when the answer
    came from this process's cache rather than the catalogue."""

    pool: str
    driver: base.DataDriverBase
    cached: bool = False


@dataclasses.dataclass
class _PoolDriver:
    key: tuple[str, str]  # (uri, options as JSON): what it was built from
    driver: base.DataDriverBase
    checked: float


class BadPoolDefinition(errors.StorageError):
    """A pool's URI or options cannot describe a store (no driver for
    the scheme, malformed URI, invalid option)."""


def capabilities_of(uri: str) -> tuple[str, ...]:
    """What the driver serving ``uri`` promises (no connection made)."""
    try:
        cls = loader.data_driver_class(loader.driver_name_for_uri(uri))
    except sd_exception.NoMatches:
        return ()
    return tuple(cls.capabilities)


def open_driver(conf: typing.Any, uri: str,
                options: dict | None) -> base.DataDriverBase:
    """A new data driver for a pool URI; failures are storage errors
    (no driver for the scheme, bad options, unreachable server)."""
    name = loader.driver_name_for_uri(uri)
    try:
        return loader.load_data_driver(conf, name, uri=uri,
                                       options=options or {})
    except sd_exception.NoMatches:
        raise BadPoolDefinition(
            f"no storage driver serves {name!r} URIs") from None
    except errors.StorageError:
        raise
    except ValueError as exc:
        raise BadPoolDefinition(str(exc)) from None
    except Exception as exc:  # a driver's own connection failure
        raise errors.ConnectionError(
            f"Cannot open the {name} store: {exc}") from exc


class Catalog:
    """The catalogue of one API process, over a control driver."""

    def __init__(self, conf: typing.Any, control: base.ControlDriverBase):
        self.conf = conf
        self.control = control
        self.pools = control.pools_controller
        self.flavors = control.flavors_controller
        self.catalogue = control.catalogue_controller
        self.virtual = bool(conf["pooling:catalog"].enable_virtual_pool)
        self._lock = threading.Lock()
        self._cache: collections.OrderedDict[
            tuple[str | None, str], tuple[str, float]] = (
                collections.OrderedDict())
        self._drivers: dict[str, _PoolDriver] = {}
        self._building: dict[str, threading.Lock] = {}
        self._retired: list[base.DataDriverBase] = []
        self._virtual: base.DataDriverBase | None = None

    # -- lookups -----------------------------------------------------------

    def lookup(self, project: str | None, queue: str,
               fresh: bool = False) -> Route | None:
        """The queue's pool, or None when no pool holds it.

        ``fresh`` skips the cache (writes). Queues the catalogue does not
        know live in the virtual pool when there is one.
        """
        if not fresh:
            pool = self._cached(project, queue)
            if pool is not None:
                try:
                    return Route(pool, self.driver(pool), cached=True)
                except errors.PoolDoesNotExist:
                    # Deleted through another node: the queue moved on.
                    self.invalidate(project, queue)
        pool = self._mapped(project, queue)
        if pool is None:
            if not self.virtual:
                self.invalidate(project, queue)
                return None
            pool = VIRTUAL_POOL
        self._remember(project, queue, pool)
        return Route(pool, self.driver(pool))

    def register(self, project: str | None, queue: str,
                 flavor: str | None = None,
                 pool: str | None = None) -> tuple[Route, bool]:
        """The queue's pool, placing the queue first when it has none:
        on ``pool`` when given, else on a pool of ``flavor`` (or of any
        flavor) chosen by weight.

        Returns the route and whether this call placed the queue by
        weight (so the caller knows the queue is new to its pool).
        """
        current = self._mapped(project, queue)
        if current is not None:
            self._remember(project, queue, current)
            return Route(current, self.driver(current)), False
        placed = False
        if pool is None:
            if self.virtual and self._virtual_driver().queue_controller \
                    .exists(queue, project):
                pool = VIRTUAL_POOL  # a queue from before pooling
            else:
                pool = self.select(project, flavor)
                placed = True
        self.catalogue.insert(project, queue, pool)
        # Of two concurrent registrations the first insert wins.
        actual = self._mapped(project, queue)
        if actual is None:  # deleted meanwhile: ours is the live one
            self.catalogue.insert(project, queue, pool)
            actual = pool
        if actual != VIRTUAL_POOL and not self.pools.exists(actual):
            # The pool was deleted while we placed the queue on it.
            self.catalogue.delete(project, queue)
            self.invalidate(project, queue)
            raise errors.PoolDoesNotExist(actual)
        self._remember(project, queue, actual)
        return Route(actual, self.driver(actual)), placed and actual == pool

    def select(self, project: str | None, flavor: str | None) -> str:
        """A pool for a new queue, drawn with probability proportional
        to its weight among the pools of ``flavor`` (all pools without
        one). Pools of weight 0 take no new queues."""
        if flavor is not None:
            self.check_flavor(project, flavor)
        candidates = [pool for pool in self.pools.get_pools_by_flavor(flavor)
                      if pool["weight"] > 0]
        if not candidates:
            if flavor is None and self.virtual:
                return VIRTUAL_POOL
            raise errors.NoPoolFound()
        chosen = random.choices(
            candidates, weights=[pool["weight"] for pool in candidates])[0]
        return chosen["name"]

    def check_flavor(self, project: str | None, flavor: typing.Any) -> None:
        """Raises FlavorDoesNotExist unless the project has ``flavor``."""
        if not isinstance(flavor, str) or not self.flavors.exists(
                flavor, project):
            raise errors.FlavorDoesNotExist(str(flavor))

    def forget(self, project: str | None, queue: str) -> None:
        """Remove the queue from the catalogue (it was deleted)."""
        self.catalogue.delete(project, queue)
        self.invalidate(project, queue)

    def names(self, project: str | None, marker: str | None, limit: int,
              contains: str | None = None) -> list[str]:
        """Up to ``limit`` of the project's queue names after ``marker``,
        by name, keeping those that contain ``contains``; read from the
        catalogue a page at a time, so the cost follows the page, not the
        project."""
        page = max(limit, 100) if contains else limit
        found: list[str] = []
        while len(found) < limit:
            entries = self.catalogue.list(project, marker=marker, limit=page)
            found.extend(entry["queue"] for entry in entries
                         if not contains or contains in entry["queue"])
            if len(entries) < page:
                break
            marker = entries[-1]["queue"]
        return found[:limit]

    def _mapped(self, project: str | None, queue: str) -> str | None:
        try:
            return self.catalogue.get(project, queue)["pool"]
        except errors.QueueNotMapped:
            return None

    # -- the cache ---------------------------------------------------------

    def _cached(self, project: str | None, queue: str) -> str | None:
        key = (project, queue)
        with self._lock:
            found = self._cache.get(key)
            if found is None:
                return None
            pool, until = found
            if until < time.monotonic():
                del self._cache[key]
                return None
            self._cache.move_to_end(key)
            return pool

    def _remember(self, project: str | None, queue: str, pool: str) -> None:
        with self._lock:
            self._cache[(project, queue)] = (
                pool, time.monotonic() + CACHE_SECONDS)
            self._cache.move_to_end((project, queue))
            while len(self._cache) > CACHE_SIZE:
                self._cache.popitem(last=False)

    def invalidate(self, project: str | None, queue: str) -> None:
        with self._lock:
            self._cache.pop((project, queue), None)

    # -- pool drivers ------------------------------------------------------

    def pool_names(self) -> list[str]:
        """Every registered pool (and the virtual one), by name."""
        names = [pool["name"] for pool in self.pools.get_pools_by_flavor(None)]
        names.sort()
        if self.virtual:
            names.append(VIRTUAL_POOL)
        return names

    def driver(self, pool: str) -> base.DataDriverBase:
        """The data driver of ``pool``, built on first use and rebuilt
        when the pool's URI or options changed."""
        if pool == VIRTUAL_POOL:
            return self._virtual_driver()
        with self._lock:
            entry = self._drivers.get(pool)
            building = self._building.setdefault(pool, threading.Lock())
        now = time.monotonic()
        if entry is not None and now - entry.checked < POOL_REFRESH_SECONDS:
            return entry.driver
        try:
            record = self.pools.get(pool, detailed=True)
        except errors.PoolDoesNotExist:
            self.drop_driver(pool)
            raise
        except errors.StorageError:
            if entry is None:
                raise
            # The management store is out of reach: keep what we have.
            LOG.warning("could not re-read pool %s; using its driver as "
                        "it was", pool)
            return entry.driver
        key = (record["uri"], json.dumps(record.get("options") or {},
                                         sort_keys=True))
        with building:
            with self._lock:
                entry = self._drivers.get(pool)
            if entry is not None and entry.key == key:
                entry.checked = now
                return entry.driver
            driver = open_driver(self.conf, record["uri"],
                                 record.get("options"))
            with self._lock:
                old = self._drivers.get(pool)
                self._drivers[pool] = _PoolDriver(key, driver, now)
                if old is not None:
                    # Other threads may still be using it: closed at exit.
                    self._retired.append(old.driver)
            return driver

    def drop_driver(self, pool: str) -> None:
        """Forget the pool's driver (the pool changed or was deleted)."""
        with self._lock:
            old = self._drivers.pop(pool, None)
            if old is not None:
                self._retired.append(old.driver)

    def _virtual_driver(self) -> base.DataDriverBase:
        with self._lock:
            if self._virtual is None:
                self._virtual = loader.load_data_driver(self.conf)
            return self._virtual

    def close(self) -> None:
        with self._lock:
            drivers = [entry.driver for entry in self._drivers.values()]
            drivers += self._retired
            if self._virtual is not None:
                drivers.append(self._virtual)
            self._drivers.clear()
            self._retired = []
            self._virtual = None
        for driver in drivers:
            try:
                driver.close()
            except Exception:  # closing must not stop closing the others
                LOG.exception("closing a pool driver failed")
