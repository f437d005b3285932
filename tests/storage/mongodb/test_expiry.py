"""Expired documents are hidden at once and removed by MongoDB's TTL
monitor (tools/mongodb.sh runs it every second)."""

from __future__ import annotations

import time
import uuid

import pytest


def _index_options(collection) -> dict:
    return {spec["name"]: spec for spec in collection.list_indexes()}


def test_indexes(mongo_driver, mongo_control):
    db = mongo_driver.db
    messages = _index_options(db["messages"])
    assert messages["queue_order"]["unique"]
    assert list(messages["queue_order"]["key"]) == ["p", "q", "k"]
    for name in ("messages", "claims", "subscriptions"):
        expiry = _index_options(db[name])["expiry"]
        assert expiry["expireAfterSeconds"] == 0
    assert _index_options(db["queues"])["queue"]["unique"]
    assert _index_options(db["subscriptions"])["subscriber"]["unique"]
    assert _index_options(mongo_control.db["pools"])["uri"]["unique"]


@pytest.mark.slow
def test_ttl_monitor_removes_expired_documents(mongo_driver):
    project = "ttl-" + uuid.uuid4().hex[:8]
    messages, claims, subscriptions = (mongo_driver.message_controller,
                                       mongo_driver.claim_controller,
                                       mongo_driver.subscription_controller)
    messages.post("q", [{"body": 1, "ttl": 1, "delay": 0},
                        {"body": 2, "ttl": 1, "delay": 0}], project, None)
    claims.create("q", {"ttl": 1, "grace": 0}, project, limit=1)
    subscriptions.create("q", "http://127.0.0.1:1/", 1, {}, project)
    time.sleep(1.2)
    # Hidden before any removal ran.
    assert messages.list("q", project, include_claimed=True) == []
    assert subscriptions.list("q", project) == []
    db = mongo_driver.db
    deadline = time.monotonic() + 90  # TTL monitor period + slack
    remaining = None
    while time.monotonic() < deadline:
        remaining = {name: db[name].count_documents({"p": project})
                     for name in ("messages", "claims", "subscriptions")}
        if not any(remaining.values()):
            break
        time.sleep(0.5)
    assert remaining == {"messages": 0, "claims": 0, "subscriptions": 0}
