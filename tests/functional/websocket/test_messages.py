"""Message actions over websocket, in text and binary frames."""

from __future__ import annotations

import uuid

from tests.functional.websocket.client import Client, post

LIMIT_TEXT = "Limit must be at least 1 and may not be greater than 20."
BAD_UUID = {"exception": "badly formed hexadecimal UUID string",
            "error": None}
CLAIMED = ("This message is claimed; it cannot be deleted without a valid "
           "claim ID.")


def test_post_and_list(client, queue):
    answer = client.call("message_post", {"queue_name": queue, "messages": [
        {"body": "m1"}, {"body": {"k": 2}, "ttl": 120, "delay": 5}]})
    assert answer.status == 201
    ids = answer.body["message_ids"]
    assert len(ids) == 2

    # Echo is off by default: our own messages are hidden.
    assert client.call("message_list", {"queue_name": queue}).body == {
        "messages": []}
    listed = client.call("message_list", {"queue_name": queue,
                                          "echo": True})
    assert listed.status == 200
    # The delay was dropped: both messages are listed at once.
    assert listed.body == {"messages": [
        {"id": ids[0], "claim_id": None, "ttl": 3600, "age": 0,
         "body": "m1"},
        {"id": ids[1], "claim_id": None, "ttl": 120, "age": 0,
         "body": {"k": 2}}]}


def test_post_creates_the_queue(client):
    post(client, "fresh", "x")
    assert client.call("queue_list").body == {"queues": [{"name": "fresh"}]}


def test_post_ignores_the_queue_default_delay(client):
    client.call("queue_create", {"queue_name": "slow", "metadata": {
        "_default_message_delay": 600}})
    post(client, "slow", "now")
    listed = client.call("message_list", {"queue_name": "slow",
                                          "echo": True})
    assert [m["body"] for m in listed.body["messages"]] == ["now"]


def test_post_applies_the_queue_default_ttl(client):
    client.call("queue_create", {"queue_name": "short", "metadata": {
        "_default_message_ttl": 90}})
    post(client, "short", "m")
    listed = client.call("message_list", {"queue_name": "short",
                                          "echo": True})
    assert listed.body["messages"][0]["ttl"] == 90


def test_post_errors(client, queue):
    cases = [
        ([], "No messages to enqueu."),
        ([{"ttl": 60}], 'Bad request. Missing "body" field.'),
        ([{"body": 1, "ttl": "x"}],
         'Bad request. The value of the "ttl" field must be a int.'),
        ([{"body": 1, "ttl": 10}],
         "The TTL for a message may not exceed 1209600 seconds, and must "
         "be at least 60 seconds long."),
        (["not an object"], "Bad request. Document type not supported."),
    ]
    for messages, text in cases:
        answer = client.call("message_post", {"queue_name": queue,
                                              "messages": messages})
        assert (answer.status, answer.body) == (
            400, {"exception": text, "error": None}), messages


def test_post_too_large(client, queue):
    answer = client.call("message_post", {"queue_name": queue, "messages": [
        {"body": "x" * 262144}]})
    assert (answer.status, answer.body) == (400, {
        "exception": "Message collection size is too large. Max size 262144",
        "error": None})


def test_post_respects_the_queue_post_size(client):
    client.call("queue_create", {"queue_name": "small", "metadata": {
        "_max_messages_post_size": 100}})
    answer = client.call("message_post", {"queue_name": "small",
                                          "messages": [{"body": "x" * 200}]})
    assert answer.status == 400
    assert answer.body["exception"].startswith(
        "Message collection size is too large. The max size for current "
        "queue is 100.")


def test_post_bad_queue_name(client):
    answer = client.call("message_post", {"queue_name": "bad$",
                                          "messages": [{"body": 1}]})
    assert (answer.status, answer.body["error"]) == (400, None)
    assert answer.body["exception"].startswith("Queue names may only")


def test_post_and_list_need_a_uuid_client_id(client, queue):
    headers = dict(client.headers, **{"Client-ID": "not-a-uuid"})
    for action, body in [
            ("message_post", {"queue_name": queue,
                              "messages": [{"body": 1}]}),
            ("message_list", {"queue_name": queue})]:
        answer = client.call(action, body, headers=headers)
        assert (answer.status, answer.body) == (400, BAD_UUID)
    # ...other actions take it as given.
    answer = client.call("queue_get", {"queue_name": queue},
                         headers=headers)
    assert (answer.status, answer.body) == (200, {})


def test_post_schema_failures(client, queue):
    for body in [{"queue_name": queue, "messages": 5},
                 {"queue_name": queue},
                 {"messages": [{"body": 1}]}]:
        answer = client.call("message_post", body)
        assert (answer.status, answer.body) == (
            400, {"error": "Schema validation failed."})


