"""API v1 (``enable_deprecated_api_versions``), exchange by exchange:
contract v1.md, examples/v1.txt (versions, home, headers, queues and
metadata, messages, claims, bulk delete, health, removed routes) and the
v1 pools of examples/v1-v1_1-pools-flavors.txt; where upstream was
buggy, the correct behaviour (posting to a missing queue is 404)."""

from __future__ import annotations

import json
import pathlib
import uuid

import pytest
import requests
from stevedore import ExtensionManager

from tests import services
from tests.functional import conftest
from tests.functional.exchanges import (
    OTHER_CLIENT_ID, bad_body, created, dumps, expect, expect_error,
    invalid, no_content, not_found, raw, raw_request)
from tests.functional.server import Server

ROOT = pathlib.Path(__file__).resolve().parents[2]
HOME = (ROOT / "zaqar/transport/wsgi/v1_0/home.json").read_text().rstrip(
    "\n").encode()
VERSIONS = (
    '{"versions": [{"id": "1", "status": "DEPRECATED", "updated": '
    '"2014-9-11T17:47:05Z", "media-types": [{"base": "application/json", '
    '"type": "application/vnd.openstack.messaging-v1+json"}], "links": '
    '[{"href": "/v1/", "rel": "self"}]}, {"id": "1.1", "status": '
    '"DEPRECATED", "updated": "2016-7-29T02:22:47Z", "media-types": '
    '[{"base": "application/json", "type": '
    '"application/vnd.openstack.messaging-v1_1+json"}], "links": [{"href": '
    '"/v1.1/", "rel": "self"}]}, {"id": "2", "status": "CURRENT", '
    '"updated": "2014-9-24T04:06:47Z", "media-types": [{"base": '
    '"application/json", "type": '
    '"application/vnd.openstack.messaging-v2+json"}], "links": [{"href": '
    '"/v2/", "rel": "self"}]}]}')
JSON = "application/json"
NOT_ROUTED = '{"title": "404 Not Found"}'
MISSING_CLIENT = ("Missing header value",
                  'The "Client-ID" header is required.')
LIMIT_RANGE = "Limit must be at least 1 and may not be greater than 20."
TTL_RANGE = ("The TTL for a message may not exceed 1209600 seconds, and must "
             "be at least 60 seconds long.")
RESERVED = ('Reserved queue attributes in metadata (which names start with '
            '"_") can not be set in API v1.')


@pytest.fixture
def client(legacy_server, project):
    return conftest.Client(legacy_server.url, project)


@pytest.fixture
def other(legacy_server, project):
    """Another client of the same project."""
    return conftest.Client(legacy_server.url, project, OTHER_CLIENT_ID)


def bodiless_404(resp: requests.Response, location: str) -> None:
    """v1's answer about a queue that does not exist: no body at all."""
    assert resp.status_code == 404, resp.text
    assert resp.content == b""
    assert resp.headers.get("content-type") == JSON
    assert resp.headers.get("content-length") == "0"
    assert resp.headers.get("content-location") == location


def no_length(client, method: str, path: str) -> None:
    """A request without any Content-Length (requests always sends one):
    "Request body can not be empty"."""
    headers = {k: v for k, v in client.headers.items() if v is not None}
    resp = raw(client.base_url, raw_request(method, path, headers))
    assert resp.status == 400, resp
    assert resp.body.decode() == dumps({
        "title": "Invalid request body",
        "description": "Request body can not be empty"})


def no_queue(resp: requests.Response, queue: str, project) -> None:
    not_found(resp, f"Queue {queue} does not exist for project {project}")


def post(client, queue: str, *messages: dict) -> list[str]:
    """Post the bare array of v1; return the new ids."""
    resp = client.post(f"/v1/queues/{queue}/messages", json=list(messages))
    assert resp.status_code == 201, resp.text
    prefix = f"/v1/queues/{queue}/messages/"
    document = resp.json()
    assert document["partial"] is False
    ids = [href[len(prefix):] for href in document["resources"]]
    assert resp.headers["location"] == prefix[:-1] + "?ids=" + ",".join(ids)
    return ids


