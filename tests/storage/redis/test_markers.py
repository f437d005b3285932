"""Paging past removed messages: a queue remembers where the messages it
removed stood (``:gone``), so an observer whose last message was deleted,
expired or dead-lettered meanwhile goes on after it instead of starting
again from the head."""

from __future__ import annotations

import random

import pytest

from tests.storage import helpers
from zaqar.storage.redis import keys

CLAIM = {"ttl": 60, "grace": 60}


@pytest.fixture
def messages(redis_driver):
    return redis_driver.message_controller


def _after(messages, project, marker) -> list[str]:
    return helpers.ids(messages.list("q", project, marker=marker, limit=20))


def _gone(raw, project) -> list[bytes]:
    return raw.zrange(keys.queue_base(project, "q") + b":gone", 0, -1)


def test_deleted_marker_keeps_its_place(messages, project):
    posted = helpers.post(messages, "q", project, count=5)
    messages.delete("q", posted[2], project)
    assert _after(messages, project, posted[2]) == posted[3:]


def test_bulk_deleted_and_popped_markers_keep_their_place(
        messages, project):
    posted = helpers.post(messages, "q", project, count=6)
    messages.bulk_delete("q", [posted[2], posted[3]], project)
    assert _after(messages, project, posted[3]) == posted[4:]
    popped = messages.pop("q", 1, project)
    assert helpers.ids(popped) == posted[:1]
    # posted[1] is now the head: a marker before it lists from there.
    assert _after(messages, project, posted[0]) == [posted[1]] + posted[4:]


def test_expired_marker_keeps_its_place(messages, project):
    older = helpers.post(messages, "q", project, ttl=60)
    short = helpers.post(messages, "q", project, ttl=1)
    newer = helpers.post(messages, "q", project, count=2, ttl=60)
    helpers.sleep_past(1)
    assert _after(messages, project, short[0]) == newer
    assert _after(messages, project, None) == older + newer


def test_dead_lettered_marker_keeps_its_place(redis_driver, messages,
                                              project):
    redis_driver.queue_controller.create(
        "q", project, {"_max_claim_count": 1, "_dead_letter_queue": "dead"})
    claims = redis_driver.claim_controller
    [held] = helpers.post(messages, "q", project)
    claims.create("q", CLAIM, project, limit=1)  # holds the head
    moved, after = helpers.post(messages, "q", project, count=2)
    first, _ = claims.create("q", CLAIM, project, limit=1)
    claims.delete("q", first, project)
    claims.create("q", CLAIM, project, limit=1)  # moves `moved`
    assert helpers.ids(messages.list("dead", project)) == [moved]
    listed = messages.list("q", project, marker=moved, include_claimed=True)
    assert helpers.ids(listed) == [after]
    assert helpers.ids(messages.list("q", project, include_claimed=True)) \
        == [held, after]


def test_places_older_than_the_head_are_forgotten(raw, messages, project):
    posted = helpers.post(messages, "q", project, count=4)
    messages.delete("q", posted[2], project)
    assert _gone(raw, project) == [posted[2].encode()]
    messages.bulk_delete("q", posted[:2], project)
    # posted[3] is the head now: nothing before it needs a place.
    assert _gone(raw, project) == []
    assert _after(messages, project, posted[1]) == posted[3:]
    messages.delete("q", posted[3], project)
    assert not raw.exists(keys.queue_base(project, "q") + b":gone")


def test_places_expire_with_the_messages(raw, messages, project):
    posted = helpers.post(messages, "q", project, count=3)
    messages.delete("q", posted[1], project)
    base = keys.queue_base(project, "q")
    assert 0 < raw.pttl(base + b":gone") <= raw.pttl(base + b":msgs") + 50


def test_at_most_ten_thousand_places_are_kept(raw, messages, project):
    posted = helpers.post(messages, "q", project, count=10_003)
    # posted[0] stays, so none of the others is older than the head.
    messages.bulk_delete("q", posted[1:], project)
    assert len(_gone(raw, project)) == 10_000
    # The two oldest places were dropped: their markers list from the head.
    assert _after(messages, project, posted[1]) == posted[:1]
    assert _after(messages, project, posted[2]) == posted[:1]
    assert _after(messages, project, posted[3]) == []


@pytest.mark.parametrize("seed", range(20))
def test_an_observer_paging_among_consumers_sees_each_message_once(
        messages, project, seed):
    """Posts, deletes and pops in a random (seeded) order between the
    pages: every page holds exactly the live messages after the marker."""
    rnd = random.Random(seed)
    posted = helpers.post(messages, "q", project, count=rnd.randint(1, 20))
    removed: set[str] = set()
    marker = None
    for _ in range(40):
        roll = rnd.random()
        live = [mid for mid in posted if mid not in removed]
        if roll < 0.3:
            posted += helpers.post(messages, "q", project,
                                   count=rnd.randint(1, 5))
        elif roll < 0.55 and live:
            victims = rnd.sample(live, min(len(live), rnd.randint(1, 4)))
            messages.bulk_delete("q", victims, project)
            removed.update(victims)
        elif roll < 0.65:
            removed.update(helpers.ids(messages.pop("q", 2, project)))
        else:
            limit = rnd.randint(1, 7)
            page = helpers.ids(messages.list("q", project, marker=marker,
                                             limit=limit))
            after = posted[posted.index(marker) + 1:] if marker else posted
            assert page == [mid for mid in after
                            if mid not in removed][:limit]
            marker = page[-1] if page else marker
