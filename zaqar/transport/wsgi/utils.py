"""Request and response helpers shared by every WSGI resource."""

from __future__ import annotations

import typing

import falcon

from zaqar.common import errors
from zaqar.context import RequestContext
from zaqar.transport import utils as json_utils

JSON = "application/json"


def context(req: falcon.Request) -> RequestContext:
    """The context the request checks built (see middleware)."""
    return req.context.zaqar


def read_body(req: falcon.Request, required: bool = True) -> bytes | None:
    """The raw body, or None when there is none and it is optional.

    No Content-Length means no body; ``Content-Length: 0`` on a required
    body is an unparsable one (as upstream answers).
    """
    length = req.content_length
    if length is None and not req.get_header("Transfer-Encoding"):
        if required:
            raise errors.InvalidBody("Request body can not be empty")
        return None
    data = req.bounded_stream.read()
    if not data:
        if required:
            raise errors.InvalidBody("Request body could not be parsed.")
        return None
    return data


def read_json(req: falcon.Request, required: bool = True) -> typing.Any:
    """The parsed JSON document (object or array), or None."""
    data = read_body(req, required)
    return None if data is None else json_utils.loads(data)


def write_json(resp: falcon.Response, document: typing.Any,
               status: str = falcon.HTTP_200) -> None:
    resp.status = status
    resp.data = json_utils.dumps(document).encode()


def param_list(req: falcon.Request, name: str) -> list[str] | None:
    """``a,b`` and ``name=a&name=b`` alike; None when absent or blank."""
    values = req.get_param_as_list(name)
    if not values:
        return None
    items = [item for value in values for item in value.split(",") if item]
    return items or None


def next_link(path: str, params: dict[str, typing.Any],
              items: list[dict], key: str) -> list[dict]:
    """``links`` of a page: one ``next`` link after the last item, carrying
    the parameters the endpoint read, in the order it read them."""
    if not items:
        return []
    query = {k: v for k, v in params.items() if v is not None}
    query["marker"] = items[-1][key]
    return [{"rel": "next", "href": path + falcon.to_query_str(query)}]


class Params:
    """Query parameters read in a fixed order, remembered for links."""

    def __init__(self, req: falcon.Request):
        self._req = req
        self.read: dict[str, typing.Any] = {}

    def str(self, name: str) -> str | None:
        value = self._req.get_param(name)
        self.read[name] = value
        return value

    def int(self, name: str) -> int | None:
        value = self._req.get_param_as_int(name)
        self.read[name] = value
        return value

    def bool(self, name: str, default: bool = False) -> bool:
        value = self._req.get_param_as_bool(name)
        self.read[name] = value
        return default if value is None else value
