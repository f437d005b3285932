"""v2 messages: post (every error), list (echo, paging, include_claimed,
include_delayed), get by id(s), delete rules, bulk delete, pop, id scoping,
checksums. Contract examples/v2-02-messages.txt (encryption is not covered
here) and the correct behaviours of v2-12-mongodb-differences.txt."""

from __future__ import annotations

import hashlib
import json
import uuid

import pytest

from tests.functional import conftest
from tests.functional.exchanges import (
    OTHER_CLIENT_ID, bad_body, bodies, claim, dumps, expect, expect_error,
    invalid, no_content, not_found, post_messages, raw, raw_request)
from tests.functional.server import Server

EMPTY = '{"messages": [], "links": []}'
TTL_RANGE = ("The TTL for a message may not exceed 1209600 seconds, and must "
             "be at least 60 seconds long.")
DELAY_RANGE = ("The Delay TTL for a message may not exceed 900 seconds,and "
               "must be at least 0 seconds long.")
LIMIT_RANGE = "Limit must be at least 1 and may not be greater than 20."
CLAIMED = ("Unable to delete", "This message is claimed; it cannot be "
                               "deleted without a valid claim ID.")
NO_CLAIM = ("Unable to delete", "The specified claim does not exist or has "
                                "expired.")
NOT_CLAIMED = ("Unable to delete", "A claim was specified, but the message is "
                                   "not currently claimed.")


def message(queue: str, name: str, ttl: int, body: str,
            claim_id: str | None = None) -> str:
    """One message as listed, with ``<name>`` standing for its id."""
    href = f"/v2/queues/{queue}/messages/<{name}>"
    if claim_id:
        href += f"?claim_id=<{claim_id}>"
    return (f'{{"id": "<{name}>", "href": "{href}", "ttl": {ttl}, '
            f'"age": 0, "body": {body}}}')


def page(items: list[str], next_href: str | None) -> str:
    links = (f'[{{"rel": "next", "href": "{next_href}"}}]'
             if next_href else "[]")
    return '{"messages": [' + ", ".join(items) + '], "links": ' + links + "}"


@pytest.fixture
def other(server, project):
    """Another client of the same project."""
    return conftest.Client(server.url, project, OTHER_CLIENT_ID)


@pytest.fixture
def c_m(client):
    """The queue of the recorded exchanges: two messages, then one with a
    per-message delay of 0."""
    a, b = post_messages(client, "c-m",
                         {"ttl": 300, "body": {"event": "BackupStarted"}},
                         {"body": "default ttl"})
    [c] = post_messages(client, "c-m", {"body": "third", "delay": 0})
    return {"a": a, "b": b, "c": c}


A = message("c-m", "a", 300, '{"event": "BackupStarted"}')
B = message("c-m", "b", 3600, '"default ttl"')
C = message("c-m", "c", 3600, '"third"')


# -- post ---------------------------------------------------------------------

def test_post_creates_the_queue(client):
    resp = client.post("/v2/queues/c-m/messages", data=(
        b'{"messages": [{"ttl": 300, "body": {"event": "BackupStarted"}}, '
        b'{"body": "default ttl"}]}'),
        headers={"Content-Type": "application/json"})
    ids = [href.rsplit("/", 1)[1] for href in resp.json()["resources"]]
    expect(resp, 201, '{"resources": ["/v2/queues/c-m/messages/<a>", '
                      '"/v2/queues/c-m/messages/<b>"]}',
           {"a": ids[0], "b": ids[1]},
           headers={"location": f"/v2/queues/c-m/messages?ids={ids[0]},"
                                f"{ids[1]}"})
    assert len(set(ids)) == 2
    expect(client.get("/v2/queues"), 200,
           '{"queues": [{"name": "c-m", "href": "/v2/queues/c-m"}], '
           '"links": [{"rel": "next", "href": "/v2/queues?marker=c-m"}]}')


def test_post_keeps_the_array_order(client):
    ids = post_messages(client, "c-o", *({"body": i} for i in range(20)))
    resp = client.get("/v2/queues/c-o/messages?echo=true&limit=20")
    assert [m["id"] for m in resp.json()["messages"]] == ids
    assert bodies(resp) == list(range(20))


