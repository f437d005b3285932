"""Keystone trusts of ``trust+http(s)`` subscribers.

Subscribing a ``trust+`` URL under ``auth_strategy = keystone`` delegates
the caller's roles on the request's project to Zaqar's service user (the
``[keystone_authtoken]`` account) with a Keystone trust: impersonation
on, expiring with the subscription. Each delivery authenticates as the
service user scoped by that trust and sends the token it gets (which acts
as the caller, on that project) in ``X-Auth-Token``.

The trust id is stored in the subscription's options under ``OPTION``,
which the subscription API strips from every representation and refuses
from clients: nobody but the server can choose which trust a token is
minted from.
"""

from __future__ import annotations

import collections
import dataclasses
import datetime
import logging
import os
import threading
import time
import typing

from keystoneauth1 import exceptions as ks_exceptions
from keystoneauth1 import loading as ks_loading
from keystoneauth1 import plugin as ks_plugin
from keystoneauth1 import session as ks_session
from keystoneauth1 import token_endpoint

LOG = logging.getLogger(__name__)

GROUP = "keystone_authtoken"
OPTION = "_zaqar_trust_id"
TRUST_SCHEMES = ("trust+http", "trust+https")
# Seconds a Keystone call may take.
TIMEOUT = 10
# A cached trust-scoped token is replaced this long before it expires.
RENEW_BEFORE = 120
# Trust-scoped tokens kept per process.
MAX_CACHED_TOKENS = 1000
# Options of the service user's auth plugin that scope its token; a
# trust-scoped token takes its scope from the trust alone.
_SCOPE_OPTIONS = ("project_id", "project_name", "project_domain_id",
                  "project_domain_name", "domain_id", "domain_name",
                  "system_scope")


class KeystoneError(Exception):
    """Keystone could not do what was asked.

    ``status`` is Keystone's HTTP status when it answered (None when it
    could not be reached or Zaqar's configuration is unusable);
    ``temporary`` says whether asking again later may work.
    """

    def __init__(self, reason: str, status: int | None, temporary: bool):
        super().__init__(reason)
        self.status = status
        self.temporary = temporary


def is_trust_subscriber(subscriber: typing.Any) -> bool:
    return isinstance(subscriber, str) and \
        subscriber.split(":", 1)[0].lower() in TRUST_SCHEMES


def _failure(doing: str, exc: Exception) -> KeystoneError:
    if isinstance(exc, ks_exceptions.HttpError):
        status = exc.http_status
        temporary = status is None or status >= 500
        return KeystoneError(f"Keystone refused to {doing}: {exc.message}",
                             status, temporary)
    if isinstance(exc, (ks_exceptions.ConnectionError,
                        ks_exceptions.DiscoveryFailure)):
        return KeystoneError(f"Keystone could not be reached to {doing}: "
                             f"{exc}", None, True)
    return KeystoneError(f"could not {doing}: {exc}", None, False)


def _isotime(seconds_from_now: int) -> str:
    moment = datetime.datetime.now(datetime.timezone.utc) + \
        datetime.timedelta(seconds=seconds_from_now)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclasses.dataclass(frozen=True)
class _Token:
    value: str
    renew_at: float  # time.time()


