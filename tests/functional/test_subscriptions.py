"""v2 subscriptions: create, list, get, update, delete, confirm
(``examples/v2-04-subscriptions.txt``)."""

from __future__ import annotations

import uuid

import pytest

from tests.functional.notifying import expect, expect_error, invalid

SUBSCRIBER = "http://127.0.0.1:38703/a"
Q = "/v2/queues/c-sub"
TYPES = ("The subscriber type of subscription must be supported in the "
         "list ['http', 'https', 'mailto', 'trust+http', 'trust+https'].")


def subscribe(client, document, queue=Q) -> str:
    resp = client.post(f"{queue}/subscriptions", json=document)
    expect(resp, 201, headers={"location": f"{queue}/subscriptions"})
    assert list(resp.json()) == ["subscription_id"]
    return resp.json()["subscription_id"]


def representation(sid: str, subscriber: str, ttl: int, options: dict,
                   confirmed: bool = False, source: str = "c-sub") -> dict:
    return {"id": sid, "source": source, "subscriber": subscriber,
            "ttl": ttl, "age": 0, "options": options, "confirmed": confirmed}


def fresh(document: dict) -> dict:
    """The document with a small age read as 0."""
    assert 0 <= document["age"] <= 5, document
    return dict(document, age=0)


# -- create -------------------------------------------------------------------

def test_create_without_body(client):
    invalid(client.post(f"{Q}/subscriptions"),
            "Missing parameter subscriber in body.")


@pytest.mark.parametrize("document, text", [
    ({}, "Missing parameter subscriber in body."),
    ([{"subscriber": SUBSCRIBER}], "Missing parameter subscriber in body."),
    ({"subscriber": "ftp://x"}, TYPES),
    ({"subscriber": "no-scheme"}, TYPES),
    ({"subscriber": 7}, TYPES),
    ({"subscriber": SUBSCRIBER, "ttl": 59},
     "The TTL for a subscription must be at least 60 seconds long."),
    ({"subscriber": SUBSCRIBER, "ttl": 0},
     "The TTL for a subscription must be at least 60 seconds long."),
    ({"subscriber": SUBSCRIBER, "ttl": "100"}, "TTL must be an integer."),
    ({"subscriber": SUBSCRIBER, "ttl": 10 ** 12},
     "The TTL seconds for a subscription plus current time must be less "
     "than 9999-12-31 23:59:59.999999."),
    ({"subscriber": SUBSCRIBER, "options": "x"}, "Options must be a dict."),
    ({"subscriber": SUBSCRIBER, "options": []}, "Options must be a dict."),
    ({"subscriber": SUBSCRIBER, "options": {"_retry_policy": 1}},
     "retry_policy must be a dict."),
    ({"subscriber": SUBSCRIBER,
      "options": {"_retry_policy": {"minimum_delay": 5,
                                    "maximum_delay": 10}}},
     "invalid minimum_delay and maximum_delay."),
    ({"subscriber": SUBSCRIBER,
      "options": {"_retry_policy": {"retry_backoff_function": "cubic"}}},
     "invalid retry_backoff_function."),
])
def test_create_errors(client, document, text):
    invalid(client.post(f"{Q}/subscriptions", json=document), text)


def test_create_unparsable_body(client):
    expect_error(client.post(f"{Q}/subscriptions", data=b"{nope",
                             headers={"Content-Type": "application/json"}),
                 400, "Invalid request body",
                 "Request body could not be parsed.")


def test_integer_beyond_64_bits(client):
    expect_error(client.post(f"{Q}/subscriptions",
                             data=b'{"subscriber": "http://x/", '
                                  b'"ttl": 99999999999999999999}'),
                 400, "Invalid request body",
                 "JSON contains integer that is too large.")


def test_create_creates_the_queue_and_defaults(client):
    sid = subscribe(client, {"subscriber": SUBSCRIBER})
    expect(client.get("/v2/queues"), 200, {
        "queues": [{"name": "c-sub", "href": "/v2/queues/c-sub"}],
        "links": [{"rel": "next", "href": "/v2/queues?marker=c-sub"}]})
    got = client.get(f"{Q}/subscriptions/{sid}")
    expect(got, 200)
    assert fresh(got.json()) == representation(sid, SUBSCRIBER, 3600, {})
    assert list(got.json()) == ["id", "source", "subscriber", "ttl", "age",
                                "options", "confirmed"]


def test_null_options_are_no_options(client):
    sid = subscribe(client, {"subscriber": SUBSCRIBER, "ttl": 600,
                             "options": None})
    got = client.get(f"{Q}/subscriptions/{sid}")
    assert fresh(got.json()) == representation(sid, SUBSCRIBER, 600, {})


