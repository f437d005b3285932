"""Subscription actions over websocket, in text and binary frames (webhook
subscribers; subscribing the connection itself is in test_push.py)."""

from __future__ import annotations

HOOK = "http://127.0.0.1:9/ws-hook"


def test_create_list_get_delete(client, queue):
    created = client.call("subscription_create", {
        "queue_name": queue, "subscriber": HOOK, "ttl": 600,
        "options": {"a": 1}})
    assert created.status == 201
    sid = created.body["subscription_id"]
    assert created.body == {"subscription_id": sid,
                            "message": f"Subscription {queue} created."}

    expected = {"id": sid, "source": queue, "subscriber": HOOK, "ttl": 600,
                "age": 0, "options": {"a": 1}, "confirmed": False}
    listed = client.call("subscription_list", {"queue_name": queue})
    assert (listed.status, listed.body) == (200, {"subscriptions":
                                                  [expected]})
    got = client.call("subscription_get", {"queue_name": queue,
                                           "subscription_id": sid})
    assert (got.status, got.body) == (200, expected)

    deleted = client.call("subscription_delete", {"queue_name": queue,
                                                  "subscription_id": sid})
    assert (deleted.status, deleted.body) == (
        204, f"Subscription {sid} removed.")
    assert client.call("subscription_list", {"queue_name": queue}).body == {
        "subscriptions": []}


def test_create_defaults_and_creates_the_queue(client):
    created = client.call("subscription_create", {"queue_name": "newq",
                                                  "subscriber": HOOK})
    assert created.status == 201
    got = client.call("subscription_get", {
        "queue_name": "newq",
        "subscription_id": created.body["subscription_id"]})
    assert (got.body["ttl"], got.body["options"]) == (3600, {})
    assert client.call("queue_list").body == {"queues": [{"name": "newq"}]}


def test_duplicate_is_409(client, queue):
    client.call("subscription_create", {"queue_name": queue,
                                        "subscriber": HOOK})
    again = client.call("subscription_create", {"queue_name": queue,
                                                "subscriber": HOOK,
                                                "ttl": 700})
    assert (again.status, again.body) == (
        409, f"Subscription {queue} not created.")


def test_create_validation(client, queue):
    cases = [
        ({"subscriber": HOOK, "ttl": 30},
         "The TTL for a subscription must be at least 60 seconds long."),
        ({"subscriber": "ftp://x"},
         "The subscriber type of subscription must be supported in the list "
         "['http', 'https', 'mailto', 'trust+http', 'trust+https']."),
        ({"subscriber": "no-scheme"},
         "The subscriber type of subscription must be supported in the list "
         "['http', 'https', 'mailto', 'trust+http', 'trust+https']."),
        ({"subscriber": HOOK, "options": {"_retry_policy": 3}},
         "retry_policy must be a dict."),
    ]
    for extra, text in cases:
        answer = client.call("subscription_create",
                             {"queue_name": queue, **extra})
        assert (answer.status, answer.body) == (
            400, {"exception": text, "error": None}), extra
    answer = client.call("subscription_create", {"queue_name": "bad$",
                                                 "subscriber": HOOK})
    assert answer.status == 400
    assert answer.body["exception"].startswith("Queue names may only")
    for extra in ({"subscriber": 5}, {"ttl": "60"}, {"options": []}):
        answer = client.call("subscription_create",
                             {"queue_name": queue, **extra})
        assert (answer.status, answer.body) == (
            400, {"error": "Schema validation failed."}), extra


def test_list_paging(client, queue):
    sids = sorted(client.call("subscription_create", {
        "queue_name": queue, "subscriber": f"{HOOK}/{i}"}
    ).body["subscription_id"] for i in range(3))
    page = client.call("subscription_list", {"queue_name": queue,
                                             "limit": 2})
    first = [s["id"] for s in page.body["subscriptions"]]
    assert len(first) == 2
    rest = client.call("subscription_list", {"queue_name": queue,
                                             "marker": first[-1]})
    assert sorted(first + [s["id"] for s in rest.body["subscriptions"]]) \
        == sids
    answer = client.call("subscription_list", {"queue_name": queue,
                                               "limit": 0})
    assert (answer.status, answer.body) == (400, {
        "exception": "Limit must be at least 1 and may not be greater than "
                     "20.", "error": None})


def test_unknown_subscription(client, queue):
    got = client.call("subscription_get", {"queue_name": queue,
                                           "subscription_id": "nosuch"})
    assert (got.status, got.body) == (404, {
        "exception": "Subscription nosuch does not exist",
        "error": f"Subscription nosuch for queue {queue} does not exist."})
    deleted = client.call("subscription_delete", {
        "queue_name": queue, "subscription_id": "nosuch"})
    assert (deleted.status, deleted.body) == (
        204, "Subscription nosuch removed.")


def test_schema_failures(client, queue):
    for action, body in [("subscription_list", {}),
                         ("subscription_get", {"queue_name": queue}),
                         ("subscription_delete", {"queue_name": queue,
                                                  "subscription_id": 1})]:
        answer = client.call(action, body)
        assert (answer.status, answer.body) == (
            400, {"error": "Schema validation failed."}), action
