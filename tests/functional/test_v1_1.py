"""API v1.1 (``enable_deprecated_api_versions``), exchange by exchange:
contract v1_1.md, examples/v1_1.txt (home, headers, queues, messages,
claims, bulk delete and pop, ping, health, removed routes) and the v1.1
pools and flavors of examples/v1-v1_1-pools-flavors.txt; where upstream
was buggy (flavor PATCH, flavor PUT without capabilities), the correct
behaviour."""

from __future__ import annotations

import json
import pathlib

import pytest

from tests.functional import conftest
from tests.functional.exchanges import (
    OTHER_CLIENT_ID, bad_body, created, dumps, expect, expect_error,
    invalid, no_content, not_found, raw, raw_request)
from tests.functional.server import Server

ROOT = pathlib.Path(__file__).resolve().parents[2]
HOME = (ROOT / "zaqar/transport/wsgi/v1_1/home.json").read_text().rstrip(
    "\n").encode()
ADMIN_RELS = ("rel/pools", "rel/pool", "rel/flavors", "rel/flavor",
              "rel/health")
JSON = "application/json"
NOT_ROUTED = '{"title": "404 Not Found"}'
EMPTY = '{"messages": [], "links": []}'
LIMIT_RANGE = "Limit must be at least 1 and may not be greater than 20."
CLAIMED = ("Unable to delete", "This message is claimed; it cannot be "
                               "deleted without a valid claim ID.")


@pytest.fixture
def client(legacy_server, project):
    return conftest.Client(legacy_server.url, project)


@pytest.fixture
def other(legacy_server, project):
    """Another client of the same project."""
    return conftest.Client(legacy_server.url, project, OTHER_CLIENT_ID)


def message(queue: str, name: str, ttl: int, body: str,
            claim: str | None = None) -> str:
    href = f"/v1.1/queues/{queue}/messages/<{name}>"
    if claim:
        href += f"?claim_id=<{claim}>"
    return (f'{{"id": "<{name}>", "href": "{href}", "ttl": {ttl}, '
            f'"age": 0, "body": {body}}}')


def post(client, queue: str, *messages: dict) -> list[str]:
    resp = client.post(f"/v1.1/queues/{queue}/messages",
                       json={"messages": list(messages)})
    assert resp.status_code == 201, resp.text
    prefix = f"/v1.1/queues/{queue}/messages/"
    ids = [href[len(prefix):] for href in resp.json()["resources"]]
    assert list(resp.json()) == ["resources"]  # no "partial"
    assert resp.headers["location"] == prefix[:-1] + "?ids=" + ",".join(ids)
    return ids


# -- home and headers (#1-#4) ------------------------------------------------

def test_home_document_byte_for_byte(client):
    resp = client.get("/v1.1/")
    expect(resp, 200, headers={"content-type": "application/json-home",
                               "cache-control": "max-age=86400",
                               "content-length": "7848"})
    assert resp.content == HOME


def test_home_without_admin_mode_has_no_admin_entries(tmp_path_factory):
    srv = Server(tmp_path_factory.mktemp("v1_1-no-admin"), {"DEFAULT": {
        "enable_deprecated_api_versions": "1.1"}}).start()
    try:
        resp = conftest.Client(srv.url, "p").get("/v1.1/")
        expected = json.loads(HOME)
        for rel in ADMIN_RELS:
            del expected["resources"][rel]
        assert resp.content == json.dumps(expected, indent=4).encode()
        expect(conftest.Client(srv.url, "p").get("/v1.1/health"), 404,
               NOT_ROUTED)
        # only 1.1 enabled: v1 is not routed and not listed
        expect(conftest.Client(srv.url, "p").get("/v1/"), 404, NOT_ROUTED)
        ids = [v["id"] for v in json.loads(raw(
            srv.url, raw_request("GET", "/", {})).body)["versions"]]
        assert ids == ["1.1", "2"]
    finally:
        srv.stop()


def test_headers(client):
    expect_error(client.get("/v1.1/queues", headers={"Client-ID": None}),
                 400, "Missing header value",
                 'The "Client-ID" header is required.')
    expect_error(client.get("/v1.1/queues", headers={"X-Project-ID": None}),
                 400, "Project-Id Missing",
                 "The header X-PROJECT-ID was missing")
    # only X-Project-ID names the project in v1.1
    expect_error(client.get("/v1.1/queues", headers={
        "X-Project-ID": None, "X-Tenant-ID": "t"}), 400,
        "Project-Id Missing", "The header X-PROJECT-ID was missing")
    expect_error(client.get("/v1.1/queues", headers={"Client-ID": "bad"}),
                 400, "Wrong UUID value", "Malformed hexadecimal UUID.")


