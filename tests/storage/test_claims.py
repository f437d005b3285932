"""Claims: selection, TTL extension, renewal, release, expiry, atomicity."""

from __future__ import annotations

import collections
import threading
import time
import uuid

import pytest

from tests.storage import helpers
from zaqar.storage import errors

CLAIM = {"ttl": 60, "grace": 60}


def test_claim_takes_oldest_free_messages(messages, claims, project):
    posted = helpers.post(messages, "q", project, count=5)
    claim_id, claimed = claims.create("q", CLAIM, project, limit=2)
    assert uuid.UUID(claim_id)  # claim ids are UUID strings
    assert helpers.ids(claimed) == posted[:2]
    assert [m["claim_id"] for m in claimed] == [claim_id] * 2
    assert [m["body"] for m in claimed] == [0, 1]
    assert {"ttl", "age", "created", "claim_count"} <= set(claimed[0])
    second, claimed = claims.create("q", CLAIM, project, limit=10)
    assert second != claim_id
    assert helpers.ids(claimed) == posted[2:]
    assert claims.create("q", CLAIM, project) == (None, [])


def test_claim_on_missing_queue(claims, queues, project):
    assert claims.create("nope", CLAIM, project) == (None, [])
    assert not queues.exists("nope", project)


def test_claim_includes_own_messages(messages, claims, project):
    me = helpers.client_id()
    posted = helpers.post(messages, "q", project, count=2, client=me)
    _, claimed = claims.create("q", CLAIM, project)
    assert helpers.ids(claimed) == posted


def test_claim_skips_claimed_and_delayed(messages, claims, project):
    [a] = helpers.post(messages, "q", project)
    [delayed] = helpers.post(messages, "q", project, delay=60)
    [b] = helpers.post(messages, "q", project)
    claims.create("q", CLAIM, project, limit=1)
    _, claimed = claims.create("q", CLAIM, project, limit=5)
    assert helpers.ids(claimed) == [b]
    assert delayed not in helpers.ids(claimed) and a != b


def test_claim_extends_messages_that_would_expire_first(messages, claims,
                                                        project):
    [short] = helpers.post(messages, "q", project, ttl=1)
    [long] = helpers.post(messages, "q", project, ttl=600)
    claim_id, claimed = claims.create("q", {"ttl": 30, "grace": 10},
                                      project)
    assert [m["ttl"] for m in claimed] == [40, 600]
    helpers.sleep_past(1)
    _, held = claims.get("q", claim_id, project)
    assert helpers.ids(held) == [short, long]
    assert messages.get("q", short, project)["ttl"] == 40


def _within_one_second(step):
    """Run ``step(queue)`` from the start of a wall-clock second and
    return its result once a run began and ended within that second
    (each try on a fresh queue): the whole-second rule decides by it."""
    for attempt in range(5):
        time.sleep(1.02 - time.time() % 1)
        second = int(time.time())
        result = step(f"q{attempt}")
        if int(time.time()) == second:
            return result
    pytest.fail("five tries at a few storage calls each took past the "
                "end of their second")


def test_claim_as_long_as_the_message_keeps_its_ttl(messages, claims,
                                                    project):
    """A message posted and claimed for its own TTL within one second
    expires a fraction of a second before the claim: in whole seconds
    that is not before, so it keeps its TTL (as upstream does)."""

    def post_and_claim(queue):
        [mid] = helpers.post(messages, queue, project, ttl=60)
        claim_id, claimed = claims.create(
            queue, {"ttl": 60, "grace": 30}, project)
        return queue, mid, claim_id, claimed

    queue, mid, claim_id, claimed = _within_one_second(post_and_claim)
    assert [(m["id"], m["ttl"]) for m in claimed] == [(mid, 60)]
    assert messages.get(queue, mid, project)["ttl"] == 60
    assert [m["ttl"] for m in claims.get(queue, claim_id, project)[1]] \
        == [60]


@pytest.mark.parametrize("longer", [1, 2])
def test_claim_seconds_longer_than_the_message_extends_it(
        messages, claims, project, longer):
    [mid] = helpers.post(messages, "q", project, ttl=60)
    _, claimed = claims.create("q", {"ttl": 60 + longer, "grace": 30},
                               project)
    assert [m["ttl"] for m in claimed] == [60 + longer + 30]
    assert messages.get("q", mid, project)["ttl"] == 60 + longer + 30


def test_renew_extends_in_whole_seconds(messages, claims, project):
    """Renewing compares expiries as claiming does."""

    def post_claim_renew(queue):
        [mid] = helpers.post(messages, queue, project, ttl=60)
        claim_id, _ = claims.create(queue, {"ttl": 10, "grace": 0},
                                    project)
        claims.update(queue, claim_id, {"ttl": 60, "grace": 30}, project)
        return queue, mid, claim_id

    queue, mid, claim_id = _within_one_second(post_claim_renew)
    assert messages.get(queue, mid, project)["ttl"] == 60
    claims.update(queue, claim_id, {"ttl": 62, "grace": 30}, project)
    assert messages.get(queue, mid, project)["ttl"] == 92
    _, held = claims.get(queue, claim_id, project)
    assert [(m["id"], m["ttl"]) for m in held] == [(mid, 92)]


