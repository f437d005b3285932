"""Two projects never see each other's data; ``None`` is a project too."""

from __future__ import annotations

import uuid

import pytest

from tests.storage import helpers
from zaqar.storage import errors

CLAIM = {"ttl": 60, "grace": 60}


@pytest.fixture
def other():
    return "proj-" + uuid.uuid4().hex[:12]


def test_queues_are_per_project(queues, project, other):
    queues.create("q", project, {"owner": "a"})
    assert not queues.exists("q", other)
    assert queues.list(other) == []
    assert queues.count(other) == 0
    queues.create("q", other, {"owner": "b"})
    assert queues.get_metadata("q", project) == {"owner": "a"}
    queues.delete("q", other)
    assert queues.exists("q", project)


def test_messages_are_per_project(queues, messages, project, other):
    [mine] = helpers.post(messages, "q", project)
    [theirs] = helpers.post(messages, "q", other)
    assert helpers.ids(messages.list("q", other)) == [theirs]
    with pytest.raises(errors.MessageDoesNotExist):
        messages.get("q", mine, other)
    assert messages.bulk_get("q", [mine], other) == []
    messages.delete("q", mine, other)
    messages.bulk_delete("q", [mine], other)
    messages.purge("q", other)
    assert helpers.ids(messages.list("q", project)) == [mine]
    assert messages.pop("q", 5, other) == []
    assert queues.stats("q", project)["total"] == 1


def test_claims_are_per_project(messages, claims, project, other):
    [mine] = helpers.post(messages, "q", project)
    helpers.post(messages, "q", other)
    claim_id, claimed = claims.create("q", CLAIM, project)
    assert helpers.ids(claimed) == [mine]
    with pytest.raises(errors.ClaimDoesNotExist):
        claims.get("q", claim_id, other)
    with pytest.raises(errors.ClaimDoesNotExist):
        claims.update("q", claim_id, CLAIM, other)
    claims.delete("q", claim_id, other)
    assert claims.get("q", claim_id, project)[0]["id"] == claim_id
    _, theirs = claims.create("q", CLAIM, other)
    assert len(theirs) == 1 and theirs[0]["id"] != mine


def test_subscriptions_are_per_project(subscriptions, project, other):
    hook = "http://127.0.0.1:1/hook"
    sid = subscriptions.create("q", hook, 600, {}, project)
    assert not subscriptions.exists("q", sid, other)
    assert subscriptions.list("q", other) == []
    assert subscriptions.get_with_subscriber("q", hook, other) is None
    with pytest.raises(errors.SubscriptionDoesNotExist):
        subscriptions.confirm("q", sid, other)
    subscriptions.delete("q", sid, other)
    subscriptions.purge("q", other)
    theirs = subscriptions.create("q", hook, 600, {}, other)
    assert theirs != sid and subscriptions.exists("q", sid, project)


def test_dead_letter_queue_stays_in_project(queues, messages, claims,
                                            project, other):
    queues.create("q", project, {"_max_claim_count": 1,
                                 "_dead_letter_queue": "dlq"})
    helpers.post(messages, "q", project)
    claims.delete("q", claims.create("q", CLAIM, project)[0], project)
    claims.create("q", CLAIM, project)
    assert len(messages.list("dlq", project)) == 1
    assert not queues.exists("dlq", other)


def test_no_project_is_a_namespace_of_its_own(queues, messages, project):
    name = "global-" + uuid.uuid4().hex[:8]
    [unscoped] = helpers.post(messages, name, None)
    assert queues.exists(name, None)
    assert not queues.exists(name, project)
    assert [q["name"] for q in queues.list(None, name=name)] == [name]
    helpers.post(messages, name, project)
    assert helpers.ids(messages.list(name, None)) == [unscoped]
    queues.delete(name, None)
    assert queues.exists(name, project)