def v1_message(queue: str, name: str, ttl: int, body: str,
               claim: str | None = None) -> str:
    href = f"/v1/queues/{queue}/messages/<{name}>"
    if claim:
        href += f"?claim_id=<{claim}>"
    return f'{{"href": "{href}", "ttl": {ttl}, "age": 0, "body": {body}}}'


# -- versions, home, headers (#1-#6) ------------------------------------------

def test_versions_document_lists_the_three_versions(legacy_server):
    resp = raw(legacy_server.url, raw_request("GET", "/", {}))
    assert resp.status == 300
    assert resp.body.decode() == VERSIONS


def test_home_document_needs_no_headers(legacy_server):
    resp = requests.get(legacy_server.url + "/v1/", timeout=30)
    expect(resp, 200, headers={"content-type": "application/json-home",
                               "cache-control": "max-age=86400",
                               "content-length": "3424"})
    assert resp.content == HOME


def test_no_headers_at_all_is_the_unscoped_namespace(legacy_server):
    # "~" sorts after every queue name: an empty page, whatever other
    # tests left in the unscoped namespace.
    no_content(requests.get(legacy_server.url + "/v1/queues?marker=~",
                            timeout=30))


def test_client_id_if_sent_must_be_a_uuid(client):
    expect_error(client.get("/v1/queues", headers={"Client-ID": "bad"}),
                 400, "Wrong UUID value", "Malformed hexadecimal UUID.")


def test_empty_project_header(client):
    expect_error(client.get("/v1/queues", headers={"X-Project-ID": ""}),
                 400, "Empty project header not allowed",
                 "X-PROJECT-ID cannot be an empty string. Specify the right "
                 "header X-PROJECT-ID and retry.")


def test_no_queues_is_204(client):
    no_content(client.get("/v1/queues"))


# -- queues and metadata (#7-#28) ---------------------------------------------

def test_create_exists_head_delete(client):
    created(client.put("/v1/queues/o-q"), "/v1/queues/o-q")
    # a body is ignored
    no_content(client.put("/v1/queues/o-q", json={"ignored": True}),
               "/v1/queues/o-q")
    expect(client.get("/v1/queues/o-q/metadata"), 200, "{}")
    for method in ("GET", "HEAD"):
        resp = client.request(method, "/v1/queues/o-q")
        no_content(resp)
        assert resp.headers["content-location"] == "/v1/queues/o-q"
        bodiless_404(client.request(method, "/v1/queues/o-missing"),
                     "/v1/queues/o-missing")
    no_content(client.delete("/v1/queues/o-q"))
    no_content(client.delete("/v1/queues/o-q"))
    bodiless_404(client.get("/v1/queues/o-q"), "/v1/queues/o-q")


def test_put_body_is_ignored_even_when_unreadable(client):
    created(client.put("/v1/queues/o-b", data=b"{not json"),
            "/v1/queues/o-b")
    expect(client.get("/v1/queues/o-b/metadata"), 200, "{}")


def test_invalid_queue_name(client):
    expect_error(client.put("/v1/queues/bad$name"), 400,
                 "Invalid queue identification",
                 "The format of the submitted queue name or project id is "
                 "not valid.")


def test_patch_is_not_routed(client):
    client.put("/v1/queues/o-q")
    expect(client.patch("/v1/queues/o-q", json={}), 405,
           '{"title": "405 Method Not Allowed"}',
           headers={"allow": "DELETE, GET, HEAD, PUT, OPTIONS"})


