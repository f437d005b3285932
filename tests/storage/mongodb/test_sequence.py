"""The per-queue counter: numbers follow posting order, survive gaps and
recover from numbers already taken (a post racing with a queue deletion
can leave such documents behind)."""

from __future__ import annotations

import datetime
import time
import uuid

import bson


def _project() -> str:
    return "seq-" + uuid.uuid4().hex[:8]


def _seqs(mongo_driver, project, queue):
    return [doc["k"] for doc in mongo_driver.db["messages"].find(
        {"p": project, "q": queue}).sort("k", 1)]


def test_numbers_follow_posting_order_and_are_never_reused(mongo_driver):
    project = _project()
    messages = mongo_driver.message_controller
    first = messages.post("q", [{"body": i, "ttl": 60, "delay": 0}
                                for i in range(3)], project, None)
    messages.bulk_delete("q", first[1:], project)
    later = messages.post("q", [{"body": 9, "ttl": 60, "delay": 0}],
                          project, None)
    assert _seqs(mongo_driver, project, "q") == [1, 4]
    # A marker naming the last message still positions after it.
    assert [m["id"] for m in messages.list("q", project,
                                           marker=first[0])] == later


def test_post_recovers_from_numbers_already_taken(mongo_driver):
    project = _project()
    queues, messages = (mongo_driver.queue_controller,
                        mongo_driver.message_controller)
    queues.create("q", project)
    now = time.time()
    leftover = {"_id": bson.ObjectId(), "p": project, "q": "q", "k": 2,
                "b": "left over", "t": 60, "c": now,
                "e": datetime.datetime.fromtimestamp(
                    now + 60, datetime.timezone.utc),
                "d": now, "u": None, "cl": None, "ce": None, "cc": 0}
    mongo_driver.db["messages"].insert_one(leftover)
    ids = messages.post("q", [{"body": i, "ttl": 60, "delay": 0}
                              for i in range(3)], project, None)
    assert _seqs(mongo_driver, project, "q") == [2, 3, 4, 5]
    listed = [m["id"] for m in messages.list("q", project, limit=10)]
    assert listed == [str(leftover["_id"])] + ids
    counter = mongo_driver.db["queues"].find_one({"p": project, "n": "q"})
    assert counter["s"] == 5


def test_dead_letter_moves_take_the_next_number_of_the_target(
        mongo_driver):
    project = _project()
    queues, messages, claims = (mongo_driver.queue_controller,
                                mongo_driver.message_controller,
                                mongo_driver.claim_controller)
    queues.create("src", project, {"_max_claim_count": 1,
                                   "_dead_letter_queue": "dlq"})
    before = messages.post("dlq", [{"body": "x", "ttl": 60, "delay": 0}],
                           project, None)
    moved = messages.post("src", [{"body": "y", "ttl": 60, "delay": 0}],
                          project, None)
    claim_id, _ = claims.create("src", {"ttl": 60, "grace": 60}, project)
    claims.delete("src", claim_id, project)
    assert claims.create("src", {"ttl": 60, "grace": 60}, project) == (
        None, [])
    assert [m["id"] for m in messages.list("dlq", project)] == before + moved
    assert _seqs(mongo_driver, project, "dlq") == [1, 2]
    assert messages.get("dlq", moved[0], project)["claim_count"] == 1
