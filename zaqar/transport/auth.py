"""Who may do what: the authentication strategy in front of the HTTP
application and the access policy (oslo.policy) every transport checks.

Strategies (``[DEFAULT] auth_strategy``): empty = none (the project and
roles are the client's ``X-Project-ID``/``X-Roles``); ``keystone`` =
keystonemiddleware (see ``zaqar.transport.keystone``).
"""

from __future__ import annotations

import time
import typing

from oslo_policy import policy

from zaqar.common import errors, policies
from zaqar.context import RequestContext

STRATEGIES = ("", "keystone")


class UnknownStrategy(ValueError):
    pass


def strategy(conf: typing.Any) -> str:
    """The configured strategy; refuses one this server does not have,
    rather than serving without authentication."""
    name = conf.auth_strategy or ""
    if name not in STRATEGIES:
        raise UnknownStrategy(
            f"Unknown auth_strategy {name!r}: leave it empty (no "
            "authentication) or set it to 'keystone'")
    return name


def protect(app: typing.Callable, conf: typing.Any) -> typing.Callable:
    """The WSGI application behind the configured strategy."""
    if strategy(conf) == "keystone":
        from zaqar.transport import keystone
        return keystone.Keystone(conf).wsgi(app)
    return app


class Policy:
    """Checks a rule against the request's roles and project.

    Rules and defaults are in ``zaqar.common.policies``; ``[oslo_policy]
    policy_file`` overrides them. Decisions are remembered per (rule,
    roles, project, user) because evaluating oslo.policy rules costs more
    than the rest of a typical request; the memory is dropped every
    ``refresh`` seconds, so an edited policy file takes effect within that
    time.
    """

    MAX_DECISIONS = 10000

    def __init__(self, conf: typing.Any, refresh: float = 10.0):
        self._enforcer = policy.Enforcer(conf)
        self._enforcer.register_defaults(policies.list_rules())
        self._refresh = refresh
        self._decisions: dict[tuple, bool] = {}
        self._forget_at = 0.0

    def enforce(self, rule: str, ctx: RequestContext) -> None:
        """Raises NotAuthorized (403 "Not authorized") when refused."""
        now = time.monotonic()
        if now >= self._forget_at or \
                len(self._decisions) >= self.MAX_DECISIONS:
            self._decisions = {}
            self._forget_at = now + self._refresh
        key = (rule, ctx.roles, ctx.project_id, ctx.user_id)
        allowed = self._decisions.get(key)
        if allowed is None:
            creds = {"roles": list(ctx.roles), "project_id": ctx.project_id,
                     "user_id": ctx.user_id, "is_admin": ctx.is_admin}
            target = {"project_id": ctx.project_id}
            allowed = bool(self._enforcer.enforce(rule, target, creds))
            self._decisions[key] = allowed
        if not allowed:
            raise errors.NotAuthorized()


def enforcer() -> policy.Enforcer:
    """Entry point of ``oslo.policy.enforcer``: oslo.policy's own tools
    (``oslopolicy-policy-generator``, ``oslopolicy-checker``) call it and
    configure it through ``cfg.CONF``."""
    from oslo_config import cfg
    found = policy.Enforcer(cfg.CONF)
    found.register_defaults(policies.list_rules())
    return found