def test_metadata(client, project):
    client.put("/v1/queues/o-q")
    resp = client.put("/v1/queues/o-q/metadata", json={"a": 1, "b": "x"})
    no_content(resp, "/v1/queues/o-q/metadata")
    expect(client.get("/v1/queues/o-q/metadata"), 200, '{"a": 1, "b": "x"}',
           headers={"content-location": "/v1/queues/o-q/metadata"})
    # replaced as a whole
    no_content(client.put("/v1/queues/o-q/metadata", json={"c": [1]}),
               "/v1/queues/o-q/metadata")
    expect(client.get("/v1/queues/o-q/metadata"), 200, '{"c": [1]}')
    no_queue(client.put("/v1/queues/o-missing/metadata", json={"a": 1}),
             "o-missing", project)
    no_queue(client.get("/v1/queues/o-missing/metadata"), "o-missing",
             project)


def test_metadata_errors(client):
    client.put("/v1/queues/o-q")
    path = "/v1/queues/o-q/metadata"
    invalid(client.put(path, json={"_default_message_ttl": 100}), RESERVED)
    no_length(client, "PUT", path)
    bad_body(client.put(path), "Request body could not be parsed.")
    bad_body(client.put(path, json=[1]), "Document type not supported.")
    bad_body(client.put(path, data=b"{x"), "Request body could not be parsed.")
    invalid(client.put(path, data=json.dumps({"x": "y" * 70000})),
            "Queue metadata is too large. Max size: 65536")
    expect(client.get(path), 200, "{}")


def test_listing(client):
    client.put("/v1/queues/o-q")
    client.put("/v1/queues/o-q/metadata", json={"a": 1, "b": "x"})
    expect(client.get("/v1/queues"), 200,
           '{"queues": [{"name": "o-q", "href": "/v1/queues/o-q"}], "links": '
           '[{"rel": "next", "href": "/v1/queues?marker=o-q"}]}',
           headers={"content-location": "/v1/queues"})
    expect(client.get("/v1/queues?detailed=true&limit=1"), 200,
           '{"queues": [{"name": "o-q", "metadata": {"a": 1, "b": "x"}, '
           '"href": "/v1/queues/o-q"}], "links": [{"rel": "next", "href": '
           '"/v1/queues?limit=1&detailed=true&marker=o-q"}]}',
           headers={"content-location": "/v1/queues?detailed=true&limit=1"})
    # the page after the last one
    resp = client.get("/v1/queues?limit=1&detailed=true&marker=o-q")
    no_content(resp)
    assert "content-location" not in resp.headers
    invalid(client.get("/v1/queues?limit=21"),
            "Limit must be at least 1 and no greater than 20.")


def test_listing_reads_no_filters_and_no_count(client):
    for name in ("o-a", "o-b"):
        client.put(f"/v1/queues/{name}")
    expect(client.get("/v1/queues?name=o-b&with_count=true&a=1"), 200,
           '{"queues": [{"name": "o-a", "href": "/v1/queues/o-a"}, {"name": '
           '"o-b", "href": "/v1/queues/o-b"}], "links": [{"rel": "next", '
           '"href": "/v1/queues?marker=o-b"}]}')


def test_stats(client, project):
    client.put("/v1/queues/o-q")
    expect(client.get("/v1/queues/o-q/stats"), 200,
           '{"messages": {"claimed": 0, "free": 0, "total": 0}}',
           headers={"content-location": "/v1/queues/o-q/stats"})
    resp = client.get("/v1/queues/o-missing/stats")
    no_queue(resp, "o-missing", project)
    assert "content-location" not in resp.headers
    first, _ = post(client, "o-q", {"ttl": 300, "body": 1},
                    {"ttl": 300, "body": 2})
    stats = client.get("/v1/queues/o-q/stats").json()["messages"]
    assert (stats["claimed"], stats["free"], stats["total"]) == (0, 2, 2)
    assert stats["oldest"]["href"] == f"/v1/queues/o-q/messages/{first}"


# -- messages (#29-#46) -------------------------------------------------------