@pytest.mark.parametrize("body", [
    None, 0, -1.5, "", "text", [], [1, "two"], {}, {"nested": {"k": [1]}},
    True, "é" * 10])
def test_any_json_body(client, body):
    [mid] = post_messages(client, "c-b", {"body": body})
    assert client.get(f"/v2/queues/c-b/messages/{mid}").json()[
        "body"] == body


@pytest.mark.parametrize("data, title, description", [
    (b'[{"ttl": 60, "body": 1}]', "Invalid API request",
     "No messages were found in the request body."),
    (b'{"other": []}', "Invalid API request",
     "No messages were found in the request body."),
    (b'{"messages": []}', "Invalid API request", "No messages to enqueu."),
    (b"", "Invalid request body", "Request body could not be parsed."),
    (b'{"messages": {"body": 1}}', "Invalid request body",
     "Document type not supported."),
    (b'{"messages": "x"}', "Invalid request body",
     "Document type not supported."),
    (b'{"messages": null}', "Invalid request body",
     "Document type not supported."),
    # UPSTREAM BUG: a message that is not an object was a 500
    (b'{"messages": [1]}', "Invalid request body",
     "Document type not supported."),
    (b'{"messages": [{"body": 1}, []]}', "Invalid request body",
     "Document type not supported."),
    (b'{"messages": [{"ttl": 60}]}', "Invalid request body",
     'Missing "body" field.'),
    (b'{"messages": [{"ttl": "60", "body": 1}]}', "Invalid request body",
     'The value of the "ttl" field must be a int.'),
    (b'{"messages": [{"ttl": 60.5, "body": 1}]}', "Invalid request body",
     'The value of the "ttl" field must be a int.'),
    (b'{"messages": [{"ttl": null, "body": 1}]}', "Invalid request body",
     'The value of the "ttl" field must be a int.'),
    (b'{"messages": [{"delay": "1", "body": 1}]}', "Invalid request body",
     'The value of the "delay" field must be a int.'),
    (b'{"messages": [{"ttl": 59, "body": 1}]}', "Invalid API request",
     TTL_RANGE),
    (b'{"messages": [{"ttl": -60, "body": 1}]}', "Invalid API request",
     TTL_RANGE),
    (b'{"messages": [{"ttl": 1209601, "body": 1}]}', "Invalid API request",
     TTL_RANGE),
    (b'{"messages": [{"ttl": true, "body": 1}]}', "Invalid API request",
     TTL_RANGE),
    # UPSTREAM BUG: a per-message delay was not validated without a queue
    # default delay
    (b'{"messages": [{"delay": 901, "body": 1}]}', "Invalid API request",
     DELAY_RANGE),
    (b'{"messages": [{"delay": -1, "body": 1}]}', "Invalid API request",
     DELAY_RANGE),
    # all or nothing: a bad second message stores nothing
    (b'{"messages": [{"body": 1}, {"ttl": 1, "body": 2}]}',
     "Invalid API request", TTL_RANGE),
    (b'{"messages": [{"body": 1}, {"body": 2, "ttl": "x"}]}',
     "Invalid request body", 'The value of the "ttl" field must be a int.'),
])
def test_post_errors_store_nothing(client, data, title, description):
    resp = client.post("/v2/queues/c-m/messages", data=data,
                       headers={"Content-Type": "application/json"})
    expect_error(resp, 400, title, description)
    expect(client.get("/v2/queues/c-m/stats"), 200,
           '{"messages": {"claimed": 0, "free": 0, "total": 0}}')


def test_post_without_body(client, project):
    resp = raw(client.base_url, raw_request(
        "POST", "/v2/queues/c-m/messages", {
            "Client-ID": conftest.CLIENT_ID, "X-Project-ID": project}))
    assert resp.status == 400
    assert resp.body.decode() == dumps({
        "title": "Invalid request body",
        "description": "Request body can not be empty"})
    bad_body(client.post("/v2/queues/c-m/messages", data=b""),
             "Request body could not be parsed.")


