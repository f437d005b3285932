"""Access rules, defined in code (``policy.yaml`` overrides them).

Rule names are the upstream ones so operators' policy files keep working.
Only the admin API and detailed health are restricted by default; every
other rule is "admin or owner", which the owner of the request's project
always passes.
"""

from __future__ import annotations

from oslo_policy import policy

ADMIN = "role:admin"
ADMIN_OR_OWNER = "is_admin:True or project_id:%(project_id)s"

_RULES: dict[str, tuple[str, list[tuple[str, str]]]] = {}


def _add(name: str, check: str, method: str, path: str) -> None:
    _RULES[name] = (check, [(method, path)])


_Q = "/v2/queues/{queue_name}"
for _name, _method, _path in [
        ("queues:get_all", "GET", "/v2/queues"),
        ("queues:create", "PUT", _Q),
        ("queues:get", "GET", _Q),
        ("queues:delete", "DELETE", _Q),
        ("queues:update", "PATCH", _Q),
        ("queues:stats", "GET", _Q + "/stats"),
        ("queues:share", "POST", _Q + "/share"),
        ("queues:purge", "POST", _Q + "/purge"),
        ("messages:get_all", "GET", _Q + "/messages"),
        ("messages:create", "POST", _Q + "/messages"),
        ("messages:get", "GET", _Q + "/messages/{message_id}"),
        ("messages:delete", "DELETE", _Q + "/messages/{message_id}"),
        ("messages:delete_all", "DELETE", _Q + "/messages"),
        ("claims:create", "POST", _Q + "/claims"),
        ("claims:get", "GET", _Q + "/claims/{claim_id}"),
        ("claims:delete", "DELETE", _Q + "/claims/{claim_id}"),
        ("claims:update", "PATCH", _Q + "/claims/{claim_id}"),
        ("subscription:get_all", "GET", _Q + "/subscriptions"),
        ("subscription:create", "POST", _Q + "/subscriptions"),
        ("subscription:get", "GET", _Q + "/subscriptions/{subscription_id}"),
        ("subscription:delete", "DELETE",
         _Q + "/subscriptions/{subscription_id}"),
        ("subscription:update", "PATCH",
         _Q + "/subscriptions/{subscription_id}"),
        ("subscription:confirm", "PUT",
         _Q + "/subscriptions/{subscription_id}/confirm"),
        ("topics:get_all", "GET", "/v2/topics"),
        ("topics:create", "PUT", "/v2/topics/{topic_name}"),
        ("topics:get", "GET", "/v2/topics/{topic_name}"),
        ("topics:delete", "DELETE", "/v2/topics/{topic_name}"),
        ("topics:update", "PATCH", "/v2/topics/{topic_name}"),
        ("topics:stats", "GET", "/v2/topics/{topic_name}/stats"),
        ("topics:purge", "POST", "/v2/topics/{topic_name}/purge"),
        ("ping:get", "GET", "/v2/ping"),
        ("flavors:get_all", "GET", "/v2/flavors"),
        ("flavors:get", "GET", "/v2/flavors/{flavor_name}")]:
    _add(_name, ADMIN_OR_OWNER, _method, _path)

for _name, _method, _path in [
        ("health:get", "GET", "/v2/health"),
        ("pools:get_all", "GET", "/v2/pools"),
        ("pools:create", "PUT", "/v2/pools/{pool_name}"),
        ("pools:get", "GET", "/v2/pools/{pool_name}"),
        ("pools:delete", "DELETE", "/v2/pools/{pool_name}"),
        ("pools:update", "PATCH", "/v2/pools/{pool_name}"),
        ("flavors:create", "PUT", "/v2/flavors/{flavor_name}"),
        ("flavors:delete", "DELETE", "/v2/flavors/{flavor_name}"),
        ("flavors:update", "PATCH", "/v2/flavors/{flavor_name}")]:
    _add(_name, ADMIN, _method, _path)


def list_rules() -> list[policy.RuleDefault]:
    """Entry point for oslopolicy-sample-generator and the enforcer."""
    return [
        policy.DocumentedRuleDefault(
            name=name, check_str=check,
            description=f"{method} {path}",
            operations=[{"method": m, "path": p} for m, p in ops])
        for name, (check, ops) in _RULES.items()
        for method, path in ops[:1]
    ]