def test_post_and_list(client, other):
    client.put("/v1/queues/o-q")
    one, two = post(client, "o-q", {"ttl": 300, "body": {"event": "one"}},
                    {"ttl": 60, "body": "two"})
    subs = {"one": one, "two": two}
    # only own messages: 204, named
    resp = client.get("/v1/queues/o-q/messages")
    no_content(resp)
    assert resp.headers["content-location"] == "/v1/queues/o-q/messages"
    # another client sees them
    expect(other.get("/v1/queues/o-q/messages"), 200,
           '{"messages": [' + v1_message("o-q", "one", 300,
                                         '{"event": "one"}') + ", "
           + v1_message("o-q", "two", 60, '"two"') + '], "links": [{"rel": '
           '"next", "href": "/v1/queues/o-q/messages?marker=<two>"}]}', subs,
           headers={"content-location": "/v1/queues/o-q/messages"})
    # echo, limit 1: no "id" field; the next page
    expect(client.get("/v1/queues/o-q/messages?echo=true&limit=1"), 200,
           '{"messages": [' + v1_message("o-q", "one", 300,
                                         '{"event": "one"}')
           + '], "links": [{"rel": "next", "href": "/v1/queues/o-q/messages'
           '?limit=1&echo=true&marker=<one>"}]}', subs)
    path = f"/v1/queues/o-q/messages?limit=1&echo=true&marker={one}"
    expect(client.get(path), 200,
           '{"messages": [' + v1_message("o-q", "two", 60, '"two"')
           + '], "links": [{"rel": "next", "href": "/v1/queues/o-q/messages'
           '?marker=<two>&limit=1&echo=true"}]}', subs,
           headers={"content-location": path})
    no_content(client.get(
        f"/v1/queues/o-q/messages?limit=1&echo=true&marker={two}"))


def test_include_claimed_without_marker_lists_from_the_head(client):
    # upstream redis answered 503 here
    client.put("/v1/queues/o-q")
    one, two = post(client, "o-q", {"ttl": 300, "body": 1},
                    {"ttl": 300, "body": 2})
    client.post("/v1/queues/o-q/claims?limit=1",
                json={"ttl": 60, "grace": 60})
    listed = client.get("/v1/queues/o-q/messages?echo=true"
                        "&include_claimed=true")
    expect(listed, 200)
    # in listings the href never carries the claim
    assert [m["href"] for m in listed.json()["messages"]] == [
        f"/v1/queues/o-q/messages/{one}", f"/v1/queues/o-q/messages/{two}"]
    assert [m["href"] for m in client.get(
        "/v1/queues/o-q/messages?echo=true").json()["messages"]] == [
        f"/v1/queues/o-q/messages/{two}"]


def test_post_errors(client, project):
    client.put("/v1/queues/o-q")
    path = "/v1/queues/o-q/messages"
    bad_body(client.post(path, json={"messages": [{"ttl": 60, "body": 1}]}),
             "Document type not supported.")
    bad_body(client.post(path, json=[{"body": 1}]), 'Missing "ttl" field.')
    bad_body(client.post(path, json=[{"ttl": 60}]), 'Missing "body" field.')
    bad_body(client.post(path, json=[{"ttl": "a"}]),
             'The value of the "ttl" field must be a int.')
    bad_body(client.post(path, json=[{"ttl": 60, "body": 1}, {"body": 1}]),
             'Missing "ttl" field.')
    bad_body(client.post(path, json=[1]), "Document type not supported.")
    bad_body(client.post(path, json=[{"ttl": "60", "body": 1}]),
             'The value of the "ttl" field must be a int.')
    invalid(client.post(path, json=[{"ttl": 30, "body": 1}]), TTL_RANGE)
    invalid(client.post(path, json=[]), "No messages to enqueu.")
    no_length(client, "POST", path)
    expect_error(client.post(path, json=[{"ttl": 60, "body": 1}],
                             headers={"Client-ID": None}), 400,
                 *MISSING_CLIENT)
    invalid(client.post(path, data=b"[" + b" " * 262144 + b"]"),
            "Message collection size is too large. Max size 262144")
    # v1 posts no delayed messages: a delay is ignored
    post(client, "o-q", {"ttl": 60, "body": "d", "delay": 900})
    assert [m["body"] for m in client.get(
        path + "?echo=true").json()["messages"]] == ["d"]


