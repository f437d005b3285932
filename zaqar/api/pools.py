"""Pool administration (the admin API), shared by every API version and
transport: what a pool may be, and what the management store says.

A pool is accepted only when its URI names an installed storage driver
that answers at that address, so a typo never becomes a pool that fails
every queue placed on it.
"""

from __future__ import annotations

import typing

from zaqar.common import errors
from zaqar.common import schemas
from zaqar.common.schemas import pools as pool_schemas
from zaqar.storage import errors as storage_errors
from zaqar.storage import pool_catalog

FIELDS = ("uri", "weight", "flavor", "options")
NAME_MAX = 255


def check_name(kind: str, name: str) -> None:
    """Pool and flavor names: 1..255 characters, not the reserved one."""
    if len(name) > NAME_MAX:
        raise errors.ValidationFailed(
            f"{kind} names may not be more than {NAME_MAX} characters long.")
    if name == pool_catalog.VIRTUAL_POOL:
        raise errors.ValidationFailed(f"{kind} name {name} is reserved.")


class Pools:
    def __init__(self, conf: typing.Any, storage: typing.Any,
                 validate: typing.Any):
        self._conf = conf
        self._catalog: pool_catalog.Catalog = storage.catalog
        self._pools = self._catalog.pools
        self._validate = validate

    def list(self, marker: str | None, limit: int | None,
             detailed: bool, check_limit: bool = True) -> list[dict]:
        """``check_limit=False`` (v1, v1.1): any limit goes, and one
        below 1 is an empty page."""
        if check_limit:
            self._validate.pool_listing(limit)
        elif limit is not None and limit < 1:
            return []
        return self._pools.list(marker=marker, limit=limit or 10,
                                detailed=detailed)

    def get(self, name: str, detailed: bool = False) -> dict:
        try:
            return self._pools.get(name, detailed=detailed)
        except storage_errors.PoolDoesNotExist as exc:
            raise errors.NotFound(str(exc)) from None

    def create(self, name: str, document: typing.Any) -> None:
        """Create or replace the pool (PUT)."""
        check_name("Pool", name)
        schemas.check(pool_schemas.CREATE, document)
        uri, options = document["uri"], document.get("options") or {}
        flavor = document.get("flavor")
        self._check_uri(uri, options)
        if flavor:
            self._check_capabilities(name, uri, flavor)
        try:
            self._pools.create(name, document["weight"], uri, flavor=flavor,
                               options=options)
        except storage_errors.PoolAlreadyExists as exc:
            raise errors.Conflict(str(exc)) from None
        self._catalog.drop_driver(name)

    def update(self, name: str, document: typing.Any) -> dict:
        """Change some fields (PATCH); returns the pool."""
        # As upstream: a body naming no field is told so before the schema
        # speaks of the keys it does not know.
        if isinstance(document, dict) and not any(
                key in document for key in FIELDS):
            raise errors.InvalidBody(
                "One of `uri`, `weight`, `flavor`, or `options` needs to be "
                "specified")
        schemas.check(pool_schemas.PATCH, document)
        fields = {key: document[key] for key in FIELDS if key in document}
        current = self.get(name, detailed=True)
        uri = fields.get("uri", current["uri"])
        if "uri" in fields or "options" in fields:
            self._check_uri(uri, fields.get("options", current["options"]))
        if fields.get("flavor"):
            self._check_capabilities(name, uri, fields["flavor"])
        try:
            self._pools.update(name, **fields)
        except storage_errors.PoolDoesNotExist as exc:
            raise errors.NotFound(str(exc)) from None
        except storage_errors.PoolAlreadyExists as exc:
            raise errors.Conflict(str(exc)) from None
        self._catalog.drop_driver(name)
        return self.get(name)

    def delete(self, name: str) -> None:
        """Refused while a flavor uses the pool (403) or the catalogue
        still places queues on it (409)."""
        try:
            self._pools.delete(name)
        except storage_errors.PoolInUseByFlavor as exc:
            raise errors.Forbidden(str(exc), title="Unable to delete") \
                from None
        except storage_errors.PoolHasQueues as exc:
            raise errors.Conflict(str(exc), title="Unable to delete") \
                from None
        self._catalog.drop_driver(name)

    def _check_uri(self, uri: str, options: dict) -> None:
        """The URI must name an installed driver that answers there."""
        try:
            driver = pool_catalog.open_driver(self._conf, uri, options)
        except pool_catalog.BadPoolDefinition as exc:
            raise errors.InvalidBody(f"cannot connect to {uri}: {exc}") \
                from None
        except storage_errors.StorageError:
            raise errors.InvalidBody(f"cannot connect to {uri}") from None
        try:
            alive = driver.is_alive()
        finally:
            driver.close()
        if not alive:
            raise errors.InvalidBody(f"cannot connect to {uri}")

    def _check_capabilities(self, name: str, uri: str, flavor: str) -> None:
        """A pool joining a flavor offers at least what the flavor
        offers now."""
        others = [pool for pool in self._pools.get_pools_by_flavor(flavor)
                  if pool["name"] != name]
        if not others:
            return
        required = set(pool_catalog.capabilities_of(others[0]["uri"]))
        if not required <= set(pool_catalog.capabilities_of(uri)):
            raise errors.APIError(
                str(storage_errors.PoolCapabilitiesMismatch()),
                title="Unable to create pool")
