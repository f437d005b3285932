"""v2 topics: what a correct server does on every /v2/topics route
(``examples/v2-07-topics.txt`` shows upstream failing; the container
endpoints follow ``examples/v2-12-mongodb-differences.txt``; messages and
subscriptions behave as their queue counterparts), and the fan-out of
topic messages to subscribers."""

from __future__ import annotations

import json
import uuid

import pytest

from tests.functional import notifying
from tests.functional.conftest import STORES, Client
from tests.functional.notifying import expect, expect_error, invalid
from tests.functional.receivers import SMTPReceiver, WebhookReceiver

T = "/v2/topics/c-t1"
JSON_PATCH = "application/openstack-messaging-v2.0-json-patch"
TOPIC_DEFAULTS = {"_max_messages_post_size": 262144,
                  "_default_message_ttl": 3600, "_default_message_delay": 0}
EMPTY_LIST = '{"topics": [], "links": []}'


def patch(client, path, operations, content_type=JSON_PATCH):
    return client.patch(path, data=json.dumps(operations),
                        headers={"Content-Type": content_type})


def post(client, topic, *bodies) -> list[str]:
    resp = client.post(f"/v2/topics/{topic}/messages",
                       json={"messages": [{"body": b} for b in bodies]})
    expect(resp, 201)
    prefix = f"/v2/topics/{topic}/messages/"
    hrefs = resp.json()["resources"]
    assert all(href.startswith(prefix) for href in hrefs)
    ids = [href[len(prefix):] for href in hrefs]
    assert resp.headers["location"] == (
        f"/v2/topics/{topic}/messages?ids=" + ",".join(ids))
    return ids


# -- the topic itself ---------------------------------------------------------

def test_list_empty(client):
    expect(client.get("/v2/topics"), 200, EMPTY_LIST)


def test_create_and_create_again(client):
    resp = client.put(T, json={"description": "x"})
    expect(resp, 201, headers={"location": T})
    assert resp.content == b""
    expect(client.put(T), 204, headers={"location": T})
    # metadata unchanged by the second PUT
    expect(client.get(T), 200, dict({"description": "x"}, **TOPIC_DEFAULTS))


def test_get_shows_three_defaults_also_for_a_missing_topic(client):
    expect(client.get("/v2/topics/c-nosuch"), 200,
           '{"_max_messages_post_size": 262144, "_default_message_ttl": '
           '3600, "_default_message_delay": 0}')
    expect(client.put(T, json={"_default_message_ttl": 600, "a": 1}), 201)
    expect(client.get(T), 200,
           '{"_default_message_ttl": 600, "a": 1, '
           '"_max_messages_post_size": 262144, "_default_message_delay": 0}')


@pytest.mark.parametrize("metadata, text", [
    ({"_default_message_ttl": 10},
     "_default_message_ttl can not exceed 1209600 seconds, and must be at "
     "least 60 seconds long."),
    ({"_max_messages_post_size": "x"},
     "_max_messages_post_size must be integer."),
    ({"_retry_policy": []}, "retry_policy must be a dict."),
])
def test_create_validates_metadata_like_queues(client, metadata, text):
    invalid(client.put(T, json=metadata), text)


@pytest.mark.parametrize("name", ["bad$name", "x" * 65])
def test_bad_topic_name(client, name):
    expect_error(client.put(f"/v2/topics/{name}"), 400,
                 "Invalid topic identification",
                 "The format of the submitted topic name or project id is "
                 "not valid.")
    expect_error(client.get(f"/v2/topics/{name}/messages"), 400,
                 "Invalid topic identification",
                 "The format of the submitted topic name or project id is "
                 "not valid.")


