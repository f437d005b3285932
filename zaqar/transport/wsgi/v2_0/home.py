"""GET /v2/ : the JSON-home document (byte for byte as upstream serves it)."""

from __future__ import annotations

import json
import pathlib

import falcon

from zaqar.transport.wsgi.resource import Resource

ADMIN_RELS = ("rel/pools", "rel/pool", "rel/flavors", "rel/flavor",
              "rel/health")
_DOCUMENT = pathlib.Path(__file__).with_name("home.json")


def document(admin_mode: bool, path: pathlib.Path = _DOCUMENT) -> bytes:
    """The home document kept at ``path``; admin entries only with
    ``admin_mode``."""
    doc = json.loads(path.read_text())
    if not admin_mode:
        for rel in ADMIN_RELS:
            doc["resources"].pop(rel, None)
    return json.dumps(doc, indent=4).encode()


class HomeResource(Resource):
    """Each version's home document is a ``home.json`` of its package."""

    def __init__(self, api, prefix="/v2", path: pathlib.Path = _DOCUMENT):
        super().__init__(api, prefix)
        self._document = document(self.conf.admin_mode, path)

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        resp.data = self._document
        resp.content_type = "application/json-home"
        resp.cache_control = ["max-age=86400"]
