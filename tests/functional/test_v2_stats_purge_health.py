"""v2 queue stats, purge, ping and health. Contract
examples/v2-06-purge-stats-ping-health.txt, with exact stats (claimed =
messages under a live claim) and a purge that also removes claimed
messages."""

from __future__ import annotations

import pytest
from stevedore import ExtensionManager

from tests import services
from tests.functional import conftest
from tests.functional.exchanges import (
    JSON_PATCH, bodies, claim, expect, expect_error, invalid, no_content,
    not_found, post_messages, raw, raw_request)
from tests.functional.server import Server

ZERO = '{"messages": {"claimed": 0, "free": 0, "total": 0}}'
ZERO_ID = "00000000-0000-0000-0000-000000000000"
TYPES = ("Resource types must be a sub set of {'subscriptions', "
         "'messages'}.")
MISSING_TYPES = 'Post body must contain key "resource_types".'
OPERATIONS = ("create_queue", "post_messages", "claim_messages",
              "list_messages", "delete_messages", "delete_claim",
              "bulk_delete_messages", "delete_queue")


def stats_message(queue: str, name: str, ttl: int, body: str,
                  claim_id: str | None = None, claim_count: int = 0) -> str:
    """Redis-style oldest/newest (the superset of the mongodb form)."""
    cid = f'"<{claim_id}>"' if claim_id else "null"
    return (f'{{"age": 0, "ttl": {ttl}, "body": {body}, "claim_id": {cid}, '
            f'"claim_count": {claim_count}, "created": "<created>", '
            f'"href": "/v2/queues/{queue}/messages/<{name}>"}}')


# -- stats --------------------------------------------------------------------

def test_stats_of_missing_and_empty_queues(client):
    expect(client.get("/v2/queues/c-nosuch/stats"), 200, ZERO)
    client.put("/v2/queues/c-empty")
    expect(client.get("/v2/queues/c-empty/stats"), 200, ZERO)
    # reading stats creates nothing
    expect(client.get("/v2/queues"), 200,
           '{"queues": [{"name": "c-empty", "href": "/v2/queues/c-empty"}], '
           '"links": [{"rel": "next", "href": "/v2/queues?marker=c-empty"}]}')


def test_stats_with_messages(client):
    first, second = post_messages(client, "c-st", {"body": "first"},
                                  {"body": "second"})
    expect(client.get("/v2/queues/c-st/stats"), 200,
           '{"messages": {"claimed": 0, "free": 2, "total": 2, "newest": '
           + stats_message("c-st", "second", 3600, '"second"')
           + ', "oldest": ' + stats_message("c-st", "first", 3600, '"first"')
           + "}}", {"first": first, "second": second})


def test_stats_count_messages_under_live_claims(client):
    a, b, c = post_messages(client, "c-cl", {"body": "a"}, {"body": "b"},
                            {"body": "c", "ttl": 120})
    cid, _ = claim(client, "c-cl", limit=1, ttl=100, grace=60)
    expect(client.get("/v2/queues/c-cl/stats"), 200,
           '{"messages": {"claimed": 1, "free": 2, "total": 3, "newest": '
           + stats_message("c-cl", "c", 120, '"c"') + ', "oldest": '
           + stats_message("c-cl", "a", 3600, '"a"', claim_id="cid")
           + "}}", {"a": a, "c": c, "cid": cid})
    # claim again and again: claimed never exceeds total
    second, _ = claim(client, "c-cl", limit=5)
    no_content(client.delete(f"/v2/queues/c-cl/claims/{cid}"))
    third, _ = claim(client, "c-cl", limit=5)
    stats = client.get("/v2/queues/c-cl/stats").json()["messages"]
    assert (stats["claimed"], stats["free"], stats["total"]) == (3, 0, 3)
    no_content(client.delete(f"/v2/queues/c-cl/messages/{b}?claim_id="
                             f"{second}"))
    no_content(client.delete(f"/v2/queues/c-cl/claims/{third}"))
    stats = client.get("/v2/queues/c-cl/stats").json()["messages"]
    assert (stats["claimed"], stats["free"], stats["total"]) == (1, 1, 2)


def test_stats_include_delayed_messages(client):
    [delayed] = post_messages(client, "c-dl", {"body": "d", "delay": 60})
    expect(client.get("/v2/queues/c-dl/stats"), 200,
           '{"messages": {"claimed": 0, "free": 1, "total": 1, "newest": '
           + stats_message("c-dl", "d", 3600, '"d"') + ', "oldest": '
           + stats_message("c-dl", "d", 3600, '"d"') + "}}", {"d": delayed})


def test_stats_are_scoped(client, project):
    post_messages(client, "c-sc", {"body": 1})
    expect(client.get("/v2/queues/c-sc/stats",
                      headers={"X-Project-ID": "other-" + project}), 200,
           ZERO)


