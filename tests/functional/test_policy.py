"""The access policy over HTTP without keystone: roles come from
``X-Roles`` (or ``X-Role``), and ``[oslo_policy] policy_file`` overrides
the defaults (README "Policy defaults")."""

from __future__ import annotations

import pytest

from tests.functional.conftest import Client
from tests.functional.exchanges import expect, expect_error
from tests.functional.server import Server

POLICY = """\
"queues:delete": "role:admin"
"messages:create": "role:producer or role:admin"
"health:get": "role:admin or role:operator"
"""


def refused(resp) -> None:
    expect_error(resp, 403, "Not authorized",
                 "You are not authorized to complete this action.")


@pytest.fixture(scope="module")
def strict(tmp_path_factory):
    """A server whose policy file tightens three rules."""
    workdir = tmp_path_factory.mktemp("policy")
    (workdir / "policy.yaml").write_text(POLICY)
    srv = Server(workdir, {
        "DEFAULT": {"admin_mode": True},
        "oslo_policy": {"policy_file": str(workdir / "policy.yaml")}}
    ).start()
    yield srv
    srv.stop()


@pytest.fixture
def member(strict, project) -> Client:
    return Client(strict.url, project)


def test_admin_api_needs_the_admin_role(client):
    refused(client.get("/v2/health"))
    refused(client.get("/v2/health", headers={"X-Roles": "member,reader"}))
    expect(client.get("/v2/health", headers={"X-Roles": "reader, admin"}),
           200)
    expect(client.get("/v2/health", headers={"X-Role": "admin"}), 200)


def test_other_rules_are_open_by_default(client):
    expect(client.put("/v2/queues/open"), 201)
    expect(client.delete("/v2/queues/open"), 204)


def test_policy_file_tightens(member):
    expect(member.put("/v2/queues/kept"), 201)
    refused(member.delete("/v2/queues/kept"))
    refused(member.post("/v2/queues/kept/messages",
                        json={"messages": [{"body": 1}]}))
    expect(member.post("/v2/queues/kept/messages",
                       json={"messages": [{"body": 1}]},
                       headers={"X-Roles": "producer"}), 201)
    expect(member.delete("/v2/queues/kept", headers={"X-Roles": "admin"}),
           204)


def test_policy_file_loosens(member):
    expect(member.get("/v2/health", headers={"X-Roles": "operator"}), 200)
    refused(member.get("/v2/health"))


def test_policy_after_the_header_checks(member):
    """A refused request with a bad header answers the header error."""
    resp = member.delete("/v2/queues/kept", headers={"Client-ID": None})
    expect_error(resp, 400, "Missing header value",
                 'The "Client-Id" header is required.')
    resp = member.delete("/v2/queues/bad$")
    expect_error(resp, 400, "Invalid queue identification",
                 "The format of the submitted queue name or project id is "
                 "not valid.")
