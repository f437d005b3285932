"""JSON keys MongoDB cannot take as field names survive a round trip and
stay queryable; everything else is stored as it is."""

from __future__ import annotations

import uuid

import pytest

from zaqar.storage.mongodb import documents

AWKWARD = {
    "plain": 1,
    "dotted.key": {"$dollar": [{"a.b": None}, {"": "empty key"}]},
    "%25 already": "percent",
    "nul\x00inside": True,
    "$": {"%": {"%2E": 2.5}},
    "ünïcode.ключ": "value",
}


@pytest.mark.parametrize("key", list(AWKWARD) + ["", "%", "%24", "a$b",
                                                 "$.%\x00"])
def test_key_escaping_round_trips(key):
    stored = documents.encode_key(key)
    assert documents.decode_key(stored) == key
    assert stored and "." not in stored and "\x00" not in stored
    assert not stored.startswith("$")


def test_keys_without_special_characters_are_stored_unchanged():
    for key in ("plain", "a$b", "with space", "ключ", "_max_claim_count"):
        assert documents.encode_key(key) == key


def test_bodies_and_metadata_round_trip_in_order(mongo_driver):
    project = "doc-" + uuid.uuid4().hex[:8]
    queues, messages = (mongo_driver.queue_controller,
                        mongo_driver.message_controller)
    queues.create("q", project, AWKWARD)
    metadata = queues.get_metadata("q", project)
    assert metadata == AWKWARD
    assert list(metadata) == list(AWKWARD)
    ids = messages.post("q", [{"body": AWKWARD, "ttl": 60, "delay": 0},
                              {"body": [AWKWARD, "x"], "ttl": 60,
                               "delay": 0}], project, None)
    assert messages.get("q", ids[0], project)["body"] == AWKWARD
    assert messages.bulk_get("q", ids[1:], project)[0]["body"] == [
        AWKWARD, "x"]
    raw = mongo_driver.db["messages"].find_one(
        {"p": project, "q": "q", "k": 1})
    assert "dotted%2Ekey" in raw["b"] and raw["b"]["plain"] == 1


def test_filters_on_escaped_keys(mongo_driver):
    project = "doc-" + uuid.uuid4().hex[:8]
    queues = mongo_driver.queue_controller
    queues.create("a", project, {"x.y": "1", "$z": {"k.v": 2}})
    queues.create("b", project, {"x": {"y": "1"}})
    assert queues.list(project, filters={"x.y": "1"}) == [{"name": "a"}]
    assert queues.list(project, filters={"$z": {"k.v": 2}}) == [
        {"name": "a"}]
    assert queues.list(project, filters={"x.y": "9" * 30}) == []