def test_list_paging_and_limits(client, queue):
    ids = post(client, queue, *range(5))
    page = client.call("message_list", {"queue_name": queue, "echo": True,
                                        "limit": 2})
    assert [m["id"] for m in page.body["messages"]] == ids[:2]
    page = client.call("message_list", {"queue_name": queue, "echo": True,
                                        "marker": ids[1], "limit": 20})
    assert [m["id"] for m in page.body["messages"]] == ids[2:]
    for limit in (0, 21, 100):
        answer = client.call("message_list", {"queue_name": queue,
                                              "limit": limit})
        assert (answer.status, answer.body) == (
            400, {"exception": LIMIT_TEXT, "error": None})


def test_list_hides_claimed_unless_asked(client, queue):
    ids = post(client, queue, "a", "b")
    client.call("claim_create", {"queue_name": queue, "limit": 1})
    listed = client.call("message_list", {"queue_name": queue,
                                          "echo": True})
    assert [m["id"] for m in listed.body["messages"]] == ids[1:]
    # Upstream answers 500 here (redis); the correct answer lists both,
    # with claim_id still null in listings.
    listed = client.call("message_list", {"queue_name": queue, "echo": True,
                                          "include_claimed": True})
    assert listed.status == 200
    assert [(m["id"], m["claim_id"]) for m in listed.body["messages"]] == [
        (ids[0], None), (ids[1], None)]


def test_list_include_delayed_is_honoured(client, server, project):
    # Delayed messages can only come from HTTP; over websocket a queue
    # default delay is not applied, so the flag changes nothing here but
    # must be accepted (it is not in the schema).
    client.call("queue_create", {"queue_name": "dq"})
    post(client, "dq", "m")
    for flag in (True, False, "yes"):
        answer = client.call("message_list", {"queue_name": "dq",
                                              "echo": True,
                                              "include_delayed": flag})
        assert answer.status == 200
        assert len(answer.body["messages"]) == 1


def test_list_other_clients_messages(client, server, project, queue):
    post(client, queue, "mine")
    other = Client(server.url, project, client.binary,
                   client_id=str(uuid.uuid4()))
    with other:
        listed = other.call("message_list", {"queue_name": queue})
    assert [m["body"] for m in listed.body["messages"]] == ["mine"]


def test_list_missing_queue_is_404(client, project):
    answer = client.call("message_list", {"queue_name": "nosuch"})
    assert (answer.status, answer.body) == (404, {
        "exception": f"Queue nosuch does not exist for project {project}",
        "error": None})


def test_get(client, queue, project):
    [mid] = post(client, queue, {"x": [1, 2]})
    answer = client.call("message_get", {"queue_name": queue,
                                         "message_id": mid})
    assert (answer.status, answer.body) == (200, {"messages": {
        "id": mid, "claim_id": None, "ttl": 3600, "age": 0,
        "body": {"x": [1, 2]}}})

    answer = client.call("message_get", {"queue_name": queue,
                                         "message_id": "nosuch"})
    assert (answer.status, answer.body) == (404, {
        "exception": f"Message nosuch does not exist in queue {queue} for "
                     f"project {project}", "error": None})


def test_get_of_a_claimed_message_hides_the_claim(client, queue):
    [mid] = post(client, queue, "c")
    client.call("claim_create", {"queue_name": queue})
    answer = client.call("message_get", {"queue_name": queue,
                                         "message_id": mid})
    assert answer.body["messages"]["claim_id"] is None


def test_get_many(client, queue):
    ids = post(client, queue, "m1", "m2")
    answer = client.call("message_get_many", {
        "queue_name": queue, "message_ids": [ids[1], "nosuch", ids[0]]})
    assert answer.status == 200
    assert [(m["id"], m["body"]) for m in answer.body["messages"]] == [
        (ids[1], "m2"), (ids[0], "m1")]

    none = client.call("message_get_many", {"queue_name": queue,
                                            "message_ids": ["nosuch"]})
    assert (none.status, none.body) == (200, {"messages": []})

    answer = client.call("message_get_many", {"queue_name": queue,
                                              "message_ids": ["x"] * 21})
    assert (answer.status, answer.body) == (
        400, {"exception": LIMIT_TEXT, "error": None})


def test_delete(client, queue):
    [mid] = post(client, queue, "gone")
    answer = client.call("message_delete", {"queue_name": queue,
                                            "message_id": mid})
    assert (answer.status, answer.body) == (204, {})
    answer = client.call("message_get", {"queue_name": queue,
                                         "message_id": mid})
    assert answer.status == 404
    # Missing message and missing queue: still 204.
    for body in ({"queue_name": queue, "message_id": mid},
                 {"queue_name": "nosuch", "message_id": "x"}):
        answer = client.call("message_delete", body)
        assert (answer.status, answer.body) == (204, {})


