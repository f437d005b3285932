"""The ``openstack`` CLI (python-openstackclient with python-zaqarclient's
``messaging`` commands) against a zaqar-server with keystone auth: it
finds the server in the real Keystone's catalogue and works unchanged."""

from __future__ import annotations

import json
import os
import pathlib
import subprocess
import sys
import uuid

import pytest


@pytest.fixture(scope="module")
def region(identity, ks_server):
    with identity.messaging_region("zaqar-cli-", ks_server.url) as name:
        yield name


@pytest.fixture
def openstack(identity, region):
    command = pathlib.Path(sys.executable).with_name("openstack")
    env = {**os.environ,
           "OS_AUTH_URL": identity.url,
           "OS_USERNAME": identity.account("demo", "USER"),
           "OS_PASSWORD": identity.account("demo", "PASSWORD"),
           "OS_PROJECT_NAME": identity.account("demo", "PROJECT"),
           "OS_USER_DOMAIN_ID": "default", "OS_PROJECT_DOMAIN_ID": "default",
           "OS_REGION_NAME": region, "OS_IDENTITY_API_VERSION": "3",
           "OS_MESSAGE_CLIENT_ID": str(uuid.uuid4())}

    def run(*args: str, as_json: bool = False):
        done = subprocess.run(
            [str(command), *args] + (["-f", "json"] if as_json else []),
            env=env, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stdout + done.stderr
        return json.loads(done.stdout) if as_json else done.stdout

    return run


def test_openstack_cli_end_to_end(openstack, demo):
    name = "cli-" + uuid.uuid4().hex[:6]
    openstack("messaging", "queue", "create", name)
    assert name in [q["Name"] for q in openstack(
        "messaging", "queue", "list", as_json=True)]

    openstack("messaging", "message", "post", name,
              json.dumps([{"body": {"n": 1}, "ttl": 300},
                          {"body": "two", "ttl": 300}]))
    listed = openstack("messaging", "message", "list", name, "--echo",
                       as_json=True)
    assert [m["Body"] for m in listed] == [{"n": 1}, "two"]

    claimed = openstack("messaging", "claim", "create", name, "--ttl", "60",
                        "--grace", "60", "--limit", "1", as_json=True)
    # The CLI shows a claimed message's body under "Messages".
    assert [m["Messages"] for m in claimed] == [{"n": 1}]
    assert claimed[0]["Claim_ID"]

    stats = openstack("messaging", "queue", "stats", name, as_json=True)
    counts = stats["Stats"]["messages"]
    assert (counts["total"], counts["claimed"], counts["free"]) == (2, 1, 1)

    # Everything happened in the token's project.
    seen = demo.get(f"/v2/queues/{name}/messages?echo=true"
                    "&include_claimed=true").json()
    assert [m["body"] for m in seen["messages"]] == [{"n": 1}, "two"]

    openstack("messaging", "queue", "delete", name)
    assert name not in [q["Name"] for q in openstack(
        "messaging", "queue", "list", as_json=True)]


def test_openstack_cli_metadata_subscriptions_and_signed_urls(openstack,
                                                              demo):
    name = "cli-" + uuid.uuid4().hex[:6]
    openstack("messaging", "queue", "create", name)
    openstack("messaging", "queue", "set", "metadata", name,
              json.dumps({"description": "cli", "_default_message_ttl": 600}))
    metadata = openstack("messaging", "queue", "get", "metadata", name,
                         as_json=True)["Metadata"]
    assert (metadata["description"], metadata["_default_message_ttl"]) == (
        "cli", 600)

    # The queue's default TTL applies to a message posted without one.
    openstack("messaging", "message", "post", name,
              json.dumps([{"body": "default ttl"}]))
    assert [m["TTL"] for m in openstack(
        "messaging", "message", "list", name, "--echo", as_json=True)] == [600]

    created = openstack("messaging", "subscription", "create", name,
                        "http://127.0.0.1:9/hook", "3600", as_json=True)
    listed = openstack("messaging", "subscription", "list", name,
                       as_json=True)
    assert [(s["ID"], s["Subscriber"], s["TTL"]) for s in listed] == [
        (created["ID"], "http://127.0.0.1:9/hook", 3600)]

    signed = openstack("messaging", "queue", "signed", "url", name,
                       as_json=True)
    assert signed["Paths"] == f"/v2/queues/{name}/messages"
    # The signature opens the listing without a token.
    answer = demo.session.get(
        f"{demo.base_url}/v2/queues/{name}/messages?echo=true",
        headers={"URL-Signature": signed["Signature"],
                 "URL-Expires": signed["Expires"],
                 "URL-Methods": signed["Methods"],
                 "URL-Paths": signed["Paths"],
                 "X-Project-ID": signed["Project ID"],
                 "Client-ID": demo.headers["Client-ID"]}, timeout=30)
    assert answer.status_code == 200, answer.text
    assert [m["body"] for m in answer.json()["messages"]] == ["default ttl"]

    openstack("messaging", "queue", "purge", name)
    assert openstack("messaging", "message", "list", name, "--echo",
                     as_json=True) == []
    openstack("messaging", "queue", "delete", name)
