"""HTTP with ``auth_strategy = keystone`` against a real Keystone
(``examples/v2-09-keystone.txt``, README "X-Auth-Token" and "Signed
URLs", v2.md "Keystone deployments")."""

from __future__ import annotations

import uuid

import pytest

from tests import services
from tests.functional.exchanges import REQUEST_ID, expect, expect_error
from tests.functional.keystone.conftest import (
    SECRET, TokenClient, keystone_options)
from tests.functional.server import Server
from tests.functional.test_v2_share import NOT_FOUND, signed_headers
from zaqar.common import urls

UNAUTHORIZED = {"error": {
    "code": 401, "title": "Unauthorized",
    "message": "The request you have made requires authentication."}}


def unauthorized(resp, identity) -> None:
    """keystonemiddleware's own 401 (plus our request id)."""
    assert resp.status_code == 401, resp.text
    assert resp.json() == UNAUTHORIZED
    assert resp.headers["content-type"] == "application/json"
    assert resp.headers["www-authenticate"] == (
        f'Keystone uri="{identity.url}"')
    assert REQUEST_ID.fullmatch(resp.headers["x-openstack-request-id"])


def refused(resp) -> None:
    expect_error(resp, 403, "Not authorized",
                 "You are not authorized to complete this action.")


def queue_names(client) -> list[str]:
    return [q["name"] for q in client.get("/v2/queues?limit=20").json()[
        "queues"]]


def test_versions_need_no_token(ks_server):
    resp = TokenClient(ks_server.url, None).get("/", headers={
        "Client-ID": None})
    expect(resp, 300)
    assert resp.json()["versions"][0]["id"] == "2"


@pytest.mark.parametrize("path", ["/v2/", "/v2/queues", "/v2/ping",
                                  "/v2/health", "/v2/queues/q/messages"])
def test_no_token(ks_server, identity, path):
    unauthorized(TokenClient(ks_server.url, None).get(path), identity)


def test_bad_and_forged_tokens(ks_server, identity, demo_token):
    forged = demo_token.id[:-4] + ("aaaa" if not demo_token.id.endswith(
        "aaaa") else "bbbb")
    for token in ("bogus", forged, ""):
        unauthorized(TokenClient(ks_server.url, token).get("/v2/queues"),
                     identity)


def test_revoked_token(ks_server, identity):
    token = identity.token("demo")
    client = TokenClient(ks_server.url, token.id)
    expect(client.get("/v2/queues"), 200)
    identity.revoke(token)
    unauthorized(client.get("/v2/queues"), identity)


def test_member_works_on_its_project(demo, demo_token):
    name = "ks-" + uuid.uuid4().hex[:8]
    expect(demo.put(f"/v2/queues/{name}"), 201)
    resp = demo.post(f"/v2/queues/{name}/messages",
                     json={"messages": [{"body": "hi"}]})
    expect(resp, 201)
    resp = demo.get(f"/v2/queues/{name}/messages?echo=true")
    assert [m["body"] for m in resp.json()["messages"]] == ["hi"]
    expect(demo.get("/v2/ping"), 204)
    expect(demo.get("/v2/"), 200)
    expect(demo.delete(f"/v2/queues/{name}"), 204)


def test_client_project_header_is_ignored(demo, admin, demo_token):
    """A client-sent project (any alias) never overrides the token's."""
    name = "ks-" + uuid.uuid4().hex[:8]
    expect(demo.put(f"/v2/queues/{name}"), 201)
    for header in ("X-Project-ID", "X-Tenant-ID", "X-Tenant"):
        resp = demo.get("/v2/queues?limit=20", headers={header: "spoofed"})
        assert name in [q["name"] for q in resp.json()["queues"]]
        # The admin naming demo's project still sees only its own.
        resp = admin.get("/v2/queues?limit=20",
                         headers={header: demo_token.project_id})
        assert name not in [q["name"] for q in resp.json()["queues"]]
    expect(demo.delete(f"/v2/queues/{name}"), 204)


def test_projects_are_isolated(demo, admin):
    name = "ks-" + uuid.uuid4().hex[:8]
    expect(demo.put(f"/v2/queues/{name}", json={"owner": "demo"}), 201)
    demo.post(f"/v2/queues/{name}/messages",
              json={"messages": [{"body": "private"}]})
    assert name not in queue_names(admin)
    assert "owner" not in admin.get(f"/v2/queues/{name}").json()
    assert admin.get(f"/v2/queues/{name}/stats").json()["messages"][
        "total"] == 0
    admin.delete(f"/v2/queues/{name}")
    assert demo.get(f"/v2/queues/{name}").json()["owner"] == "demo"
    expect(demo.delete(f"/v2/queues/{name}"), 204)


def test_admin_endpoints(demo, admin):
    expect(admin.get("/v2/health"), 200)
    refused(demo.get("/v2/health"))
    # The token's roles replace client-sent ones.
    refused(demo.get("/v2/health", headers={"X-Roles": "admin"}))
    refused(demo.get("/v2/health", headers={"X-Role": "admin"}))


def test_client_id_still_required(demo):
    expect_error(demo.get("/v2/queues", headers={"Client-ID": None}), 400,
                 "Missing header value", 'The "Client-Id" header is required.')


def test_unscoped_token_has_no_project(ks_server, identity):
    """A token without a project cannot name one by header."""
    answer = identity.session.post(f"{identity.url}/auth/tokens", json={
        "auth": {"identity": {"methods": ["password"], "password": {"user": {
            "name": "demo", "domain": {"id": "default"},
            "password": identity.account("demo", "PASSWORD")}}},
            "scope": "unscoped"}},
        timeout=30)
    answer.raise_for_status()
    assert "project" not in answer.json()["token"]
    client = TokenClient(ks_server.url, answer.headers["X-Subject-Token"])
    expect_error(client.get("/v2/queues", headers={"X-Project-ID": "x"}),
                 400, "Project-Id Missing",
                 "The header X-PROJECT-ID was missing")