def test_post_too_large(client):
    data = dumps({"messages": [{"body": "x" * 262144}]})
    assert len(data) == 262172
    invalid(client.post("/v2/queues/c-m/messages", data=data),
            "Message collection size is too large. Max size 262144")
    data = dumps({"messages": [{"body": "x" * (262144 - 28)}]})
    assert len(data) == 262144
    expect(client.post("/v2/queues/c-m/messages", data=data), 201)


def test_post_larger_than_the_queue_limit(client):
    client.put("/v2/queues/c-small", json={"_max_messages_post_size": 100})
    data = dumps({"messages": [{"body": "x" * 100}]})
    assert len(data) == 128
    invalid(client.post("/v2/queues/c-small/messages", data=data),
            "Message collection size is too large. The max size for current "
            "queue is 100. It is calculated by max size = "
            "min(max_messages_post_size_config: 262144, "
            "max_messages_post_size_queue: 100).")
    expect(client.post("/v2/queues/c-small/messages",
                       data=dumps({"messages": [{"body": "x" * 72}]})), 201)


def test_post_uses_the_queue_default_ttl(client):
    client.put("/v2/queues/c-t", json={"_default_message_ttl": 600})
    post_messages(client, "c-t", {"body": 1}, {"body": 2, "ttl": 120})
    resp = client.get("/v2/queues/c-t/messages?echo=true")
    assert [m["ttl"] for m in resp.json()["messages"]] == [600, 120]


def test_other_message_keys_are_dropped(client):
    [mid] = post_messages(client, "c-k", {"body": 1, "extra": "x", "id": "y"})
    expect(client.get(f"/v2/queues/c-k/messages/{mid}"), 200,
           message("c-k", "m", 3600, "1"), {"m": mid})


# -- per-message delay (UPSTREAM BUG: dropped without a queue default) --------

def test_per_message_delay_is_applied_on_any_queue(client, other):
    [delayed] = post_messages(client, "c-pd", {"body": "later", "delay": 30})
    [now] = post_messages(client, "c-pd", {"body": "now"})
    # delayed messages cannot be claimed nor popped
    claim_id, claimed = claim(client, "c-pd")
    assert [m["id"] for m in claimed] == [now]
    expect(client.delete(f"/v2/queues/c-pd/claims/{claim_id}"), 204)
    resp = client.delete("/v2/queues/c-pd/messages?pop=5")
    expect(resp, 200)
    assert [m["id"] for m in resp.json()["messages"]] == [now]
    # explicitly excluded from listings...
    expect(other.get("/v2/queues/c-pd/messages?include_delayed=false"), 200,
           EMPTY)
    # ...listed when asked, and by default on a queue without a default
    # delay (the links say include_delayed=true, as upstream's do)
    items = [message("c-pd", "d", 3600, '"later"')]
    for query in ("", "?include_delayed=true"):
        expect(other.get("/v2/queues/c-pd/messages" + query), 200,
               page(items, "/v2/queues/c-pd/messages?include_delayed=true&"
                           "marker=<d>"), {"d": delayed})
    # by id it is always there
    expect(client.get(f"/v2/queues/c-pd/messages/{delayed}"), 200,
           items[0], {"d": delayed})


def test_per_message_delay_on_a_queue_with_a_default_delay(client):
    client.put("/v2/queues/c-d", json={"_default_message_delay": 30})
    invalid(client.post("/v2/queues/c-d/messages",
                        json={"messages": [{"body": "x", "delay": 901}]}),
            DELAY_RANGE)
    queue_default, no_delay = post_messages(
        client, "c-d", {"body": "queue default delay"},
        {"body": "no delay", "delay": 0})
    expect(client.get("/v2/queues/c-d/messages?echo=true"), 200,
           page([message("c-d", "n", 3600, '"no delay"')],
                "/v2/queues/c-d/messages?echo=true&marker=<n>"),
           {"n": no_delay})
    expect(client.get("/v2/queues/c-d/messages?echo=true&"
                      "include_delayed=true"), 200,
           page([message("c-d", "q", 3600, '"queue default delay"'),
                 message("c-d", "n", 3600, '"no delay"')],
                "/v2/queues/c-d/messages?echo=true&include_delayed=true&"
                "marker=<n>"), {"q": queue_default, "n": no_delay})


