"""v2 claims: create (selection, TTL extension, errors), get, renew,
release, dead letter queue, delayed messages, concurrency. Contract
examples/v2-03-claims.txt and the correct behaviours of
v2-12-mongodb-differences.txt (claims never steal)."""

from __future__ import annotations

import threading
import time

import pytest
import requests

from tests.functional import conftest
from tests.functional.exchanges import (
    bodies, claim, dumps, expect, expect_error, no_content, not_found,
    post_messages, raw, raw_request)

LIMIT_RANGE = "Limit must be at least 1 and may not be greater than 20."
TTL_RANGE = ("The TTL for a claim may not exceed 43200 seconds, and must be "
             "at least 60 seconds long.")
GRACE_RANGE = ("The grace for a claim may not exceed 43200 seconds, and must "
               "be at least 60 seconds long.")


def claimed(queue: str, name: str, ttl: int, body: str, cid: str = "cid"
            ) -> str:
    return (f'{{"id": "<{name}>", "href": "/v2/queues/{queue}/messages/'
            f'<{name}>?claim_id=<{cid}>", "ttl": {ttl}, "age": 0, "body": '
            f'{body}}}')


def claim_location(queue: str, resp: requests.Response) -> str:
    prefix = f"/v2/queues/{queue}/claims/"
    location = resp.headers["location"]
    assert location.startswith(prefix), location
    return location[len(prefix):]


@pytest.fixture
def c_c(client):
    """A message living 60 s, then three plain ones."""
    ids = post_messages(client, "c-c", {"body": "short-lived", "ttl": 60},
                        {"body": "m1", "ttl": 1000}, {"body": "m2"},
                        {"body": "m3"})
    return dict(zip(("s", "m1", "m2", "m3"), ids))


def test_claim_on_missing_queue(client):
    no_content(client.post("/v2/queues/c-nosuch/claims", json={}))
    # claiming creates nothing
    expect(client.get("/v2/queues"), 200, '{"queues": [], "links": []}')


def test_claim_extends_messages_that_would_expire_first(client, c_c):
    resp = client.post("/v2/queues/c-c/claims?limit=2",
                       data=b'{"ttl": 100, "grace": 60}',
                       headers={"Content-Type": "application/json"})
    cid = claim_location("c-c", resp)
    subs = dict(c_c, cid=cid)
    taken = [claimed("c-c", "s", 160, '"short-lived"'),
             claimed("c-c", "m1", 1000, '"m1"')]
    expect(resp, 201, '{"messages": [' + ", ".join(taken) + "]}", subs,
           headers={"location": f"/v2/queues/c-c/claims/{cid}"})
    expect(client.get(f"/v2/queues/c-c/claims/{cid}"), 200,
           '{"age": 0, "ttl": 100, "messages": [' + ", ".join(taken)
           + '], "href": "/v2/queues/c-c/claims/<cid>"}', subs)
    # the extension shows everywhere the message does
    expect(client.get(f"/v2/queues/c-c/messages/{c_c['s']}"), 200,
           claimed("c-c", "s", 160, '"short-lived"'), subs)


def test_renew(client, c_c):
    cid, _ = claim(client, "c-c", limit=2, ttl=100, grace=60)
    subs = dict(c_c, cid=cid)
    no_content(client.patch(f"/v2/queues/c-c/claims/{cid}",
                            json={"ttl": 200, "grace": 100}))
    expect(client.get(f"/v2/queues/c-c/claims/{cid}"), 200,
           '{"age": 0, "ttl": 200, "messages": ['
           + claimed("c-c", "s", 300, '"short-lived"') + ", "
           + claimed("c-c", "m1", 1000, '"m1"')
           + '], "href": "/v2/queues/c-c/claims/<cid>"}', subs)
    # {} renews with the defaults: 300 s, grace 60. Expiries compare in
    # whole seconds, so "s" (now 300 s) is extended only by a renewal in
    # a later second than the last one.
    time.sleep(1)
    no_content(client.patch(f"/v2/queues/c-c/claims/{cid}", json={}))
    resp = client.get(f"/v2/queues/c-c/claims/{cid}").json()
    assert (resp["ttl"], [m["ttl"] for m in resp["messages"]]) == (
        300, [360, 1000])


