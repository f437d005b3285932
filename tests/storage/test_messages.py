"""Messages: posting, FIFO listing, filters, lookups, deletion, pop."""

from __future__ import annotations

import time
import uuid

import pytest

from tests.storage import helpers
from zaqar.storage import errors

CLAIM = {"ttl": 60, "grace": 60}


def test_post_returns_distinct_ids_in_order(messages, project):
    first = helpers.post(messages, "q", project, count=3)
    second = helpers.post(messages, "q", project, count=2)
    assert len(set(first + second)) == 5
    assert all(isinstance(mid, str) for mid in first + second)
    assert helpers.ids(messages.list("q", project, limit=10)) == (
        first + second)


def test_post_creates_the_queue(queues, messages, project):
    helpers.post(messages, "q", project)
    assert queues.exists("q", project)
    assert queues.get_metadata("q", project) == {}


def test_post_keeps_existing_metadata(queues, messages, project):
    queues.create("q", project, {"a": 1})
    helpers.post(messages, "q", project)
    assert queues.get_metadata("q", project) == {"a": 1}


@pytest.mark.parametrize("body", [
    None, 0, -7, 2 ** 62, 1.5, True, "text", "žluťoučký ☃ 𝄞", [1, [2], {}],
    {"nested": {"list": [None, False, "x"], "n": 3}}, {}, [], ""])
def test_bodies_round_trip(messages, project, body):
    [mid] = messages.post("q", [{"body": body, "ttl": 60, "delay": 0}],
                          project, None)
    assert messages.get("q", mid, project)["body"] == body
    assert messages.list("q", project)[0]["body"] == body


def test_large_body_round_trips(messages, project):
    body = {"blob": "x" * 200_000}
    [mid] = messages.post("q", [{"body": body, "ttl": 60, "delay": 0}],
                          project, None)
    assert messages.get("q", mid, project)["body"] == body


def test_record_fields(messages, project):
    client = helpers.client_id()
    before = time.time()
    [mid] = messages.post("q", [{"body": {"k": 1}, "ttl": 120, "delay": 0}],
                          project, client)
    record = messages.get("q", mid, project)
    assert record["id"] == mid
    assert record["ttl"] == 120
    assert record["age"] in (0, 1)
    assert before - 1 <= record["created"] <= time.time() + 1
    assert record["claim_id"] is None
    assert record["claim_count"] == 0
    assert record["client_uuid"] == client


def test_list_is_fifo_with_exclusive_marker(messages, project):
    posted = helpers.post(messages, "q", project, count=12)
    first = messages.list("q", project, limit=5)
    assert helpers.ids(first) == posted[:5]
    second = messages.list("q", project, limit=5, marker=posted[0])
    assert helpers.ids(second) == posted[1:6]
    assert helpers.ids(helpers.drain(messages, "q", project)) == posted
    assert messages.list("q", project, marker=posted[-1]) == []


def test_list_unknown_marker_restarts_from_head(messages, project):
    posted = helpers.post(messages, "q", project, count=3)
    for marker in (str(uuid.uuid4()), "not-an-id"):
        assert helpers.ids(messages.list("q", project, marker=marker)) == (
            posted)


def test_list_after_a_deleted_marker_skips_nothing(messages, project):
    # SQL (positions) and Redis (remembered places) go on after it; the
    # MongoDB driver starts again from the head (doc/api-v2.rst).
    posted = helpers.post(messages, "q", project, count=5)
    messages.delete("q", posted[2], project)
    listed = helpers.ids(messages.list("q", project, marker=posted[2]))
    assert listed in (posted[3:], posted[:2] + posted[3:])


def test_list_missing_queue_is_empty(messages, project):
    assert messages.list("nope", project) == []


def test_list_skips_own_messages_unless_echo(messages, project):
    me, other = helpers.client_id(), helpers.client_id()
    mine = helpers.post(messages, "q", project, count=2, client=me)
    theirs = helpers.post(messages, "q", project, count=2, client=other)
    assert helpers.ids(messages.list("q", project, client_uuid=me)) == theirs
    assert helpers.ids(messages.list("q", project, client_uuid=me,
                                     echo=True)) == mine + theirs
    assert helpers.ids(messages.list("q", project)) == mine + theirs


