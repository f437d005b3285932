"""Flavor administration, shared by every API version and transport.

A flavor is a project's name for a set of pools: each pool names its
flavor, so a flavor's pool list is the pools that name it, and its
capabilities are those of its first pool's driver (a client's
``capabilities`` are not stored: what a flavor can do follows from its
pools).
"""

from __future__ import annotations

import typing

from zaqar.api.pools import check_name
from zaqar.common import errors
from zaqar.common import schemas
from zaqar.common.schemas import flavors as flavor_schemas
from zaqar.context import RequestContext
from zaqar.storage import errors as storage_errors
from zaqar.storage import pool_catalog


class Flavors:
    def __init__(self, conf: typing.Any, storage: typing.Any,
                 validate: typing.Any):
        self._catalog: pool_catalog.Catalog = storage.catalog
        self._pools = self._catalog.pools
        self._flavors = self._catalog.flavors
        self._validate = validate

    def pool_list(self, name: str) -> list[str]:
        return [pool["name"] for pool in
                self._pools.get_pools_by_flavor(name)]

    def capabilities(self, pool_list: list[str]) -> list[str]:
        """The capabilities of the flavor's first pool's driver."""
        if not pool_list:
            return []
        try:
            uri = self._pools.get(pool_list[0])["uri"]
        except storage_errors.PoolDoesNotExist:  # deleted meanwhile
            return []
        return list(pool_catalog.capabilities_of(uri))

    def list(self, ctx: RequestContext, marker: str | None,
             limit: int | None, detailed: bool) -> list[dict]:
        """``{"name", "pool_list"?, "capabilities"?}``: a flavor no pool
        uses has no ``pool_list`` (as upstream lists it)."""
        self._validate.flavor_listing(limit)
        items = []
        for flavor in self._flavors.list(project=ctx.project_id,
                                         marker=marker, limit=limit or 10):
            item: dict[str, typing.Any] = {"name": flavor["name"]}
            pools = self.pool_list(flavor["name"])
            if pools:
                item["pool_list"] = pools
            if detailed:
                item["capabilities"] = self.capabilities(pools)
            items.append(item)
        return items

    def get(self, ctx: RequestContext, name: str) -> dict:
        """``{"name", "capabilities", "pool_list"}``."""
        if not self._flavors.exists(name, project=ctx.project_id):
            raise errors.NotFound(f"Flavor {name} does not exist")
        pools = self.pool_list(name)
        return {"name": name, "capabilities": self.capabilities(pools),
                "pool_list": pools}

    def create(self, ctx: RequestContext, name: str, document: typing.Any,
               refusal_headers: dict | None = None) -> None:
        """Create or replace the flavor and give it exactly the listed
        pools. ``refusal_headers`` go with the empty-list refusal (upstream
        sends its ``location`` there)."""
        check_name("Flavor", name)
        schemas.check(flavor_schemas.CREATE, document)
        pool_list = self._pool_list(document, refusal_headers)
        for pool in pool_list:
            if not self._pools.exists(pool):
                raise errors.APIError(
                    f"Flavor {name} could not be created, error:Pool {pool} "
                    "does not exist", title="Unable to create")
        self._flavors.create(name, project=ctx.project_id)
        self._assign(name, pool_list)

    def update(self, ctx: RequestContext, name: str, document: typing.Any,
               refusal_headers: dict | None = None) -> dict:
        """Replace the flavor's pools (PATCH); returns the flavor."""
        schemas.check(flavor_schemas.PATCH, document)
        if "pool_list" not in document:
            raise errors.InvalidBody("`pool_list` needs to be specified")
        pool_list = self._pool_list(document, refusal_headers)
        if not self._flavors.exists(name, project=ctx.project_id):
            raise errors.NotFound(f"Flavor {name} does not exist")
        for pool in pool_list:
            if not self._pools.exists(pool):
                raise errors.APIError(
                    f"Flavor {name} cant be updated, error:Pool {pool} does "
                    "not exist", title="updatefail")
        self._assign(name, pool_list)
        return self.get(ctx, name)

    # -- v1.1: capabilities are given by the client and stored ------------

    def list_stored(self, ctx: RequestContext, marker: str | None,
                    limit: int | None, detailed: bool) -> list[dict]:
        """``{"name", "capabilities"?}`` as stored."""
        self._validate.flavor_listing(limit)
        return [self._stored(flavor, detailed) for flavor in
                self._flavors.list(project=ctx.project_id, marker=marker,
                                   limit=limit or 10, detailed=detailed)]

    def get_stored(self, ctx: RequestContext, name: str,
                   detailed: bool) -> dict:
        try:
            flavor = self._flavors.get(name, project=ctx.project_id,
                                       detailed=detailed)
        except storage_errors.FlavorDoesNotExist as exc:
            raise errors.NotFound(str(exc)) from None
        return self._stored(flavor, detailed)

    def create_stored(self, ctx: RequestContext, name: str,
                      document: typing.Any) -> None:
        """Create or replace the flavor with the given capabilities; a
        ``pool_list``, when given, becomes exactly its pools."""
        check_name("Flavor", name)
        schemas.check(flavor_schemas.LEGACY_CREATE, document)
        pool_list = list(dict.fromkeys(document.get("pool_list", ())))
        self._check_pools(pool_list, f"Flavor {name} could not be created, "
                                     "error:", "Unable to create")
        self._flavors.create(name, project=ctx.project_id,
                             capabilities=document["capabilities"])
        if "pool_list" in document:
            self._assign(name, pool_list)

    def update_stored(self, ctx: RequestContext, name: str,
                      document: typing.Any) -> None:
        """Replace the capabilities (and the pools, when listed)."""
        schemas.check(flavor_schemas.PATCH, document)
        if "capabilities" not in document:
            raise errors.InvalidBody("`capabilities` needs to be specified")
        pool_list = list(dict.fromkeys(document.get("pool_list", ())))
        self._check_pools(pool_list, f"Flavor {name} cant be updated, "
                                     "error:", "updatefail")
        try:
            self._flavors.update(name, project=ctx.project_id,
                                 capabilities=document["capabilities"])
        except storage_errors.FlavorDoesNotExist as exc:
            raise errors.NotFound(str(exc)) from None
        if "pool_list" in document:
            self._assign(name, pool_list)

    @staticmethod
    def _stored(flavor: dict, detailed: bool) -> dict:
        shown = {"name": flavor["name"]}
        if detailed:
            shown["capabilities"] = flavor.get("capabilities") or {}
        return shown

    def _check_pools(self, pool_list: list[str], text: str,
                     title: str) -> None:
        for pool in pool_list:
            if not self._pools.exists(pool):
                raise errors.APIError(f"{text}Pool {pool} does not exist",
                                      title=title)

    def delete(self, ctx: RequestContext, name: str) -> None:
        """The pools lose the flavor once no project has one of that
        name."""
        self._flavors.delete(name, project=ctx.project_id)

    @staticmethod
    def _pool_list(document: dict,
                   refusal_headers: dict | None) -> list[str]:
        pool_list = document["pool_list"]
        if not pool_list:
            raise errors.APIError("Bad Request", title="Unable to create",
                                  headers=refusal_headers)
        return list(dict.fromkeys(pool_list))

    def _assign(self, name: str, pool_list: list[str]) -> None:
        """Exactly ``pool_list`` names the flavor afterwards."""
        for pool in self.pool_list(name):
            if pool not in pool_list:
                self._pools.update(pool, flavor=None)
        for pool in pool_list:
            self._pools.update(pool, flavor=name)

