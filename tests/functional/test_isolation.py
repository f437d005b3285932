"""Tenant isolation over HTTP, on every store the functional server runs
(``ZAQAR_TEST_STORES``): nothing of project A can be read, listed,
counted or changed by project B, not even through a queue or topic of B
with the same name, nor with A's ids.

Each test has A build something, then B try every way at it, then A
check it is intact. (The keystone variant, where the project comes from
the token: tests/functional/keystone/test_rest.py.)
"""

from __future__ import annotations

import uuid

import pytest

from tests.functional.conftest import Client
from tests.functional.exchanges import claim, post_messages

SUBSCRIBER = "http://127.0.0.1:9/hook"


@pytest.fixture
def alice(client) -> Client:
    return client


@pytest.fixture
def bob(server) -> Client:
    return Client(server.url, "proj-" + uuid.uuid4().hex[:12])


@pytest.fixture
def queue(alice) -> str:
    name = "iso-" + uuid.uuid4().hex[:8]
    assert alice.put(f"/v2/queues/{name}",
                     json={"owner": "alice"}).status_code == 201
    return name


def message_bodies(client: Client, queue: str) -> list:
    resp = client.get(f"/v2/queues/{queue}/messages?echo=true"
                      "&include_claimed=true")
    if resp.status_code == 204:
        return []
    assert resp.status_code in (200, 404), resp.text
    return [m["body"] for m in resp.json().get("messages", [])]


def stats(client: Client, queue: str) -> dict:
    resp = client.get(f"/v2/queues/{queue}/stats")
    assert resp.status_code == 200, resp.text
    return resp.json()["messages"]


def test_queues(alice, bob, queue):
    # Listing and counting.
    assert bob.get("/v2/queues").json()["queues"] == []
    detailed = bob.get("/v2/queues?detailed=true&with_count=true").json()
    assert detailed["queues"] == [] and detailed.get("count", 0) == 0
    # Reading: B sees an empty queue of its own.
    assert "owner" not in bob.get(f"/v2/queues/{queue}").json()
    # Changing: B's PATCH, PUT and DELETE touch B's namespace only.
    bob.patch(f"/v2/queues/{queue}", json=[
        {"op": "add", "path": "/metadata/owner", "value": "bob"}],
        headers={"Content-Type":
                 "application/openstack-messaging-v2.0-json-patch"})
    assert bob.put(f"/v2/queues/{queue}",
                   json={"owner": "bob"}).status_code == 201
    assert alice.get(f"/v2/queues/{queue}").json()["owner"] == "alice"
    assert bob.delete(f"/v2/queues/{queue}").status_code == 204
    assert [q["name"] for q in alice.get("/v2/queues").json()["queues"]] \
        == [queue]
    assert alice.get(f"/v2/queues/{queue}").json()["owner"] == "alice"
    listed = alice.get("/v2/queues?with_count=true").json()
    assert listed["count"] == 1


def test_messages(alice, bob, queue):
    ids = post_messages(alice, queue, {"body": "a1"}, {"body": "a2"})
    # Through a missing queue of B, and through B's queue of the same name.
    for _ in range(2):
        assert message_bodies(bob, queue) == []
        for message_id in ids:
            resp = bob.get(f"/v2/queues/{queue}/messages/{message_id}")
            assert resp.status_code == 404, resp.text
        resp = bob.get(f"/v2/queues/{queue}/messages?ids={','.join(ids)}")
        assert resp.status_code in (200, 404), resp.text
        if resp.status_code == 200:
            assert resp.json()["messages"] == []
        assert bob.delete(
            f"/v2/queues/{queue}/messages/{ids[0]}").status_code == 204
        assert bob.delete(
            f"/v2/queues/{queue}/messages?ids={ids[1]}").status_code == 204
        resp = bob.delete(f"/v2/queues/{queue}/messages?pop=5")
        assert resp.status_code in (200, 204), resp.text
        if resp.status_code == 200:
            assert resp.json()["messages"] == []
        bob.put(f"/v2/queues/{queue}")
    post_messages(bob, queue, {"body": "b1"})
    assert sorted(message_bodies(alice, queue)) == ["a1", "a2"]
    assert message_bodies(bob, queue) == ["b1"]