# -- list ---------------------------------------------------------------------

def test_echo_hides_own_messages(client, other, c_m):
    expect(client.get("/v2/queues/c-m/messages"), 200, EMPTY)
    expect(other.get("/v2/queues/c-m/messages"), 200, page(
        [A, B, C], "/v2/queues/c-m/messages?include_delayed=true&marker=<c>"),
        c_m)


def test_paging_with_echo_and_limit(client, c_m):
    expect(client.get("/v2/queues/c-m/messages?echo=true&limit=2"), 200,
           page([A, B], "/v2/queues/c-m/messages?limit=2&echo=true&"
                        "include_delayed=true&marker=<b>"), c_m)
    href = (f"/v2/queues/c-m/messages?limit=2&echo=true&include_delayed=true&"
            f"marker={c_m['b']}")
    expect(client.get(href), 200, page(
        [C], "/v2/queues/c-m/messages?marker=<c>&limit=2&echo=true&"
             "include_delayed=true"), c_m)
    # the marker is exclusive, also when it is the first message
    expect(client.get(f"/v2/queues/c-m/messages?echo=true&marker="
                      f"{c_m['a']}"), 200, page(
        [B, C], "/v2/queues/c-m/messages?marker=<c>&echo=true&"
                "include_delayed=true"), c_m)
    expect(client.get(f"/v2/queues/c-m/messages?echo=true&marker="
                      f"{c_m['c']}"), 200, EMPTY)


def test_python_style_booleans(client, c_m):
    expect(client.get("/v2/queues/c-m/messages?echo=True"), 200, page(
        [A, B, C], "/v2/queues/c-m/messages?echo=true&include_delayed=true&"
                   "marker=<c>"), c_m)


def test_include_claimed_without_marker(client, c_m):
    claim_id, _ = claim(client, "c-m", limit=1, ttl=100)
    a_claimed = message("c-m", "a", 300, '{"event": "BackupStarted"}',
                        claim_id="cid")
    subs = dict(c_m, cid=claim_id)
    # UPSTREAM BUG (redis): 503 without a marker
    expect(client.get("/v2/queues/c-m/messages?echo=true&"
                      "include_claimed=true"), 200, page([a_claimed, B, C],
                     "/v2/queues/c-m/messages?echo=true&include_claimed=true&"
                     "include_delayed=true&marker=<c>"), subs)
    # an unknown marker starts from the head
    expect(client.get("/v2/queues/c-m/messages?echo=true&include_claimed=true&"
                      "marker=x"), 200,
           page([a_claimed, B, C],
                "/v2/queues/c-m/messages?marker=<c>&echo=true&"
                "include_claimed=true&include_delayed=true"), subs)
    # claimed messages are hidden by default
    expect(client.get("/v2/queues/c-m/messages?echo=true"), 200, page(
        [B, C], "/v2/queues/c-m/messages?echo=true&include_delayed=true&"
                "marker=<c>"), c_m)


def test_following_next_links_visits_every_message_once(client):
    ids = post_messages(client, "c-many", *({"body": i} for i in range(25)))
    seen, href = [], "/v2/queues/c-many/messages?echo=true&limit=7"
    while True:
        resp = client.get(href).json()
        if not resp["messages"]:
            assert resp["links"] == []
            break
        seen.extend(m["id"] for m in resp["messages"])
        href = resp["links"][0]["href"]
    assert seen == ids


def test_list_limits(client, c_m):
    invalid(client.get("/v2/queues/c-m/messages?limit=0"), LIMIT_RANGE)
    invalid(client.get("/v2/queues/c-m/messages?limit=21"), LIMIT_RANGE)
    expect_error(client.get("/v2/queues/c-m/messages?limit=x"), 400,
                 "Invalid parameter", 'The "limit" parameter is invalid. The '
                 "value must be an integer.")
    for name in ("echo", "include_claimed", "include_delayed"):
        # every flag is read before the limit's range is checked
        expect_error(client.get(f"/v2/queues/c-m/messages?limit=21&"
                                f"{name}=maybe"), 400,
                     "Invalid parameter", f'The "{name}" parameter is '
                     'invalid. The value of the parameter must be "true" or '
                     '"false".')


