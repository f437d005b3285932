"""Keystone tokens (``auth_strategy = keystone``) for both transports.

keystonemiddleware's ``auth_token`` (configured from
``[keystone_authtoken]``) validates every token, with its cache and its
answers: 401 with ``WWW-Authenticate`` for a missing or bad token, 503
when keystone cannot be reached. The project and roles a request acts
with are the token's; a client-sent ``X-Project-ID``/``X-Roles`` (and
their aliases) are removed before the token is looked at, so they can
never stand in for it.

Exempt from tokens: the versions document (path ``/``) and pre-signed
requests (a ``URL-Signature`` header), which the request checks verify
against ``[signed_url] secret_key`` instead.
"""

from __future__ import annotations

import dataclasses
import typing

import webob
from keystonemiddleware import auth_token

from zaqar.common import ids

REQUEST_ID = "x-openstack-request-id"

# WSGI keys of the headers that name a project or roles.
PROJECT_HEADERS = ("HTTP_X_PROJECT_ID", "HTTP_X_TENANT_ID", "HTTP_X_TENANT")
ROLE_HEADERS = ("HTTP_X_ROLES", "HTTP_X_ROLE")

_REACHED = "zaqar.keystone.reached"      # the token passed
_IDENTITY = "zaqar.keystone.identity"    # validation-only requests
_VALIDATE_ONLY = "zaqar.keystone.validate_only"


@dataclasses.dataclass(frozen=True)
class Identity:
    """Who a valid token belongs to. ``expires_at`` is POSIX seconds."""

    project_id: str | None
    user_id: str | None
    roles: tuple[str, ...]
    expires_at: float | None


class Keystone:
    """One ``auth_token`` middleware per process.

    ``wsgi(app)`` puts it in front of a WSGI application; ``validate``
    checks a token outside of any HTTP request (websocket
    ``authenticate``).
    """

    def __init__(self, conf: typing.Any):
        self._protocol = auth_token.AuthProtocol(
            self._authenticated, {"oslo_config_config": conf})
        self._app: typing.Callable | None = None

    def wsgi(self, app: typing.Callable) -> typing.Callable:
        self._app = app
        return self._serve

    def _serve(self, environ: dict, start_response: typing.Callable
               ) -> typing.Iterable[bytes]:
        if environ.get("PATH_INFO") == "/":
            return self._app(environ, start_response)
        if "HTTP_URL_SIGNATURE" in environ:
            # Signed: the project is the signed X-Project-ID; no roles.
            _remove(environ, ROLE_HEADERS)
            return self._app(environ, start_response)
        _remove(environ, PROJECT_HEADERS + ROLE_HEADERS)

        def start(status: str, headers: list, exc_info: typing.Any = None
                  ) -> typing.Any:
            if not environ.get(_REACHED):
                # keystonemiddleware answered (401/503): still a request id.
                headers = list(headers) + [
                    (REQUEST_ID, "req-" + ids.new_uuid4())]
            return start_response(status, headers, exc_info)

        return self._protocol(environ, start)

    def _authenticated(self, environ: dict, start_response: typing.Callable
                       ) -> typing.Iterable[bytes]:
        """The application behind auth_token: reached with a valid token."""
        if environ.get(_VALIDATE_ONLY):
            environ[_IDENTITY] = _identity(environ)
            start_response("204 No Content", [])
            return [b""]
        environ[_REACHED] = True
        return self._app(environ, start_response)

    def validate(self, token: str) -> Identity | int:
        """The token's identity, or the HTTP status auth_token answered
        (401 invalid, 503 keystone unreachable)."""
        request = webob.Request.blank("/", headers={"X-Auth-Token": token})
        request.environ[_VALIDATE_ONLY] = True
        response = request.get_response(self._protocol)
        identity = request.environ.get(_IDENTITY)
        if response.status_int < 300 and identity is not None:
            return identity
        return response.status_int if response.status_int >= 400 else 500


def _remove(environ: dict, keys: typing.Iterable[str]) -> None:
    for key in keys:
        environ.pop(key, None)


def _identity(environ: dict) -> Identity:
    access = environ["keystone.token_auth"].user
    expires = access.expires
    return Identity(project_id=access.project_id, user_id=access.user_id,
                    roles=tuple(access.role_names or ()),
                    expires_at=expires.timestamp() if expires else None)