def test_claimed_messages_are_hidden_from_listings(client, c_c):
    cid, _ = claim(client, "c-c", limit=2, ttl=100, grace=60)
    subs = dict(c_c, cid=cid)
    plain = ['{"id": "<m2>", "href": "/v2/queues/c-c/messages/<m2>", '
             '"ttl": 3600, "age": 0, "body": "m2"}',
             '{"id": "<m3>", "href": "/v2/queues/c-c/messages/<m3>", '
             '"ttl": 3600, "age": 0, "body": "m3"}']
    expect(client.get("/v2/queues/c-c/messages?echo=true"), 200,
           '{"messages": [' + ", ".join(plain) + '], "links": [{"rel": '
           '"next", "href": "/v2/queues/c-c/messages?echo=true&'
           'include_delayed=true&marker=<m3>"}]}', subs)
    expect(client.get("/v2/queues/c-c/messages?echo=true&include_claimed=true&"
                      "marker=x"), 200,
           '{"messages": [' + claimed("c-c", "s", 160, '"short-lived"')
           + ", " + claimed("c-c", "m1", 1000, '"m1"') + ", "
           + ", ".join(plain) + '], "links": [{"rel": "next", "href": '
           '"/v2/queues/c-c/messages?marker=<m3>&echo=true&include_claimed='
           'true&include_delayed=true"}]}', subs)


def test_defaults_then_nothing_left(client, c_c):
    claim(client, "c-c", limit=2, ttl=100, grace=60)
    resp = client.post("/v2/queues/c-c/claims")  # no body: 300 s, limit 10
    cid = claim_location("c-c", resp)
    expect(resp, 201, '{"messages": [' + claimed("c-c", "m2", 3600, '"m2"')
           + ", " + claimed("c-c", "m3", 3600, '"m3"') + "]}",
           dict(c_c, cid=cid))
    expect(client.get(f"/v2/queues/c-c/claims/{cid}"), 200)
    assert client.get(f"/v2/queues/c-c/claims/{cid}").json()["ttl"] == 300
    no_content(client.post("/v2/queues/c-c/claims", json={}))
    stats = client.get("/v2/queues/c-c/stats").json()["messages"]
    assert (stats["claimed"], stats["free"], stats["total"]) == (4, 0, 4)


def test_empty_body_means_the_defaults(client):
    post_messages(client, "c-e", {"body": 1})
    resp = client.post("/v2/queues/c-e/claims", data=b"")
    cid = claim_location("c-e", resp)
    expect(resp, 201)
    assert client.get(f"/v2/queues/c-e/claims/{cid}").json()["ttl"] == 300


def test_default_claim_limit_is_ten(client):
    post_messages(client, "c-ten", *({"body": i} for i in range(12)))
    _, messages = claim(client, "c-ten")
    assert [m["body"] for m in messages] == list(range(10))
    _, messages = claim(client, "c-ten", limit=20)
    assert [m["body"] for m in messages] == [10, 11]


def test_own_messages_can_be_claimed(client):
    """Echo does not apply to claims."""
    post_messages(client, "c-own", {"body": "mine"})
    _, messages = claim(client, "c-own")
    assert [m["body"] for m in messages] == ["mine"]


def test_limit_in_the_body_is_ignored(client):
    """openstacksdk sends the claim limit in the body."""
    post_messages(client, "c-sdk", *({"body": i} for i in range(12)))
    resp = client.post("/v2/queues/c-sdk/claims",
                       json={"ttl": 60, "grace": 60, "limit": 1})
    assert resp.status_code == 201
    assert len(resp.json()["messages"]) == 10


@pytest.mark.parametrize("query, data, title, description", [
    ("?limit=0", b"{}", "Invalid API request", LIMIT_RANGE),
    ("?limit=21", b"{}", "Invalid API request", LIMIT_RANGE),
    ("?limit=-3", b"{}", "Invalid API request", LIMIT_RANGE),
    ("", b'{"ttl": 59}', "Invalid API request", TTL_RANGE),
    ("", b'{"ttl": 43201}', "Invalid API request", TTL_RANGE),
    ("", b'{"ttl": -1}', "Invalid API request", TTL_RANGE),
    ("", b'{"grace": 59}', "Invalid API request", GRACE_RANGE),
    ("", b'{"grace": 43201}', "Invalid API request", GRACE_RANGE),
    ("", b'{"ttl": "60"}', "Invalid request body",
     'The value of the "ttl" field must be a int.'),
    ("", b'{"ttl": 60.0}', "Invalid request body",
     'The value of the "ttl" field must be a int.'),
    ("", b'{"grace": null}', "Invalid request body",
     'The value of the "grace" field must be a int.'),
    ("", b"[1]", "Invalid request body", "Document type not supported."),
    ("", b"{bad", "Invalid request body", "Request body could not be parsed."),
    # ttl is checked before limit, limit before grace
    ("?limit=0", b'{"ttl": 1, "grace": 1}', "Invalid API request", TTL_RANGE),
    ("?limit=0", b'{"grace": 1}', "Invalid API request", LIMIT_RANGE),
])
def test_create_errors_claim_nothing(client, query, data, title,
                                     description):
    post_messages(client, "c-e", {"body": 1})
    resp = client.post("/v2/queues/c-e/claims" + query, data=data)
    expect_error(resp, 400, title, description)
    assert client.get("/v2/queues/c-e/stats").json()["messages"][
        "claimed"] == 0


