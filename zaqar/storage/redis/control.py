"""The Redis control driver: pools, flavors and the catalogue.

Keys (``N`` is the namespace, ``zaqar:ctl`` unless the driver is built
with another; names enter keys length-prefixed as in ``keys.component``)::

    N:pools                 sorted set, every pool name (score 0)
    N:pool:<name>           hash: uri, weight, flavor (absent = none),
                            options (JSON)
    N:uris                  hash: uri -> pool name (URIs are unique)
    N:flavors:<project>     sorted set, the project's flavor names
    N:flavor:<project>:<name>   hash: capabilities (JSON)
    N:flavor_names          hash: flavor name -> projects that have it
    N:cat:<project>         hash: queue -> pool
    N:catnames:<project>    sorted set, the same queue names (score 0), so
                            listings page by name (ZRANGEBYLEX)
    N:pool_queues           hash: pool -> queues the catalogue puts on it

Every change that touches more than one key is a Lua script
(``scripts/control/*.lua``), so it is atomic; the counters let a pool
delete refuse, in the same script, a pool that a flavor uses or that
still holds queues.
"""

from __future__ import annotations

import json
import pathlib
import typing

from zaqar.storage import base, errors
from zaqar.storage.redis import connection
from zaqar.storage.redis import keys as data_keys
from zaqar.storage.redis import options as redis_options

NAMESPACE = "zaqar:ctl"

# The Lua scripts of scripts/control/: every multi-key change, and the
# count of a pool's queues (they do not share the data scripts' prelude
# or calling convention).
_SCRIPT_DIR = pathlib.Path(__file__).with_name("scripts") / "control"
_SCRIPTS = {name: (_SCRIPT_DIR / f"{name}.lua").read_text(encoding="utf-8")
            for name in ("pool_create", "pool_update", "pool_delete",
                         "flavor_create", "flavor_update", "flavor_delete",
                         "catalogue_insert", "catalogue_list",
                         "catalogue_count", "catalogue_delete",
                         "catalogue_update")}

_POOL_FIELDS = frozenset({"uri", "weight", "flavor", "options"})


def _text(raw: bytes | str | None) -> str | None:
    if raw is None:
        return None
    return raw if isinstance(raw, str) else data_keys.from_bytes(raw)


def _glob_escape(raw: bytes) -> bytes:
    out = bytearray()
    for byte in raw:
        if byte in b"*?[]\\":
            out += b"\\"
        out.append(byte)
    return bytes(out)


class Keys:
    """The key names of one namespace."""

    def __init__(self, namespace: str):
        self.root = data_keys.to_bytes(namespace)
        self.pools = self.root + b":pools"
        self.pool_prefix = self.root + b":pool:"
        self.uris = self.root + b":uris"
        self.flavor_names = self.root + b":flavor_names"
        self.pool_queues = self.root + b":pool_queues"

    def pool(self, name: str) -> bytes:
        return self.pool_prefix + data_keys.component(name)

    def flavors(self, project: str | None) -> bytes:
        return self.root + b":flavors:" + data_keys.component(project)

    def flavor(self, project: str | None, name: str) -> bytes:
        return (self.root + b":flavor:" + data_keys.component(project)
                + b":" + data_keys.component(name))

    def catalogue(self, project: str | None) -> bytes:
        return self.root + b":cat:" + data_keys.component(project)

    def catalogue_names(self, project: str | None) -> bytes:
        return self.root + b":catnames:" + data_keys.component(project)

    def pattern(self, middle: bytes) -> bytes:
        """A SCAN pattern for every key starting with root + middle."""
        return _glob_escape(self.root + middle) + b"*"


class _Controller:
    """Shared access to the driver's client, keys and scripts."""

    def __init__(self, driver: "ControlDriver"):
        self.driver = driver

    @property
    def _client(self) -> typing.Any:
        return self.driver.client

    @property
    def _keys(self) -> Keys:
        return self.driver.keys

    def _script(self, name: str, keys: list[bytes],
                args: list[typing.Any]) -> typing.Any:
        return self.driver.scripts[name](keys=keys, args=args)

    def _delete_matching(self, *middles: bytes) -> None:
        for middle in middles:
            batch = []
            for key in self._client.scan_iter(
                    match=self._keys.pattern(middle), count=500):
                batch.append(key)
                if len(batch) == 500:
                    self._client.delete(*batch)
                    batch = []
            if batch:
                self._client.delete(*batch)


def _pool_record(name: str, fields: dict, detailed: bool) -> dict:
    pool = {"name": name, "uri": _text(fields[b"uri"]),
            "weight": int(fields[b"weight"]),
            "flavor": _text(fields.get(b"flavor"))}
    if detailed:
        pool["options"] = json.loads(fields.get(b"options") or b"{}")
    return pool


