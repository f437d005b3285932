"""GET /v2/ : the JSON-home document (byte for byte as upstream serves it)."""

from __future__ import annotations

import json
import pathlib

import falcon

from zaqar.transport.wsgi.resource import Resource

ADMIN_RELS = ("rel/pools", "rel/pool", "rel/flavors", "rel/flavor",
              "rel/health")
_DOCUMENT = pathlib.Path(__file__).with_name("home.json")


def document(admin_mode: bool) -> bytes:
    """The home document; admin entries only with ``admin_mode``."""
    doc = json.loads(_DOCUMENT.read_text())
    if not admin_mode:
        for rel in ADMIN_RELS:
            doc["resources"].pop(rel)
    return json.dumps(doc, indent=4).encode()


class HomeResource(Resource):
    def __init__(self, api, prefix="/v2"):
        super().__init__(api, prefix)
        self._document = document(self.conf.admin_mode)

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        resp.data = self._document
        resp.content_type = "application/json-home"
        resp.cache_control = ["max-age=86400"]
