"""/v2/pools and /v2/pools/{pool_name} (admin API; routed only with
``admin_mode`` and ``pooling``)."""

from __future__ import annotations

import typing

import falcon

from zaqar.common import errors
from zaqar.transport import utils as json_utils
from zaqar.transport.wsgi import utils
from zaqar.transport.wsgi.resource import Resource, unavailable

_UNPARSABLE = "Request body could not be parsed."


def read_document(req: falcon.Request) -> typing.Any:
    """The admin API's JSON loader: anything unreadable is "JSON could
    not be parsed." (an empty body included)."""
    data = utils.read_body(req, required=False)
    if data is None:
        raise errors.InvalidBody("JSON could not be parsed.")
    try:
        return json_utils.loads(data)
    except errors.InvalidBody as exc:
        if exc.description == _UNPARSABLE:
            raise errors.InvalidBody("JSON could not be parsed.") from None
        raise


def view(pool: dict, detailed: bool, prefix: str) -> dict:
    shown = {"name": pool["name"], "uri": pool["uri"],
             "weight": pool["weight"], "flavor": pool["flavor"]}
    if detailed:
        shown["options"] = pool.get("options") or {}
    shown["href"] = f"{prefix}/pools/{pool['name']}"
    return shown


class CollectionResource(Resource):
    policies = {"GET": "pools:get_all"}

    # Whether ``limit`` is checked against max_pools_per_page (v1 and
    # v1.1 check nothing).
    checks_limit = True

    @staticmethod
    def links(req: falcon.Request, params: utils.Params,
              pools: list[dict]) -> list[dict]:
        return utils.next_link(req.path, params.read, pools, "name")

    @unavailable("Pools could not be listed.")
    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        params = utils.Params(req)
        marker = params.str("marker")
        limit = params.int("limit")
        detailed = params.bool("detailed")
        pools = self.api.pools.list(marker, limit, detailed,
                                    check_limit=self.checks_limit)
        body = {"links": self.links(req, params, pools),
                "pools": [view(pool, detailed, self.prefix)
                          for pool in pools]}
        resp.set_header("Content-Location", req.relative_uri)
        utils.write_json(resp, body)


class ItemResource(Resource):
    policies = {"GET": "pools:get", "PUT": "pools:create",
                "PATCH": "pools:update", "DELETE": "pools:delete"}

    @unavailable("Pool could not be read.")
    def on_get(self, req: falcon.Request, resp: falcon.Response,
               pool_name: str) -> None:
        detailed = utils.Params(req).bool("detailed")
        pool = self.api.pools.get(pool_name, detailed=detailed)
        utils.write_json(resp, view(pool, detailed, self.prefix))

    @unavailable("Pool could not be created.")
    def on_put(self, req: falcon.Request, resp: falcon.Response,
               pool_name: str) -> None:
        self.api.pools.create(pool_name, read_document(req))
        resp.status = falcon.HTTP_201
        resp.location = req.path

    @unavailable("Pool could not be updated.")
    def on_patch(self, req: falcon.Request, resp: falcon.Response,
                 pool_name: str) -> None:
        pool = self.api.pools.update(pool_name, read_document(req))
        utils.write_json(resp, view(pool, False, self.prefix))

    @unavailable("Pool could not be deleted.")
    def on_delete(self, req: falcon.Request, resp: falcon.Response,
                  pool_name: str) -> None:
        self.api.pools.delete(pool_name)
        resp.status = falcon.HTTP_204


def routes(api: typing.Any) -> list[tuple[str, typing.Any]]:
    return [("/v2/pools", CollectionResource(api)),
            ("/v2/pools/{pool_name}", ItemResource(api))]