def test_post_to_a_missing_queue_is_404(client, project):
    # UPSTREAM BUG (redis): 201 and the messages were unreachable
    no_queue(client.post("/v1/queues/o-auto/messages",
                         json=[{"ttl": 60, "body": 1}]), "o-auto", project)
    bodiless_404(client.get("/v1/queues/o-auto"), "/v1/queues/o-auto")


def test_listing_errors(client, project):
    client.put("/v1/queues/o-q")
    resp = client.get("/v1/queues/o-q/messages",
                      headers={"Client-ID": None})
    expect_error(resp, 400, *MISSING_CLIENT)
    assert resp.headers["content-location"] == "/v1/queues/o-q/messages"
    resp = client.get("/v1/queues/o-missing/messages?echo=true")
    no_queue(resp, "o-missing", project)
    assert resp.headers["content-location"] == (
        "/v1/queues/o-missing/messages?echo=true")
    invalid(client.get("/v1/queues/o-q/messages?limit=21"), LIMIT_RANGE)


def test_get_by_id_and_ids(client, project):
    client.put("/v1/queues/o-q")
    one, = post(client, "o-q", {"ttl": 300, "body": {"event": "one"}})
    path = f"/v1/queues/o-q/messages/{one}"
    expect(client.get(path), 200,
           v1_message("o-q", "one", 300, '{"event": "one"}'), {"one": one},
           headers={"content-location": path})
    path = f"/v1/queues/o-q/messages?ids={one},nosuch"
    expect(client.get(path), 200,
           "[" + v1_message("o-q", "one", 300, '{"event": "one"}') + "]",
           {"one": one}, headers={"content-location": path})
    resp = client.get("/v1/queues/o-q/messages?ids=nosuch")
    no_content(resp)
    assert resp.headers["content-location"] == (
        "/v1/queues/o-q/messages?ids=nosuch")
    no_content(client.get(f"/v1/queues/o-missing/messages?ids={one}"))
    # get by ids needs no Client-ID
    expect(client.get(f"/v1/queues/o-q/messages?ids={one}",
                      headers={"Client-ID": None}), 200)
    invalid(client.get("/v1/queues/o-q/messages?ids="
                       + ",".join(f"i{n}" for n in range(21))), LIMIT_RANGE)
    resp = client.get("/v1/queues/o-q/messages/nosuch")
    not_found(resp, "Message nosuch does not exist in queue o-q for project "
                    f"{project}")
    assert "content-location" not in resp.headers


# -- claims (#47-#58) ---------------------------------------------------------

