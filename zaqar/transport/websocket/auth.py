"""The one place that decides whether a frame may proceed.

``Gate.admit`` sees every decoded frame before its action is looked up
or validated, with the connection's ``Session`` (whose ``identity``
attribute holds who authenticated). It returns None to let the frame
through, or the ``Reply`` to answer instead.

Without an auth strategy (``[DEFAULT] auth_strategy`` empty) there is no
authentication: ``X-Project-ID`` and ``Client-ID`` are taken as given,
every frame proceeds, and ``authenticate`` is not an action (400
``"authenticate is not a valid action"``).

With ``keystone`` (``websocket.md`` "Authentication"):

* ``authenticate`` (headers ``X-Project-ID`` and ``X-Auth-Token``) is
  answered here: the token is validated by keystonemiddleware; 200
  ``{"message": "Authentified."}`` or the middleware's status with
  ``{"error": "Authentication failed."}``. Its echo hides the headers
  (the token). A failed attempt leaves the connection unauthenticated.
* Until then every frame is 403 ``{"error": "Not authentified."}``;
  afterwards its ``X-Project-ID`` must be the token's project (else 403
  ``{"error": "Not authenticated."}``). When the token expires the
  server closes the connection (4003, ``ExpiryWatch``).
* A frame with ``URL-Signature`` needs no authentication when it is a
  valid signed request: a message action whose method is in
  ``URL-Methods``, for a queue covered by ``URL-Paths`` (upstream does
  not check the queue; that is a hole, see the contract), unexpired and
  correctly signed. Otherwise 403 ``{"error": "Not authentified."}``.
* Each admitted action is checked against the access policy with the
  token's roles (none for signed frames); refused: 403
  ``{"exception": "You are not authorized to complete this action.",
  "error": null}``. Without a strategy there are no roles to check and
  the policy is not applied (as upstream, whose websocket never checks
  it).
"""

from __future__ import annotations

import asyncio
import time
import typing

import jsonschema

from zaqar.common import errors, urls
from zaqar.context import RequestContext
from zaqar.transport import auth
from zaqar.transport.websocket import schemas
from zaqar.transport.websocket.actions import failure
from zaqar.transport.websocket.frames import Reply, Request

AUTHENTICATE = "authenticate"
EXPIRED_CODE = 4003
EXPIRED_REASON = "Authentication expired."

NOT_AUTHENTIFIED = Reply(403, {"error": "Not authentified."})
WRONG_PROJECT = Reply(403, {"error": "Not authenticated."})
SCHEMA_FAILED = Reply(400, {"error": "Schema validation failed."})

# Actions a signed frame may carry, with the HTTP method they stand for.
SIGNABLE = {"message_list": "GET", "message_get": "GET",
            "message_get_many": "GET", "message_post": "POST",
            "message_delete": "DELETE", "message_delete_many": "DELETE"}

# The policy rule of each action (the rule of its HTTP counterpart).
RULES = {
    "queue_list": "queues:get_all", "queue_create": "queues:create",
    "queue_get": "queues:get", "queue_delete": "queues:delete",
    "queue_get_stats": "queues:stats", "queue_purge": "queues:purge",
    "message_list": "messages:get_all", "message_post": "messages:create",
    "message_get": "messages:get", "message_get_many": "messages:get_all",
    "message_delete": "messages:delete",
    "message_delete_many": "messages:delete_all",
    "claim_create": "claims:create", "claim_get": "claims:get",
    "claim_update": "claims:update", "claim_delete": "claims:delete",
    "subscription_create": "subscription:create",
    "subscription_list": "subscription:get_all",
    "subscription_get": "subscription:get",
    "subscription_delete": "subscription:delete",
    "ping_node": "ping:get", "check_node_health": "health:get",
}

_STRING = {"type": "string"}
AUTHENTICATE_SCHEMA = {
    "$schema": "http://json-schema.org/draft-04/schema#",
    "type": "object",
    "properties": {
        "action": {"enum": [AUTHENTICATE]},
        "headers": {"type": "object",
                    "properties": {"X-Project-ID": schemas.PROJECT_ID,
                                   "X-Auth-Token": _STRING},
                    "required": ["X-Project-ID", "X-Auth-Token"]},
        "body": {"type": "object"},
    },
    "required": ["action", "headers"],
}