def test_no_queues_is_an_empty_list(client):
    expect(client.get("/v1.1/queues"), 200, '{"queues": [], "links": []}')


# -- queues (#5-#15) ---------------------------------------------------------

def test_queues(client):
    created(client.put("/v1.1/queues/o-q", json={
        "description": "x", "_default_message_ttl": 120}), "/v1.1/queues/o-q")
    no_content(client.put("/v1.1/queues/o-q", json={"description": "y"}),
               "/v1.1/queues/o-q")
    invalid(client.put("/v1.1/queues/o-q2", json={"_default_message_ttl": 10}),
            "_default_message_ttl can not exceed 1209600 seconds, and must "
            "be at least 60 seconds long.")
    invalid(client.put("/v1.1/queues/o-q2", data=json.dumps(
        {"x": "y" * 70000})), "Queue metadata is too large. Max size: 65536")
    # stored metadata, no reserved defaults
    expect(client.get("/v1.1/queues/o-q"), 200,
           '{"description": "x", "_default_message_ttl": 120}')
    expect(client.get("/v1.1/queues/o-missing"), 200, "{}")
    for method in ("HEAD", "PATCH"):
        resp = client.request(method, "/v1.1/queues/o-q", json={})
        expect(resp, 405, headers={"allow": "DELETE, GET, PUT, OPTIONS"})
    expect(client.get("/v1.1/queues/o-q/metadata"), 404, NOT_ROUTED)
    expect(client.get("/v1.1/queues?detailed=true"), 200,
           '{"queues": [{"name": "o-q", "metadata": {"description": "x", '
           '"_default_message_ttl": 120}, "href": "/v1.1/queues/o-q"}], '
           '"links": [{"rel": "next", "href": '
           '"/v1.1/queues?detailed=true&marker=o-q"}]}')
    # no filters, no count
    client.put("/v1.1/queues/o-r")
    expect(client.get("/v1.1/queues?name=o-r&with_count=true&limit=1"), 200,
           '{"queues": [{"name": "o-q", "href": "/v1.1/queues/o-q"}], '
           '"links": [{"rel": "next", "href": '
           '"/v1.1/queues?limit=1&marker=o-q"}]}')
    invalid(client.get("/v1.1/queues?limit=21"),
            "Limit must be at least 1 and no greater than 20.")
    no_content(client.delete("/v1.1/queues/o-q"))
    no_content(client.delete("/v1.1/queues/o-q"))


def test_stats(client):
    client.put("/v1.1/queues/o-q")
    zeros = '{"messages": {"claimed": 0, "free": 0, "total": 0}}'
    expect(client.get("/v1.1/queues/o-q/stats"), 200, zeros)
    expect(client.get("/v1.1/queues/o-missing/stats"), 200, zeros)
    first, _ = post(client, "o-q", {"body": 1}, {"body": 2})
    stats = client.get("/v1.1/queues/o-q/stats").json()["messages"]
    assert (stats["free"], stats["total"]) == (2, 2)
    assert stats["oldest"]["href"] == f"/v1.1/queues/o-q/messages/{first}"


# -- messages (#16-#25) -------------------------------------------------------

def test_post_and_list(client, other, project):
    client.put("/v1.1/queues/o-q", json={"_default_message_ttl": 120,
                                         "_default_message_delay": 30})
    # ttl defaults to 3600: the queue's default and any delay are ignored
    one, two = post(client, "o-q", {"ttl": 300, "body": {"event": "one"}},
                    {"body": "two", "delay": 30})
    subs = {"one": one, "two": two}
    bad_body(client.post("/v1.1/queues/o-q/messages",
                         json={"messages": [{"body": 1, "ttl": "x"}]}),
             'The value of the "ttl" field must be a int.')
    invalid(client.post("/v1.1/queues/o-q/messages",
                        json=[{"ttl": 60, "body": 1}]),
            "No messages were found in the request body.")
    # lazily created
    post(client, "o-auto", {"body": 1})
    expect(client.get("/v1.1/queues/o-auto"), 200, "{}")

    expect(client.get("/v1.1/queues/o-q/messages"), 200, EMPTY)
    listed = ("[" + message("o-q", "one", 300, '{"event": "one"}') + ", "
              + message("o-q", "two", 3600, '"two"') + "]")
    expect(client.get("/v1.1/queues/o-q/messages?echo=true"), 200,
           '{"messages": ' + listed + ', "links": [{"rel": "next", "href": '
           '"/v1.1/queues/o-q/messages?echo=true&marker=<two>"}]}', subs)
    expect(other.get("/v1.1/queues/o-q/messages?limit=1"), 200,
           '{"messages": [' + message("o-q", "one", 300, '{"event": "one"}')
           + '], "links": [{"rel": "next", "href": '
           '"/v1.1/queues/o-q/messages?limit=1&marker=<one>"}]}', subs)
    expect(client.get("/v1.1/queues/o-missing/messages?echo=true"), 200,
           EMPTY)
    invalid(client.get("/v1.1/queues/o-q/messages?limit=21"), LIMIT_RANGE)

    expect(client.get(f"/v1.1/queues/o-q/messages/{one}"), 200,
           message("o-q", "one", 300, '{"event": "one"}'), subs)
    expect(client.get(f"/v1.1/queues/o-q/messages?ids={one},nosuch"), 200,
           '{"messages": [' + message("o-q", "one", 300, '{"event": "one"}')
           + "]}", subs)
    not_found(client.get("/v1.1/queues/o-q/messages?ids=nosuch"),
              "No messages with IDs: ['nosuch'] found in the queue o-q for "
              f"project {project}.")
    not_found(client.get("/v1.1/queues/o-q/messages/nosuch"),
              f"Message nosuch does not exist in queue o-q for project "
              f"{project}")


