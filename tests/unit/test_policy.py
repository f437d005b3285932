"""Access policy: the rules in code, their sample file, and that every
REST resource and websocket action names a registered rule."""

from __future__ import annotations

import os
import pathlib
import subprocess
import sys
import time

import pytest
from oslo_policy import opts as policy_opts

from zaqar.common import errors, policies
from zaqar.context import RequestContext
from zaqar.transport import auth
from zaqar.transport.websocket import auth as websocket_auth
from zaqar.transport.websocket import dispatch

ROOT = pathlib.Path(__file__).resolve().parents[2]

ADMIN_RULES = {"health:get", "pools:get_all", "pools:get", "pools:create",
               "pools:update", "pools:delete", "flavors:create",
               "flavors:update", "flavors:delete"}


def test_sample_is_current(tmp_path):
    out = tmp_path / "policy.yaml.sample"
    subprocess.run(
        [sys.executable, "-c",
         "from oslo_policy.generator import generate_sample; "
         "generate_sample()",
         "--namespace", "zaqar", "--output-file", str(out)],
        check=True, cwd=ROOT)
    expected = (ROOT / "etc/policy.yaml.sample").read_text()
    assert out.read_text() == expected, (
        "etc/policy.yaml.sample is stale: run 'tox -e genpolicy'")


def test_upstream_rule_names_and_defaults():
    rules = {rule.name: rule.check_str for rule in policies.list_rules()}
    assert rules["context_is_admin"] == "role:admin"
    assert rules["admin_or_owner"] == (
        "is_admin:True or project_id:%(project_id)s")
    api = set(policies.rule_names())
    assert ADMIN_RULES <= api
    for name in api:
        wanted = ("rule:context_is_admin" if name in ADMIN_RULES
                  else "rule:admin_or_owner")
        assert rules[name] == wanted, name
    for prefix, actions in [
            ("queues", "get_all create get delete update stats share purge"),
            ("messages", "get_all create get delete delete_all"),
            ("claims", "create get delete update"),
            ("subscription", "get_all create get delete update confirm"),
            ("topics", "get_all create get delete update stats purge"),
            ("flavors", "get_all get create update delete"),
            ("pools", "get_all get create update delete")]:
        assert {f"{prefix}:{a}" for a in actions.split()} <= api


@pytest.fixture
def rest_conf(conf):
    """Every route served: admin API and pooling on."""
    conf.set_override("admin_mode", True)
    conf.set_override("pooling", True)
    return conf


class _Namespaces:
    """Stands for the API while routes are built (resources only keep
    references to its parts then); its ``conf`` is real."""

    def __init__(self, conf):
        self.conf = conf

    def __getattr__(self, name):
        return self


def _routed_resources(conf):
    from zaqar.transport.wsgi import v2_0
    return [resource for _, resource in v2_0.routes(_Namespaces(conf))]


def test_every_rest_responder_is_checked(rest_conf):
    known = set(policies.rule_names())
    for resource in _routed_resources(rest_conf):
        if type(resource).__name__ == "HomeResource":
            continue  # the home document has no rule upstream either
        for method in ("GET", "HEAD", "PUT", "POST", "PATCH", "DELETE"):
            if hasattr(resource, "on_" + method.lower()):
                rule = resource.policies.get(method)
                assert rule in known, (type(resource), method, rule)


def test_every_websocket_action_is_checked(rest_conf):
    known = set(policies.rule_names())
    for name in dispatch.all_actions(rest_conf):
        if name == "get_home_doc":
            continue
        assert websocket_auth.RULES.get(name) in known, name


def _policy(conf, tmp_path=None, text=None) -> auth.Policy:
    if text is not None:
        path = tmp_path / "policy.yaml"
        path.write_text(text)
        policy_opts.set_defaults(conf, policy_file=str(path))
    return auth.Policy(conf)


def test_defaults(conf):
    checker = _policy(conf)
    member = RequestContext(project_id="p", roles=("member",))
    admin = RequestContext(project_id="p", roles=("admin",))
    checker.enforce("queues:create", member)
    checker.enforce("health:get", admin)
    with pytest.raises(errors.NotAuthorized) as info:
        checker.enforce("health:get", member)
    assert (info.value.status, info.value.title, info.value.description) \
        == (403, "Not authorized",
            "You are not authorized to complete this action.")


def test_policy_file_overrides(conf, tmp_path):
    checker = _policy(conf, tmp_path, '"queues:delete": "role:admin"\n'
                                      '"health:get": "@"\n')
    member = RequestContext(project_id="p", roles=("member",))
    with pytest.raises(errors.NotAuthorized):
        checker.enforce("queues:delete", member)
    checker.enforce("queues:delete", RequestContext(project_id="p",
                                                    roles=("admin",)))
    checker.enforce("health:get", member)
    checker.enforce("queues:create", member)


def test_unknown_strategy_refused(conf):
    conf.set_override("auth_strategy", "ldap")
    with pytest.raises(auth.UnknownStrategy, match="'ldap'"):
        auth.strategy(conf)


def test_enforcer_entry_point(tmp_path):
    """oslopolicy-policy-generator merges a policy file into the rules
    through the ``oslo.policy.enforcer`` entry point."""
    (tmp_path / "policy.yaml").write_text('"queues:delete": "role:admin"\n')
    (tmp_path / "zaqar.conf").write_text(
        f"[oslo_policy]\npolicy_file = {tmp_path / 'policy.yaml'}\n")
    out = subprocess.run(
        [sys.executable, "-c",
         "from oslo_policy.generator import generate_policy; "
         "generate_policy()", "--namespace", "zaqar",
         "--config-file", str(tmp_path / "zaqar.conf")],
        check=True, cwd=ROOT, capture_output=True, text=True).stdout
    assert '"queues:delete": "role:admin"' in out
    assert '"queues:create": "rule:admin_or_owner"' in out


def test_decisions_are_remembered_until_refresh(conf, tmp_path):
    path = tmp_path / "policy.yaml"
    path.write_text('"queues:delete": "@"\n')
    policy_opts.set_defaults(conf, policy_file=str(path))
    checker = auth.Policy(conf, refresh=3600)
    member = RequestContext(project_id="p", roles=("member",))
    checker.enforce("queues:delete", member)
    path.write_text('"queues:delete": "role:admin"\n')
    os.utime(path, (time.time() + 5, time.time() + 5))
    checker.enforce("queues:delete", member)  # remembered decision
    checker._forget_at = 0  # the refresh window has passed
    with pytest.raises(errors.NotAuthorized):
        checker.enforce("queues:delete", member)