def test_list_hides_claimed_unless_asked(messages, claims, project):
    posted = helpers.post(messages, "q", project, count=4)
    claim_id, _ = claims.create("q", CLAIM, project, limit=2)
    assert helpers.ids(messages.list("q", project)) == posted[2:]
    listed = messages.list("q", project, include_claimed=True)
    assert helpers.ids(listed) == posted
    assert [m["claim_id"] for m in listed] == [claim_id] * 2 + [None] * 2


def test_delayed_messages_are_hidden_until_due(messages, claims, project):
    [due] = helpers.post(messages, "q", project)
    [later] = helpers.post(messages, "q", project, delay=2)
    assert helpers.ids(messages.list("q", project)) == [due]
    assert helpers.ids(messages.list("q", project, include_delayed=True)) == [
        due, later]
    assert messages.get("q", later, project)["id"] == later
    _, claimed = claims.create("q", CLAIM, project, limit=5)
    assert helpers.ids(claimed) == [due]
    helpers.sleep_past(2)
    assert helpers.ids(messages.list("q", project)) == [later]
    _, claimed = claims.create("q", CLAIM, project, limit=5)
    assert helpers.ids(claimed) == [later]


def test_expired_messages_vanish_everywhere(queues, messages, claims,
                                            project):
    [short] = helpers.post(messages, "q", project, ttl=1)
    [long] = helpers.post(messages, "q", project, ttl=60)
    helpers.sleep_past(1)
    assert helpers.ids(messages.list("q", project, include_claimed=True,
                                     include_delayed=True)) == [long]
    with pytest.raises(errors.MessageDoesNotExist):
        messages.get("q", short, project)
    assert helpers.ids(messages.bulk_get("q", [short, long], project)) == [
        long]
    stats = queues.stats("q", project)
    assert stats["total"] == 1 and stats["oldest"]["id"] == long
    _, claimed = claims.create("q", CLAIM, project)
    assert helpers.ids(claimed) == [long]
    assert messages.pop("q", 5, project) == []


def test_get_errors(messages, project):
    [mid] = helpers.post(messages, "q", project)
    [elsewhere] = helpers.post(messages, "other", project)
    with pytest.raises(errors.QueueDoesNotExist):
        messages.get("nope", mid, project)
    for bad in (elsewhere, str(uuid.uuid4()), "not-an-id", "", "0", "-1",
                "99999999999999999999999999"):
        with pytest.raises(errors.MessageDoesNotExist):
            messages.get("q", bad, project)


def test_bulk_get_in_asked_order(messages, claims, project):
    posted = helpers.post(messages, "q", project, count=4)
    [delayed] = helpers.post(messages, "q", project, delay=60)
    claims.create("q", CLAIM, project, limit=1)
    asked = [delayed, "not-an-id", posted[3], posted[0], str(uuid.uuid4())]
    assert helpers.ids(messages.bulk_get("q", asked, project)) == [
        delayed, posted[3], posted[0]]
    assert messages.bulk_get("nope", posted, project) == []
    assert messages.bulk_get("q", [], project) == []


def test_delete_unclaimed(messages, project):
    posted = helpers.post(messages, "q", project, count=2)
    messages.delete("q", posted[0], project)
    assert helpers.ids(messages.list("q", project)) == posted[1:]
    messages.delete("q", posted[0], project)  # already gone
    messages.delete("q", "not-an-id", project)
    messages.delete("nope", posted[1], project)
    assert helpers.ids(messages.list("q", project)) == posted[1:]