def test_queue_size_limit_is_ignored(client):
    client.put("/v1.1/queues/o-small", json={"_max_messages_post_size": 100})
    post(client, "o-small", {"body": "x" * 500})
    invalid(client.post("/v1.1/queues/o-small/messages", data=b"{" + b" " *
                        262144 + b"}"),
            "Message collection size is too large. Max size 262144")


def test_delayed_messages_of_v2_are_hidden(client):
    client.put("/v2/queues/o-d", json={"_default_message_delay": 300})
    resp = client.post("/v2/queues/o-d/messages",
                       json={"messages": [{"body": "later"}]})
    assert resp.status_code == 201, resp.text
    post(client, "o-d", {"body": "now"})
    assert [m["body"] for m in client.get(
        "/v1.1/queues/o-d/messages?echo=true&include_delayed=true"
    ).json()["messages"]] == ["now"]


# -- claims (#26-#32) --------------------------------------------------------

def test_claims(client, project):
    client.put("/v1.1/queues/o-q")
    # The message outlives the default claim (300 s) by more than the
    # instant between post and claim: with a 300 s message, a second
    # boundary between the two would extend it by the grace (ttl 360),
    # since expiries are compared in whole seconds.
    one, two = post(client, "o-q", {"ttl": 400, "body": {"event": "one"}},
                    {"body": "two"})
    resp = client.post("/v1.1/queues/o-q/claims?limit=1")
    cid = resp.headers["location"].rsplit("/", 1)[1]
    subs = {"one": one, "two": two, "cid": cid}
    claimed = message("o-q", "one", 400, '{"event": "one"}', "cid")
    expect(resp, 201, '{"messages": [' + claimed + "]}", subs,
           headers={"location": f"/v1.1/queues/o-q/claims/{cid}"})
    path = f"/v1.1/queues/o-q/claims/{cid}"
    expect(client.get(path), 200, '{"age": 0, "ttl": 300, "messages": ['
           + claimed + '], "href": "/v1.1/queues/o-q/claims/<cid>"}', subs)
    # listed claimed messages show their claim, as in v2
    expect(client.get("/v1.1/queues/o-q/messages?echo=true"
                      "&include_claimed=true&limit=1"), 200,
           '{"messages": [' + claimed + '], "links": [{"rel": "next", '
           '"href": "/v1.1/queues/o-q/messages?limit=1&echo=true'
           '&include_claimed=true&marker=<one>"}]}', subs)
    no_content(client.patch(path, json={"ttl": 100}))
    assert client.get(path).json()["ttl"] == 100
    headers = {k: v for k, v in client.headers.items() if v}
    answer = raw(client.base_url, raw_request("PATCH", path, headers))
    assert answer.status == 400 and answer.body.decode() == dumps({
        "title": "Invalid request body",
        "description": "Request body can not be empty"})
    invalid(client.post("/v1.1/queues/o-q/claims", json={"ttl": 30}),
            "The TTL for a claim may not exceed 43200 seconds, and must be "
            "at least 60 seconds long.")
    invalid(client.post("/v1.1/queues/o-q/claims?limit=21", json={}),
            LIMIT_RANGE)
    not_found(client.get("/v1.1/queues/o-q/claims/nosuch"),
              f"Claim nosuch does not exist in queue o-q for project "
              f"{project}")
    expect_error(client.delete(f"/v1.1/queues/o-q/messages/{one}"), 403,
                 *CLAIMED)
    no_content(client.delete(
        f"/v1.1/queues/o-q/messages/{one}?claim_id={cid}"))
    no_content(client.delete(path))
    no_content(client.delete(path))