def test_default_limit_is_ten(client):
    post_messages(client, "c-ten", *({"body": i} for i in range(12)))
    resp = client.get("/v2/queues/c-ten/messages?echo=true")
    assert bodies(resp) == list(range(10))


def test_list_missing_queue(client):
    expect(client.get("/v2/queues/c-nosuch/messages?echo=true"), 200, EMPTY)


# -- get by id(s) -------------------------------------------------------------

def test_get_one(client, c_m):
    expect(client.get(f"/v2/queues/c-m/messages/{c_m['a']}"), 200, A, c_m)


def test_get_several_in_the_order_asked(client, c_m):
    ids = f"{c_m['b']},{c_m['a']},nosuch"
    expect(client.get(f"/v2/queues/c-m/messages?ids={ids}"), 200,
           '{"messages": [' + B + ", " + A + "]}", c_m)
    # repeated keys work like a list; other parameters are ignored
    expect(client.get(f"/v2/queues/c-m/messages?ids={c_m['a']}&"
                      f"ids={c_m['b']}&limit=abc&echo=maybe"), 200,
           '{"messages": [' + A + ", " + B + "]}", c_m)


def test_get_by_ids_includes_claimed_own_and_delayed(client, c_m):
    claim_id, _ = claim(client, "c-m", limit=1, ttl=100)
    [delayed] = post_messages(client, "c-m", {"body": "d", "delay": 60})
    resp = client.get(f"/v2/queues/c-m/messages?ids={c_m['a']},{delayed}")
    expect(resp, 200, '{"messages": [' + message(
        "c-m", "a", 300, '{"event": "BackupStarted"}', "cid") + ", "
        + message("c-m", "d", 3600, '"d"') + "]}",
        dict(c_m, cid=claim_id, d=delayed))


def test_get_errors(client, project, c_m):
    not_found(client.get("/v2/queues/c-m/messages?ids=nosuch1,nosuch2"),
              "No messages with IDs: ['nosuch1', 'nosuch2'] found in the "
              f"queue c-m for project {project}.")
    invalid(client.get("/v2/queues/c-m/messages?ids=" + ",".join(
        f"x{i}" for i in range(21))), LIMIT_RANGE)
    # separators and no id: not a listing (as upstream)
    invalid(client.get("/v2/queues/c-m/messages?ids=,,"), LIMIT_RANGE)
    not_found(client.get("/v2/queues/c-m/messages/nosuch"),
              f"Message nosuch does not exist in queue c-m for project "
              f"{project}")
    not_found(client.get("/v2/queues/c-nosuch/messages/abc"),
              f"Queue c-nosuch does not exist for project {project}")
    not_found(client.get("/v2/queues/c-nosuch/messages?ids=abc"),
              f"No messages with IDs: ['abc'] found in the queue c-nosuch for "
              f"project {project}.")


def test_twenty_ids(client):
    ids = post_messages(client, "c-20", *({"body": i} for i in range(20)))
    resp = client.get("/v2/queues/c-20/messages?ids=" + ",".join(ids))
    assert bodies(resp) == list(range(20))


# -- ids are scoped to queue + project (UPSTREAM BUG in redis) ----------------

def test_message_ids_are_scoped(client, project):
    [mid] = post_messages(client, "c-x1", {"body": "secret of c-x1"})
    other_project = {"X-Project-ID": "other-" + project}
    client.put("/v2/queues/c-x2", headers=other_project)
    client.put("/v2/queues/c-x3")
    for queue, headers, owner in [("c-x2", other_project, "other-" + project),
                                  ("c-x3", {}, project),
                                  ("c-x1", other_project,
                                   "other-" + project)]:
        missing = (f"Message {mid} does not exist in queue {queue} for "
                   f"project {owner}")
        if queue == "c-x1":  # no such queue in the other project
            missing = f"Queue c-x1 does not exist for project {owner}"
        not_found(client.get(f"/v2/queues/{queue}/messages/{mid}",
                             headers=headers), missing)
        not_found(client.get(f"/v2/queues/{queue}/messages?ids={mid}",
                             headers=headers),
                  f"No messages with IDs: ['{mid}'] found in the queue "
                  f"{queue} for project {owner}.")
        no_content(client.delete(f"/v2/queues/{queue}/messages/{mid}",
                                 headers=headers))
        no_content(client.delete(f"/v2/queues/{queue}/messages?ids={mid}",
                                 headers=headers))
        expect(client.delete(f"/v2/queues/{queue}/messages?pop=1",
                             headers=headers), 200, '{"messages": []}')
    expect(client.get(f"/v2/queues/c-x1/messages/{mid}"), 200,
           message("c-x1", "m", 3600, '"secret of c-x1"'), {"m": mid})