def test_limit_not_an_integer(client):
    expect_error(client.post("/v2/queues/c-e/claims?limit=1.5", json={}), 400,
                 "Invalid parameter", 'The "limit" parameter is invalid. The '
                 "value must be an integer.")


@pytest.mark.parametrize("data, title, description", [
    (b'{"ttl": 10}', "Invalid API request", TTL_RANGE),
    (b'{"ttl": "x"}', "Invalid request body",
     'The value of the "ttl" field must be a int.'),
    (b"[]", "Invalid request body", "Document type not supported."),
    (b"", "Invalid request body", "Request body could not be parsed."),
])
def test_renew_errors(client, c_c, data, title, description):
    cid, _ = claim(client, "c-c", limit=1, ttl=100, grace=60)
    expect_error(client.patch(f"/v2/queues/c-c/claims/{cid}", data=data),
                 400, title, description)
    assert client.get(f"/v2/queues/c-c/claims/{cid}").json()["ttl"] == 100


def test_renew_without_body(client, c_c):
    cid, _ = claim(client, "c-c", limit=1, ttl=100, grace=60)
    resp = raw(client.base_url, raw_request(
        "PATCH", f"/v2/queues/c-c/claims/{cid}", {
            "Client-ID": conftest.CLIENT_ID,
            "X-Project-ID": client.headers["X-Project-ID"]}))
    assert resp.status == 400
    assert resp.body.decode() == dumps({
        "title": "Invalid request body",
        "description": "Request body can not be empty"})


def test_renew_grace_is_not_range_checked(client, c_c):
    cid, _ = claim(client, "c-c", limit=1, ttl=100, grace=60)
    no_content(client.patch(f"/v2/queues/c-c/claims/{cid}",
                            json={"ttl": 100, "grace": 0}))


def test_unknown_claims(client, project, c_c):
    zero = "00000000-0000-0000-0000-000000000000"
    not_found(client.patch(f"/v2/queues/c-c/claims/{zero}",
                           json={"ttl": 100}),
              f"Claim {zero} does not exist in queue c-c for project "
              f"{project}")
    not_found(client.get("/v2/queues/c-c/claims/nosuch"),
              f"Claim nosuch does not exist in queue c-c for project "
              f"{project}")
    not_found(client.get(f"/v2/queues/c-nosuch/claims/{zero}"),
              f"Claim {zero} does not exist in queue c-nosuch for project "
              f"{project}")
    no_content(client.delete("/v2/queues/c-c/claims/nosuch"))
    no_content(client.delete(f"/v2/queues/c-nosuch/claims/{zero}"))


def test_claims_are_scoped(client, project, c_c):
    cid, _ = claim(client, "c-c", limit=1, ttl=100, grace=60)
    other = {"X-Project-ID": "other-" + project}
    client.put("/v2/queues/c-c", headers=other)
    not_found(client.get(f"/v2/queues/c-c/claims/{cid}", headers=other),
              f"Claim {cid} does not exist in queue c-c for project other-"
              f"{project}")
    client.put("/v2/queues/c-d")
    not_found(client.get(f"/v2/queues/c-d/claims/{cid}"),
              f"Claim {cid} does not exist in queue c-d for project "
              f"{project}")
    no_content(client.delete(f"/v2/queues/c-c/claims/{cid}", headers=other))
    no_content(client.delete(f"/v2/queues/c-d/claims/{cid}"))
    expect(client.get(f"/v2/queues/c-c/claims/{cid}"), 200)


