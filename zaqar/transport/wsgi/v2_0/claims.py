"""/v2/queues/{queue_name}/claims and .../claims/{claim_id}."""

from __future__ import annotations

import typing

import falcon

from zaqar.transport.wsgi import utils
from zaqar.transport.wsgi.resource import Resource, unavailable
from zaqar.transport.wsgi.views import Views


class CollectionResource(Resource):
    policies = {"POST": "claims:create"}

    def __init__(self, api, prefix="/v2"):
        super().__init__(api, prefix)
        self.views = Views(prefix, api.conf.enable_checksum)

    @staticmethod
    def terms(req: falcon.Request) -> typing.Any:
        """The claim's terms as sent (v2: an optional body)."""
        return utils.read_json(req, required=False)

    @staticmethod
    def answer(messages: list[dict]) -> typing.Any:
        return {"messages": messages}

    @unavailable("Claim could not be created.")
    def on_post(self, req: falcon.Request, resp: falcon.Response,
                queue_name: str) -> None:
        limit = req.get_param_as_int("limit")
        claim_id, messages = self.api.claims.create(
            utils.context(req), queue_name, limit, self.terms(req))
        if not messages:
            resp.status = falcon.HTTP_204
            return
        resp.location = self.views.claim_href(queue_name, claim_id)
        utils.write_json(resp, self.answer(
            [self.views.claimed(queue_name, m) for m in messages]),
            falcon.HTTP_201)


class ItemResource(Resource):
    policies = {"GET": "claims:get", "PATCH": "claims:update",
                "DELETE": "claims:delete"}

    def __init__(self, api, prefix="/v2"):
        super().__init__(api, prefix)
        self.views = Views(prefix, api.conf.enable_checksum)

    @unavailable("Claim could not be queried.")
    def on_get(self, req: falcon.Request, resp: falcon.Response,
               queue_name: str, claim_id: str) -> None:
        claim, messages = self.api.claims.get(utils.context(req), queue_name,
                                              claim_id)
        utils.write_json(resp, {
            "age": claim["age"], "ttl": claim["ttl"],
            "messages": [self.views.claimed(queue_name, m)
                         for m in messages],
            "href": self.views.claim_href(queue_name, claim_id)})

    @staticmethod
    def new_terms(req: falcon.Request) -> typing.Any:
        """The renewed terms as sent (v2: a required body)."""
        return utils.read_json(req)

    @unavailable("Claim could not be updated.")
    def on_patch(self, req: falcon.Request, resp: falcon.Response,
                 queue_name: str, claim_id: str) -> None:
        self.api.claims.update(utils.context(req), queue_name, claim_id,
                               self.new_terms(req))
        resp.status = falcon.HTTP_204

    @unavailable("Claim could not be deleted.")
    def on_delete(self, req: falcon.Request, resp: falcon.Response,
                  queue_name: str, claim_id: str) -> None:
        self.api.claims.delete(utils.context(req), queue_name, claim_id)
        resp.status = falcon.HTTP_204