# -- delete one ---------------------------------------------------------------

def test_delete_rules(client, project, c_m):
    claim_id, _ = claim(client, "c-m", limit=1, ttl=100)  # takes a
    other_claim, _ = claim(client, "c-m", limit=1)  # takes b
    a = c_m["a"]
    expect(client.get(f"/v2/queues/c-m/messages/{a}"), 200, message(
        "c-m", "a", 300, '{"event": "BackupStarted"}', "cid"),
        dict(c_m, cid=claim_id))
    expect_error(client.delete(f"/v2/queues/c-m/messages/{a}"), 403, *CLAIMED)
    expect_error(client.delete(f"/v2/queues/c-m/messages/{a}?claim_id=not-a-"
                               "uuid"), 400, *NO_CLAIM)
    expect_error(client.delete(f"/v2/queues/c-m/messages/{a}?claim_id="
                               "00000000-0000-0000-0000-000000000000"), 400,
                 *NO_CLAIM)
    # a wrong but live claim: 403
    expect_error(client.delete(f"/v2/queues/c-m/messages/{a}?claim_id="
                               f"{other_claim}"), 403, *CLAIMED)
    expect_error(client.delete(f"/v2/queues/c-m/messages/{c_m['c']}?claim_id="
                               f"{claim_id}"), 400, *NOT_CLAIMED)
    assert client.get("/v2/queues/c-m/stats").json()["messages"]["total"] == 3
    no_content(client.delete(f"/v2/queues/c-m/messages/{a}?claim_id="
                             f"{claim_id}"))
    no_content(client.delete(f"/v2/queues/c-m/messages/{a}"))
    no_content(client.delete("/v2/queues/c-nosuch/messages/abc"))
    not_found(client.get(f"/v2/queues/c-m/messages/{a}"),
              f"Message {a} does not exist in queue c-m for project "
              f"{project}")


def test_delete_unclaimed(client, c_m):
    no_content(client.delete(f"/v2/queues/c-m/messages/{c_m['c']}"))
    assert client.get("/v2/queues/c-m/stats").json()["messages"]["total"] == 2


def test_delete_after_release_needs_no_claim(client, c_m):
    claim_id, _ = claim(client, "c-m", limit=1)
    no_content(client.delete(f"/v2/queues/c-m/claims/{claim_id}"))
    expect_error(client.delete(f"/v2/queues/c-m/messages/{c_m['a']}?claim_id="
                               f"{claim_id}"), 400, *NOT_CLAIMED)
    no_content(client.delete(f"/v2/queues/c-m/messages/{c_m['a']}"))


def test_delete_gone_message_ignores_a_malformed_claim_id(client, c_m):
    """Deleting what is not there succeeds whatever the claim id; one that
    is there (unclaimed) is refused for the malformed id."""
    for path in (f"/v2/queues/c-m/messages/{c_m['a']}x",
                 f"/v2/queues/c-nosuch/messages/{c_m['a']}"):
        no_content(client.delete(path + "?claim_id=not-a-uuid"))
    expect_error(client.delete(f"/v2/queues/c-m/messages/{c_m['c']}?claim_id="
                               "not-a-uuid"), 400, *NO_CLAIM)
    assert client.get("/v2/queues/c-m/stats").json()["messages"]["total"] == 3


# -- bulk delete and pop ------------------------------------------------------