def test_claims(alice, bob, queue):
    ids = post_messages(alice, queue, {"body": "a1"})
    claim_id, claimed = claim(alice, queue, ttl=300, grace=60)
    assert [m["body"] for m in claimed] == ["a1"]
    path = f"/v2/queues/{queue}/claims/{claim_id}"
    for _ in range(2):
        assert bob.get(path).status_code == 404
        assert bob.patch(path, json={"ttl": 60}).status_code == 404
        assert bob.delete(path).status_code == 204
        # B's claim takes nothing of A's.
        assert claim(bob, queue, ttl=60, grace=60) == (None, [])
        # Deleting A's message with A's claim id, as B, changes nothing.
        bob.delete(f"/v2/queues/{queue}/messages/{ids[0]}"
                   f"?claim_id={claim_id}")
        bob.put(f"/v2/queues/{queue}")
    resp = alice.get(path)
    assert resp.status_code == 200
    assert resp.json()["ttl"] == 300
    assert [m["body"] for m in resp.json()["messages"]] == ["a1"]


def test_stats(alice, bob, queue):
    post_messages(alice, queue, {"body": "a1"}, {"body": "a2"})
    claim(alice, queue, limit=1, ttl=300, grace=60)
    assert stats(bob, queue)["total"] == 0
    bob.put(f"/v2/queues/{queue}")
    assert stats(bob, queue)["total"] == 0
    post_messages(bob, queue, {"body": "b1"})
    mine = stats(alice, queue)
    assert (mine["total"], mine["claimed"], mine["free"]) == (2, 1, 1)
    assert stats(bob, queue)["total"] == 1


def test_purge(alice, bob, queue):
    post_messages(alice, queue, {"body": "a1"})
    alice.post(f"/v2/queues/{queue}/subscriptions",
               json={"subscriber": SUBSCRIBER, "ttl": 3600})
    assert bob.post(f"/v2/queues/{queue}/purge").status_code == 204
    assert message_bodies(alice, queue) == ["a1"]
    assert len(alice.get(f"/v2/queues/{queue}/subscriptions").json()[
        "subscriptions"]) == 1


def test_subscriptions(alice, bob, queue):
    resp = alice.post(f"/v2/queues/{queue}/subscriptions",
                      json={"subscriber": SUBSCRIBER, "ttl": 3600,
                            "options": {"owner": "alice"}})
    assert resp.status_code == 201, resp.text
    sid = resp.json()["subscription_id"]
    path = f"/v2/queues/{queue}/subscriptions/{sid}"
    for _ in range(2):
        assert bob.get(f"/v2/queues/{queue}/subscriptions").json()[
            "subscriptions"] == []
        assert bob.get(path).status_code == 404
        assert bob.patch(path, json={"ttl": 100}).status_code == 404
        bob.put(path + "/confirm", json={"confirmed": True})
        assert bob.delete(path).status_code == 204
        bob.put(f"/v2/queues/{queue}")
    # B may subscribe the same URI to its own queue of that name.
    assert bob.post(f"/v2/queues/{queue}/subscriptions",
                    json={"subscriber": SUBSCRIBER}).status_code == 201
    resp = alice.get(path)
    assert resp.status_code == 200
    assert (resp.json()["ttl"], resp.json()["options"],
            resp.json()["confirmed"]) == (3600, {"owner": "alice"}, False)
    assert len(alice.get(f"/v2/queues/{queue}/subscriptions").json()[
        "subscriptions"]) == 1


def test_topics(alice, bob):
    topic = "iso-t-" + uuid.uuid4().hex[:6]
    resp = alice.put(f"/v2/topics/{topic}", json={"owner": "alice"})
    if resp.status_code == 503:
        pytest.skip("this store has no topic store: " + resp.text)
    assert resp.status_code == 201, resp.text
    posted = alice.post(f"/v2/topics/{topic}/messages",
                        json={"messages": [{"body": "t1"}]})
    assert posted.status_code == 201, posted.text
    message = posted.json()["resources"][0]
    assert bob.get("/v2/topics").json()["topics"] == []
    assert "owner" not in bob.get(f"/v2/topics/{topic}").json()
    assert bob.get(message).status_code == 404
    assert bob.get(f"/v2/topics/{topic}/stats").json()["messages"][
        "total"] == 0
    bob.delete(f"/v2/topics/{topic}")
    bob.post(f"/v2/topics/{topic}/purge")
    assert [t["name"] for t in alice.get("/v2/topics").json()["topics"]] \
        == [topic]
    assert alice.get(f"/v2/topics/{topic}").json()["owner"] == "alice"
    assert alice.get(message).status_code == 200
    assert alice.get(f"/v2/topics/{topic}/stats").json()["messages"][
        "total"] == 1
