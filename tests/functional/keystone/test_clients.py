"""python-zaqarclient with keystone authentication (``auth_opts``
backend ``keystone``) against a zaqar-server with ``auth_strategy =
keystone``: the client gets its own token from the real Keystone."""

from __future__ import annotations

import uuid

import pytest
from zaqarclient.queues.v2 import client as zaqar_client
from zaqarclient.transport import errors as transport_errors


def zaqarclient(server, identity, who: str, password: str | None = None):
    return zaqar_client.Client(server.url, version=2, conf={
        "client_uuid": uuid.uuid4().hex,
        "auth_opts": {"backend": "keystone", "options": {
            "os_auth_url": identity.url,
            "os_username": identity.account(who, "USER"),
            "os_password": password or identity.account(who, "PASSWORD"),
            "os_project_name": identity.account(who, "PROJECT"),
            "os_user_domain_id": "default",
            "os_project_domain_id": "default"}}})


def test_end_to_end(ks_server, identity, demo):
    zc = zaqarclient(ks_server, identity, "demo")
    name = "ks-zc-" + uuid.uuid4().hex[:6]
    queue = zc.queue(name, force_create=True)
    assert name in [q.name for q in zc.queues()[0]]

    queue.post([{"body": {"n": 1}}, {"body": "two"}])
    assert [m.body for m in queue.messages(echo=True)] == [{"n": 1}, "two"]

    claim = queue.claim(ttl=60, grace=60, limit=1)
    claimed = list(claim)
    assert [m.body for m in claimed] == [{"n": 1}]
    claimed[0].delete()
    claim.delete()
    assert [m.body for m in queue.messages(echo=True)] == ["two"]

    # What the client did happened in the token's project.
    listed = demo.get(f"/v2/queues/{name}/messages?echo=true").json()
    assert [m["body"] for m in listed["messages"]] == ["two"]

    queue.delete()
    assert name not in [q.name for q in zc.queues()[0]]


def test_revoked_token(ks_server, identity):
    """A client holding a revoked token gets zaqar's 401."""
    token = identity.token("demo")
    identity.revoke(token)
    zc = zaqar_client.Client(ks_server.url, version=2, conf={
        "auth_opts": {"backend": "keystone", "options": {
            "os_auth_token": token.id, "os_auth_url": identity.url}}})
    with pytest.raises(transport_errors.UnauthorizedError):
        zc.queue("never", force_create=True)