def test_list_detailed_paging_and_filters(client):
    for name in ("c-t1", "c-t2", "c-t3"):
        expect(client.put(f"/v2/topics/{name}",
                          json={"description": name}), 201)
    expect(client.get("/v2/topics?detailed=true&limit=1"), 200, {
        "topics": [{"name": "c-t1", "metadata": dict(
            {"description": "c-t1"}, **TOPIC_DEFAULTS),
            "href": "/v2/topics/c-t1"}],
        "links": [{"rel": "next",
                   "href": "/v2/topics?limit=1&detailed=true&marker=c-t1"}]})
    expect(client.get("/v2/topics?marker=c-t1"), 200, {
        "topics": [{"name": "c-t2", "href": "/v2/topics/c-t2"},
                   {"name": "c-t3", "href": "/v2/topics/c-t3"}],
        "links": [{"rel": "next", "href": "/v2/topics?marker=c-t3"}]})
    expect(client.get("/v2/topics?marker=c-t3"), 200, EMPTY_LIST)
    expect(client.get("/v2/topics?name=t2"), 200, {
        "topics": [{"name": "c-t2", "href": "/v2/topics/c-t2"}],
        "links": [{"rel": "next", "href": "/v2/topics?name=t2&marker=c-t2"}]})
    listed = client.get("/v2/topics?description=c-t3")
    expect(listed, 200)
    assert [t["name"] for t in listed.json()["topics"]] == ["c-t3"]


@pytest.mark.parametrize("limit", [0, 21])
def test_list_limit(client, limit):
    invalid(client.get(f"/v2/topics?limit={limit}"),
            "Limit must be at least 1 and no greater than 20.")


def test_topics_and_queues_are_apart(client):
    expect(client.put("/v2/queues/same", json={"kind": "queue"}), 201)
    expect(client.put("/v2/topics/same", json={"kind": "topic"}), 201)
    assert client.get("/v2/queues/same").json()["kind"] == "queue"
    assert client.get("/v2/topics/same").json()["kind"] == "topic"
    assert [q["name"] for q in client.get("/v2/queues").json()[
        "queues"]] == ["same"]
    assert [t["name"] for t in client.get("/v2/topics").json()[
        "topics"]] == ["same"]
    post(client, "same", "to the topic")
    queue_messages = client.get("/v2/queues/same/messages?echo=true")
    assert queue_messages.json()["messages"] == []
    expect(client.delete("/v2/topics/same"), 204)
    assert client.get("/v2/queues/same").json()["kind"] == "queue"


def test_topics_of_other_projects_are_invisible(client, server):
    expect(client.put(T), 201)
    post(client, "c-t1", "mine")
    other = Client(server.url, "proj-" + uuid.uuid4().hex[:12])
    expect(other.get("/v2/topics"), 200, EMPTY_LIST)
    expect(other.get(f"{T}/messages?echo=true"), 200,
           '{"messages": [], "links": []}')


def test_patch(client):
    expect(client.put(T, json={"description": "x"}), 201)
    expect(patch(client, T, [{"op": "add", "path": "/metadata/a",
                              "value": 1}]), 200,
           dict({"description": "x", "a": 1}, **TOPIC_DEFAULTS))
    expect(client.get(T), 200,
           dict({"description": "x", "a": 1}, **TOPIC_DEFAULTS))
    expect(patch(client, T, [{"op": "remove", "path": "/metadata/a"}]), 200,
           dict({"description": "x"}, **TOPIC_DEFAULTS))


def test_patch_errors(client):
    expect_error(patch(client, "/v2/topics/c-nosuch",
                       [{"op": "add", "path": "/metadata/a", "value": 1}]),
                 404, "Not found",
                 f"Topic c-nosuch does not exist for project "
                 f"{client.headers['X-Project-ID']}")
    expect(client.put(T), 201)
    resp = patch(client, T, [], content_type="application/json")
    assert resp.status_code == 415
    expect_error(patch(client, T, [{"op": "add", "path": "/metadata/_"
                                    "default_message_ttl", "value": 1}]),
                 400, "Invalid request body",
                 "_default_message_ttl can not exceed 1209600 seconds, and "
                 "must be at least 60 seconds long.")


def test_delete(client):
    expect(client.put(T), 201)
    post(client, "c-t1", 1)
    expect(client.delete(T), 204)
    expect(client.delete(T), 204)
    expect(client.get("/v2/topics"), 200, EMPTY_LIST)
    expect(client.get(f"{T}/stats"), 200,
           '{"messages": {"claimed": 0, "free": 0, "total": 0}}')