class PoolsController(_Controller, base.PoolsBase):

    def _records(self, names: list[str], detailed: bool) -> list[dict]:
        pipe = self._client.pipeline(transaction=False)
        for name in names:
            pipe.hgetall(self._keys.pool(name))
        return [_pool_record(name, fields, detailed)
                for name, fields in zip(names, pipe.execute()) if fields]

    @connection.guarded
    def list(self, marker: str | None = None, limit: int = 10,
             detailed: bool = False) -> list[dict]:
        if limit <= 0:
            return []
        start = b"-" if marker is None else b"(" + data_keys.to_bytes(marker)
        names = [_text(raw) for raw in self._client.zrangebylex(
            self._keys.pools, start, b"+", start=0, num=limit)]
        return self._records(names, detailed)

    @connection.guarded
    def create(self, name: str, weight: int, uri: str,
               flavor: str | None = None, options: dict | None = None) -> None:
        result = self._script(
            "pool_create",
            [self._keys.pools, self._keys.pool(name), self._keys.uris],
            [name, uri, int(weight), "0" if flavor is None else "1",
             flavor or "", json.dumps(options or {})])
        if _text(result) == "uri_taken":
            raise errors.PoolAlreadyExists()

    @connection.guarded
    def get(self, name: str, detailed: bool = False) -> dict:
        fields = self._client.hgetall(self._keys.pool(name))
        if not fields:
            raise errors.PoolDoesNotExist(name)
        return _pool_record(name, fields, detailed)

    @connection.guarded
    def exists(self, name: str) -> bool:
        return bool(self._client.exists(self._keys.pool(name)))

    @connection.guarded
    def update(self, name: str, **fields: typing.Any) -> None:
        unknown = set(fields) - _POOL_FIELDS
        if unknown:
            raise ValueError("pools have no field(s) "
                             + ", ".join(sorted(unknown)))
        args: list[typing.Any] = [name]
        for field, value in fields.items():
            if field == "flavor" and value is None:
                args += ["noflavor", ""]
            elif field == "options":
                args += ["options", json.dumps(value or {})]
            elif field == "weight":
                args += ["weight", int(value)]
            else:
                args += [field, value]
        result = _text(self._script(
            "pool_update", [self._keys.pool(name), self._keys.uris], args))
        if result == "missing":
            raise errors.PoolDoesNotExist(name)
        if result == "uri_taken":
            raise errors.PoolAlreadyExists()

    @connection.guarded
    def delete(self, name: str) -> None:
        result = [_text(item) for item in self._script(
            "pool_delete",
            [self._keys.pools, self._keys.pool(name), self._keys.uris,
             self._keys.flavor_names, self._keys.pool_queues], [name])]
        if result[0] == "flavor":
            raise errors.PoolInUseByFlavor(name, result[1])
        if result[0] == "queues":
            raise errors.PoolHasQueues(name)

    @connection.guarded
    def get_pools_by_flavor(self, flavor: str | None,
                            detailed: bool = False) -> list[dict]:
        names = [_text(raw) for raw in
                 self._client.zrange(self._keys.pools, 0, -1)]
        pools = self._records(names, detailed)
        if flavor is None:
            return pools
        return [pool for pool in pools if pool["flavor"] == flavor]

    @connection.guarded
    def drop_all(self) -> None:
        self._client.delete(self._keys.pools, self._keys.uris)
        self._delete_matching(b":pool:")


class FlavorsController(_Controller, base.FlavorsBase):

    def _record(self, name: str, project: str | None,
                capabilities: bytes | None, detailed: bool) -> dict:
        flavor = {"name": name, "project": project}
        if detailed:
            flavor["capabilities"] = json.loads(capabilities or b"{}")
        return flavor

    @connection.guarded
    def list(self, project: str | None = None, marker: str | None = None,
             limit: int = 10, detailed: bool = False) -> list[dict]:
        if limit <= 0:
            return []
        start = b"-" if marker is None else b"(" + data_keys.to_bytes(marker)
        names = [_text(raw) for raw in self._client.zrangebylex(
            self._keys.flavors(project), start, b"+", start=0, num=limit)]
        pipe = self._client.pipeline(transaction=False)
        for name in names:
            pipe.hget(self._keys.flavor(project, name), "capabilities")
        return [self._record(name, project, caps, detailed)
                for name, caps in zip(names, pipe.execute())]

    @connection.guarded
    def create(self, name: str, project: str | None = None,
               capabilities: dict | None = None) -> None:
        """Create the flavor, or replace its capabilities."""
        self._script(
            "flavor_create",
            [self._keys.flavors(project), self._keys.flavor(project, name),
             self._keys.flavor_names],
            [name, json.dumps(capabilities or {})])

    @connection.guarded
    def get(self, name: str, project: str | None = None,
            detailed: bool = False) -> dict:
        caps = self._client.hget(self._keys.flavor(project, name),
                                 "capabilities")
        if caps is None:
            raise errors.FlavorDoesNotExist(name)
        return self._record(name, project, caps, detailed)

    @connection.guarded
    def exists(self, name: str, project: str | None = None) -> bool:
        return bool(self._client.exists(self._keys.flavor(project, name)))

    @connection.guarded
    def update(self, name: str, project: str | None = None,
               **fields: typing.Any) -> None:
        unknown = set(fields) - {"capabilities"}
        if unknown:
            raise ValueError("flavors have no field(s) "
                             + ", ".join(sorted(unknown)))
        caps = (json.dumps(fields["capabilities"] or {})
                if "capabilities" in fields else "")
        if not self._script(
                "flavor_update",
                [self._keys.flavors(project),
                 self._keys.flavor(project, name)], [name, caps]):
            raise errors.FlavorDoesNotExist(name)

    @connection.guarded
    def delete(self, name: str, project: str | None = None) -> None:
        """Delete the flavor; its pools lose it once no project has a
        flavor of that name any more."""
        self._script(
            "flavor_delete",
            [self._keys.flavors(project), self._keys.flavor(project, name),
             self._keys.flavor_names, self._keys.pools],
            [name, self._keys.pool_prefix])

    @connection.guarded
    def drop_all(self) -> None:
        self._client.delete(self._keys.flavor_names)
        self._delete_matching(b":flavors:", b":flavor:")