def test_claims(client, project):
    client.put("/v1/queues/o-q")
    one, two = post(client, "o-q", {"ttl": 300, "body": {"event": "one"}},
                    {"ttl": 60, "body": "two"})
    path = "/v1/queues/o-q/claims"
    bad_body(client.post(path, json={"ttl": 60}), 'Missing "grace" field.')
    bad_body(client.post(path, json={"grace": 60}), 'Missing "ttl" field.')
    # each field whole before the next, as upstream
    bad_body(client.post(path, json={"ttl": "a"}),
             'The value of the "ttl" field must be a int.')
    no_length(client, "POST", path)
    bad_body(client.post(path, json=[1]), "Document type not supported.")
    invalid(client.post(path, json={"ttl": 30, "grace": 60}),
            "The TTL for a claim may not exceed 43200 seconds, and must be "
            "at least 60 seconds long.")
    invalid(client.post(path, json={"ttl": 60, "grace": 30}),
            "The grace for a claim may not exceed 43200 seconds, and must "
            "be at least 60 seconds long.")
    invalid(client.post(path + "?limit=21", json={"ttl": 60, "grace": 60}),
            LIMIT_RANGE)

    resp = client.post(path + "?limit=1", json={"ttl": 60, "grace": 60})
    cid = resp.headers["location"].rsplit("/", 1)[1]
    subs = {"one": one, "two": two, "cid": cid}
    expect(resp, 201, "[" + v1_message("o-q", "one", 300, '{"event": "one"}',
                                       "cid") + "]", subs,
           headers={"location": f"/v1/queues/o-q/claims/{cid}"})
    expect(client.get(f"{path}/{cid}"), 200,
           '{"age": 0, "ttl": 60, "messages": [' + v1_message(
               "o-q", "one", 300, '{"event": "one"}', "cid")
           + '], "href": "/v1/queues/o-q/claims/<cid>"}', subs,
           headers={"content-location": f"/v1/queues/o-q/claims/{cid}"})
    # renew: grace optional (0), ttl required
    no_content(client.patch(f"{path}/{cid}", json={"ttl": 120}))
    assert client.get(f"{path}/{cid}").json()["ttl"] == 120
    bad_body(client.patch(f"{path}/{cid}", json={}), 'Missing "ttl" field.')
    no_length(client, "PATCH", f"{path}/{cid}")
    for nosuch in ("nosuch", str(uuid.uuid4())):
        resp = client.get(f"{path}/{nosuch}")
        not_found(resp, f"Claim {nosuch} does not exist in queue o-q for "
                        f"project {project}")
        assert "content-location" not in resp.headers
        not_found(client.patch(f"{path}/{nosuch}", json={"ttl": 60}),
                  f"Claim {nosuch} does not exist in queue o-q for project "
                  f"{project}")

    expect_error(client.delete(f"/v1/queues/o-q/messages/{one}"), 403,
                 "Unable to delete", "This message is claimed; it cannot be "
                                     "deleted without a valid claim ID.")
    no_content(client.delete(f"/v1/queues/o-q/messages/{one}?claim_id={cid}"))
    no_content(client.delete(f"{path}/{cid}"))
    no_content(client.delete(f"{path}/{cid}"))

    resp = client.post(path + "?limit=5", json={"ttl": 120, "grace": 60})
    cid2 = resp.headers["location"].rsplit("/", 1)[1]
    # the message's TTL grows to outlive the claim (ttl + grace), as in v2
    expect(resp, 201, "[" + v1_message("o-q", "two", 180, '"two"', "cid2")
           + "]", dict(subs, cid2=cid2))
    no_content(client.post(path + "?limit=5", json={"ttl": 60, "grace": 60}))
    # claims need no Client-ID in v1
    no_content(client.post(path, json={"ttl": 60, "grace": 60},
                           headers={"Client-ID": None}))


# -- bulk delete, health, removed routes, delete (#59-#67) -------------------

def test_bulk_delete(client):
    client.put("/v1/queues/o-q")
    one, two, three = post(client, "o-q", *({"ttl": 60, "body": n}
                                            for n in range(3)))
    for query in ("", "?pop=1"):
        expect_error(client.delete("/v1/queues/o-q/messages" + query), 400,
                     "Missing parameter", 'The "ids" parameter is required.')
    invalid(client.delete("/v1/queues/o-q/messages?ids="
                          + ",".join(f"i{n}" for n in range(21))),
            LIMIT_RANGE)
    no_content(client.delete(f"/v1/queues/o-q/messages?ids={one},{two},b"))
    assert [m["body"] for m in client.get(
        "/v1/queues/o-q/messages?echo=true").json()["messages"]] == [2]
    no_content(client.delete("/v1/queues/o-q/messages?ids=a,b"))


def test_health_is_a_liveness_probe(client):
    no_content(client.get("/v1/health"))
    no_content(client.head("/v1/health"))
    no_content(client.get("/v1/health", headers={"Client-ID": None,
                                                 "X-Project-ID": None}))