# -- pre-signed URLs under keystone -------------------------------------------

@pytest.fixture
def shared(demo) -> dict:
    name = "ks-sig-" + uuid.uuid4().hex[:6]
    resp = demo.post(f"/v2/queues/{name}/share",
                     json={"methods": ["GET", "POST"]})
    expect(resp, 200)
    return resp.json()


def test_share_carries_the_token_project(shared, demo_token):
    assert shared["project"] == demo_token.project_id
    assert shared["methods"] == ["GET", "POST"]


def test_signed_request_bypasses_keystone(ks_server, demo, shared):
    holder = TokenClient(ks_server.url, None)
    path = shared["paths"][0]
    resp = holder.post(path, json={"messages": [{"body": "no token"}]},
                       headers=signed_headers(shared))
    expect(resp, 201)
    resp = holder.get(path + "?echo=true", headers=signed_headers(shared))
    assert [m["body"] for m in resp.json()["messages"]] == ["no token"]
    # It acted in demo's project.
    resp = demo.get(path + "?echo=true")
    assert [m["body"] for m in resp.json()["messages"]] == ["no token"]


@pytest.mark.parametrize("method, path_of, changes", [
    ("DELETE", lambda p: p + "?pop=1", {}),                      # method
    ("GET", lambda p: p.rsplit("/", 1)[0], {}),                  # path
    ("GET", lambda p: p, {"URL-Signature": "0" * 64}),           # tampered
    ("GET", lambda p: p, {"URL-Expires": "2099-01-01T00:00:00"}),
    ("GET", lambda p: p, {"X-Project-ID": "other"}),
])
def test_signed_request_refused(ks_server, shared, method, path_of, changes):
    resp = TokenClient(ks_server.url, None).request(
        method, path_of(shared["paths"][0]),
        headers=signed_headers(shared, **changes))
    expect(resp, 404, NOT_FOUND)


def test_signed_request_with_admin_roles(ks_server, shared):
    """Client roles on a signed request are dropped, as with a token."""
    resp = TokenClient(ks_server.url, None).get(
        "/v2/health", headers=signed_headers(shared, **{"X-Roles": "admin"}))
    expect(resp, 404, NOT_FOUND)


def test_expired_signature(ks_server, demo_token):
    paths, methods = ["/v2/queues/ks-exp/messages"], ["GET"]
    expires = "2001-01-01T00:00:00"
    signed = {"paths": paths, "methods": methods,
              "project": demo_token.project_id, "expires": expires,
              "signature": urls.signature(SECRET, paths, methods,
                                          demo_token.project_id, expires)}
    expect(TokenClient(ks_server.url, None).get(
        paths[0], headers=signed_headers(signed)), 404, NOT_FOUND)


# -- keystone unreachable -------------------------------------------------------

def test_keystone_unreachable(identity, tmp_path, demo_token):
    """auth_token cannot validate: 503, never a pass."""
    dead = f"http://127.0.0.1:{services.free_port()}/v3"
    options = keystone_options(identity)
    options["keystone_authtoken"].update({
        "www_authenticate_uri": dead, "auth_url": dead,
        "http_request_max_retries": 0})
    srv = Server(tmp_path, options).start()
    try:
        resp = TokenClient(srv.url, demo_token.id).get("/v2/queues")
        assert resp.status_code == 503, resp.text
        assert REQUEST_ID.fullmatch(resp.headers["x-openstack-request-id"])
        # Requests without a token are still 401.
        assert TokenClient(srv.url, None).get(
            "/v2/queues").status_code == 401
    finally:
        srv.stop()


def test_bogus_signature_does_not_bypass_keystone(ks_server):
    """A URL-Signature skips the token only to be verified instead."""
    holder = TokenClient(ks_server.url, None)
    for path in ("/v2/", "/v2/queues", "/v2/health"):
        expect(holder.get(path, headers={"URL-Signature": "0" * 64,
                                         "X-Project-ID": "p"}),
               404, NOT_FOUND)
    expect(holder.get("/", headers={"URL-Signature": "0" * 64}), 300)


@pytest.fixture(scope="module")
def pooled(identity, tmp_path_factory):
    """A keystone server with pooling: the pools and flavors API."""
    options = keystone_options(identity)
    options["DEFAULT"]["pooling"] = True
    srv = Server(tmp_path_factory.mktemp("ks-pooled"), options).start()
    yield srv
    srv.stop()


def test_pools_and_flavors_admin_api(pooled, admin_token, demo_token):
    admin = TokenClient(pooled.url, admin_token.id)
    member = TokenClient(pooled.url, demo_token.id)
    expect(admin.get("/v2/pools"), 200)
    expect(admin.delete("/v2/pools/none"), 204)
    # The admin passes the policy and reaches the endpoint's validation.
    assert admin.put("/v2/flavors/f", json={}).status_code == 400
    for method, path in [("GET", "/v2/pools"), ("GET", "/v2/pools/p"),
                         ("PUT", "/v2/pools/p"), ("PATCH", "/v2/pools/p"),
                         ("DELETE", "/v2/pools/p"), ("PUT", "/v2/flavors/f"),
                         ("PATCH", "/v2/flavors/f"),
                         ("DELETE", "/v2/flavors/f")]:
        refused(member.request(method, path, json={}))
    # Reading flavors is open to members.
    expect(member.get("/v2/flavors"), 200)