class CatalogueController(_Controller, base.CatalogueBase):

    def _keys_of(self, project: str | None) -> list[bytes]:
        return [self._keys.catalogue(project), self._keys.pool_queues,
                self._keys.catalogue_names(project)]

    @connection.guarded
    def list(self, project: str | None, marker: str | None = None,
             limit: int | None = None) -> list[dict]:
        start = "-" if marker is None else "(" + marker
        names, pools = self._script(
            "catalogue_list", [self._keys.catalogue(project),
                               self._keys.catalogue_names(project)],
            [start, -1 if limit is None else limit])
        return [{"project": project, "queue": _text(queue),
                 "pool": _text(pool)}
                for queue, pool in zip(names, pools) if pool is not None]

    @connection.guarded
    def count(self, project: str | None, pool: str | None = None) -> int:
        if pool is None:
            return self._client.hlen(self._keys.catalogue(project))
        return self._script("catalogue_count", [self._keys.catalogue(project)],
                            [pool])

    @connection.guarded
    def get(self, project: str | None, queue: str) -> dict:
        pool = self._client.hget(self._keys.catalogue(project), queue)
        if pool is None:
            raise errors.QueueNotMapped(queue, project)
        return {"project": project, "queue": queue, "pool": _text(pool)}

    @connection.guarded
    def exists(self, project: str | None, queue: str) -> bool:
        return bool(self._client.hexists(self._keys.catalogue(project),
                                         queue))

    @connection.guarded
    def insert(self, project: str | None, queue: str, pool: str) -> None:
        """Map the queue to ``pool``; an existing entry is kept (the first
        of two concurrent inserts wins; read it back with ``get``)."""
        self._script("catalogue_insert", self._keys_of(project),
                     [queue, pool])

    @connection.guarded
    def delete(self, project: str | None, queue: str) -> None:
        self._script("catalogue_delete", self._keys_of(project), [queue])

    @connection.guarded
    def update(self, project: str | None, queue: str, pool: str) -> None:
        if not self._script(
                "catalogue_update",
                [self._keys.catalogue(project), self._keys.pool_queues],
                [queue, pool]):
            raise errors.QueueNotMapped(queue, project)

    @connection.guarded
    def drop_all(self) -> None:
        self._client.delete(self._keys.pool_queues)
        self._delete_matching(b":cat:", b":catnames:")


class ControlDriver(base.ControlDriverBase):
    """Pools, flavors and the catalogue in one Redis database
    (``[drivers:management_store:redis]``). ``namespace`` prefixes every
    key, so several control planes can share a database."""

    def __init__(self, conf: typing.Any, namespace: str = NAMESPACE):
        super().__init__(conf)
        for group, opts in redis_options.GROUPS:
            conf.register_opts(opts, group=group)
        group = conf[redis_options.MANAGEMENT_STORE_GROUP]
        self.settings = connection.Settings(
            max_reconnect_attempts=group.max_reconnect_attempts,
            reconnect_sleep=group.reconnect_sleep,
            socket_timeout=group.socket_timeout,
            socket_connect_timeout=group.socket_connect_timeout)
        self.client = connection.make_client(
            connection.parse_uri(group.uri), self.settings)
        self.keys = Keys(namespace)
        self.scripts = {name: self.client.register_script(source)
                        for name, source in _SCRIPTS.items()}
        self.pools_controller = PoolsController(self)
        self.flavors_controller = FlavorsController(self)
        self.catalogue_controller = CatalogueController(self)

    def is_alive(self) -> bool:
        try:
            return bool(self.client.ping())
        except Exception:  # any failure means "not alive", never raise
            return False

    def close(self) -> None:
        self.client.connection_pool.disconnect()