@pytest.mark.parametrize("subscriber", [
    "https://example.org/hook", "mailto:someone@example.org?subject=x",
    "trust+http://example.org/h", "trust+https://example.org/h"])
def test_every_scheme_is_accepted(client, subscriber):
    subscribe(client, {"subscriber": subscriber})


def test_again_while_unconfirmed_returns_the_same_id(client):
    first = subscribe(client, {"subscriber": SUBSCRIBER, "options": {
        "post_headers": {"X-Custom": "yes"}}})
    again = subscribe(client, {"subscriber": SUBSCRIBER, "ttl": 600})
    assert again == first
    # nothing was updated
    got = client.get(f"{Q}/subscriptions/{first}").json()
    assert (got["ttl"], got["options"]) == (
        3600, {"post_headers": {"X-Custom": "yes"}})


def test_again_once_confirmed_is_a_conflict(client):
    sid = subscribe(client, {"subscriber": SUBSCRIBER})
    expect(client.put(f"{Q}/subscriptions/{sid}/confirm",
                      json={"confirmed": True}), 204)
    expect_error(
        client.post(f"{Q}/subscriptions", json={"subscriber": SUBSCRIBER}),
        409, "Resource conflict",
        "Such subscription already exists.Subscriptions are unique by "
        "project + queue + subscriber URI.",
        headers={"location": f"{Q}/subscriptions"})


def test_same_subscriber_on_another_queue_or_project(client, server):
    from tests.functional.conftest import Client
    first = subscribe(client, {"subscriber": SUBSCRIBER})
    other_queue = subscribe(client, {"subscriber": SUBSCRIBER},
                            queue="/v2/queues/c-other")
    other_project = subscribe(
        Client(server.url, "proj-" + uuid.uuid4().hex[:12]),
        {"subscriber": SUBSCRIBER})
    assert len({first, other_queue, other_project}) == 3


# -- list ---------------------------------------------------------------------

def test_list_empty_and_missing_queue(client):
    expect(client.get("/v2/queues/c-nosuch/subscriptions"), 200,
           '{"subscriptions": [], "links": []}')


def test_list_and_pages(client):
    ids = sorted(subscribe(client, {"subscriber": f"{SUBSCRIBER}{n}"})
                 for n in range(3))
    listed = client.get(f"{Q}/subscriptions")
    expect(listed, 200)
    assert sorted(s["id"] for s in listed.json()["subscriptions"]) == ids
    last = listed.json()["subscriptions"][-1]["id"]
    assert listed.json()["links"] == [
        {"rel": "next", "href": f"{Q}/subscriptions?marker={last}"}]

    seen, path = [], f"{Q}/subscriptions?limit=1"
    while True:
        page = client.get(path)
        expect(page, 200)
        items = page.json()["subscriptions"]
        if not items:
            assert page.json()["links"] == []
            break
        assert len(items) == 1
        # marker is read before limit: replaced in place once sent,
        # appended on the first page
        query = (f"limit=1&marker={items[0]['id']}" if not seen
                 else f"marker={items[0]['id']}&limit=1")
        seen.append(items[0]["id"])
        assert page.json()["links"] == [
            {"rel": "next", "href": f"{Q}/subscriptions?{query}"}]
        path = page.json()["links"][0]["href"]
    assert sorted(seen) == ids


@pytest.mark.parametrize("limit", [0, 21])
def test_list_limit_errors(client, limit):
    invalid(client.get(f"{Q}/subscriptions?limit={limit}"),
            "Limit must be at least 1 and may not be greater than 20.")


def test_list_limit_not_an_integer(client):
    expect_error(client.get(f"{Q}/subscriptions?limit=x"), 400,
                 "Invalid parameter",
                 'The "limit" parameter is invalid. The value must be an '
                 "integer.")


# -- get, update, delete ------------------------------------------------------

def test_get_unknown(client):
    expect_error(client.get(f"{Q}/subscriptions/nosuch"), 404, "Not found",
                 "Subscription nosuch does not exist")


