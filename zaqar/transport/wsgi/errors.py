"""How failures become HTTP answers: one place for the whole WSGI app."""

from __future__ import annotations

import logging

import falcon

from zaqar.common import errors
from zaqar.transport import utils as json_utils

LOG = logging.getLogger(__name__)

JSON = "application/json"


def serialize_error(req: falcon.Request, resp: falcon.Response,
                    exc: falcon.HTTPError) -> None:
    """``{"title", "description"}`` bodies with ``vary: Accept``; a 406
    has no body (the client said it cannot read JSON)."""
    resp.content_type = JSON
    resp.append_header("Vary", "Accept")
    if exc.status_code == 406:
        resp.data = b""
        return
    body = {"title": exc.title}
    if exc.description is not None:
        body["description"] = exc.description
    resp.data = json_utils.dumps(body).encode()


def api_error(req: falcon.Request, resp: falcon.Response,
              exc: errors.APIError, params: dict) -> None:
    raise falcon.HTTPError(exc.status, title=exc.title,
                           description=exc.description,
                           headers=exc.headers or None)


def unexpected_error(req: falcon.Request, resp: falcon.Response,
                     exc: Exception, params: dict) -> None:
    if isinstance(exc, falcon.HTTPError):
        raise exc
    LOG.exception("Unexpected error handling %s %s", req.method, req.path)
    raise falcon.HTTPError(500, title="Internal server error",
                           description=str(exc) or type(exc).__name__)


def install(app: falcon.App) -> None:
    app.set_error_serializer(serialize_error)
    # Falcon picks the most specific registered class, so order is free.
    app.add_error_handler(Exception, unexpected_error)
    app.add_error_handler(errors.APIError, api_error)
