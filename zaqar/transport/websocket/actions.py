"""What an action is: its handler, the shape of its body, and how its
storage failures are worded; plus what every handler receives."""

from __future__ import annotations

import dataclasses
import typing

from zaqar.common import errors, ids
from zaqar.context import RequestContext
from zaqar.transport.websocket.frames import Reply, Request

# Python's own text for a malformed UUID, which upstream shows verbatim.
BAD_UUID = "badly formed hexadecimal UUID string"


@dataclasses.dataclass(frozen=True)
class Action:
    """One websocket action.

    ``params`` are JSON schemas of the body keys (unknown keys are
    allowed), ``required`` the keys that must be present; ``body_required``
    False lets the frame omit ``body``. ``unavailable`` is the summary of a
    storage failure, formatted with the body (``{queue_name}``...).
    """

    name: str
    handler: typing.Callable[["Call"], Reply]
    params: dict[str, dict] = dataclasses.field(default_factory=dict)
    required: tuple[str, ...] = ()
    body_required: bool = True
    unavailable: str = "Unexpected error."


@dataclasses.dataclass(frozen=True)
class Call:
    """One request being served: the API, the frame and the connection."""

    api: typing.Any
    request: Request
    session: typing.Any

    @property
    def body(self) -> dict:
        return self.request.body or {}

    @property
    def headers(self) -> dict:
        return self.request.headers

    def context(self, uuid_client_id: bool = False) -> RequestContext:
        """Who asks. The Client-ID is canonicalised when it is a UUID; with
        ``uuid_client_id`` (and ``client_id_uuid_safe = strict``) it must be
        one."""
        client_id = self.headers.get("Client-ID")
        try:
            client_id = ids.canonical_uuid(client_id)
        except (ValueError, TypeError, AttributeError):
            strict = self.api.conf.transport.client_id_uuid_safe == "strict"
            if uuid_client_id and strict:
                raise errors.ValidationFailed(BAD_UUID) from None
        return RequestContext(project_id=self.headers.get("X-Project-ID"),
                              client_id=client_id)


def failure(status: int, exception: str, error: str | None = None) -> Reply:
    """An action error: ``{"exception": <underlying text>, "error": <summary
    or null>}``."""
    return Reply(status, {"exception": exception, "error": error})


def bad_body(exc: errors.InvalidBody) -> Reply:
    """A body field the schema let through but the action refuses, worded
    as upstream's websocket handlers word it."""
    return failure(400, f"Bad request. {exc.description}")