def test_stats(client):
    expect(client.get("/v2/topics/c-nosuch/stats"), 200,
           '{"messages": {"claimed": 0, "free": 0, "total": 0}}')
    expect(client.put(T), 201)
    expect(client.get(f"{T}/stats"), 200, '{"messages": {"total": 0}}')
    first, _, last = post(client, "c-t1", "a", "b", "c")
    stats = client.get(f"{T}/stats")
    expect(stats, 200)
    counts = stats.json()["messages"]
    assert list(counts) == ["total", "newest", "oldest"]
    assert counts["total"] == 3
    assert counts["oldest"]["href"] == f"{T}/messages/{first}"
    assert counts["newest"]["href"] == f"{T}/messages/{last}"
    assert (counts["oldest"]["body"], counts["newest"]["body"]) == ("a", "c")


def test_purge(client):
    expect(client.put(T), 201)
    invalid(client.post(f"{T}/purge", json={}),
            'Post body must contain key "resource_types".')
    post(client, "c-t1", 1, 2)
    client.post(f"{T}/subscriptions", json={"subscriber": "http://x.org/"})
    expect(client.post(f"{T}/purge", json={"resource_types": ["messages"]}),
           204)
    expect(client.get(f"{T}/stats"), 200, '{"messages": {"total": 0}}')
    assert len(client.get(f"{T}/subscriptions").json()[
        "subscriptions"]) == 1
    expect(client.post(f"{T}/purge"), 204)
    assert client.get(f"{T}/subscriptions").json()["subscriptions"] == []


def test_no_claims(client):
    expect(client.put(T), 201)
    resp = client.post(f"{T}/claims", json={})
    assert resp.status_code == 404
    assert resp.json() == {"title": "404 Not Found"}


# -- messages -----------------------------------------------------------------

def test_post_list_and_get_messages(client):
    ids = post(client, "c-t1", {"event": 1}, "two")
    listed = client.get(f"{T}/messages?echo=true")
    expect(listed, 200)
    messages = listed.json()["messages"]
    assert [m["body"] for m in messages] == [{"event": 1}, "two"]
    assert [m["href"] for m in messages] == [f"{T}/messages/{i}"
                                             for i in ids]
    assert listed.json()["links"] == [{"rel": "next", "href": (
        f"{T}/messages?echo=true&include_delayed=true&marker={ids[-1]}")}]
    # echo is off by default: the poster does not see its own messages
    assert client.get(f"{T}/messages").json()["messages"] == []

    one = client.get(f"{T}/messages/{ids[0]}")
    expect(one, 200)
    assert one.json()["href"] == f"{T}/messages/{ids[0]}"
    assert one.json()["body"] == {"event": 1}

    by_ids = client.get(f"{T}/messages?ids={ids[1]},{ids[0]}")
    expect(by_ids, 200)
    assert [m["id"] for m in by_ids.json()["messages"]] == [ids[1], ids[0]]


def test_message_errors_say_topic(client):
    project = client.headers["X-Project-ID"]
    post(client, "c-t1", 1)
    expect_error(client.get(f"{T}/messages/nosuch"), 404, "Not found",
                 f"Message nosuch does not exist in topic c-t1 for project "
                 f"{project}")
    expect_error(client.get(f"{T}/messages?ids=nosuch"), 404, "Not found",
                 f"No messages with IDs: ['nosuch'] found in the topic c-t1 "
                 f"for project {project}.")
    invalid(client.post(f"{T}/messages", json={"messages": []}),
            "No messages to enqueu.")
    invalid(client.post(f"{T}/messages", json={"nope": []}),
            "No messages were found in the request body.")


def test_delete_messages(client):
    first, second, third = post(client, "c-t1", 1, 2, 3)
    expect(client.delete(f"{T}/messages/{first}"), 204)
    expect(client.delete(f"{T}/messages?ids={second}"), 204)
    popped = client.delete(f"{T}/messages?pop=1")
    expect(popped, 200)
    assert [m["body"] for m in popped.json()["messages"]] == [3]
    expect(client.get(f"{T}/stats"), 200, '{"messages": {"total": 0}}')


# -- subscriptions ------------------------------------------------------------