def test_get_claim(messages, claims, project):
    posted = helpers.post(messages, "q", project, count=3)
    claim_id, _ = claims.create("q", {"ttl": 90, "grace": 60}, project,
                                limit=2)
    messages.delete("q", posted[0], project, claim=claim_id)
    info, held = claims.get("q", claim_id, project)
    assert info["id"] == claim_id and info["ttl"] == 90
    assert info["age"] in (0, 1)
    assert helpers.ids(held) == [posted[1]]
    assert held[0]["claim_id"] == claim_id


def test_get_unknown_claim(messages, claims, project):
    helpers.post(messages, "q", project)
    helpers.post(messages, "other", project)
    claim_id, _ = claims.create("q", CLAIM, project)
    for queue, cid in (("q", str(uuid.uuid4())), ("q", "not-a-uuid"),
                       ("other", claim_id), ("nope", claim_id)):
        with pytest.raises(errors.ClaimDoesNotExist):
            claims.get(queue, cid, project)


def test_renew_claim(messages, claims, project):
    [short] = helpers.post(messages, "q", project, ttl=1)
    [long] = helpers.post(messages, "q", project, ttl=600)
    claim_id, _ = claims.create("q", {"ttl": 2, "grace": 0}, project)
    claims.update("q", claim_id, {"ttl": 50, "grace": 5}, project)
    info, held = claims.get("q", claim_id, project)
    assert info["ttl"] == 50 and info["age"] in (0, 1)
    helpers.sleep_past(2)
    _, held = claims.get("q", claim_id, project)
    assert helpers.ids(held) == [short, long]
    assert [m["ttl"] for m in held] == [55, 600]
    assert messages.list("q", project) == []


def test_renew_unknown_claim(messages, claims, project):
    helpers.post(messages, "q", project)
    with pytest.raises(errors.ClaimDoesNotExist):
        claims.update("q", str(uuid.uuid4()), CLAIM, project)
    with pytest.raises(errors.ClaimDoesNotExist):
        claims.update("q", "not-a-uuid", CLAIM, project)
    with pytest.raises(errors.ClaimDoesNotExist):
        claims.update("nope", str(uuid.uuid4()), CLAIM, project)


def test_release_frees_messages_and_keeps_extended_ttl(messages, claims,
                                                       project):
    posted = helpers.post(messages, "q", project, count=2, ttl=2)
    claim_id, _ = claims.create("q", {"ttl": 30, "grace": 30}, project)
    claims.delete("q", claim_id, project)
    with pytest.raises(errors.ClaimDoesNotExist):
        claims.get("q", claim_id, project)
    helpers.sleep_past(2)
    listed = messages.list("q", project)
    assert helpers.ids(listed) == posted
    assert [m["claim_id"] for m in listed] == [None, None]
    assert [m["ttl"] for m in listed] == [60, 60]
    again, claimed = claims.create("q", CLAIM, project)
    assert again != claim_id and helpers.ids(claimed) == posted


def test_claim_lists_the_messages_left_after_deletes(messages, claims,
                                                    project):
    posted = helpers.post(messages, "q", project, count=3)
    claim_id, _ = claims.create("q", CLAIM, project)
    messages.delete("q", posted[1], project, claim=claim_id)
    _, held = claims.get("q", claim_id, project)
    assert helpers.ids(held) == [posted[0], posted[2]]
    messages.bulk_delete("q", [posted[0]], project, claim_ids=[claim_id])
    _, held = claims.get("q", claim_id, project)
    assert helpers.ids(held) == [posted[2]]


def test_claim_outlives_its_deleted_messages(messages, claims, queues,
                                             project):
    """A claim lives until it expires or is released: with every message
    deleted it lists none, can be renewed and released, and never takes
    messages posted later."""
    posted = helpers.post(messages, "q", project, count=3)
    claim_id, _ = claims.create("q", {"ttl": 90, "grace": 60}, project)
    messages.delete("q", posted[0], project, claim=claim_id)
    messages.bulk_delete("q", posted[1:], project, claim_ids=[claim_id])
    info, held = claims.get("q", claim_id, project)
    assert (info["id"], info["ttl"], held) == (claim_id, 90, [])
    [later] = helpers.post(messages, "q", project)
    claims.update("q", claim_id, {"ttl": 120, "grace": 0}, project)
    info, held = claims.get("q", claim_id, project)
    assert (info["ttl"], held) == (120, [])
    assert queues.stats("q", project)["claimed"] == 0
    claims.delete("q", claim_id, project)
    with pytest.raises(errors.ClaimDoesNotExist):
        claims.get("q", claim_id, project)
    assert helpers.ids(messages.list("q", project)) == [later]