def test_delete_respects_claims(messages, claims, project):
    posted = helpers.post(messages, "q", project, count=3)
    mine, _ = claims.create("q", CLAIM, project, limit=1)
    other, _ = claims.create("q", CLAIM, project, limit=1)
    with pytest.raises(errors.MessageIsClaimed):
        messages.delete("q", posted[0], project)
    with pytest.raises(errors.MessageIsClaimedBy):
        messages.delete("q", posted[0], project, claim=other)
    with pytest.raises(errors.ClaimDoesNotExist):
        messages.delete("q", posted[0], project, claim=str(uuid.uuid4()))
    with pytest.raises(errors.MessageNotClaimed):
        messages.delete("q", posted[2], project, claim=mine)
    messages.delete("q", posted[0], project, claim=mine)
    assert helpers.ids(messages.list("q", project, include_claimed=True)) == (
        posted[1:])


def test_delete_after_claim_released(messages, claims, project):
    [mid] = helpers.post(messages, "q", project)
    claim_id, _ = claims.create("q", CLAIM, project)
    claims.delete("q", claim_id, project)
    with pytest.raises(errors.MessageNotClaimed):
        messages.delete("q", mid, project, claim=claim_id)
    messages.delete("q", mid, project)
    assert messages.list("q", project) == []


def test_bulk_delete_ignores_claims_without_claim_ids(messages, claims,
                                                      project):
    posted = helpers.post(messages, "q", project, count=4)
    claims.create("q", CLAIM, project, limit=2)
    messages.bulk_delete("q", [posted[0], posted[2], "not-an-id"], project)
    assert helpers.ids(messages.list("q", project, include_claimed=True)) == [
        posted[1], posted[3]]
    messages.bulk_delete("nope", posted, project)


def test_bulk_delete_with_claim_ids(messages, claims, project):
    posted = helpers.post(messages, "q", project, count=4)
    first, _ = claims.create("q", CLAIM, project, limit=1)
    second, _ = claims.create("q", CLAIM, project, limit=1)
    third, _ = claims.create("q", CLAIM, project, limit=1)
    with pytest.raises(errors.MessageNotClaimed):
        messages.bulk_delete("q", [posted[0], posted[3]], project,
                             claim_ids=[first])
    with pytest.raises(errors.MessageIsClaimedBy):
        messages.bulk_delete("q", [posted[0], posted[2]], project,
                             claim_ids=[first, second])
    assert len(messages.list("q", project, include_claimed=True)) == 4
    messages.bulk_delete("q", posted[:2], project, claim_ids=[first, second])
    assert helpers.ids(messages.list("q", project, include_claimed=True)) == (
        posted[2:])
    assert third


def test_pop_takes_free_messages_fifo(messages, claims, project):
    posted = helpers.post(messages, "q", project, count=5)
    helpers.post(messages, "q", project, delay=60)
    claims.create("q", CLAIM, project, limit=1)
    popped = messages.pop("q", 2, project)
    assert helpers.ids(popped) == posted[1:3]
    claim_ids = {m["claim_id"] for m in popped}
    assert len(claim_ids) == 1 and uuid.UUID(claim_ids.pop())
    assert [m["body"] for m in popped] == [1, 2]
    assert {"ttl", "age", "claim_count"} <= set(popped[0])
    assert helpers.ids(messages.pop("q", 10, project)) == posted[3:]
    assert messages.pop("q", 10, project) == []
    remaining = messages.list("q", project, include_claimed=True,
                              include_delayed=True)
    assert len(remaining) == 2 and remaining[0]["id"] == posted[0]


def test_pop_missing_queue(messages, project):
    assert messages.pop("nope", 3, project) == []


def test_purge_deletes_everything_but_the_queue(queues, messages, claims,
                                                project):
    queues.create("q", project, {"keep": True})
    helpers.post(messages, "q", project, count=3)
    helpers.post(messages, "q", project, delay=60)
    claim_id, _ = claims.create("q", CLAIM, project, limit=2)
    messages.purge("q", project)
    assert messages.list("q", project, include_claimed=True,
                         include_delayed=True) == []
    assert queues.get_metadata("q", project) == {"keep": True}
    assert claims.create("q", CLAIM, project) == (None, [])
    assert claim_id
    messages.purge("nope", project)
