"""From a received frame to the encoded reply: size, decoding, the
authentication gate, the action's schema, its handler, and the wording
of whatever went wrong. Runs in the storage thread pool."""

from __future__ import annotations

import logging
import typing

from zaqar.common import errors
from zaqar.storage import errors as storage_errors
from zaqar.transport.failures import log_storage_failure
from zaqar.transport.websocket import (auth, claims, frames, messages, node,
                                       queues, schemas, subscriptions)
from zaqar.transport.websocket.actions import Action, Call, failure
from zaqar.transport.websocket.frames import Reply

LOG = logging.getLogger(__name__)

SCHEMA_FAILED = "Schema validation failed."


def all_actions(conf: typing.Any) -> dict[str, Action]:
    table: dict[str, Action] = {}
    for group in (queues.ACTIONS, messages.ACTIONS, claims.ACTIONS,
                  subscriptions.ACTIONS, node.actions(conf)):
        for action in group:
            table[action.name] = action
    return table


class Dispatcher:
    """Answers frames for one API. ``frame_limit`` caps a frame's size in
    bytes; larger frames get an error frame without being decoded."""

    def __init__(self, api: typing.Any, frame_limit: int):
        self.api = api
        self.frame_limit = frame_limit
        self.gate = auth.Gate(api.conf)
        self.actions = all_actions(api.conf)
        self.validators = schemas.compile_validators(self.actions.values())

    def answer(self, data: str | bytes, session: typing.Any) -> bytes:
        binary = isinstance(data, bytes)
        if frames.too_large(data, self.frame_limit):
            return frames.frame_error(
                f"Request frame is too large. Max size: {self.frame_limit}",
                binary)
        try:
            request = frames.decode(data)
        except frames.FrameError as exc:
            return frames.frame_error(str(exc), binary)
        answer = self.run(request, session)
        return frames.reply(self.gate.echo(request), answer)

    def run(self, request: frames.Request, session: typing.Any) -> Reply:
        refusal = self.gate.admit(session, request)
        if refusal is not None:
            return refusal
        name = request.action
        action = self.actions.get(name) if isinstance(name, str) else None
        if action is None:
            if isinstance(name, (list, dict)):
                return Reply(400, {"error": SCHEMA_FAILED})
            # A missing action is None, as upstream words it; so are
            # numbers and booleans ("True is not a valid action").
            return Reply(400, {"error": f"{name} is not a valid action"})
        if not self.validators[name].is_valid(request.frame):
            return Reply(400, {"error": SCHEMA_FAILED})
        return self._handle(action, Call(self.api, request, session))

    @staticmethod
    def _handle(action: Action, call: Call) -> Reply:
        try:
            return action.handler(call)
        except errors.APIError as exc:
            return failure(exc.status, exc.description)
        except storage_errors.StorageError as exc:
            log_storage_failure(action.name, exc)
            return failure(503, str(exc),
                           action.unavailable.format_map(call.body))
        except Exception as exc:
            LOG.exception("%s failed", action.name)
            return failure(500, str(exc), "Unexpected error.")

    def close(self, session: typing.Any) -> None:
        """The connection is gone: drop what it subscribed for itself."""
        try:
            subscriptions.unsubscribe_session(self.api, session)
        except Exception:
            LOG.exception("Could not delete the subscriptions of "
                          "connection %s", session.id)
