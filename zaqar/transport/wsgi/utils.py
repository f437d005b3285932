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


# Bodies of endpoints that have no size limit of their own (claims, purge)
# may not be larger than this many bytes.
GENERIC_BODY_LIMIT = 65536


# A body refused for its declared size is still read and dropped when it
# is at most this large, so that the client's keep-alive connection stays
# usable; a larger one is left to the WSGI server, which ends the
# connection after the answer.
DISCARD_LIMIT = 1024 * 1024


def _discard(stream: typing.Any, budget: int) -> None:
    """Read and drop up to ``budget`` bytes of the rest of a body."""
    try:
        while budget > 0:
            chunk = stream.read(min(65536, budget))
            if not chunk:
                return
            budget -= len(chunk)
    except Exception:  # the WSGI server's own error for a broken body
        pass


def discard_body(req: falcon.Request) -> None:
    """Drop a body the endpoint ignores (up to DISCARD_LIMIT bytes)."""
    if req.content_length:
        _discard(req.bounded_stream, min(req.content_length, DISCARD_LIMIT))


def _generic_too_large(length: int) -> typing.NoReturn:
    raise errors.InvalidBody(
        f"Request body is too large. Max size: {GENERIC_BODY_LIMIT}")


def check_declared_size(req: falcon.Request, limit: int,
                        too_large: typing.Callable[[int], typing.Any] =
                        _generic_too_large) -> None:
    """Refuse, before reading it, a body whose Content-Length exceeds
    ``limit``: ``too_large(length)`` raises the endpoint's own error."""
    length = req.content_length
    if length is not None and length > limit:
        if length <= DISCARD_LIMIT:
            _discard(req.bounded_stream, length)
        too_large(length)


def read_body(req: falcon.Request, required: bool = True,
              limit: int = GENERIC_BODY_LIMIT,
              too_large: typing.Callable[[int], typing.Any] =
              _generic_too_large) -> bytes | None:
    """The raw body, or None when there is none and it is optional.

    No Content-Length (and no chunked body) means no body;
    ``Content-Length: 0`` on a required body is an unparsable one (as
    upstream answers). ``too_large(size)`` raises the endpoint's own error
    when the declared length (checked before reading) or the length of a
    chunked body exceeds ``limit``.
    """
    length = req.content_length
    chunked = "chunked" in (req.get_header("Transfer-Encoding") or "").lower()
    if length is None and not chunked:
        if required:
            raise errors.InvalidBody("Request body can not be empty")
        return None
    check_declared_size(req, limit, too_large)
    try:
        if chunked:
            data = req.stream.read(limit + 1)
        else:
            data = req.bounded_stream.read()
    except Exception:  # the WSGI server's own error for a broken body
        raise errors.InvalidBody("Request body could not be parsed.") from None
    if len(data) > limit:
        _discard(req.stream, DISCARD_LIMIT)
        too_large(len(data))
    if not data:
        if required:
            raise errors.InvalidBody("Request body could not be parsed.")
        return None
    return data


def read_json(req: falcon.Request, required: bool = True,
              limit: int = GENERIC_BODY_LIMIT,
              too_large: typing.Callable[[int], typing.Any] =
              _generic_too_large) -> typing.Any:
    """The parsed JSON document (object or array), or None."""
    data = read_body(req, required, limit, too_large)
    return None if data is None else json_utils.loads(data)


def write_json(resp: falcon.Response, document: typing.Any,
               status: str = falcon.HTTP_200) -> None:
    resp.status = status
    resp.data = json_utils.dumps(document).encode()


def param_list(req: falcon.Request, name: str) -> list[str] | None:
    """``a,b`` and ``name=a&name=b`` alike; None when absent or blank.

    Only separators (``ids=,``) give an empty list, which the limits
    refuse, as upstream does.
    """
    values = req.get_param_as_list(name)
    if not values:
        return None
    return [item for value in values for item in value.split(",") if item]


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