# -- bulk delete, pop, ping, health, removed routes (#33-#44) ---------------

def test_bulk_delete_and_pop(client):
    client.put("/v1.1/queues/o-q")
    one, two, three = post(client, "o-q", *({"body": n} for n in range(3)))
    invalid(client.delete("/v1.1/queues/o-q/messages"),
            'The request should have either "ids" or "pop" parameter in the '
            "request, to be able to delete.")
    invalid(client.delete("/v1.1/queues/o-q/messages?pop=21"),
            "Pop value must be at least 1 and may not be greater than 20.")
    resp = client.delete("/v1.1/queues/o-q/messages?pop=1")
    expect(resp, 200)
    popped = resp.json()["messages"]
    assert [(m["id"], m["body"], m["ttl"], m["claim_count"]) for m in
            popped] == [(one, 0, 3600, 0)]
    assert list(popped[0]) == ["id", "age", "ttl", "body", "claim_id",
                               "claim_count"]
    # claim_ids are not read by v1.1
    no_content(client.delete(f"/v1.1/queues/o-q/messages?ids={two},a"
                             "&claim_ids=x"))
    assert [m["id"] for m in client.get(
        "/v1.1/queues/o-q/messages?echo=true").json()["messages"]] == [three]


def test_ping_and_health(client):
    no_content(client.get("/v1.1/ping"))
    no_content(client.head("/v1.1/ping"))
    # health: no role needed in v1.1
    resp = client.get("/v1.1/health", headers={"X-Roles": "member"})
    expect(resp, 200)
    document = resp.json()
    assert document["storage_reachable"] is True
    assert all(op["succeeded"] for op in
               document["operation_status"].values())


@pytest.mark.parametrize("method, path", [
    ("POST", "/v1.1/queues/o-q/subscriptions"),
    ("POST", "/v1.1/queues/o-q/share"), ("POST", "/v1.1/queues/o-q/purge"),
    ("GET", "/v1.1/topics"), ("GET", "/v1.1/pools"),
    ("GET", "/v1.1/flavors"), ("GET", "/v1.1")])
def test_removed_routes(client, method, path):
    expect(client.request(method, path, json={},
                          headers={"X-Roles": "admin"}), 404, NOT_ROUTED)


# -- pools and flavors (pooling) ----------------------------------------------

@pytest.fixture(scope="module")
def pooled(tmp_path_factory):
    srv = Server(tmp_path_factory.mktemp("v1_1-pooled"), {"DEFAULT": {
        "admin_mode": True, "pooling": True,
        "enable_deprecated_api_versions": "1.1"}}).start()
    yield srv
    srv.stop()


def test_pools(pooled, tmp_path):
    admin = conftest.Client(pooled.url, "p-admin")
    uri = f"sqlite:///{tmp_path}/pool1.sqlite"
    p1 = {"name": "p1", "uri": uri, "weight": 100, "flavor": None,
          "href": "/v1.1/pools/p1"}
    expect(admin.get("/v1.1/pools"), 200, '{"links": [], "pools": []}',
           headers={"content-location": "/v1.1/pools"})
    for body in ({"weight": 100, "uri": uri},
                 {"weight": 100, "uri": uri, "options": {"a": 1}}):
        created(admin.put("/v1.1/pools/p1", json=body), "/v1.1/pools/p1")
    for body, starts in (
            ({"weight": 100, "uri": uri, "group": "g1"},
             "Additional properties are not allowed ('group' was "
             "unexpected)"),
            ({"weight": 100}, "'uri' is a required property")):
        resp = admin.put("/v1.1/pools/p2", json=body)
        assert resp.status_code == 400, resp.text
        assert resp.json()["title"] == "Invalid request body"
        assert resp.json()["description"].startswith(starts)
    expect(admin.get("/v1.1/pools"), 200, dumps({
        "links": [{"rel": "next", "href": "/v1.1/pools?marker=p1"}],
        "pools": [p1]}), headers={"content-location": "/v1.1/pools"})
    expect(admin.get("/v1.1/pools?detailed=true&limit=1"), 200, dumps({
        "links": [{"rel": "next",
                   "href": "/v1.1/pools?limit=1&detailed=true&marker=p1"}],
        "pools": [{"name": "p1", "uri": uri, "weight": 100, "flavor": None,
                   "options": {"a": 1}, "href": "/v1.1/pools/p1"}]}),
        headers={"content-location": "/v1.1/pools?detailed=true&limit=1"})
    expect(admin.get("/v1.1/pools?limit=50"), 200)  # not checked
    resp = admin.get("/v1.1/pools/p1")
    expect(resp, 200, dumps(p1))
    assert "content-location" not in resp.headers
    expect(admin.get("/v1.1/pools/p1?detailed=true"), 200, dumps({
        "name": "p1", "uri": uri, "weight": 100, "flavor": None,
        "options": {"a": 1}, "href": "/v1.1/pools/p1"}))
    not_found(admin.get("/v1.1/pools/nosuch"), "Pool nosuch does not exist")
    expect(admin.patch("/v1.1/pools/p1", json={"weight": 5}), 200,
           headers={"content-length": "0", "content-type": JSON})
    assert admin.get("/v1.1/pools/p1").json()["weight"] == 5
    bad_body(admin.patch("/v1.1/pools/p1", json={}),
             "One of `uri`, `weight`,or `options` needs to be specified")
    not_found(admin.patch("/v1.1/pools/nosuch", json={"weight": 5}),
              "Pool nosuch does not exist")


