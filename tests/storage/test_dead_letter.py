"""Dead-letter queues: claim counting and moving exhausted messages."""

from __future__ import annotations

from tests.storage import helpers

CLAIM = {"ttl": 60, "grace": 60}


def dlq_queue(queues, project, max_claims=1, ttl=None):
    metadata = {"_max_claim_count": max_claims, "_dead_letter_queue": "dlq"}
    if ttl is not None:
        metadata["_dead_letter_queue_messages_ttl"] = ttl
    queues.create("q", project, metadata)


def test_message_moves_after_max_claims(queues, messages, claims, project):
    dlq_queue(queues, project, max_claims=1)
    [mid] = helpers.post(messages, "q", project, ttl=300, body="poison")
    claim_id, claimed = claims.create("q", CLAIM, project)
    assert claimed[0]["claim_count"] == 1
    claims.delete("q", claim_id, project)  # a release still counts
    assert messages.get("q", mid, project)["claim_count"] == 1
    assert claims.create("q", CLAIM, project) == (None, [])
    assert messages.list("q", project, include_claimed=True) == []
    assert queues.exists("dlq", project)
    [moved] = messages.list("dlq", project)
    assert moved["body"] == "poison"
    assert moved["claim_id"] is None
    assert moved["ttl"] == 300
    _, reclaimed = claims.create("dlq", CLAIM, project)
    assert [m["body"] for m in reclaimed] == ["poison"]


def test_dead_letter_ttl_replaces_message_ttl(queues, messages, claims,
                                              project):
    dlq_queue(queues, project, max_claims=1, ttl=120)
    helpers.post(messages, "q", project, ttl=3000)
    claim_id, _ = claims.create("q", CLAIM, project)
    claims.delete("q", claim_id, project)
    claims.create("q", CLAIM, project)
    [moved] = messages.list("dlq", project)
    assert moved["ttl"] == 120


def test_existing_dead_letter_queue_keeps_its_metadata(queues, messages,
                                                       claims, project):
    queues.create("dlq", project, {"mine": True})
    dlq_queue(queues, project, max_claims=1)
    helpers.post(messages, "q", project)
    claims.delete("q", claims.create("q", CLAIM, project)[0], project)
    claims.create("q", CLAIM, project)
    assert queues.get_metadata("dlq", project) == {"mine": True}
    assert len(messages.list("dlq", project)) == 1


def test_expired_claims_count_too(queues, messages, claims, project):
    dlq_queue(queues, project, max_claims=2)
    helpers.post(messages, "q", project)
    _, first = claims.create("q", {"ttl": 1, "grace": 0}, project)
    assert first[0]["claim_count"] == 1
    helpers.sleep_past(1)
    _, second = claims.create("q", {"ttl": 1, "grace": 0}, project)
    assert second[0]["claim_count"] == 2
    helpers.sleep_past(1)
    assert claims.create("q", CLAIM, project) == (None, [])
    assert len(messages.list("dlq", project)) == 1


def test_only_exhausted_messages_move(queues, messages, claims, project):
    dlq_queue(queues, project, max_claims=1)
    [old] = helpers.post(messages, "q", project, body="old")
    claims.delete("q", claims.create("q", CLAIM, project)[0], project)
    [new] = helpers.post(messages, "q", project, body="new")
    claim_id, claimed = claims.create("q", CLAIM, project)
    assert helpers.ids(claimed) == [new]
    assert claimed[0]["claim_count"] == 1
    assert [m["body"] for m in messages.list("dlq", project)] == ["old"]
    assert helpers.ids(messages.list("q", project,
                                     include_claimed=True)) == [new]
    assert old


def test_no_move_without_both_settings(queues, messages, claims, project):
    queues.create("q", project, {"_dead_letter_queue": "dlq"})
    helpers.post(messages, "q", project)
    for _ in range(3):
        claim_id, claimed = claims.create("q", CLAIM, project)
        assert len(claimed) == 1 and claimed[0]["claim_count"] == 0
        claims.delete("q", claim_id, project)
    assert not queues.exists("dlq", project)


def test_settings_are_read_at_claim_time(queues, messages, claims, project):
    queues.create("q", project)
    helpers.post(messages, "q", project)
    claims.delete("q", claims.create("q", CLAIM, project)[0], project)
    queues.set_metadata("q", {"_max_claim_count": 1,
                              "_dead_letter_queue": "dlq"}, project)
    claim_id, claimed = claims.create("q", CLAIM, project)
    assert claimed[0]["claim_count"] == 1
    claims.delete("q", claim_id, project)
    assert claims.create("q", CLAIM, project) == (None, [])
    assert len(messages.list("dlq", project)) == 1


def test_queue_naming_itself_has_no_dead_letter_queue(queues, messages,
                                                       claims, project):
    """A queue that is its own dead-letter queue has none: its messages
    are claimed again and again, uncounted, their TTL untouched."""
    queues.create("q", project, {"_max_claim_count": 1,
                                 "_dead_letter_queue": "q",
                                 "_dead_letter_queue_messages_ttl": 120})
    [mid] = helpers.post(messages, "q", project, ttl=300)
    for _ in range(3):
        claim_id, claimed = claims.create("q", CLAIM, project)
        assert helpers.ids(claimed) == [mid]
        assert claimed[0]["claim_count"] == 0
        claims.delete("q", claim_id, project)
    [message] = messages.list("q", project)
    assert (message["id"], message["ttl"], message["claim_count"]) == \
        (mid, 300, 0)
