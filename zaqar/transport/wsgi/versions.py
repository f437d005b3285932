"""GET / : which API versions this server speaks (300 Multiple Choices)."""

from __future__ import annotations

import falcon

from zaqar.transport import utils as json_utils
from zaqar.transport.wsgi import middleware

VERSIONS = {
    "1": {"id": "1", "status": "DEPRECATED",
          "updated": "2014-9-11T17:47:05Z",
          "media-types": [{"base": "application/json",
                           "type": "application/vnd.openstack.messaging-v1+json"}],
          "links": [{"href": "/v1/", "rel": "self"}]},
    "1.1": {"id": "1.1", "status": "DEPRECATED",
            "updated": "2016-7-29T02:22:47Z",
            "media-types": [{"base": "application/json",
                             "type": "application/vnd.openstack.messaging-v1_1+json"}],
            "links": [{"href": "/v1.1/", "rel": "self"}]},
    "2": {"id": "2", "status": "CURRENT", "updated": "2014-9-24T04:06:47Z",
          "media-types": [{"base": "application/json",
                           "type": "application/vnd.openstack.messaging-v2+json"}],
          "links": [{"href": "/v2/", "rel": "self"}]},
}


class Resource:
    header_rules = middleware.ANONYMOUS

    def __init__(self, enabled: list[str]):
        listed = [VERSIONS[v] for v in ("1", "1.1", "2") if v in enabled]
        self._document = json_utils.dumps({"versions": listed}).encode()

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        resp.status = falcon.HTTP_300
        resp.data = self._document