def test_subscriptions(client):
    created = client.post(f"{T}/subscriptions",
                          json={"subscriber": "http://127.0.0.1:9/t"})
    expect(created, 201, headers={"location": f"{T}/subscriptions"})
    sid = created.json()["subscription_id"]
    again = client.post(f"{T}/subscriptions",
                        json={"subscriber": "http://127.0.0.1:9/t"})
    assert again.json()["subscription_id"] == sid

    item = f"{T}/subscriptions/{sid}"
    got = client.get(item)
    expect(got, 200)
    assert dict(got.json(), age=0) == {
        "id": sid, "source": "c-t1", "subscriber": "http://127.0.0.1:9/t",
        "ttl": 3600, "age": 0, "options": {}, "confirmed": False}
    listed = client.get(f"{T}/subscriptions")
    expect(listed, 200, {"subscriptions": [got.json()], "links": [
        {"rel": "next", "href": f"{T}/subscriptions?marker={sid}"}]})
    # the queue of the same name has none
    expect(client.get("/v2/queues/c-t1/subscriptions"), 200,
           '{"subscriptions": [], "links": []}')

    expect(client.patch(item, json={"ttl": 300}), 204,
           headers={"location": item})
    assert client.get(item).json()["ttl"] == 300
    expect(client.put(f"{item}/confirm", json={"confirmed": True}), 204,
           headers={"location": f"{item}/confirm"})
    assert client.get(item).json()["confirmed"] is True
    expect_error(client.post(f"{T}/subscriptions",
                             json={"subscriber": "http://127.0.0.1:9/t"}),
                 409, "Resource conflict",
                 "Such subscription already exists.Subscriptions are unique "
                 "by project + queue + subscriber URI.",
                 headers={"location": f"{T}/subscriptions"})
    expect(client.delete(item), 204)
    expect_error(client.get(item), 404, "Not found",
                 f"Subscription {sid} does not exist")


def test_subscription_errors(client):
    invalid(client.post(f"{T}/subscriptions", json={}),
            "Missing parameter subscriber in body.")
    invalid(client.post(f"{T}/subscriptions",
                        json={"subscriber": "http://x/", "ttl": 0}),
            "The TTL for a subscription must be at least 60 seconds long.")
    expect_error(client.put(f"{T}/subscriptions/nosuch/confirm",
                            json={"confirmed": True}),
                 404, "Not found", "Subscription nosuch does not exist")
    invalid(client.put(f"{T}/subscriptions/nosuch/confirm",
                       json={"confirmed": "yes"}),
            "The 'confirmed' should be boolean.")


# -- fan-out ------------------------------------------------------------------

@pytest.fixture(scope="module", params=STORES)
def fanout_server(request, tmp_path_factory):
    smtp = SMTPReceiver().start()
    srv = notifying.start(
        tmp_path_factory.mktemp(f"topics-{request.param}"), request.param,
        notification={"smtp_mode": "self_local", "smtp_host": "127.0.0.1",
                      "smtp_port": smtp.port})
    srv.smtp = smtp
    yield srv
    srv.stop()
    smtp.stop()


def test_every_topic_message_reaches_every_subscriber(fanout_server,
                                                      project):
    client = Client(fanout_server.url, project)
    receiver = WebhookReceiver().start()
    try:
        paths = [f"/{project}/{n}" for n in range(3)]
        for path in paths:
            expect(client.post("/v2/topics/news/subscriptions", json={
                "subscriber": receiver.url + path}), 201)
        to = f"{project}@example.org"
        expect(client.post("/v2/topics/news/subscriptions", json={
            "subscriber": f"mailto:{to}?subject=News"}), 201)
        post(client, "news", "first", {"second": 2})
        wanted = sorted(json.dumps({"ttl": 3600, "body": body,
                                    "Message_Type": "Notification",
                                    "queue_name": "news"})
                        for body in ("first", {"second": 2}))
        for path in paths:
            got = receiver.wait_for(path, 2)
            assert sorted(r.body.decode() for r in got) == wanted
        mails = fanout_server.smtp.wait_for(to, 2)
        assert sorted(m.get_content().strip() for _, _, m in mails) == wanted
        # a queue of the same name does not notify the topic's subscribers
        expect(client.post("/v2/queues/news/messages",
                           json={"messages": [{"body": "queue"}]}), 201)
        notifying.quiet_for(1.5, lambda: len(receiver.received(paths[0])),
                            2)
    finally:
        receiver.stop()
