"""Queue actions over websocket, in text and binary frames."""

from __future__ import annotations

LIMIT_TEXT = "Limit must be at least 1 and no greater than 20."
NAME_TEXT = ("Queue names may only contain ASCII letters, digits, "
             "underscores, and dashes.")


def test_create_get_list_delete(client):
    created = client.call("queue_create", {"queue_name": "c-ws",
                                           "metadata": {"description": "ws"}})
    assert (created.status, created.body) == (201, "Queue c-ws created.")

    again = client.call("queue_create", {"queue_name": "c-ws",
                                         "metadata": {"description": "x"}})
    assert (again.status, again.body) == (204, "Queue c-ws created.")

    got = client.call("queue_get", {"queue_name": "c-ws"})
    assert (got.status, got.body) == (200, {"description": "ws"})

    listed = client.call("queue_list", {"limit": 2})
    assert (listed.status, listed.body) == (200, {"queues": [{"name":
                                                              "c-ws"}]})
    detailed = client.call("queue_list", {"limit": 1, "detailed": True})
    assert detailed.body == {"queues": [{"name": "c-ws", "metadata":
                                         {"description": "ws"}}]}

    removed = client.call("queue_delete", {"queue_name": "c-ws"})
    assert (removed.status, removed.body) == (204, "Queue c-ws removed.")
    assert client.call("queue_list").body == {"queues": []}


def test_list_without_body_and_paging(client):
    for name in ("a1", "a2", "a3"):
        client.call("queue_create", {"queue_name": name})
    assert client.call("queue_list").body == {
        "queues": [{"name": "a1"}, {"name": "a2"}, {"name": "a3"}]}
    page = client.call("queue_list", {"marker": "a1", "limit": 1})
    assert page.body == {"queues": [{"name": "a2"}]}


def test_list_limit_out_of_range(client):
    for limit in (0, 50):
        answer = client.call("queue_list", {"limit": limit})
        assert (answer.status, answer.body) == (
            400, {"exception": LIMIT_TEXT, "error": None})


def test_list_detailed_shows_stored_metadata_only(client):
    client.call("queue_create", {"queue_name": "plain"})
    answer = client.call("queue_list", {"detailed": True})
    assert answer.body == {"queues": [{"name": "plain", "metadata": {}}]}


def test_create_invalid_names_and_project(client):
    answer = client.call("queue_create", {"queue_name": "bad$"})
    assert (answer.status, answer.body) == (
        400, {"exception": NAME_TEXT, "error": None})
    answer = client.call("queue_create", {"queue_name": "x" * 65})
    assert answer.body == {"exception": "Queue names may not be more than "
                                        "64 characters long.",
                           "error": None}
    headers = dict(client.headers, **{"X-Project-ID": "p" * 257})
    answer = client.call("queue_create", {"queue_name": "ok"},
                         headers=headers)
    assert (answer.status, answer.body) == (
        400, {"exception": "Project ids may not be more than 256 "
                           "characters long.", "error": None})


def test_create_invalid_reserved_metadata(client):
    answer = client.call("queue_create", {
        "queue_name": "c-ws", "metadata": {"_default_message_ttl": 10}})
    assert (answer.status, answer.body) == (400, {
        "exception": "_default_message_ttl can not exceed 1209600 seconds, "
                     "and must be at least 60 seconds long.",
        "error": None})
    assert client.call("queue_get", {"queue_name": "c-ws"}).body == {}


def test_create_metadata_too_large(client):
    metadata = {"big": "x" * 65536}
    answer = client.call("queue_create", {"queue_name": "big",
                                          "metadata": metadata})
    assert (answer.status, answer.body) == (
        400, {"exception": "Queue metadata is too large. Max size: 65536",
              "error": None})


def test_names_not_validated_on_reads(client):
    answer = client.call("queue_get", {"queue_name": "bad$"})
    assert (answer.status, answer.body) == (200, {})
    answer = client.call("queue_delete", {"queue_name": "bad$"})
    assert (answer.status, answer.body) == (204, "Queue bad$ removed.")


def test_get_missing_queue_is_empty(client):
    answer = client.call("queue_get", {"queue_name": "missing"})
    assert (answer.status, answer.body) == (200, {})


def test_stats(client, queue):
    answer = client.call("queue_get_stats", {"queue_name": queue})
    assert (answer.status, answer.body) == (
        200, {"messages": {"claimed": 0, "free": 0, "total": 0}})

    client.call("message_post", {"queue_name": queue, "messages": [
        {"body": "first"}, {"body": {"second": 2}, "ttl": 120}]})
    claim = client.call("claim_create", {"queue_name": queue, "limit": 1})
    stats = client.call("queue_get_stats", {"queue_name": queue}).body
    messages = stats["messages"]
    assert (messages["claimed"], messages["free"], messages["total"]) == (
        1, 1, 2)
    oldest, newest = messages["oldest"], messages["newest"]
    assert set(oldest) == {"id", "age", "ttl", "body", "claim_id",
                           "claim_count", "created"}
    assert (oldest["body"], oldest["ttl"]) == ("first", 3600)
    assert oldest["claim_id"] == claim.body["claim_id"]
    assert (newest["body"], newest["ttl"], newest["claim_id"]) == (
        {"second": 2}, 120, None)
    assert oldest["created"].endswith("Z") and "href" not in oldest


def test_stats_of_missing_queue_is_404(client):
    answer = client.call("queue_get_stats", {"queue_name": "missing"})
    assert (answer.status, answer.body) == (
        404, {"messages": {"claimed": 0, "free": 0, "total": 0}})


def test_purge(client, queue):
    client.call("message_post", {"queue_name": queue,
                                 "messages": [{"body": 1}]})
    client.call("subscription_create", {"queue_name": queue,
                                        "subscriber": "http://x.test/h"})
    answer = client.call("queue_purge", {"queue_name": queue,
                                         "resource_types": ["messages"]})
    assert (answer.status, answer.body) == (204, {})
    stats = client.call("queue_get_stats", {"queue_name": queue}).body
    assert stats["messages"]["total"] == 0
    subs = client.call("subscription_list", {"queue_name": queue}).body
    assert len(subs["subscriptions"]) == 1

    answer = client.call("queue_purge", {"queue_name": queue,
                                         "resource_types": ["bogus", 3]})
    assert (answer.status, answer.body) == (204, {})
    assert len(client.call("subscription_list", {"queue_name": queue})
               .body["subscriptions"]) == 1

    answer = client.call("queue_purge", {"queue_name": queue})
    assert (answer.status, answer.body) == (204, {})
    assert client.call("subscription_list", {"queue_name": queue}).body == {
        "subscriptions": []}


def test_schema_failures(client):
    failed = {"error": "Schema validation failed."}
    for action, body in [("queue_get", {}),
                         ("queue_create", {"queue_name": 5}),
                         ("queue_create", {"queue_name": "q",
                                           "metadata": []}),
                         ("queue_list", {"limit": "2"}),
                         ("queue_list", {"detailed": "yes"}),
                         ("queue_purge", {"queue_name": "q",
                                          "resource_types": "messages"})]:
        answer = client.call(action, body)
        assert (answer.status, answer.body) == (400, failed), (action, body)