@pytest.mark.parametrize("method, path", [
    ("GET", "/v1/ping"), ("POST", "/v1/queues/o-q/subscriptions"),
    ("POST", "/v1/queues/o-q/share"), ("POST", "/v1/queues/o-q/purge"),
    ("GET", "/v1/topics"), ("GET", "/v1/pools"), ("GET", "/v1/flavors"),
    ("GET", "/v1")])
def test_removed_routes(client, method, path):
    expect(client.request(method, path, json={}), 404, NOT_ROUTED)


# -- project scoping ----------------------------------------------------------

def test_unscoped_namespace_is_its_own(legacy_server, client):
    queue = "o-u-" + uuid.uuid4().hex[:12]
    unscoped = conftest.Client(legacy_server.url, None)
    try:
        created(unscoped.put(f"/v1/queues/{queue}"), f"/v1/queues/{queue}")
        one, = post(unscoped, queue, {"ttl": 60, "body": "global"})
        # X-Tenant-ID is not read by v1: still unscoped
        tenant = unscoped.get(f"/v1/queues/{queue}/messages/{one}",
                              headers={"X-Tenant-ID": "someone"})
        assert tenant.json()["body"] == "global"
        bodiless_404(client.get(f"/v1/queues/{queue}"),
                     f"/v1/queues/{queue}")
        no_queue(client.get(f"/v1/queues/{queue}/stats"), queue,
                 client.headers["X-Project-ID"])
        no_queue(unscoped.get("/v1/queues/o-nothere/metadata"), "o-nothere",
                 None)
        listed = unscoped.get(f"/v1/queues?marker={queue[:-1]}&limit=20")
        assert queue in [q["name"] for q in listed.json()["queues"]]
    finally:
        no_content(unscoped.delete(f"/v1/queues/{queue}"))


def test_reserved_attributes_set_through_v2_survive_a_v1_put(client):
    client.put("/v2/queues/o-r", json={"_default_message_ttl": 120,
                                       "description": "old"})
    expect(client.get("/v1/queues/o-r/metadata"), 200,
           '{"_default_message_ttl": 120, "description": "old"}')
    no_content(client.put("/v1/queues/o-r/metadata", json={"new": 1}),
               "/v1/queues/o-r/metadata")
    expect(client.get("/v1/queues/o-r/metadata"), 200,
           '{"new": 1, "_default_message_ttl": 120}')


# -- a store that does not answer ---------------------------------------------

def test_health_of_a_dead_store(tmp_path_factory):
    if "redis" not in ExtensionManager("zaqar.data.storage").names():
        pytest.skip("the redis driver is not installed")
    port = services.free_port()
    srv = Server(tmp_path_factory.mktemp("v1-dead-store"), {
        "DEFAULT": {"enable_deprecated_api_versions": "1"},
        "drivers": {"message_store": "redis"},
        "drivers:message_store:redis": {
            "uri": f"redis://127.0.0.1:{port}/0",
            "max_reconnect_attempts": 0, "socket_connect_timeout": 0.5},
    }).start()
    try:
        resp = requests.get(srv.url + "/v1/health", timeout=30)
        assert resp.status_code == 503 and resp.content == b""
        no_content(requests.head(srv.url + "/v1/health", timeout=30))
        expect_error(requests.get(srv.url + "/v1/queues", timeout=30), 503,
                     "Service temporarily unavailable",
                     "Queues could not be listed. Please try again in a few "
                     "seconds.")
    finally:
        srv.stop()


# -- pools (pooling) ----------------------------------------------------------

@pytest.fixture(scope="module")
def pooled(tmp_path_factory):
    srv = Server(tmp_path_factory.mktemp("v1-pooled"), {"DEFAULT": {
        "admin_mode": True, "pooling": True,
        "enable_deprecated_api_versions": "1"}}).start()
    yield srv
    srv.stop()