def test_bulk_delete_ignores_claims_and_unknown_ids(client, c_m):
    claim(client, "c-m", limit=1)
    no_content(client.delete(f"/v2/queues/c-m/messages?ids={c_m['a']},"
                             f"{c_m['b']},nosuch"))
    expect(client.get("/v2/queues/c-m/messages?echo=true&"
                      "include_claimed=true"), 200,
           page([C], "/v2/queues/c-m/messages?echo=true&include_claimed="
                     "true&include_delayed=true&marker=<c>"), c_m)
    no_content(client.delete("/v2/queues/c-nosuch/messages?ids=a,b"))


def test_pop(client, c_m):
    claim(client, "c-m", limit=1)
    resp = client.delete("/v2/queues/c-m/messages?pop=5")
    assert resp.status_code == 200, resp.text
    popped = resp.json()["messages"]
    cid = popped[0]["claim_id"]
    uuid.UUID(cid)
    expect(resp, 200,
           '{"messages": [{"id": "<b>", "age": 0, "ttl": 3600, "body": '
           '"default ttl", "claim_id": "<cid>", "claim_count": 0}, {"id": '
           '"<c>", "age": 0, "ttl": 3600, "body": "third", "claim_id": '
           '"<cid>", "claim_count": 0}]}', dict(c_m, cid=cid))
    expect(client.delete("/v2/queues/c-m/messages?pop=5"), 200,
           '{"messages": []}')
    assert client.get("/v2/queues/c-m/stats").json()["messages"]["total"] == 1
    expect(client.delete("/v2/queues/c-nosuch/messages?pop=2"), 200,
           '{"messages": []}')


def test_pop_takes_fifo_up_to_the_limit(client):
    post_messages(client, "c-pop", *({"body": i} for i in range(25)))
    resp = client.delete("/v2/queues/c-pop/messages?pop=20")
    assert bodies(resp) == list(range(20))
    assert bodies(client.delete("/v2/queues/c-pop/messages?pop=20")) == [
        20, 21, 22, 23, 24]


@pytest.mark.parametrize("query, description", [
    ("", 'The request should have either "ids" or "pop" parameter in the '
         "request, to be able to delete."),
    ("?ids=&pop=", 'The request should have either "ids" or "pop" parameter '
                   "in the request, to be able to delete."),
    ("?ids=a&pop=1", "pop and id params cannot be present together in the "
                     "delete request."),
    ("?pop=0", "Pop value must be at least 1 and may not be greater than 20."),
    ("?pop=21", "Pop value must be at least 1 and may not be greater than "
                "20."),
    ("?ids=" + ",".join(f"x{i}" for i in range(21)),
     "ids parameter should have at least 1 and not greater than 20 values."),
    ("?ids=,", "ids parameter should have at least 1 and not greater than 20 "
               "values."),
])
def test_delete_many_errors(client, c_m, query, description):
    invalid(client.delete("/v2/queues/c-m/messages" + query), description)
    assert client.get("/v2/queues/c-m/stats").json()["messages"]["total"] == 3


def test_pop_not_an_integer(client):
    expect_error(client.delete("/v2/queues/c-m/messages?pop=x"), 400,
                 "Invalid parameter", 'The "pop" parameter is invalid. The '
                 "value must be an integer.")


# -- options that change representations --------------------------------------

@pytest.fixture(scope="module")
def checksum_server(tmp_path_factory):
    srv = Server(tmp_path_factory.mktemp("server-checksum"), {
        "DEFAULT": {"enable_checksum": True},
        "transport": {"message_delete_with_claim_id": True}}).start()
    yield srv
    srv.stop()