class Trusts:
    """Creates and deletes trusts and mints trust-scoped tokens, with the
    service credentials of ``[keystone_authtoken]``. One per process and
    configuration (``for_conf``); thread-safe."""

    def __init__(self, conf: typing.Any):
        self._conf = conf
        ks_loading.register_auth_conf_options(conf, GROUP)
        self._lock = threading.Lock()
        self._pid: int | None = None
        self._session: ks_session.Session | None = None
        self._service: typing.Any = None
        self._service_user: str | None = None
        self._endpoint: str | None = None
        self._tokens: collections.OrderedDict[str, _Token] = \
            collections.OrderedDict()

    # -- service side -----------------------------------------------------

    def _setup(self) -> tuple[ks_session.Session, typing.Any]:
        """The session and service plugin of this process (made again
        after a fork: connections are not shared across processes)."""
        with self._lock:
            if self._pid != os.getpid():
                service = ks_loading.load_auth_from_conf_options(
                    self._conf, GROUP)
                if service is None:
                    raise KeystoneError(
                        f"[{GROUP}] has no service user credentials "
                        "(auth_type and its options)", None, False)
                self._session = ks_session.Session(timeout=TIMEOUT)
                self._service = service
                self._service_user = self._endpoint = None
                self._tokens.clear()
                self._pid = os.getpid()
            return self._session, self._service

    def _identity_url(self) -> str:
        """The identity v3 API (found from ``auth_url``)."""
        session, service = self._setup()
        if self._endpoint is None:
            try:
                found = session.get_endpoint(
                    auth=service, interface=ks_plugin.AUTH_INTERFACE,
                    version=(3, 0))
            except ks_exceptions.ClientException as exc:
                raise _failure("find its v3 API", exc) from None
            if not found:
                raise KeystoneError("Keystone offers no v3 API at "
                                    f"[{GROUP}] auth_url", None, False)
            self._endpoint = found.rstrip("/")
        return self._endpoint

    def _trustee(self) -> str:
        session, service = self._setup()
        if self._service_user is None:
            try:
                self._service_user = service.get_user_id(session)
            except ks_exceptions.ClientException as exc:
                raise _failure("authenticate Zaqar's service user",
                               exc) from None
        return self._service_user

    # -- for the subscription API -----------------------------------------

    def create(self, token: str, project_id: str | None, ttl: int) -> str:
        """A trust from the owner of ``token`` to the service user for
        ``project_id`` with the token's roles, expiring in ``ttl``
        seconds; returns its id. Raises KeystoneError."""
        session, _ = self._setup()
        url = self._identity_url()
        caller = token_endpoint.Token(url, token)
        try:
            mine = session.get(f"{url}/auth/tokens", auth=caller,
                               headers={"X-Subject-Token": token}).json()
        except ks_exceptions.ClientException as exc:
            raise _failure("validate the caller's token", exc) from None
        details = mine.get("token") or {}
        scope = (details.get("project") or {}).get("id")
        if scope is None or scope != project_id:
            raise KeystoneError(
                "the token is not scoped to the request's project", 403,
                False)
        roles = [{"name": role["name"]} for role in details.get("roles", [])]
        trust = {"trustor_user_id": details["user"]["id"],
                 "trustee_user_id": self._trustee(),
                 "project_id": project_id, "impersonation": True,
                 "roles": roles, "expires_at": _isotime(ttl)}
        try:
            made = session.post(f"{url}/OS-TRUST/trusts", auth=caller,
                                json={"trust": trust}).json()
        except ks_exceptions.ClientException as exc:
            raise _failure("create a trust", exc) from None
        return made["trust"]["id"]

    def delete(self, token: str | None, trust_id: str) -> None:
        """Delete a trust with the caller's token (Keystone lets its
        trustor and admins do so). Best effort: a failure is logged, and
        the trust still ends when it expires with its subscription."""
        self.forget(trust_id)
        if not token:
            LOG.warning("trust %s not deleted: the request carried no "
                        "token; it expires with its subscription", trust_id)
            return
        try:
            session, _ = self._setup()
            url = self._identity_url()
            session.delete(f"{url}/OS-TRUST/trusts/{trust_id}",
                           auth=token_endpoint.Token(url, token))
        except ks_exceptions.NotFound:
            pass  # already gone
        except ks_exceptions.ClientException as exc:
            LOG.warning("trust %s not deleted (%s); it expires with its "
                        "subscription", trust_id, exc)
        except KeystoneError as exc:
            LOG.warning("trust %s not deleted (%s); it expires with its "
                        "subscription", trust_id, exc)

    # -- for deliveries ---------------------------------------------------

    def token(self, trust_id: str) -> str:
        """A token of the service user scoped by the trust, cached until
        ``RENEW_BEFORE`` seconds before it expires. Raises KeystoneError
        (a 4xx status when the trust was deleted or has expired)."""
        now = time.time()
        with self._lock:
            cached = self._tokens.get(trust_id)
            if cached is not None and cached.renew_at > now:
                self._tokens.move_to_end(trust_id)
                return cached.value
        session, _ = self._setup()
        # The plugin's options are in auth_section when that is set.
        section = self._conf[GROUP].auth_section or GROUP
        auth_type = self._conf[section].auth_type
        try:
            loader = ks_loading.get_plugin_loader(auth_type)
            names = {option.dest for option in loader.get_options()}
            if "trust_id" not in names:
                raise KeystoneError(
                    f"[{section}] auth_type {auth_type!r} cannot be scoped "
                    "by a trust", None, False)
            unscoped = {name: None for name in _SCOPE_OPTIONS
                        if name in names}
            plugin = ks_loading.load_auth_from_conf_options(
                self._conf, GROUP, trust_id=trust_id, **unscoped)
            access = plugin.get_access(session)
        except ks_exceptions.ClientException as exc:
            raise _failure("issue a token for the subscription's trust",
                           exc) from None
        expires = access.expires.timestamp() if access.expires else now
        token = _Token(access.auth_token,
                       max(now, expires - RENEW_BEFORE))
        with self._lock:
            self._tokens[trust_id] = token
            self._tokens.move_to_end(trust_id)
            while len(self._tokens) > MAX_CACHED_TOKENS:
                self._tokens.popitem(last=False)
        return token.value

    def forget(self, trust_id: str) -> None:
        """Drop the cached token of a trust (it was deleted, or a
        subscriber refused the token)."""
        with self._lock:
            self._tokens.pop(trust_id, None)


_shared: dict[int, tuple[typing.Any, Trusts]] = {}
_shared_lock = threading.Lock()


def for_conf(conf: typing.Any) -> Trusts:
    """The Trusts of this configuration, shared by the subscription API
    and the delivery tasks of the process (so deleting a subscription
    drops the cached token too)."""
    with _shared_lock:
        found = _shared.get(id(conf))
        if found is None or found[0] is not conf:
            found = _shared[id(conf)] = (conf, Trusts(conf))
        return found[1]