def test_delete_claimed(client, queue, project):
    first, second = post(client, queue, "a", "b")
    claim_id = client.call("claim_create", {
        "queue_name": queue, "limit": 1}).body["claim_id"]

    answer = client.call("message_delete", {"queue_name": queue,
                                            "message_id": first})
    assert (answer.status, answer.body) == (403, {
        "exception": f"Message {first} is claimed", "error": CLAIMED})

    answer = client.call("message_delete", {
        "queue_name": queue, "message_id": first, "claim_id": "bad"})
    assert (answer.status, answer.body) == (400, {
        "exception": f"Claim bad does not exist in queue {queue} for "
                     f"project {project}",
        "error": "The specified claim does not exist or has expired."})

    answer = client.call("message_delete", {
        "queue_name": queue, "message_id": second, "claim_id": claim_id})
    assert (answer.status, answer.body) == (400, {
        "exception": f"Message {second} is no longer claimed",
        "error": "A claim was specified, but the message is not currently "
                 "claimed."})

    other = client.call("claim_create", {"queue_name": queue,
                                         "limit": 1}).body["claim_id"]
    answer = client.call("message_delete", {
        "queue_name": queue, "message_id": second, "claim_id": claim_id})
    assert (answer.status, answer.body) == (403, {
        "exception": f"Message {second} is not claimed by {claim_id}",
        "error": CLAIMED})

    for mid, cid in ((first, claim_id), (second, other)):
        answer = client.call("message_delete", {
            "queue_name": queue, "message_id": mid, "claim_id": cid})
        assert (answer.status, answer.body) == (204, {})


def test_delete_many_by_ids(client, queue):
    ids = post(client, queue, "a", "b", "c")
    answer = client.call("message_delete_many", {"queue_name": queue,
                                                 "message_ids": ids[:2]})
    assert (answer.status, answer.body) == (204, {})
    listed = client.call("message_list", {"queue_name": queue,
                                          "echo": True})
    assert [m["id"] for m in listed.body["messages"]] == ids[2:]


def test_delete_many_pop(client, queue):
    ids = post(client, queue, "p1", "p2")
    answer = client.call("message_delete_many", {"queue_name": queue,
                                                 "pop": 1})
    assert answer.status == 200
    [popped] = answer.body["messages"]
    assert set(popped) == {"id", "age", "ttl", "body", "claim_id",
                           "claim_count"}
    assert (popped["id"], popped["body"], popped["ttl"]) == (
        ids[0], "p1", 3600)
    listed = client.call("message_list", {"queue_name": queue,
                                          "echo": True})
    assert [m["id"] for m in listed.body["messages"]] == ids[1:]


def test_delete_many_errors(client, queue):
    cases = [
        ({}, 'The request should have either "ids" or "pop" parameter in '
             'the request, to be able to delete.'),
        ({"message_ids": ["a"], "pop": 1},
         "pop and id params cannot be present together in the delete "
         "request."),
        ({"pop": 25}, "Pop value must be at least 1 and may not be greater "
                      "than 20."),
        ({"pop": 0}, "Pop value must be at least 1 and may not be greater "
                     "than 20."),
        ({"message_ids": []}, "ids parameter should have at least 1 and not "
                              "greater than 20 values."),
    ]
    for extra, text in cases:
        answer = client.call("message_delete_many",
                             {"queue_name": queue, **extra})
        assert (answer.status, answer.body) == (
            400, {"exception": text, "error": None}), extra
    answer = client.call("message_delete_many", {"queue_name": queue,
                                                 "pop": "1"})
    assert (answer.status, answer.body) == (
        400, {"error": "Schema validation failed."})


def test_delete_many_ignores_claim_ids_by_default(client, queue):
    # Without message_delete_with_claim_id, as over HTTP, claim_ids are
    # not checked: listed messages go, claimed or not.
    first, second = post(client, queue, "a", "b")
    claim_id = client.call("claim_create", {
        "queue_name": queue, "limit": 1}).body["claim_id"]
    answer = client.call("message_delete_many", {
        "queue_name": queue, "message_ids": [first, second],
        "claim_ids": [claim_id]})
    assert (answer.status, answer.body) == (204, {})
    stats = client.call("queue_get_stats", {"queue_name": queue}).body
    assert stats["messages"]["total"] == 0


def test_unicode_bodies_round_trip(client, queue):
    body = {"text": "héllo ✓ 𝄞", "nested": [None, True, 1.5, -7]}
    [mid] = post(client, queue, body)
    answer = client.call("message_get", {"queue_name": queue,
                                         "message_id": mid})
    assert answer.body["messages"]["body"] == body