def test_checksum(checksum_server):
    client = conftest.Client(checksum_server.url, "p-" + uuid.uuid4().hex)
    body = {"k": ["é", 1]}
    [mid] = post_messages(client, "c-sum", {"body": body})
    digest = "MD5:" + hashlib.md5(json.dumps(body).encode()).hexdigest()
    expected = (f'{{"id": "<m>", "href": "/v2/queues/c-sum/messages/<m>", '
                f'"ttl": 3600, "age": 0, "body": {dumps(body)}, '
                f'"checksum": "{digest}"}}')
    expect(client.get(f"/v2/queues/c-sum/messages/{mid}"), 200, expected,
           {"m": mid})
    expect(client.get("/v2/queues/c-sum/messages?echo=true"), 200, page(
        [expected], "/v2/queues/c-sum/messages?echo=true&include_delayed=true&"
                    "marker=<m>"), {"m": mid})
    resp = client.get("/v2/queues/c-sum/stats").json()["messages"]
    assert resp["oldest"]["checksum"] == digest
    # pop answers carry it too, last (as upstream 23.0.1 does)
    popped = client.delete("/v2/queues/c-sum/messages?pop=1").json()
    assert list(popped["messages"][0]) == [
        "id", "age", "ttl", "body", "claim_id", "claim_count", "checksum"]
    assert popped["messages"][0]["checksum"] == digest


def test_bulk_delete_with_claim_ids(checksum_server):
    """[transport] message_delete_with_claim_id = True."""
    client = conftest.Client(checksum_server.url, "p-" + uuid.uuid4().hex)
    a, b, c = post_messages(client, "c-bd", {"body": 1}, {"body": 2},
                            {"body": 3})
    both = ('The request should have both "ids" and "claim_ids" parameter in '
            "the request when message_delete_with_claim_id is True.")
    invalid(client.delete(f"/v2/queues/c-bd/messages?ids={a}"), both)
    invalid(client.delete("/v2/queues/c-bd/messages?claim_ids="
                          f"{uuid.uuid4()}"),
            'The request should have either "ids" or "pop" parameter in the '
            "request, to be able to delete.")
    # claim ids without ids, and ids without claim ids, are refused before
    # the ranges are checked (as upstream)
    for query in (f"pop=1&claim_ids={uuid.uuid4()}",
                  f"pop=0&claim_ids={uuid.uuid4()}",
                  "ids=" + ",".join([a] * 21)):
        invalid(client.delete(f"/v2/queues/c-bd/messages?{query}"), both)
    invalid(client.delete("/v2/queues/c-bd/messages?ids=,&claim_ids=x"),
            "ids parameter should have at least 1 and not greater than 20 "
            "values.")
    claim_id, _ = claim(client, "c-bd", limit=2)
    # c is not claimed: refused, nothing deleted
    expect_error(client.delete(f"/v2/queues/c-bd/messages?ids={a},{c}&"
                               f"claim_ids={claim_id}"), 400, *NOT_CLAIMED)
    other_id = str(uuid.uuid4())
    expect_error(client.delete(f"/v2/queues/c-bd/messages?ids={a}&claim_ids="
                               f"{other_id}"), 403, *CLAIMED)
    assert client.get("/v2/queues/c-bd/stats").json()["messages"]["total"] == 3
    no_content(client.delete(f"/v2/queues/c-bd/messages?ids={a},{b}&claim_ids="
                             f"{claim_id}"))
    assert client.get("/v2/queues/c-bd/stats").json()["messages"]["total"] == 1
    # pop needs no claim ids
    assert bodies(client.delete("/v2/queues/c-bd/messages?pop=1")) == [3]


# -- inputs that stores treat specially ---------------------------------------

@pytest.mark.parametrize("body", [
    {"a.b": 1, "$x": {"$y": [{"c.d": None}]}, "_id": 5, "": 0},
    {"\u0000": "nul"}, ["$set", {"$inc": 1}],
    {"big": 9223372036854775807, "neg": -9223372036854775808},
    {"f": 1.5e300, "g": -0.0}, "x" * 1000])
def test_odd_bodies_round_trip(client, body):
    [mid] = post_messages(client, "c-odd", {"body": body})
    for resp in (client.get(f"/v2/queues/c-odd/messages/{mid}"),
                 client.get(f"/v2/queues/c-odd/messages?ids={mid}"),
                 client.get("/v2/queues/c-odd/messages?echo=true")):
        found = resp.json()
        found = found["messages"][0] if "messages" in found else found
        assert found["body"] == body
    _, claimed = claim(client, "c-odd")
    assert claimed[0]["body"] == body
    resp = client.get("/v2/queues/c-odd/stats").json()["messages"]
    assert resp["oldest"]["body"] == body