def test_stats_after_pop(client):
    """Upstream redis answered 503 after a pop (its internal claim)."""
    post_messages(client, "c-pp", {"body": 1}, {"body": 2})
    assert bodies(client.delete("/v2/queues/c-pp/messages?pop=1")) == [1]
    stats = client.get("/v2/queues/c-pp/stats").json()["messages"]
    assert (stats["claimed"], stats["free"], stats["total"]) == (0, 1, 1)


# -- purge --------------------------------------------------------------------

@pytest.mark.parametrize("data, description", [
    (b'{"resource_types": ["bogus"]}', TYPES),
    (b'{"resource_types": ["messages", "bogus"]}', TYPES),
    (b'{"resource_types": "messages"}', TYPES),
    (b'{"resource_types": [1]}', TYPES),
    (b'{"resource_types": null}', TYPES),
    (b'{"foo": 1}', MISSING_TYPES),
    (b"{}", MISSING_TYPES),
    (b'["messages"]', MISSING_TYPES),
])
def test_purge_errors_purge_nothing(client, data, description):
    post_messages(client, "c-pu", {"body": 1})
    invalid(client.post("/v2/queues/c-pu/purge", data=data), description)
    assert client.get("/v2/queues/c-pu/stats").json()["messages"][
        "total"] == 1


def test_purge_body_errors(client):
    expect_error(client.post("/v2/queues/c-pu/purge", data=b"{bad"), 400,
                 "Invalid request body", "Request body could not be parsed.")


def test_purge_missing_queue(client):
    no_content(client.post("/v2/queues/c-nosuch/purge"))
    expect(client.get("/v2/queues"), 200, '{"queues": [], "links": []}')


def test_purge_selects_resource_types(client):
    client.put("/v2/queues/c-pu", json={"keep": "me"})
    [mid] = post_messages(client, "c-pu", {"body": 1})
    no_content(client.post("/v2/queues/c-pu/purge",
                           json={"resource_types": ["subscriptions"]}))
    no_content(client.post("/v2/queues/c-pu/purge",
                           json={"resource_types": []}))
    expect(client.get("/v2/queues/c-pu/messages?echo=true"), 200)
    assert [m["id"] for m in client.get(
        "/v2/queues/c-pu/messages?echo=true").json()["messages"]] == [mid]
    no_content(client.post("/v2/queues/c-pu/purge",
                           json={"resource_types": ["messages"]}))
    expect(client.get("/v2/queues/c-pu/stats"), 200, ZERO)


def test_purge_without_body_removes_every_message(client, project):
    """Claimed and delayed messages too (UPSTREAM BUG: redis kept the
    claimed ones); the queue and its metadata stay."""
    client.put("/v2/queues/c-pu", json={"keep": "me"})
    post_messages(client, "c-pu", {"body": 1}, {"body": 2},
                  {"body": 3, "delay": 300})
    cid, _ = claim(client, "c-pu", limit=1)
    resp = raw(client.base_url, raw_request("POST", "/v2/queues/c-pu/purge", {
        "Client-ID": conftest.CLIENT_ID, "X-Project-ID": project}))
    assert resp.status == 204
    expect(client.get("/v2/queues/c-pu/stats"), 200, ZERO)
    expect(client.get("/v2/queues/c-pu/messages?echo=true&"
                      "include_claimed=true&include_delayed=true"), 200,
           '{"messages": [], "links": []}')
    # the claim holds nothing any more (the contract leaves open whether
    # the emptied claim itself is still there)
    resp = client.get(f"/v2/queues/c-pu/claims/{cid}")
    if resp.status_code == 200:
        assert resp.json()["messages"] == []
    else:
        not_found(resp, f"Claim {cid} does not exist in queue c-pu for "
                        f"project {project}")
    assert client.get("/v2/queues/c-pu").json()["keep"] == "me"
    # the queue is usable afterwards
    post_messages(client, "c-pu", {"body": 4})
    assert bodies(client.get("/v2/queues/c-pu/messages?echo=true")) == [4]


def test_purge_with_empty_body_is_like_no_body(client):
    post_messages(client, "c-pu", {"body": 1})
    no_content(client.post("/v2/queues/c-pu/purge", data=b""))
    expect(client.get("/v2/queues/c-pu/stats"), 200, ZERO)


# -- ping and health ----------------------------------------------------------

def test_ping(client):
    no_content(client.get("/v2/ping"))
    resp = client.head("/v2/ping")
    no_content(resp)


def test_ping_needs_the_headers(client):
    expect_error(client.get("/v2/ping", headers={"X-Project-ID": None}), 400,
                 "Project-Id Missing", "The header X-PROJECT-ID was missing")
    resp = client.head("/v2/ping", headers={"Client-ID": None})
    expect(resp, 400)
    assert resp.content == b""


@pytest.mark.parametrize("roles", [None, "member", "adminx", "", "admin2"])
def test_health_needs_the_admin_role(client, roles):
    expect_error(client.get("/v2/health", headers={"X-Roles": roles}), 403,
                 "Not authorized",
                 "You are not authorized to complete this action.")