def test_flavors(pooled, tmp_path):
    admin = conftest.Client(pooled.url, "p-flavors")
    uri = f"sqlite:///{tmp_path}/pool2.sqlite"
    created(admin.put("/v1.1/pools/p2", json={"weight": 1, "uri": uri}),
            "/v1.1/pools/p2")
    expect(admin.get("/v1.1/flavors"), 200, '{"links": [], "flavors": []}')
    created(admin.put("/v1.1/flavors/f1", json={"capabilities": {}}),
            "/v1.1/flavors/f1")
    # UPSTREAM BUG: 500 "'capabilities'"
    resp = admin.put("/v1.1/flavors/f1", json={"pool_group": "g1"})
    assert resp.status_code == 400, resp.text
    assert resp.json()["title"] == "Invalid request body"
    expect(admin.get("/v1.1/flavors/f1"), 200,
           '{"name": "f1", "href": "/v1.1/flavors/f1"}')
    expect(admin.get("/v1.1/flavors/f1?detailed=true"), 200,
           '{"name": "f1", "capabilities": {}, "href": "/v1.1/flavors/f1"}')
    not_found(admin.get("/v1.1/flavors/nosuch"), "Flavor nosuch does not "
                                                 "exist")
    expect(admin.get("/v1.1/flavors"), 200,
           '{"links": [{"rel": "next", "href": "/v1.1/flavors?marker=f1"}], '
           '"flavors": [{"name": "f1", "href": "/v1.1/flavors/f1"}]}')
    # UPSTREAM BUG: every PATCH was 400
    expect(admin.patch("/v1.1/flavors/f1", json={"capabilities": {"x": 1}}),
           200, headers={"content-length": "0", "content-type": JSON})
    expect(admin.get("/v1.1/flavors?detailed=true"), 200,
           '{"links": [{"rel": "next", "href": '
           '"/v1.1/flavors?detailed=true&marker=f1"}], "flavors": [{"name": '
           '"f1", "capabilities": {"x": 1}, "href": "/v1.1/flavors/f1"}]}')
    bad_body(admin.patch("/v1.1/flavors/f1", json={"pool_list": ["p2"]}),
             "`capabilities` needs to be specified")
    not_found(admin.patch("/v1.1/flavors/nosuch", json={"capabilities": {}}),
              "Flavor nosuch does not exist")
    expect_error(admin.put("/v1.1/flavors/f2", json={
        "capabilities": {}, "pool_list": ["nosuch"]}), 400,
        "Unable to create", "Flavor f2 could not be created, error:Pool "
                            "nosuch does not exist")
    # a pool list places queues of the flavor on those pools
    created(admin.put("/v1.1/flavors/f2", json={
        "capabilities": {"y": 2}, "pool_list": ["p2"]}), "/v1.1/flavors/f2")
    assert admin.get("/v1.1/pools/p2").json()["flavor"] == "f2"
    invalid(admin.get("/v1.1/flavors?limit=21"),
            "Limit must be at least 1 and no greater than 20.")
    for name in ("f1", "f2", "nosuch"):
        no_content(admin.delete(f"/v1.1/flavors/{name}"))
    expect(admin.get("/v1.1/flavors"), 200, '{"links": [], "flavors": []}')
    no_content(admin.delete("/v1.1/pools/p2"))
    no_content(admin.delete("/v1.1/pools/nosuch"))