def test_claim_outlives_messages_deleted_without_it(messages, claims,
                                                    project):
    """A bulk delete without claim ids removes claimed messages too; the
    claim stays, empty."""
    posted = helpers.post(messages, "q", project, count=2)
    claim_id, _ = claims.create("q", CLAIM, project)
    messages.bulk_delete("q", posted, project)
    assert claims.get("q", claim_id, project)[1] == []


def test_purge_removes_claims(messages, claims, project):
    """Purging deletes every message, and with them the claims that held
    them: they are gone, not left empty."""
    posted = helpers.post(messages, "q", project, count=3)
    first, _ = claims.create("q", CLAIM, project, limit=1)
    second, _ = claims.create("q", CLAIM, project, limit=1)
    messages.delete("q", posted[1], project, claim=second)
    messages.purge("q", project)
    for claim_id in (first, second):
        with pytest.raises(errors.ClaimDoesNotExist):
            claims.get("q", claim_id, project)
        with pytest.raises(errors.ClaimDoesNotExist):
            claims.update("q", claim_id, CLAIM, project)
        claims.delete("q", claim_id, project)
    [later] = helpers.post(messages, "q", project)
    third, claimed = claims.create("q", CLAIM, project)
    assert helpers.ids(claimed) == [later]
    assert third not in (first, second)
    assert helpers.ids(claims.get("q", third, project)[1]) == [later]


def test_release_unknown_claim_is_not_an_error(messages, claims, project):
    helpers.post(messages, "q", project)
    claims.delete("q", str(uuid.uuid4()), project)
    claims.delete("q", "not-a-uuid", project)
    claims.delete("nope", str(uuid.uuid4()), project)


def test_expired_claim_frees_its_messages(queues, messages, claims,
                                          project):
    posted = helpers.post(messages, "q", project, count=2)
    claim_id, claimed = claims.create("q", {"ttl": 1, "grace": 0}, project)
    assert helpers.ids(claimed) == posted
    helpers.sleep_past(1)
    with pytest.raises(errors.ClaimDoesNotExist):
        claims.get("q", claim_id, project)
    with pytest.raises(errors.ClaimDoesNotExist):
        claims.update("q", claim_id, CLAIM, project)
    assert queues.stats("q", project)["claimed"] == 0
    assert messages.get("q", posted[0], project)["claim_id"] is None
    assert helpers.ids(messages.list("q", project)) == posted
    with pytest.raises(errors.MessageNotClaimed):
        messages.delete("q", posted[0], project, claim=claim_id)
    second, claimed = claims.create("q", CLAIM, project)
    assert helpers.ids(claimed) == posted
    # The expired claim cannot touch messages that a new claim holds.
    with pytest.raises(errors.ClaimDoesNotExist):
        messages.delete("q", posted[1], project, claim=claim_id)
    claims.delete("q", claim_id, project)
    assert claims.get("q", second, project)[0]["id"] == second


def test_claim_count_stays_zero_without_dead_letter_queue(queues, messages,
                                                          claims, project):
    queues.create("q", project, {"_max_claim_count": 1})
    [mid] = helpers.post(messages, "q", project)
    for _ in range(3):
        claim_id, claimed = claims.create("q", CLAIM, project)
        assert claimed[0]["claim_count"] == 0
        claims.delete("q", claim_id, project)
    assert messages.get("q", mid, project)["claim_count"] == 0


def test_concurrent_claims(messages, claims, project):
    """Ten consumers drain one queue: every message is claimed exactly
    once, and no message is ever held by two live claims."""
    posted = set()
    for _ in range(15):
        posted.update(helpers.post(messages, "q", project, count=20))
    taken: dict[str, list[str]] = {}
    failures: list[BaseException] = []
    lock = threading.Lock()
    start = threading.Barrier(10)

    def consume() -> None:
        try:
            start.wait()
            while True:
                claim_id, claimed = claims.create(
                    "q", {"ttl": 300, "grace": 60}, project, limit=7)
                if not claimed:
                    return
                with lock:
                    assert claim_id not in taken
                    taken[claim_id] = helpers.ids(claimed)
        except BaseException as err:  # reported by the main thread
            failures.append(err)

    threads = [threading.Thread(target=consume) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert not failures, failures
    counts = collections.Counter(m for ids in taken.values() for m in ids)
    assert set(counts) == posted
    assert set(counts.values()) == {1}
    for claim_id, ids in taken.items():
        _, held = claims.get("q", claim_id, project)
        assert sorted(helpers.ids(held)) == sorted(ids)
    assert messages.list("q", project) == []
