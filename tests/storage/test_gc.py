"""Garbage collection removes only what has expired."""

from __future__ import annotations

from tests.storage import helpers

CLAIM = {"ttl": 60, "grace": 60}


def test_gc_on_empty_store(driver):
    driver.gc()
    driver.gc()


def test_gc_keeps_live_data_and_expired_stays_invisible(
        driver, queues, messages, claims, subscriptions, project):
    queues.create("q", project, {"keep": 1})
    kept = helpers.post(messages, "q", project, count=3, ttl=60)
    live_claim, _ = claims.create("q", CLAIM, project, limit=2)
    [gone] = helpers.post(messages, "q", project, ttl=1)
    [delayed] = helpers.post(messages, "q", project, delay=60)
    short_sub = subscriptions.create("q", "http://127.0.0.1:1/a", 1, {},
                                     project)
    long_sub = subscriptions.create("q", "http://127.0.0.1:1/b", 600, {},
                                    project)
    helpers.sleep_past(1)
    driver.gc()
    listed = messages.list("q", project, include_claimed=True,
                           include_delayed=True)
    assert helpers.ids(listed) == kept + [delayed]
    assert gone not in helpers.ids(messages.bulk_get("q", [gone], project))
    _, held = claims.get("q", live_claim, project)
    assert helpers.ids(held) == kept[:2]
    assert queues.get_metadata("q", project) == {"keep": 1}
    assert queues.stats("q", project)["total"] == 4
    assert not subscriptions.exists("q", short_sub, project)
    assert subscriptions.exists("q", long_sub, project)
    subscriptions.create("q", "http://127.0.0.1:1/a", 600, {}, project)


def test_gc_releases_expired_claims(driver, queues, messages, claims,
                                   project):
    posted = helpers.post(messages, "q", project, count=2)
    claim_id, _ = claims.create("q", {"ttl": 1, "grace": 0}, project)
    helpers.sleep_past(1)
    driver.gc()
    assert queues.stats("q", project)["claimed"] == 0
    assert [m["claim_id"] for m in messages.list("q", project)] == [None] * 2
    again, claimed = claims.create("q", CLAIM, project)
    assert again != claim_id and helpers.ids(claimed) == posted
    messages.delete("q", posted[0], project, claim=again)