def test_patch_errors(client):
    sid = subscribe(client, {"subscriber": SUBSCRIBER})
    other = subscribe(client, {"subscriber": SUBSCRIBER + "b"})
    item = f"{Q}/subscriptions/{sid}"
    invalid(client.patch(item), "No subscription to create.")
    invalid(client.patch(item, json={}), "No subscription to create.")
    invalid(client.patch(item, json={"ttl": 30}),
            "The TTL for a subscription must be at least 60 seconds long.")
    invalid(client.patch(item, json={"subscriber": "ftp://x"}), TYPES)
    invalid(client.patch(item, json={"options": []}),
            "Options must be a dict.")
    expect_error(client.patch(item, json={"foo": 1}), 400,
                 "Unable to update subscription",
                 f"Subscription {sid} could not be updated.")
    expect_error(client.patch(item, json={"subscriber": SUBSCRIBER + "b"}),
                 409, "Resource conflict",
                 "Such subscription already exists. Subscriptions are "
                 "unique by project + queue + subscriber URI.")
    expect_error(client.patch(f"{Q}/subscriptions/nosuch",
                              json={"ttl": 300}),
                 404, "Not found", "Subscription nosuch does not exist")
    assert client.get(f"{Q}/subscriptions/{other}").status_code == 200


def test_patch(client):
    sid = subscribe(client, {"subscriber": SUBSCRIBER, "options": {"k": 1}})
    item = f"{Q}/subscriptions/{sid}"
    expect(client.patch(item, json={"ttl": 300, "options": {
        "post_headers": {"X-Custom": "yes"}, "k": 2}}), 204,
        headers={"location": item})
    assert fresh(client.get(item).json()) == representation(
        sid, SUBSCRIBER, 300, {"post_headers": {"X-Custom": "yes"}, "k": 2})
    expect(client.patch(item, json={"subscriber": SUBSCRIBER + "z"}), 204)
    assert client.get(item).json()["subscriber"] == SUBSCRIBER + "z"


def test_delete(client):
    sid = subscribe(client, {"subscriber": SUBSCRIBER})
    expect(client.delete(f"{Q}/subscriptions/nosuch"), 204)
    expect(client.delete(f"{Q}/subscriptions/{sid}"), 204)
    expect_error(client.get(f"{Q}/subscriptions/{sid}"), 404, "Not found",
                 f"Subscription {sid} does not exist")
    # the subscriber may subscribe again
    assert subscribe(client, {"subscriber": SUBSCRIBER}) != sid


def test_purge_removes_subscriptions(client):
    subscribe(client, {"subscriber": SUBSCRIBER})
    expect(client.post(f"{Q}/purge",
                       json={"resource_types": ["subscriptions"]}), 204)
    expect(client.get(f"{Q}/subscriptions"), 200,
           '{"subscriptions": [], "links": []}')


# -- confirm ------------------------------------------------------------------

@pytest.mark.parametrize("body", [{"confirmed": "yes"}, {}, [True],
                                  {"confirmed": None}, {"confirmed": 1}])
def test_confirm_needs_a_boolean(client, body):
    sid = subscribe(client, {"subscriber": SUBSCRIBER})
    invalid(client.put(f"{Q}/subscriptions/{sid}/confirm", json=body),
            "The 'confirmed' should be boolean.")


def test_confirm_without_body(client):
    sid = subscribe(client, {"subscriber": SUBSCRIBER})
    invalid(client.put(f"{Q}/subscriptions/{sid}/confirm"),
            "The 'confirmed' should be boolean.")


def test_confirm_unknown(client):
    expect_error(client.put(f"{Q}/subscriptions/nosuch/confirm",
                            json={"confirmed": True}),
                 404, "Not found", "Subscription nosuch does not exist")


def test_confirm_and_unconfirm(client):
    sid = subscribe(client, {"subscriber": SUBSCRIBER})
    path = f"{Q}/subscriptions/{sid}/confirm"
    expect(client.put(path, json={"confirmed": True}), 204,
           headers={"location": path})
    assert client.get(f"{Q}/subscriptions/{sid}").json()["confirmed"] is True
    expect(client.put(path, json={"confirmed": False}), 204,
           headers={"location": path})
    assert client.get(f"{Q}/subscriptions/{sid}").json()[
        "confirmed"] is False


def test_methods_not_allowed(client):
    sid = subscribe(client, {"subscriber": SUBSCRIBER})
    resp = client.put(f"{Q}/subscriptions")
    assert resp.status_code == 405
    assert resp.headers["allow"] == "GET, POST, OPTIONS"
    resp = client.post(f"{Q}/subscriptions/{sid}")
    assert resp.status_code == 405
    assert resp.headers["allow"] == "DELETE, GET, PATCH, OPTIONS"
    assert client.get(f"{Q}/subscriptions/{sid}/confirm").status_code == 405


def test_bad_queue_name(client):
    expect_error(client.get("/v2/queues/bad$name/subscriptions"), 400,
                 "Invalid queue identification",
                 "The format of the submitted queue name or project id is "
                 "not valid.")
