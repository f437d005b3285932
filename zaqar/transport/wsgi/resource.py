"""What every WSGI resource shares: the API it calls and how storage
failures turn into 503s."""

from __future__ import annotations

import functools
import typing

from zaqar.common import errors
from zaqar.storage import errors as storage_errors
from zaqar.transport.failures import log_storage_failure
from zaqar.transport.wsgi import middleware


class Resource:
    """Base of the resources: holds the transport-neutral API."""

    header_rules = middleware.V2
    policies: dict[str, str] = {}

    def __init__(self, api: typing.Any, prefix: str = "/v2"):
        self.api = api
        self.conf = api.conf
        self.prefix = prefix


def unavailable(text: str) -> typing.Callable:
    """Turn a storage failure inside the responder into a 503 with
    ``text`` (the contract's per-endpoint sentence)."""

    def decorator(responder: typing.Callable) -> typing.Callable:
        @functools.wraps(responder)
        def wrapper(self, req, resp, *args, **kwargs):
            try:
                return responder(self, req, resp, *args, **kwargs)
            except storage_errors.StorageError as exc:
                log_storage_failure(f"{req.method} {req.path}", exc)
                raise errors.Unavailable(text) from None
        return wrapper

    return decorator
