"""GET|HEAD /v2/ping and GET /v2/health."""

from __future__ import annotations

import falcon

from zaqar.transport.wsgi import utils
from zaqar.transport.wsgi.resource import Resource, unavailable


class PingResource(Resource):
    policies = {"GET": "ping:get", "HEAD": "ping:get"}

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        alive = self.api.storage.is_alive()
        resp.status = falcon.HTTP_204 if alive else falcon.HTTP_503

    def on_head(self, req: falcon.Request, resp: falcon.Response) -> None:
        resp.status = falcon.HTTP_204


class HealthResource(Resource):
    policies = {"GET": "health:get"}

    @unavailable("Health status could not be read.")
    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        storage = self.api.storage
        if not storage.is_alive():
            utils.write_json(resp, {"storage_reachable": False})
            return
        utils.write_json(resp, storage.health())
