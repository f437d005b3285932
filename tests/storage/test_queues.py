"""Queues: creation, metadata, listing (order, markers, filters), stats."""

from __future__ import annotations

import pytest

from tests.storage import helpers
from zaqar.storage import errors


def names(items):
    return [item["name"] for item in items]


def test_create_is_idempotent_and_keeps_metadata(queues, project):
    assert queues.create("q", project, {"a": 1}) is True
    assert queues.create("q", project, {"a": 2}) is False
    assert queues.get_metadata("q", project) == {"a": 1}


def test_create_without_metadata_stores_empty_object(queues, project):
    queues.create("q", project)
    assert queues.get_metadata("q", project) == {}


def test_exists_and_delete(queues, project):
    assert not queues.exists("q", project)
    queues.create("q", project)
    assert queues.exists("q", project)
    queues.delete("q", project)
    assert not queues.exists("q", project)
    queues.delete("q", project)  # a missing queue is not an error


def test_metadata_is_replaced_whole(queues, project):
    queues.create("q", project, {"a": 1, "b": [1, "x"]})
    document = {"c": {"nested": True}, "_default_message_ttl": 120,
                "text": "žluťoučký ☃"}
    queues.set_metadata("q", document, project)
    assert queues.get_metadata("q", project) == document


def test_metadata_of_missing_queue(queues, project):
    with pytest.raises(errors.QueueDoesNotExist):
        queues.get_metadata("nope", project)
    with pytest.raises(errors.QueueDoesNotExist):
        queues.set_metadata("nope", {"a": 1}, project)
    assert not queues.exists("nope", project)


def test_names_are_case_sensitive(queues, project):
    queues.create("Q", project, {"upper": True})
    queues.create("q", project, {"upper": False})
    assert queues.get_metadata("Q", project) == {"upper": True}
    assert queues.get_metadata("q", project) == {"upper": False}
    assert queues.count(project) == 2


def test_list_in_byte_order_of_names(queues, project):
    created = ["b", "B", "a", "_x", "a.b", "a-b", "a_b", "0", "Z9", "ab"]
    for name in created:
        queues.create(name, project)
    listed = names(queues.list(project, limit=20))
    assert listed == sorted(created, key=lambda n: n.encode())


def test_list_marker_is_exclusive_and_positional(queues, project):
    for name in ("a", "b", "c", "d"):
        queues.create(name, project)
    assert names(queues.list(project, marker="a")) == ["b", "c", "d"]
    assert names(queues.list(project, marker="bb")) == ["c", "d"]
    assert names(queues.list(project, marker="0")) == ["a", "b", "c", "d"]
    assert queues.list(project, marker="zzz") == []


def test_list_pages_through_everything_once(queues, project):
    created = [f"q{i:02d}" for i in range(23)]
    for name in created:
        queues.create(name, project)
    seen, marker = [], None
    while True:
        page = queues.list(project, marker=marker, limit=5)
        assert len(page) <= 5
        if not page:
            break
        seen.extend(names(page))
        marker = page[-1]["name"]
    assert seen == created


def test_list_detailed_adds_metadata(queues, project):
    queues.create("a", project, {"k": "v"})
    queues.create("b", project)
    assert queues.list(project) == [{"name": "a"}, {"name": "b"}]
    assert queues.list(project, detailed=True) == [
        {"name": "a", "metadata": {"k": "v"}},
        {"name": "b", "metadata": {}}]


def test_list_name_filter_keeps_substring_matches(queues, project):
    for name in ("alpha", "beta", "alphabet", "gamma", "Alpha"):
        queues.create(name, project)
    assert names(queues.list(project, name="alpha")) == ["alpha", "alphabet"]
    assert names(queues.list(project, name="ta")) == ["beta"]
    assert queues.list(project, name="nothing") == []


def test_list_metadata_filters(queues, project):
    queues.create("int", project, {"n": 5, "colour": "red"})
    queues.create("str", project, {"n": "5", "colour": "red"})
    queues.create("other", project, {"n": 6, "colour": "red"})
    queues.create("bool", project, {"n": True, "one": True})
    queues.create("bare", project)
    # "5" matches the string and the integer it parses as.
    assert names(queues.list(project, filters={"n": "5"})) == ["int", "str"]
    assert names(queues.list(project, filters={"n": "5", "colour": "red"},
                             detailed=True)) == ["int", "str"]
    assert names(queues.list(project, filters={"colour": "blue"})) == []
    # JSON true is not the integer 1.
    assert names(queues.list(project, filters={"one": "1"})) == []
    assert names(queues.list(project, filters={"missing": "x"})) == []


def test_filters_combine_with_marker_and_limit(queues, project):
    for i in range(60):
        queues.create(f"q{i:02d}", project, {"even": i % 2 == 0,
                                             "tag": "t" if i % 10 == 0
                                             else "u"})
    tagged = names(queues.list(project, filters={"tag": "t"}, limit=3))
    assert tagged == ["q00", "q10", "q20"]
    assert names(queues.list(project, filters={"tag": "t"}, limit=10,
                             marker="q20")) == ["q30", "q40", "q50"]
    assert names(queues.list(project, name="5", limit=4)) == [
        "q05", "q15", "q25", "q35"]


def test_count(queues, project):
    assert queues.count(project) == 0
    for name in ("a", "b", "c"):
        queues.create(name, project)
    assert queues.count(project) == 3
    queues.delete("b", project)
    assert queues.count(project) == 2


def test_delete_removes_messages_and_claims(queues, messages, claims,
                                            project):
    helpers.post(messages, "q", project, count=3)
    claim_id, _ = claims.create("q", {"ttl": 60, "grace": 60}, project)
    queues.delete("q", project)
    assert messages.list("q", project, include_claimed=True) == []
    queues.create("q", project)
    assert queues.stats("q", project)["total"] == 0
    with pytest.raises(errors.ClaimDoesNotExist):
        claims.get("q", claim_id, project)


def test_delete_keeps_subscriptions(queues, subscriptions, project):
    queues.create("q", project)
    sid = subscriptions.create("q", "http://127.0.0.1:1/h", 600, {}, project)
    queues.delete("q", project)
    assert subscriptions.exists("q", sid, project)


def test_stats_of_missing_queue(queues, project):
    with pytest.raises(errors.QueueDoesNotExist):
        queues.stats("nope", project)


def test_stats_of_empty_queue(queues, project):
    queues.create("q", project)
    assert queues.stats("q", project) == {"claimed": 0, "free": 0,
                                          "total": 0}


def test_stats_counts_live_messages(queues, messages, claims, project):
    posted = helpers.post(messages, "q", project, count=4)
    delayed = helpers.post(messages, "q", project, count=1, delay=60)
    claims.create("q", {"ttl": 60, "grace": 60}, project, limit=3)
    stats = queues.stats("q", project)
    assert (stats["claimed"], stats["free"], stats["total"]) == (3, 2, 5)
    assert stats["oldest"]["id"] == posted[0]
    assert stats["newest"]["id"] == delayed[0]
    for key in ("oldest", "newest"):
        assert {"id", "age", "created", "ttl", "body"} <= set(stats[key])
    assert stats["oldest"]["claim_id"] is not None
    assert stats["newest"]["claim_id"] is None
