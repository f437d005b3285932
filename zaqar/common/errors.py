"""Errors a request can end with, independent of the transport.

Each carries the status and the title the HTTP API answers with; the
websocket transport shows ``description`` as its ``exception`` text.
Storage failures are not listed here: they are ``zaqar.storage.errors``.
"""

from __future__ import annotations

RETRY_SUFFIX = " Please try again in a few seconds."


class APIError(Exception):
    status = 400
    title = "Invalid API request"

    def __init__(self, description: str | None = None, *,
                 title: str | None = None,
                 headers: dict[str, str] | None = None):
        super().__init__(description or "")
        self.description = description
        if title is not None:
            self.title = title
        self.headers = headers or {}


class ValidationFailed(APIError):
    """The request is well-formed but its values break a rule."""


class InvalidBody(APIError):
    """The body cannot be read, or a value has the wrong type."""

    title = "Invalid request body"


class InvalidParameter(APIError):
    """A query parameter does not parse as the type it must have."""

    title = "Invalid parameter"


class NotFound(APIError):
    status = 404
    title = "Not found"


class Conflict(APIError):
    status = 409
    title = "Resource conflict"


class Forbidden(APIError):
    status = 403
    title = "Not authorized"


class NotAuthorized(Forbidden):
    """The access policy refused the action."""

    def __init__(self):
        super().__init__("You are not authorized to complete this action.")


class Unavailable(APIError):
    """The storage failed; the client may retry."""

    status = 503
    title = "Service temporarily unavailable"

    def __init__(self, description: str):
        super().__init__(description + RETRY_SUFFIX)
