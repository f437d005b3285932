"""Subscriptions: uniqueness among live ones, updates, paging, expiry."""

from __future__ import annotations

import uuid

import pytest

from tests.storage import helpers
from zaqar.storage import errors

HOOK = "http://127.0.0.1:1/hook"


def test_create_and_get(subscriptions, project):
    sid = subscriptions.create("q", HOOK, 600, {"k": "v"}, project)
    record = subscriptions.get("q", sid, project)
    assert record == {"id": sid, "source": "q", "subscriber": HOOK,
                      "ttl": 600, "age": record["age"],
                      "options": {"k": "v"}, "confirmed": False}
    assert record["age"] in (0, 1)
    assert subscriptions.exists("q", sid, project)


def test_unknown_subscription(subscriptions, project):
    sid = subscriptions.create("q", HOOK, 600, {}, project)
    for queue, bad in (("q", str(uuid.uuid4())), ("q", "not-an-id"),
                       ("other", sid)):
        with pytest.raises(errors.SubscriptionDoesNotExist):
            subscriptions.get(queue, bad, project)
        assert not subscriptions.exists(queue, bad, project)


def test_subscriber_is_unique_per_queue(subscriptions, project):
    subscriptions.create("q", HOOK, 600, {}, project)
    with pytest.raises(errors.SubscriptionAlreadyExists):
        subscriptions.create("q", HOOK, 600, {"other": 1}, project)
    subscriptions.create("q2", HOOK, 600, {}, project)
    subscriptions.create("q", HOOK + "2", 600, {}, project)
    subscriptions.create("q", "mailto:a@example.com", 600, {}, project)
    assert len(subscriptions.list("q", project)) == 3


def test_long_subscribers(subscriptions, project):
    long_uri = "http://127.0.0.1:1/" + "x" * 3000
    sid = subscriptions.create("q", long_uri, 600, {}, project)
    assert subscriptions.get("q", sid, project)["subscriber"] == long_uri
    with pytest.raises(errors.SubscriptionAlreadyExists):
        subscriptions.create("q", long_uri, 600, {}, project)


def test_get_with_subscriber(subscriptions, project):
    sid = subscriptions.create("q", HOOK, 600, {"a": 1}, project)
    assert subscriptions.get_with_subscriber("q", HOOK, project)["id"] == sid
    assert subscriptions.get_with_subscriber("q", HOOK + "x", project) is None
    assert subscriptions.get_with_subscriber("other", HOOK, project) is None


def test_list_pages_with_exclusive_marker(subscriptions, project):
    created = {subscriptions.create("q", f"{HOOK}/{i}", 600, {}, project)
               for i in range(7)}
    subscriptions.create("other", HOOK, 600, {}, project)
    seen, marker = [], None
    while True:
        page = subscriptions.list("q", project, marker=marker, limit=3)
        assert len(page) <= 3
        if not page:
            break
        assert all(s["source"] == "q" for s in page)
        seen.extend(s["id"] for s in page)
        marker = page[-1]["id"]
    assert len(seen) == 7 and set(seen) == created
    first = subscriptions.list("q", project, limit=2)
    after = subscriptions.list("q", project, marker=first[0]["id"], limit=1)
    assert after[0]["id"] == first[1]["id"]


def test_list_unknown_marker_and_missing_queue(subscriptions, project):
    subscriptions.create("q", HOOK, 600, {}, project)
    assert len(subscriptions.list("q", project, marker="not-an-id")) == 1
    assert subscriptions.list("nope", project) == []


def test_update_fields(subscriptions, project):
    sid = subscriptions.create("q", HOOK, 600, {"a": 1}, project)
    subscriptions.update("q", sid, project, subscriber=HOOK + "/new",
                         ttl=900, options={"b": 2})
    record = subscriptions.get("q", sid, project)
    assert (record["subscriber"], record["ttl"], record["options"]) == (
        HOOK + "/new", 900, {"b": 2})
    subscriptions.update("q", sid, project, options={})
    assert subscriptions.get("q", sid, project)["options"] == {}
    # The old subscriber is free again.
    subscriptions.create("q", HOOK, 600, {}, project)


def test_update_ttl_restarts_lifetime(subscriptions, project):
    sid = subscriptions.create("q", HOOK, 2, {}, project)
    subscriptions.update("q", sid, project, ttl=60)
    helpers.sleep_past(2)
    record = subscriptions.get("q", sid, project)
    assert record["ttl"] == 60 and record["age"] in (2, 3)


def test_update_errors(subscriptions, project):
    first = subscriptions.create("q", HOOK, 600, {}, project)
    second = subscriptions.create("q", HOOK + "/2", 600, {}, project)
    with pytest.raises(errors.SubscriptionAlreadyExists):
        subscriptions.update("q", second, project, subscriber=HOOK)
    subscriptions.update("q", first, project, subscriber=HOOK)  # itself
    with pytest.raises(errors.SubscriptionDoesNotExist):
        subscriptions.update("q", str(uuid.uuid4()), project, ttl=60)
    with pytest.raises(errors.SubscriptionDoesNotExist):
        subscriptions.update("other", first, project, ttl=60)
    assert subscriptions.get("q", second, project)["subscriber"] == (
        HOOK + "/2")


def test_confirm(subscriptions, project):
    sid = subscriptions.create("q", HOOK, 600, {}, project)
    subscriptions.confirm("q", sid, project)
    assert subscriptions.get("q", sid, project)["confirmed"] is True
    subscriptions.confirm("q", sid, project, confirmed=True)
    assert subscriptions.get("q", sid, project)["confirmed"] is True
    subscriptions.confirm("q", sid, project, confirmed=False)
    assert subscriptions.get("q", sid, project)["confirmed"] is False
    with pytest.raises(errors.SubscriptionDoesNotExist):
        subscriptions.confirm("q", str(uuid.uuid4()), project)


def test_delete(subscriptions, project):
    sid = subscriptions.create("q", HOOK, 600, {}, project)
    subscriptions.delete("q", sid, project)
    assert not subscriptions.exists("q", sid, project)
    subscriptions.delete("q", sid, project)
    subscriptions.delete("q", "not-an-id", project)
    subscriptions.create("q", HOOK, 600, {}, project)


def test_purge(subscriptions, project):
    for i in range(3):
        subscriptions.create("q", f"{HOOK}/{i}", 600, {}, project)
    kept = subscriptions.create("other", HOOK, 600, {}, project)
    subscriptions.purge("q", project)
    assert subscriptions.list("q", project) == []
    assert subscriptions.exists("other", kept, project)
    subscriptions.purge("nope", project)


def test_expired_subscriptions_vanish(subscriptions, project):
    sid = subscriptions.create("q", HOOK, 1, {}, project)
    helpers.sleep_past(1)
    assert not subscriptions.exists("q", sid, project)
    assert subscriptions.list("q", project) == []
    assert subscriptions.get_with_subscriber("q", HOOK, project) is None
    with pytest.raises(errors.SubscriptionDoesNotExist):
        subscriptions.get("q", sid, project)
    with pytest.raises(errors.SubscriptionDoesNotExist):
        subscriptions.confirm("q", sid, project)
    with pytest.raises(errors.SubscriptionDoesNotExist):
        subscriptions.update("q", sid, project, ttl=60)
    again = subscriptions.create("q", HOOK, 600, {}, project)
    assert subscriptions.get("q", again, project)["subscriber"] == HOOK
