"""Access policy enforcement (oslo.policy) for every transport."""

from __future__ import annotations

import typing

from oslo_policy import policy

from zaqar.common import errors, policies
from zaqar.context import RequestContext


class Policy:
    """Checks a rule against the request's roles and project."""

    def __init__(self, conf: typing.Any):
        self._enforcer = policy.Enforcer(conf)
        self._enforcer.register_defaults(policies.list_rules())

    def enforce(self, rule: str, ctx: RequestContext) -> None:
        creds = {"roles": list(ctx.roles), "project_id": ctx.project_id,
                 "user_id": ctx.user_id, "is_admin": ctx.is_admin}
        target = {"project_id": ctx.project_id}
        if not self._enforcer.enforce(rule, target, creds):
            raise errors.NotAuthorized()
