"""/v2/queues/{queue_name}/subscriptions, .../{subscription_id} and
.../{subscription_id}/confirm.

The same resources serve topic subscriptions (``v2_0/topics.py``): they
are built with the API object of the namespace (``api`` or
``api.topics``) and the collection the paths live under.
"""

from __future__ import annotations

import falcon

from zaqar.transport.wsgi import utils
from zaqar.transport.wsgi.resource import Resource, unavailable


def view(subscription: dict) -> dict:
    return {key: subscription[key] for key in (
        "id", "source", "subscriber", "ttl", "age", "options", "confirmed")}


class _Base(Resource):
    def __init__(self, api, prefix="/v2", collection="queues"):
        super().__init__(api, prefix)
        self.collection = collection

    def path(self, name: str) -> str:
        """``/v2/queues/{name}/subscriptions`` (or ``/v2/topics/...``)."""
        return f"{self.prefix}/{self.collection}/{name}/subscriptions"


class CollectionResource(_Base):
    policies = {"POST": "subscription:create",
                "GET": "subscription:get_all"}

    @unavailable("Subscriptions could not be listed.")
    def on_get(self, req: falcon.Request, resp: falcon.Response,
               queue_name: str) -> None:
        params = utils.Params(req)
        marker = params.str("marker")
        limit = params.int("limit")
        items = self.api.subscriptions.list(utils.context(req), queue_name,
                                            marker, limit)
        utils.write_json(resp, {
            "subscriptions": [view(item) for item in items],
            "links": utils.next_link(req.path, params.read, items, "id")})

    @unavailable("Subscription could not be created.")
    def on_post(self, req: falcon.Request, resp: falcon.Response,
                queue_name: str) -> None:
        document = utils.read_json(req, required=False)
        location = self.path(queue_name)
        subscription_id, _ = self.api.subscriptions.create(
            utils.context(req), queue_name, document,
            conflict_headers={"location": location}, endpoint=req.prefix)
        resp.location = location
        utils.write_json(resp, {"subscription_id": subscription_id},
                         falcon.HTTP_201)


class ItemResource(_Base):
    policies = {"GET": "subscription:get", "PATCH": "subscription:update",
                "DELETE": "subscription:delete"}

    @unavailable("Subscription could not be retrieved.")
    def on_get(self, req: falcon.Request, resp: falcon.Response,
               queue_name: str, subscription_id: str) -> None:
        subscription = self.api.subscriptions.get(
            utils.context(req), queue_name, subscription_id)
        utils.write_json(resp, view(subscription))

    @unavailable("Subscription could not be updated.")
    def on_patch(self, req: falcon.Request, resp: falcon.Response,
                 queue_name: str, subscription_id: str) -> None:
        document = utils.read_json(req, required=False)
        self.api.subscriptions.update(utils.context(req), queue_name,
                                      subscription_id, document)
        resp.status = falcon.HTTP_204
        resp.location = f"{self.path(queue_name)}/{subscription_id}"

    @unavailable("Subscription could not be deleted.")
    def on_delete(self, req: falcon.Request, resp: falcon.Response,
                  queue_name: str, subscription_id: str) -> None:
        self.api.subscriptions.delete(utils.context(req), queue_name,
                                      subscription_id)
        resp.status = falcon.HTTP_204


class ConfirmResource(_Base):
    policies = {"PUT": "subscription:confirm"}

    @unavailable("Subscription could not be confirmed.")
    def on_put(self, req: falcon.Request, resp: falcon.Response,
               queue_name: str, subscription_id: str) -> None:
        document = utils.read_json(req, required=False)
        self.api.subscriptions.confirm(utils.context(req), queue_name,
                                       subscription_id, document,
                                       endpoint=req.prefix)
        resp.status = falcon.HTTP_204
        resp.location = (f"{self.path(queue_name)}/{subscription_id}"
                         "/confirm")
