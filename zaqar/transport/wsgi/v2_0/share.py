"""POST /v2/queues/{queue_name}/share: a pre-signed URL for a queue.

The answer lets anyone holding it call the signed paths with the signed
methods, in the caller's project, until it expires, without credentials
(the scheme is in ``zaqar.common.urls``; signed requests are verified by
the request checks).
"""

from __future__ import annotations

import falcon

from zaqar.common import errors, urls
from zaqar.transport.wsgi import utils
from zaqar.transport.wsgi.resource import Resource

KNOWN_KEYS = frozenset(("paths", "methods", "expires"))
SHAREABLE = ("messages", "subscriptions", "claims")
DEFAULT_PATHS = ["messages"]


class ShareResource(Resource):
    policies = {"POST": "queues:share"}

    def on_post(self, req: falcon.Request, resp: falcon.Response,
                queue_name: str) -> None:
        document = utils.read_json(req)
        if not isinstance(document, dict):
            raise errors.InvalidBody("Document type not supported.")
        unknown = set(document) - KNOWN_KEYS
        if unknown:
            raise errors.ValidationFailed(f"Unknown keys: {unknown}")
        names = document.get("paths") or DEFAULT_PATHS
        if not isinstance(names, list) or not all(
                isinstance(name, str) for name in names):
            raise errors.ValidationFailed("`paths` should be a list")
        invalid = set(names) - set(SHAREABLE)
        if invalid:
            raise errors.ValidationFailed(f"Invalid paths: {invalid}")
        base = f"{self.prefix}/queues/{queue_name}"
        methods = document.get("methods")
        try:
            signed = urls.create_signed_url(
                self.conf.signed_url.secret_key,
                [f"{base}/{name}" for name in names],
                project=utils.context(req).project_id,
                expires=document.get("expires"),
                methods=None if methods == [] else methods)
        except urls.SignedURLError as exc:
            raise errors.ValidationFailed(str(exc)) from None
        utils.write_json(resp, signed)