def test_release(client, c_c):
    cid, _ = claim(client, "c-c", limit=4, ttl=100, grace=60)
    no_content(client.delete(f"/v2/queues/c-c/claims/{cid}"))
    no_content(client.delete(f"/v2/queues/c-c/claims/{cid}"))
    not_found(client.get(f"/v2/queues/c-c/claims/{cid}"),
              f"Claim {cid} does not exist in queue c-c for project "
              f"{client.headers['X-Project-ID']}")
    # free again at once, with plain hrefs; extended TTLs stay
    resp = client.get("/v2/queues/c-c/messages?echo=true")
    assert [(m["body"], m["ttl"], m["href"]) for m in resp.json()[
        "messages"]] == [
        ("short-lived", 160, f"/v2/queues/c-c/messages/{c_c['s']}"),
        ("m1", 1000, f"/v2/queues/c-c/messages/{c_c['m1']}"),
        ("m2", 3600, f"/v2/queues/c-c/messages/{c_c['m2']}"),
        ("m3", 3600, f"/v2/queues/c-c/messages/{c_c['m3']}")]
    _, again = claim(client, "c-c", limit=1)
    assert [m["id"] for m in again] == [c_c["s"]]


# -- a live claim is never stolen (UPSTREAM BUG in redis) ---------------------

def test_claims_never_steal(client):
    a, b, c = post_messages(client, "c-s", {"body": "A"}, {"body": "B"},
                            {"body": "C"})
    x, _ = claim(client, "c-s", limit=1)
    y, taken_by_y = claim(client, "c-s", limit=1)
    assert [m["id"] for m in taken_by_y] == [b]
    no_content(client.delete(f"/v2/queues/c-s/claims/{x}"))
    resp = client.post("/v2/queues/c-s/claims?limit=2", json={})
    z = claim_location("c-s", resp)
    expect(resp, 201, '{"messages": [' + claimed("c-s", "a", 3600, '"A"', "z")
           + ", " + claimed("c-s", "c", 3600, '"C"', "z") + "]}",
           {"a": a, "c": c, "z": z})
    # stats count messages under a live claim, exactly
    resp = client.get("/v2/queues/c-s/stats").json()["messages"]
    assert (resp["claimed"], resp["free"], resp["total"]) == (3, 0, 3)
    # B still belongs to Y
    expect(client.get(f"/v2/queues/c-s/messages/{b}"), 200,
           claimed("c-s", "b", 3600, '"B"', "y"), {"b": b, "y": y})
    no_content(client.post("/v2/queues/c-s/claims", json={}))