def test_pools(pooled, tmp_path):
    admin = conftest.Client(pooled.url, "p-admin")
    uri = f"sqlite:///{tmp_path}/pool1.sqlite"
    p1 = {"name": "p1", "uri": uri, "weight": 100, "flavor": None,
          "href": "/v1/pools/p1"}
    # an empty listing links to itself; no role is needed
    expect(admin.get("/v1/pools"), 200,
           '{"links": [{"rel": "next", "href": "/v1/pools"}], "pools": []}',
           headers={"content-location": "/v1/pools"})
    expect(admin.get("/v1/pools?limit=5&detailed=true&marker=zz"), 200,
           '{"links": [{"rel": "next", "href": '
           '"/v1/pools?limit=5&detailed=true"}], "pools": []}')
    for body in ({"weight": 100, "uri": uri},
                 {"weight": 100, "uri": uri, "options": {"a": 1}}):
        created(admin.put("/v1/pools/p1", json=body), "/v1/pools/p1")
    for body, starts in (
            ({"weight": 100, "uri": uri, "group": "g1"},
             "Additional properties are not allowed ('group' was "
             "unexpected)"),
            ({"weight": 100}, "'uri' is a required property")):
        resp = admin.put("/v1/pools/p2", json=body)
        assert resp.status_code == 400, resp.text
        assert resp.json()["title"] == "Invalid request body"
        assert resp.json()["description"].startswith(starts)
    bad_body(admin.put("/v1/pools/p2", json={
        "weight": 1, "uri": "redis://127.0.0.1:1"}),
        "cannot connect to redis://127.0.0.1:1")

    expect(admin.get("/v1/pools"), 200, dumps({
        "links": [{"rel": "next", "href": "/v1/pools?marker=p1"}],
        "pools": [p1]}), headers={"content-location": "/v1/pools"})
    expect(admin.get("/v1/pools?detailed=true&limit=1"), 200, dumps({
        "links": [{"rel": "next",
                   "href": "/v1/pools?limit=1&detailed=true&marker=p1"}],
        "pools": [{"name": "p1", "uri": uri, "weight": 100, "flavor": None,
                   "options": {"a": 1}, "href": "/v1/pools/p1"}]}))
    # the limit is not checked
    expect(admin.get("/v1/pools?limit=100"), 200)
    expect(admin.get("/v1/pools?limit=0"), 200,
           '{"links": [{"rel": "next", "href": "/v1/pools?limit=0"}], '
           '"pools": []}')
    expect(admin.get("/v1/pools/p1"), 200, dumps(p1),
           headers={"content-location": "/v1/pools/p1"})
    expect(admin.get("/v1/pools/p1?detailed=true"), 200,
           '{"name": "p1", "uri": "' + uri + '", "weight": 100, "flavor": '
           'null, "options": {"a": 1}, "href": "/v1/pools/p1"}',
           headers={"content-location": "/v1/pools/p1?detailed=true"})
    resp = admin.get("/v1/pools/nosuch")
    not_found(resp, "Pool nosuch does not exist")
    assert "content-location" not in resp.headers

    resp = admin.patch("/v1/pools/p1", json={"weight": 5})
    expect(resp, 200, headers={"content-length": "0", "content-type": JSON})
    assert admin.get("/v1/pools/p1").json()["weight"] == 5
    for body in ({}, {"flavor": "x"}):
        bad_body(admin.patch("/v1/pools/p1", json=body),
                 "One of `uri`, `weight`, or `options` needs to be specified")
    # flavor is not changed here
    expect(admin.patch("/v1/pools/p1", json={"weight": 6, "flavor": "x"}),
           200)
    assert admin.get("/v1/pools/p1").json()["flavor"] is None
    not_found(admin.patch("/v1/pools/nosuch", json={"weight": 5}),
              "Pool nosuch does not exist")
    no_content(admin.delete("/v1/pools/p1"))
    no_content(admin.delete("/v1/pools/nosuch"))
