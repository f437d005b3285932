"""Access rules, defined in code (a ``policy.yaml`` overrides them).

Rule names are the upstream ones, so operators' policy files keep
working. The admin API (health, pools, flavor changes) needs the admin
role; every other rule is "admin or owner", which the owner of the
request's project always passes. ``etc/policy.yaml.sample`` is generated
from ``list_rules`` (``tox -e genpolicy``).
"""

from __future__ import annotations

from oslo_policy import policy

ROLE_ADMIN = "role:admin"
RULE_ADMIN_OR_OWNER = "is_admin:True or project_id:%(project_id)s"

ADMIN = "rule:context_is_admin"
ADMIN_OR_OWNER = "rule:admin_or_owner"

_Q = "/v2/queues/{queue_name}"
_T = "/v2/topics/{topic_name}"

# name, check, method, path, what it allows
_API_RULES: list[tuple[str, str, str, str, str]] = [
    ("queues:get_all", ADMIN_OR_OWNER, "GET", "/v2/queues", "List queues."),
    ("queues:create", ADMIN_OR_OWNER, "PUT", _Q, "Create a queue."),
    ("queues:get", ADMIN_OR_OWNER, "GET", _Q, "Read a queue's metadata."),
    ("queues:delete", ADMIN_OR_OWNER, "DELETE", _Q, "Delete a queue."),
    ("queues:update", ADMIN_OR_OWNER, "PATCH", _Q,
     "Change a queue's metadata."),
    ("queues:stats", ADMIN_OR_OWNER, "GET", _Q + "/stats",
     "Read a queue's statistics."),
    ("queues:share", ADMIN_OR_OWNER, "POST", _Q + "/share",
     "Create a pre-signed URL for a queue."),
    ("queues:purge", ADMIN_OR_OWNER, "POST", _Q + "/purge",
     "Delete every message and/or subscription of a queue."),
    ("messages:get_all", ADMIN_OR_OWNER, "GET", _Q + "/messages",
     "List messages, or read several by id."),
    ("messages:create", ADMIN_OR_OWNER, "POST", _Q + "/messages",
     "Post messages."),
    ("messages:get", ADMIN_OR_OWNER, "GET", _Q + "/messages/{message_id}",
     "Read a message."),
    ("messages:delete", ADMIN_OR_OWNER, "DELETE",
     _Q + "/messages/{message_id}", "Delete a message."),
    ("messages:delete_all", ADMIN_OR_OWNER, "DELETE", _Q + "/messages",
     "Delete messages by id, or pop messages."),
    ("claims:create", ADMIN_OR_OWNER, "POST", _Q + "/claims",
     "Claim messages."),
    ("claims:get", ADMIN_OR_OWNER, "GET", _Q + "/claims/{claim_id}",
     "Read a claim."),
    ("claims:delete", ADMIN_OR_OWNER, "DELETE", _Q + "/claims/{claim_id}",
     "Release a claim."),
    ("claims:update", ADMIN_OR_OWNER, "PATCH", _Q + "/claims/{claim_id}",
     "Renew a claim."),
    ("subscription:get_all", ADMIN_OR_OWNER, "GET", _Q + "/subscriptions",
     "List a queue's subscriptions."),
    ("subscription:create", ADMIN_OR_OWNER, "POST", _Q + "/subscriptions",
     "Subscribe to a queue."),
    ("subscription:get", ADMIN_OR_OWNER, "GET",
     _Q + "/subscriptions/{subscription_id}", "Read a subscription."),
    ("subscription:delete", ADMIN_OR_OWNER, "DELETE",
     _Q + "/subscriptions/{subscription_id}", "Delete a subscription."),
    ("subscription:update", ADMIN_OR_OWNER, "PATCH",
     _Q + "/subscriptions/{subscription_id}", "Change a subscription."),
    ("subscription:confirm", ADMIN_OR_OWNER, "PUT",
     _Q + "/subscriptions/{subscription_id}/confirm",
     "Confirm (or cancel) a subscription."),
    ("topics:get_all", ADMIN_OR_OWNER, "GET", "/v2/topics", "List topics."),
    ("topics:create", ADMIN_OR_OWNER, "PUT", _T, "Create a topic."),
    ("topics:get", ADMIN_OR_OWNER, "GET", _T, "Read a topic's metadata."),
    ("topics:delete", ADMIN_OR_OWNER, "DELETE", _T, "Delete a topic."),
    ("topics:update", ADMIN_OR_OWNER, "PATCH", _T,
     "Change a topic's metadata."),
    ("topics:stats", ADMIN_OR_OWNER, "GET", _T + "/stats",
     "Read a topic's statistics."),
    ("topics:purge", ADMIN_OR_OWNER, "POST", _T + "/purge",
     "Delete every message and/or subscription of a topic."),
    ("ping:get", ADMIN_OR_OWNER, "GET", "/v2/ping",
     "Check that the service answers."),
    ("health:get", ADMIN, "GET", "/v2/health",
     "Read the detailed health of the service (admin API)."),
    ("pools:get_all", ADMIN, "GET", "/v2/pools", "List pools."),
    ("pools:create", ADMIN, "PUT", "/v2/pools/{pool_name}",
     "Create or replace a pool."),
    ("pools:get", ADMIN, "GET", "/v2/pools/{pool_name}", "Read a pool."),
    ("pools:delete", ADMIN, "DELETE", "/v2/pools/{pool_name}",
     "Delete a pool."),
    ("pools:update", ADMIN, "PATCH", "/v2/pools/{pool_name}",
     "Change a pool."),
    ("flavors:get_all", ADMIN_OR_OWNER, "GET", "/v2/flavors",
     "List flavors."),
    ("flavors:create", ADMIN, "PUT", "/v2/flavors/{flavor_name}",
     "Create or replace a flavor."),
    ("flavors:get", ADMIN_OR_OWNER, "GET", "/v2/flavors/{flavor_name}",
     "Read a flavor."),
    ("flavors:delete", ADMIN, "DELETE", "/v2/flavors/{flavor_name}",
     "Delete a flavor."),
    ("flavors:update", ADMIN, "PATCH", "/v2/flavors/{flavor_name}",
     "Change a flavor."),
]

# Operations of the ping rule besides GET.
_EXTRA_OPERATIONS = {"ping:get": [("HEAD", "/v2/ping")]}


def list_rules() -> list[policy.RuleDefault]:
    """Entry point of ``oslo.policy.policies`` (the enforcer and the
    sample generator)."""
    rules: list[policy.RuleDefault] = [
        policy.RuleDefault("context_is_admin", ROLE_ADMIN,
                           description="Who is an administrator."),
        policy.RuleDefault("admin_or_owner", RULE_ADMIN_OR_OWNER,
                           description="An administrator, or a member of "
                                       "the project the request is for."),
    ]
    for name, check, method, path, description in _API_RULES:
        operations = [(method, path)] + _EXTRA_OPERATIONS.get(name, [])
        rules.append(policy.DocumentedRuleDefault(
            name=name, check_str=check, description=description,
            operations=[{"method": m, "path": p} for m, p in operations]))
    return rules


def rule_names() -> list[str]:
    """Every API rule name (the tests check each is used)."""
    return [name for name, *_ in _API_RULES]