def test_concurrent_consumers_never_share_a_message(server, project):
    """Ten consumers, each on its own connection, drain one queue: every
    message is claimed exactly once."""
    producer = conftest.Client(server.url, project)
    posted = set()
    for start in range(0, 200, 20):
        posted.update(post_messages(
            producer, "c-conc", *({"body": start + i} for i in range(20))))
    taken: dict[str, list[str]] = {}
    failures: list[BaseException] = []
    lock = threading.Lock()
    barrier = threading.Barrier(10)

    def consume() -> None:
        consumer = conftest.Client(server.url, project)
        try:
            barrier.wait()
            while True:
                cid, messages = claim(consumer, "c-conc", limit=7, ttl=300,
                                      grace=60)
                if cid is None:
                    return
                with lock:
                    assert cid not in taken
                    taken[cid] = [m["id"] for m in messages]
                for m in messages:
                    assert m["href"].endswith(f"?claim_id={cid}")
        except BaseException as exc:  # reported by the main thread
            failures.append(exc)

    threads = [threading.Thread(target=consume) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert not failures, failures
    every = [mid for ids in taken.values() for mid in ids]
    assert len(every) == len(set(every)) == len(posted)
    assert set(every) == posted
    stats = producer.get("/v2/queues/c-conc/stats").json()["messages"]
    assert (stats["claimed"], stats["free"]) == (200, 0)
    # every claim still holds exactly its own messages
    for cid, ids in taken.items():
        resp = producer.get(f"/v2/queues/c-conc/claims/{cid}").json()
        assert [m["id"] for m in resp["messages"]] == ids


# -- dead letter queue --------------------------------------------------------

def test_dead_letter_queue(client):
    client.put("/v2/queues/c-dead")
    client.put("/v2/queues/c-dlq", json={
        "_max_claim_count": 1, "_dead_letter_queue": "c-dead",
        "_dead_letter_queue_messages_ttl": 7200})
    poison, ok = post_messages(client, "c-dlq", {"body": "poison", "ttl": 600},
                               {"body": "ok", "ttl": 600})
    first, messages = claim(client, "c-dlq", limit=1)
    assert [m["ttl"] for m in messages] == [600]
    no_content(client.delete(f"/v2/queues/c-dlq/claims/{first}"))
    # "poison" was claimed once already: moved, only "ok" is returned
    resp = client.post("/v2/queues/c-dlq/claims?limit=5", json={})
    second = claim_location("c-dlq", resp)
    expect(resp, 201, '{"messages": [' + claimed("c-dlq", "ok", 600, '"ok"')
           + "]}", {"ok": ok, "cid": second})
    # it arrives unclaimed (UPSTREAM BUG in redis: still claimed) with the
    # dead-letter TTL
    expect(client.get("/v2/queues/c-dead/messages?echo=true"), 200,
           '{"messages": [{"id": "<p>", "href": "/v2/queues/c-dead/messages/'
           '<p>", "ttl": 7200, "age": 0, "body": "poison"}], "links": [{"rel":'
           ' "next", "href": "/v2/queues/c-dead/messages?echo=true&'
           'include_delayed=true&marker=<p>"}]}', {"p": poison})
    dead = client.get("/v2/queues/c-dead/stats").json()["messages"]
    assert (dead["claimed"], dead["free"], dead["total"]) == (0, 1, 1)
    assert dead["oldest"]["href"] == f"/v2/queues/c-dead/messages/{poison}"
    assert dead["oldest"]["claim_id"] is None
    source = client.get("/v2/queues/c-dlq/stats").json()["messages"]
    assert (source["claimed"], source["free"], source["total"]) == (1, 0, 1)
    not_found(client.get(f"/v2/queues/c-dlq/messages/{poison}"),
              f"Message {poison} does not exist in queue c-dlq for project "
              f"{client.headers['X-Project-ID']}")
    # the moved message can be claimed in the dead-letter queue
    _, messages = claim(client, "c-dead")
    assert [m["id"] for m in messages] == [poison]


def test_dead_letter_queue_all_moved_is_204(client):
    client.put("/v2/queues/c-dlq2", json={
        "_max_claim_count": 1, "_dead_letter_queue": "c-dead2"})
    [mid] = post_messages(client, "c-dlq2", {"body": "x", "ttl": 600})
    cid, _ = claim(client, "c-dlq2")
    no_content(client.delete(f"/v2/queues/c-dlq2/claims/{cid}"))
    no_content(client.post("/v2/queues/c-dlq2/claims", json={}))
    # the dead-letter queue was created for it; the TTL is kept
    resp = client.get("/v2/queues/c-dead2/messages?echo=true").json()
    assert [(m["id"], m["ttl"]) for m in resp["messages"]] == [(mid, 600)]


# -- delayed messages ---------------------------------------------------------

def test_delayed_messages_cannot_be_claimed_nor_popped(client):
    client.put("/v2/queues/c-d", json={"_default_message_delay": 30})
    delayed, now = post_messages(client, "c-d",
                                 {"body": "queue default delay"},
                                 {"body": "no delay", "delay": 0})
    resp = client.post("/v2/queues/c-d/claims", json={})
    cid = claim_location("c-d", resp)
    expect(resp, 201, '{"messages": [' + claimed("c-d", "n", 3600,
                                                 '"no delay"') + "]}",
           {"n": now, "cid": cid})
    expect(client.delete("/v2/queues/c-d/messages?pop=5"), 200,
           '{"messages": []}')
    stats = client.get("/v2/queues/c-d/stats").json()["messages"]
    assert (stats["claimed"], stats["free"], stats["total"]) == (1, 1, 2)
    assert stats["oldest"]["href"] == f"/v2/queues/c-d/messages/{delayed}"
    assert bodies(client.get("/v2/queues/c-d/messages?echo=true&"
                             "include_delayed=true")) == [
        "queue default delay"]


@pytest.mark.parametrize("target", [5, {"a": 1}, ["q"], None, "", True])
def test_odd_dead_letter_settings_never_break_claims(client, target):
    """A target that is not a queue name moves nothing."""
    client.put("/v2/queues/c-self", json={"_max_claim_count": 1,
                                          "_dead_letter_queue": target})
    [mid] = post_messages(client, "c-self", {"body": 1})
    for _ in range(3):
        cid, messages = claim(client, "c-self")
        assert [m["id"] for m in messages] == [mid]
        no_content(client.delete(f"/v2/queues/c-self/claims/{cid}"))
    expect(client.get("/v2/queues"), 200,
           '{"queues": [{"name": "c-self", "href": "/v2/queues/c-self"}], '
           '"links": [{"rel": "next", "href": "/v2/queues?marker=c-self"}]}')
