"""How claims take messages on MongoDB: one update for the batch, the
documents it hands back, and a batch that someone else partly took."""

from __future__ import annotations

import time
import uuid

from zaqar.storage.mongodb import messages as mongo_messages


def _project() -> str:
    return "take-" + uuid.uuid4().hex[:12]


def _stored(mongo_driver, ids: list) -> dict:
    col = mongo_driver.db[mongo_messages.COLLECTION]
    return {doc["_id"]: doc for doc in col.find({"_id": {"$in": ids}})}


def _fields(doc: dict) -> dict:
    return {key: doc.get(key) for key in ("cl", "t", "cc", "k", "b", "c")}


def test_returned_documents_are_what_was_stored(mongo_driver):
    """The documents a claim returns without reading them back equal the
    stored ones: claim fields, claim count and extended TTLs."""
    controller = mongo_driver.message_controller
    project = _project()
    # Every other message expires before the claim and gets extended.
    controller.post("q", [{"body": {"n": n}, "ttl": 300 if n % 2 else 10}
                          for n in range(6)], project, None)
    now = time.time()
    claim_expires = now + 60
    extend = mongo_messages.Extension(threshold=int(claim_expires),
                                      expires=claim_expires + 30, ttl=90)
    taken = controller.take("q", project, 4, "claim-1", claim_expires,
                            extend=extend, count=True, dead_letter=None)
    assert [doc["b"] for doc in taken] == [{"n": n} for n in range(4)]
    stored = _stored(mongo_driver, [doc["_id"] for doc in taken])
    for doc in taken:
        assert _fields(doc) == _fields(stored[doc["_id"]])
        assert abs(doc["ce"] - stored[doc["_id"]]["ce"]) < 1e-6
        assert doc["cc"] == 1
        assert doc["t"] == (300 if doc["b"]["n"] % 2 else 90)
    records = [mongo_messages.to_record(doc, time.time()) for doc in taken]
    assert {r["claim_id"] for r in records} == {"claim-1"}


def test_batch_partly_taken_by_another_claim(mongo_driver):
    """When some of the messages read were claimed by someone else before
    the update, only the others are taken, and read back as stored."""
    controller = mongo_driver.message_controller
    project = _project()
    controller.post("q", [{"body": n, "ttl": 300} for n in range(5)],
                    project, None)
    col = mongo_driver.db[mongo_messages.COLLECTION]
    wanted = list(col.find({"p": project, "q": "q"}).sort("k", 1))
    # Another consumer takes the 2nd and 4th between our read and update.
    expires = time.time() + 60
    other = controller._take_all([wanted[1], wanted[3]], project, "q",
                                 "other", expires, None, False)
    assert [doc["b"] for doc in other] == [1, 3]
    mine = controller._take_all(wanted, project, "q", "mine", expires,
                                None, False)
    assert [doc["b"] for doc in mine] == [0, 2, 4]
    assert {doc["cl"] for doc in mine} == {"mine"}
    # Nothing is left to take, and nothing was taken twice.
    assert controller._take_all(wanted, project, "q", "third", expires,
                                None, False) == []
    holders = {doc["b"]: doc["cl"] for doc in col.find({"p": project})}
    assert holders == {0: "mine", 1: "other", 2: "mine", 3: "other",
                       4: "mine"}
