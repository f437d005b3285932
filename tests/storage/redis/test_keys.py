"""The Redis key layout: nothing left behind, names kept apart whatever
their characters, Redis expiry and gc() reclaiming what expired, and
write scripts that are safe to repeat after a lost answer."""

from __future__ import annotations

import time
import uuid

import pytest

from tests.storage import helpers
from tests.storage.redis.conftest import project_keys
from zaqar.storage.redis import keys

CLAIM = {"ttl": 60, "grace": 60}


def _wait_until(check, timeout: float = 8.0) -> bool:
    """Poll ``check`` (Redis frees expired keys within ~100 ms of their
    expiry, or at the first access)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.05)
    return check()


def _registered(raw, project, queue) -> bool:
    return bool(raw.sismember(keys.QUEUE_REGISTRY,
                              keys.queue_base(project, queue)))


def test_queue_delete_leaves_no_key(redis_driver, raw, project):
    queues = redis_driver.queue_controller
    messages = redis_driver.message_controller
    claims = redis_driver.claim_controller
    queues.create("q", project, {"_max_claim_count": 1,
                                 "_dead_letter_queue": "dead"})
    helpers.post(messages, "q", project, count=5)
    helpers.post(messages, "q", project, count=2, delay=60)
    first, _ = claims.create("q", CLAIM, project, limit=2)
    claims.delete("q", first, project)
    claims.create("q", CLAIM, project, limit=3)  # moves 2 to "dead"
    assert queues.stats("dead", project)["total"] == 2
    assert len(project_keys(raw, project)) > 10
    queues.delete("q", project)
    queues.delete("dead", project)
    assert project_keys(raw, project) == []
    assert not _registered(raw, project, "q")
    assert not _registered(raw, project, "dead")


def test_purge_keeps_only_the_queue(redis_driver, raw, project):
    queues = redis_driver.queue_controller
    messages = redis_driver.message_controller
    queues.create("q", project, {"a": 1})
    helpers.post(messages, "q", project, count=3)
    redis_driver.claim_controller.create("q", CLAIM, project, limit=1)
    messages.purge("q", project)
    assert project_keys(raw, project) == sorted(
        [keys.queue_index(project), keys.queue_base(project, "q")])
    assert queues.get_metadata("q", project) == {"a": 1}


def test_subscriptions_leave_no_key(redis_driver, raw, project):
    subs = redis_driver.subscription_controller
    one = subs.create("q", "http://127.0.0.1:1/a", 60, {}, project)
    subs.create("q", "http://127.0.0.1:1/b", 60, {}, project)
    subs.delete("q", one, project)
    subs.purge("q", project)
    assert project_keys(raw, project) == []
    assert not raw.sismember(keys.SUBSCRIPTION_REGISTRY,
                             keys.subscription_base(project, "q"))


@pytest.mark.parametrize("names", [
    ["a.b", "a", "a.b.c", "b"],
    ["x:msgs", "x", "x:q:1:x", "q:3:abc"],
    ["{tag}", "tag}", "{", "-", "1:-"],
    ["ünïcode", "日本", "a b", "a\\*?[b]"],
])
def test_any_characters_in_names_and_projects(redis_driver, raw, names):
    queues = redis_driver.queue_controller
    messages = redis_driver.message_controller
    suffix = uuid.uuid4().hex[:6]
    projects = [f"p.{suffix}", f"p:q:1:{suffix}", f"{{{suffix}}}",
                f"-{suffix}", f"1:-{suffix}", f"p*{suffix}?"]
    for project in projects:
        for name in names:
            queues.create(name, project, {"project": project, "name": name})
            helpers.post(messages, name, project, body=[project, name])
    for project in projects:
        assert [q["name"] for q in queues.list(project, limit=20)] == \
            sorted(names, key=keys.to_bytes)
        for name in names:
            assert queues.get_metadata(name, project) == {
                "project": project, "name": name}
            [message] = messages.list(name, project)
            assert message["body"] == [project, name]
    for project in projects:
        for name in names:
            queues.delete(name, project)
        assert project_keys(raw, project) == []


def test_none_and_empty_projects_are_apart(redis_driver, raw):
    queues = redis_driver.queue_controller
    name = "q-" + uuid.uuid4().hex
    queues.create(name, None, {"who": "none"})
    queues.create(name, "", {"who": "empty"})
    try:
        assert queues.get_metadata(name, None) == {"who": "none"}
        assert queues.get_metadata(name, "") == {"who": "empty"}
        assert keys.queue_base(None, name) != keys.queue_base("", name)
    finally:
        queues.delete(name, None)
        queues.delete(name, "")


def test_redis_expiry_reclaims_message_keys(redis_driver, raw, project):
    queues = redis_driver.queue_controller
    messages = redis_driver.message_controller
    helpers.post(messages, "q", project, count=3, ttl=1)
    helpers.post(messages, "q", project, ttl=1, delay=1)
    redis_driver.claim_controller.create("q", {"ttl": 1, "grace": 0},
                                         project, limit=1)
    base = keys.queue_base(project, "q")
    # ttl 1 s, rounded up to a second, + 1 s of slack (no margin here)
    assert all(0 < raw.pttl(k) <= 4000 for k in project_keys(raw, project)
               if k.startswith(base + b":"))
    expected = sorted([keys.queue_index(project), base])
    assert _wait_until(lambda: project_keys(raw, project) == expected)
    # The queue itself never expires.
    assert raw.pttl(base) == -1
    assert queues.exists("q", project)
    assert queues.stats("q", project) == {"claimed": 0, "free": 0,
                                          "total": 0}


def test_key_lifetime_follows_the_longest_message(redis_driver, raw,
                                                  project):
    messages = redis_driver.message_controller
    helpers.post(messages, "q", project, ttl=1)
    [long] = helpers.post(messages, "q", project, ttl=300)
    helpers.sleep_past(1)
    redis_driver.gc()
    base = keys.queue_base(project, "q")
    for key in project_keys(raw, project):
        if key.startswith(base + b":"):
            assert raw.pttl(key) > 290_000
    assert helpers.ids(messages.list("q", project)) == [long]


def test_subscription_keys_expire(redis_driver, raw, project):
    subs = redis_driver.subscription_controller
    subs.create("q", "http://127.0.0.1:1/a", 1, {}, project)
    assert len(project_keys(raw, project)) == 3
    assert _wait_until(lambda: project_keys(raw, project) == [])
    redis_driver.gc()
    assert not raw.sismember(keys.SUBSCRIPTION_REGISTRY,
                             keys.subscription_base(project, "q"))


def test_gc_removes_index_entries_of_expired_data(redis_driver, raw,
                                                  project):
    queues = redis_driver.queue_controller
    messages = redis_driver.message_controller
    claims = redis_driver.claim_controller
    subs = redis_driver.subscription_controller
    helpers.post(messages, "q", project, count=3, ttl=1)
    live = helpers.post(messages, "q", project, count=2, ttl=300)
    # Claims the three short messages (extending them) and one long one.
    claim_id, held = claims.create("q", {"ttl": 1, "grace": 0}, project,
                                   limit=4)
    assert len(held) == 4
    subs.create("q", "http://127.0.0.1:1/short", 1, {}, project)
    long_sub = subs.create("q", "http://127.0.0.1:1/long", 300, {}, project)
    base = keys.queue_base(project, "q")
    sbase = keys.subscription_base(project, "q")
    helpers.sleep_past(1)
    assert raw.zcard(base + b":expires") == 5
    assert raw.hlen(base + b":claims") == 1
    redis_driver.gc()
    assert sorted(raw.zrange(base + b":msgs", 0, -1)) == sorted(
        m.encode() for m in live)
    assert raw.zcard(base + b":expires") == 2
    assert raw.zcard(base + b":free") == 2
    assert raw.hlen(base + b":states") == 2
    assert raw.hlen(base + b":bodies") == 2
    assert raw.hlen(base + b":claims") == 0
    assert raw.zcard(base + b":claim_expires") == 0
    assert raw.zrange(sbase + b":ids", 0, -1) == [long_sub.encode()]
    assert list(raw.hgetall(sbase + b":subscribers").values()) == [
        long_sub.encode()]
    assert queues.stats("q", project)["total"] == 2
    assert claims.create("q", CLAIM, project)[1][0]["id"] == live[0]


def test_gc_forgets_deleted_queues(redis_driver, raw, project):
    queues = redis_driver.queue_controller
    queues.create("q", project)
    base = keys.queue_base(project, "q")
    raw.delete(base)  # as if deleted behind the driver's back
    assert raw.sismember(keys.QUEUE_REGISTRY, base)
    redis_driver.gc()
    assert not raw.sismember(keys.QUEUE_REGISTRY, base)
    raw.zrem(keys.queue_index(project), "q")


def test_repeated_post_script_stores_once(redis_driver, raw, project):
    """A post retried after a lost answer finds its ids and adds
    nothing (the driver chooses ids before the first attempt)."""
    args = [b"q", b"", "id-1", b'"a"', 60, 0, "id-2", b'"b"', 60, 0]
    assert redis_driver.queue_script("message_post", project, "q", args) == 2
    assert redis_driver.queue_script("message_post", project, "q", args) == 0
    listed = redis_driver.message_controller.list("q", project)
    assert [(m["id"], m["body"]) for m in listed] == [("id-1", "a"),
                                                      ("id-2", "b")]


def test_repeated_claim_script_returns_the_same_claim(redis_driver,
                                                      project):
    messages = redis_driver.message_controller
    posted = helpers.post(messages, "q", project, count=4)
    claim_id = str(uuid.uuid4())
    args = [claim_id, 60, 60, 2]
    first = redis_driver.queue_script("claim_create", project, "q", args)
    again = redis_driver.queue_script("claim_create", project, "q", args)
    assert first == again
    assert first[0::3] == [m.encode() for m in posted[:2]]
    assert redis_driver.queue_controller.stats("q", project)["claimed"] == 2


def test_claimed_and_delayed_messages_leave_the_free_index(
        redis_driver, raw, project):
    """Claims read only the :free index (claimable messages), so their
    cost does not grow with claimed or delayed messages ahead."""
    messages = redis_driver.message_controller
    claims = redis_driver.claim_controller
    posted = helpers.post(messages, "q", project, count=4)
    [delayed] = helpers.post(messages, "q", project, delay=60)
    claim_id, _ = claims.create("q", CLAIM, project, limit=2)
    base = keys.queue_base(project, "q")
    free = [m.decode() for m in raw.zrange(base + b":free", 0, -1)]
    unclaimed = [m.decode() for m in raw.zrange(base + b":unclaimed", 0, -1)]
    assert free == posted[2:]
    assert unclaimed == posted[2:] + [delayed]
    claims.delete("q", claim_id, project)
    free = [m.decode() for m in raw.zrange(base + b":free", 0, -1)]
    assert free == posted


def test_half_expired_structure_is_dropped_whole(redis_driver, raw,
                                                 project):
    """Redis frees expired keys one at a time; once the queue's horizon
    has passed, the next script drops the rest before writing, so no
    stale index entry survives."""
    messages = redis_driver.message_controller
    helpers.post(messages, "q", project, count=3, ttl=1)
    helpers.sleep_past(2)  # the horizon is rounded up to a second
    base = keys.queue_base(project, "q")
    raw.delete(base + b":expires", base + b":states")  # freed first
    [new] = helpers.post(messages, "q", project)
    assert raw.zrange(base + b":msgs", 0, -1) == [new.encode()]
    assert raw.zrange(base + b":unclaimed", 0, -1) == [new.encode()]
    assert redis_driver.queue_controller.stats("q", project)["total"] == 1
