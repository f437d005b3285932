"""/v2/flavors and /v2/flavors/{flavor_name} (routed only with
``admin_mode`` and ``pooling``; reading needs no admin role)."""

from __future__ import annotations

import typing

import falcon

from zaqar.transport.wsgi import utils
from zaqar.transport.wsgi.resource import Resource, unavailable
from zaqar.transport.wsgi.v2_0.pools import read_document


class CollectionResource(Resource):
    policies = {"GET": "flavors:get_all"}

    @unavailable("Flavors could not be listed.")
    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        params = utils.Params(req)
        marker = params.str("marker")
        limit = params.int("limit")
        detailed = params.bool("detailed")
        flavors = self.api.flavors.list(utils.context(req), marker, limit,
                                        detailed)
        for flavor in flavors:
            flavor["href"] = self._href(flavor["name"])
        body = {"links": self._links(req, params, flavors),
                "flavors": [self._listed(flavor) for flavor in flavors]}
        utils.write_json(resp, body)

    @staticmethod
    def _listed(flavor: dict) -> dict:
        shown = {"name": flavor["name"], "href": flavor["href"]}
        for key in ("pool_list", "capabilities"):
            if key in flavor:
                shown[key] = flavor[key]
        return shown

    @staticmethod
    def _links(req: falcon.Request, params: utils.Params,
               flavors: list[dict]) -> list[dict]:
        """As upstream writes them: ``detailed`` goes last, after the
        marker (``?limit=1&marker=gold&detailed=true``)."""
        read = dict(params.read)
        detailed = read.pop("detailed", None)
        links = utils.next_link(req.path, read, flavors, "name")
        if links and detailed is not None:
            links[0]["href"] += "&detailed=" + ("true" if detailed
                                                else "false")
        return links

    def _href(self, name: str) -> str:
        return f"{self.prefix}/flavors/{name}"


class ItemResource(Resource):
    policies = {"GET": "flavors:get", "PUT": "flavors:create",
                "PATCH": "flavors:update", "DELETE": "flavors:delete"}

    def _shown(self, flavor: dict) -> dict:
        return {"name": flavor["name"],
                "capabilities": flavor["capabilities"],
                "pool_list": flavor["pool_list"],
                "href": f"{self.prefix}/flavors/{flavor['name']}"}

    @unavailable("Flavor could not be read.")
    def on_get(self, req: falcon.Request, resp: falcon.Response,
               flavor_name: str) -> None:
        flavor = self.api.flavors.get(utils.context(req), flavor_name)
        utils.write_json(resp, self._shown(flavor))

    @unavailable("Flavor could not be created.")
    def on_put(self, req: falcon.Request, resp: falcon.Response,
               flavor_name: str) -> None:
        self.api.flavors.create(utils.context(req), flavor_name,
                                read_document(req),
                                refusal_headers={"Location": req.path})
        resp.status = falcon.HTTP_201
        resp.location = req.path

    @unavailable("Flavor could not be updated.")
    def on_patch(self, req: falcon.Request, resp: falcon.Response,
                 flavor_name: str) -> None:
        flavor = self.api.flavors.update(
            utils.context(req), flavor_name, read_document(req),
            refusal_headers={"Location": req.path})
        utils.write_json(resp, self._shown(flavor))

    @unavailable("Flavor could not be deleted.")
    def on_delete(self, req: falcon.Request, resp: falcon.Response,
                  flavor_name: str) -> None:
        self.api.flavors.delete(utils.context(req), flavor_name)
        resp.status = falcon.HTTP_204


def routes(api: typing.Any) -> list[tuple[str, typing.Any]]:
    return [("/v2/flavors", CollectionResource(api)),
            ("/v2/flavors/{flavor_name}", ItemResource(api))]
