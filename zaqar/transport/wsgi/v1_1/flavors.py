"""/v1.1/flavors: flavors of the pool-group era, whose capabilities the
client gives and the server stores (v2 derives them from the pools)."""

from __future__ import annotations

import falcon

from zaqar.transport.wsgi import legacy, utils
from zaqar.transport.wsgi.resource import Resource, unavailable
from zaqar.transport.wsgi.v2_0.pools import read_document


class CollectionResource(Resource):
    @unavailable("Flavors could not be listed.")
    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        params = utils.Params(req)
        flavors = self.api.flavors.list_stored(
            utils.context(req), params.str("marker"), params.int("limit"),
            params.bool("detailed"))
        for flavor in flavors:
            flavor["href"] = f"{self.prefix}/flavors/{flavor['name']}"
        utils.write_json(resp, {
            "links": utils.next_link(req.path, params.read, flavors, "name"),
            "flavors": flavors})


class ItemResource(Resource):
    @unavailable("Flavor could not be read.")
    def on_get(self, req: falcon.Request, resp: falcon.Response,
               flavor_name: str) -> None:
        flavor = self.api.flavors.get_stored(
            utils.context(req), flavor_name,
            detailed=utils.Params(req).bool("detailed"))
        flavor["href"] = req.path
        utils.write_json(resp, flavor)

    @unavailable("Flavor could not be created.")
    def on_put(self, req: falcon.Request, resp: falcon.Response,
               flavor_name: str) -> None:
        self.api.flavors.create_stored(utils.context(req), flavor_name,
                                       read_document(req))
        resp.status = falcon.HTTP_201
        resp.location = req.path

    @unavailable("Flavor could not be updated.")
    def on_patch(self, req: falcon.Request, resp: falcon.Response,
                 flavor_name: str) -> None:
        # Upstream refused every PATCH (its list of expected fields was a
        # string); the capabilities (and pool_list) are replaced instead.
        self.api.flavors.update_stored(utils.context(req), flavor_name,
                                       read_document(req))
        legacy.empty_200(resp)

    @unavailable("Flavor could not be deleted.")
    def on_delete(self, req: falcon.Request, resp: falcon.Response,
                  flavor_name: str) -> None:
        self.api.flavors.delete(utils.context(req), flavor_name)
        resp.status = falcon.HTTP_204