class Gate:
    def __init__(self, conf: typing.Any):
        # An unknown strategy stops the server rather than serve openly.
        self.strategy = auth.strategy(conf) or None
        self._keystone = None
        if self.strategy == "keystone":
            from zaqar.transport import keystone
            self._keystone = keystone.Keystone(conf)
            self._policy = auth.Policy(conf)
            self._secret_key = conf.signed_url.secret_key
            self._authenticate_frame = jsonschema.Draft4Validator(
                AUTHENTICATE_SCHEMA)

    def echo(self, request: Request) -> Request:
        """What the reply echoes: an ``authenticate`` whose token was
        looked at is echoed without its headers."""
        if self._checks_token(request):
            return Request({"action": AUTHENTICATE}, request.binary)
        return request

    def admit(self, session: typing.Any, request: Request) -> Reply | None:
        """None: the frame proceeds; a Reply: answered instead."""
        if self._keystone is None:
            return None
        if request.action == AUTHENTICATE:
            return self._authenticate(session, request)
        headers = request.headers if isinstance(request.headers, dict) \
            else {}
        project = headers.get("X-Project-ID")
        if "URL-Signature" in headers:
            if not self._signed(request, headers):
                return NOT_AUTHENTIFIED
            roles: tuple[str, ...] = ()
        else:
            identity = session.identity
            if identity is not None and _expired(identity):
                session.identity = identity = None
            if identity is None:
                return NOT_AUTHENTIFIED
            if project != identity.project_id:
                return WRONG_PROJECT
            roles = identity.roles
        rule = RULES.get(request.action) if isinstance(
            request.action, str) else None
        if rule is not None:
            try:
                self._policy.enforce(rule, RequestContext(
                    project_id=project, roles=roles))
            except errors.NotAuthorized as exc:
                return failure(exc.status, exc.description)
        return None

    def _checks_token(self, request: Request) -> bool:
        return (self._keystone is not None
                and request.action == AUTHENTICATE
                and self._authenticate_frame.is_valid(request.frame))

    def _authenticate(self, session: typing.Any, request: Request) -> Reply:
        if not self._checks_token(request):
            return SCHEMA_FAILED
        outcome = self._keystone.validate(request.headers["X-Auth-Token"])
        if isinstance(outcome, int):
            session.identity = None
            return Reply(outcome, {"error": "Authentication failed."})
        session.identity = outcome
        return Reply(200, {"message": "Authentified."})

    def _signed(self, request: Request, headers: dict) -> bool:
        method = SIGNABLE.get(request.action)
        body = request.body if isinstance(request.body, dict) else {}
        queue = body.get("queue_name")
        methods, paths = headers.get("URL-Methods"), headers.get("URL-Paths")
        if method is None or not isinstance(queue, str) or not (
                _strings(methods) and _strings(paths)):
            return False
        project = headers.get("X-Project-ID")
        signature, expires = (headers.get("URL-Signature"),
                              headers.get("URL-Expires"))
        if not all(isinstance(value, str)
                   for value in (project, signature, expires)):
            return False
        return urls.verify(self._secret_key, signature, expires, methods,
                           paths, project, method,
                           f"/v2/queues/{queue}/messages")


def _strings(value: typing.Any) -> bool:
    return isinstance(value, list) and all(
        isinstance(item, str) for item in value)


def _expired(identity: typing.Any) -> bool:
    expires_at = getattr(identity, "expires_at", None)
    return expires_at is not None and expires_at <= time.time()


class ExpiryWatch:
    """Closes a connection (4003 "Authentication expired.") when the
    token it authenticated with expires. ``follow`` after each frame."""

    def __init__(self, websocket: typing.Any):
        self._websocket = websocket
        self._deadline: float | None = None
        self._timer: asyncio.TimerHandle | None = None
        self._closing: asyncio.Task | None = None

    def follow(self, identity: typing.Any) -> None:
        deadline = getattr(identity, "expires_at", None)
        if deadline == self._deadline:
            return
        self.cancel()
        self._deadline = deadline
        if deadline is not None:
            self._timer = asyncio.get_running_loop().call_later(
                max(0.0, deadline - time.time()), self._expire)

    def cancel(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        self._deadline = None

    def _expire(self) -> None:
        self._timer = None
        self._closing = asyncio.ensure_future(
            self._websocket.close(EXPIRED_CODE, EXPIRED_REASON))