@pytest.mark.parametrize("headers", [
    {"X-Roles": "admin"}, {"X-Roles": "member, admin"}, {"X-Role": "admin"},
    {"X-Roles": "Admin"}])  # oslo.policy compares roles case-insensitively
def test_health(client, headers):
    resp = client.get("/v2/health", headers=headers)
    expect(resp, 200)
    document = resp.json()
    assert list(document) == ["storage_reachable", "operation_status"]
    assert document["storage_reachable"] is True
    status = document["operation_status"]
    assert list(status) == list(OPERATIONS)
    for entry in status.values():
        assert list(entry) == ["succeeded", "seconds", "ref"]
        assert entry["succeeded"] is True and entry["ref"] is None
        assert isinstance(entry["seconds"], float) and entry["seconds"] >= 0
    # the scratch queue is gone
    expect(client.get("/v2/queues", headers={
        "X-Project-ID": "zaqar-health-check"}), 200,
        '{"queues": [], "links": []}')


def test_pools_without_pooling_are_not_routed(client):
    expect(client.get("/v2/pools", headers={"X-Roles": "admin"}), 404,
           '{"title": "404 Not Found"}')
    expect(client.get("/v2/flavors"), 404, '{"title": "404 Not Found"}')


# -- a store that does not answer ---------------------------------------------

@pytest.fixture(scope="module")
def dead_store(tmp_path_factory):
    """A server whose Redis store is a port nothing listens on (and that
    gives up at once instead of retrying)."""
    if "redis" not in ExtensionManager("zaqar.data.storage").names():
        pytest.skip("the redis driver is not installed")
    port = services.free_port()
    srv = Server(tmp_path_factory.mktemp("server-dead-store"), {
        "DEFAULT": {"admin_mode": True},
        "drivers": {"message_store": "redis"},
        "drivers:message_store:redis": {
            "uri": f"redis://127.0.0.1:{port}/0",
            "max_reconnect_attempts": 0, "socket_connect_timeout": 0.5},
    }).start()
    client = conftest.Client(srv.url, "p-dead")
    yield client
    client.session.close()
    srv.stop()


PATCH_HEADERS = {"Content-Type": JSON_PATCH}


@pytest.mark.parametrize("method, path, kwargs, description", [
    ("GET", "/v2/queues", {}, "Queues could not be listed."),
    ("PUT", "/v2/queues/q", {}, "Queue could not be created."),
    ("GET", "/v2/queues/q", {}, "Queue metadata could not be retrieved."),
    ("PATCH", "/v2/queues/q", {"data": b"[]", "headers": PATCH_HEADERS},
     "Queue could not be updated."),
    ("DELETE", "/v2/queues/q", {}, "Queue could not be deleted."),
    ("GET", "/v2/queues/q/stats", {}, "Queue stats could not be read."),
    ("POST", "/v2/queues/q/purge", {}, "Queue could not be purged."),
    ("POST", "/v2/queues/q/messages", {"json": {"messages": [{"body": 1}]}},
     "Messages could not be enqueued."),
    ("GET", "/v2/queues/q/messages", {}, "Messages could not be listed."),
    ("GET", "/v2/queues/q/messages?ids=a", {}, "Messages could not be "
                                               "listed."),
    ("DELETE", "/v2/queues/q/messages?ids=a", {}, "Messages could not be "
                                                  "deleted."),
    ("DELETE", "/v2/queues/q/messages?pop=1", {}, "Messages could not be "
                                                  "popped."),
    ("GET", "/v2/queues/q/messages/a", {}, "Message could not be "
                                           "retrieved."),
    ("DELETE", "/v2/queues/q/messages/a", {}, "Message could not be "
                                              "deleted."),
    ("POST", "/v2/queues/q/claims", {"json": {}}, "Claim could not be "
                                                  "created."),
    ("GET", f"/v2/queues/q/claims/{ZERO_ID}", {}, "Claim could not be "
                                                  "queried."),
    ("PATCH", f"/v2/queues/q/claims/{ZERO_ID}", {"json": {}},
     "Claim could not be updated."),
    ("DELETE", f"/v2/queues/q/claims/{ZERO_ID}", {}, "Claim could not be "
                                                     "deleted."),
])
def test_store_failure_is_503(dead_store, method, path, kwargs,
                              description):
    resp = dead_store.request(method, path, **kwargs)
    expect_error(resp, 503, "Service temporarily unavailable",
                 description + " Please try again in a few seconds.")


def test_validation_answers_before_the_store_is_asked(dead_store):
    invalid(dead_store.get("/v2/queues?limit=0"),
            "Limit must be at least 1 and no greater than 20.")
    invalid(dead_store.post("/v2/queues/q/claims?limit=0", json={}),
            "Limit must be at least 1 and may not be greater than 20.")


def test_ping_and_health_of_a_dead_store(dead_store):
    resp = dead_store.get("/v2/ping")
    assert resp.status_code == 503 and resp.content == b""
    no_content(dead_store.head("/v2/ping"))
    expect(dead_store.get("/v2/health", headers={"X-Roles": "admin"}), 200,
           '{"storage_reachable": false}')
