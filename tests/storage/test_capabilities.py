"""Each capability a driver declares (what flavors report) holds for it.

HIGH_THROUGHPUT is a promise about speed; no functional test can show it
and the suite makes no timed assertions, so only its name is checked.
"""

from __future__ import annotations

import pytest

from tests.storage import helpers
from zaqar.storage import base, errors

CAPS = base.Capabilities
KNOWN = {CAPS.FIFO, CAPS.CLAIMS, CAPS.DURABILITY, CAPS.AOD,
         CAPS.HIGH_THROUGHPUT}
TERMS = {"ttl": 60, "grace": 60}


def _requires(driver, capability: str) -> None:
    if capability not in driver.capabilities:
        pytest.skip(f"{type(driver).__module__} does not declare "
                    f"{capability}")


def test_declared_names_are_known(driver):
    assert set(driver.capabilities) <= KNOWN
    assert len(set(driver.capabilities)) == len(driver.capabilities)
    # What a flavor shows comes from the class, without a connection.
    assert type(driver).capabilities == driver.capabilities


def test_fifo(driver, messages, claims, project):
    _requires(driver, CAPS.FIFO)
    posted = []
    for batch in range(4):
        posted += messages.post("q", [{"body": f"{batch}-{i}", "ttl": 60,
                                       "delay": 0} for i in range(5)],
                                project, None)
    listed = helpers.drain(messages, "q", project, echo=True)
    assert helpers.ids(listed) == posted
    assert [m["body"] for m in listed] == [f"{b}-{i}" for b in range(4)
                                           for i in range(5)]
    order = []
    while True:
        _, claimed = claims.create("q", TERMS, project, limit=3)
        if not claimed:
            break
        order += helpers.ids(claimed)
    assert order == posted


def test_claims(driver, messages, claims, project):
    _requires(driver, CAPS.CLAIMS)
    posted = helpers.post(messages, "q", project, count=4)
    first, taken = claims.create("q", TERMS, project, limit=2)
    second, others = claims.create("q", TERMS, project, limit=5)
    assert helpers.ids(taken) + helpers.ids(others) == posted
    info, held = claims.get("q", first, project)
    assert info["id"] == first and helpers.ids(held) == posted[:2]
    claims.update("q", first, {"ttl": 120, "grace": 60}, project)
    assert claims.get("q", first, project)[0]["ttl"] == 120
    claims.delete("q", first, project)
    with pytest.raises(errors.ClaimDoesNotExist):
        claims.get("q", first, project)
    _, again = claims.create("q", TERMS, project, limit=5)
    assert helpers.ids(again) == posted[:2]


def test_at_least_once_delivery(driver, messages, claims, project):
    """A claimed message is gone only when its claim holder deletes it;
    a released claim hands it out again."""
    _requires(driver, CAPS.AOD)
    [mid] = helpers.post(messages, "q", project)
    claim_id, _ = claims.create("q", TERMS, project)
    with pytest.raises(errors.MessageIsClaimed):
        messages.delete("q", mid, project)
    claims.delete("q", claim_id, project)  # the consumer gave up
    again, redelivered = claims.create("q", TERMS, project)
    assert helpers.ids(redelivered) == [mid]
    messages.delete("q", mid, project, claim=again)
    with pytest.raises(errors.MessageDoesNotExist):
        messages.get("q", mid, project)


def test_durability(driver, backend, storage_conf, messages, claims,
                    project):
    """What was stored is there for a driver started afresh."""
    _requires(driver, CAPS.DURABILITY)
    ids = helpers.post(messages, "q", project, count=3)
    claim_id, _ = claims.create("q", TERMS, project, limit=1)
    restarted = backend.data_driver(storage_conf)
    try:
        listed = restarted.message_controller.list(
            "q", project, echo=True, include_claimed=True)
        assert helpers.ids(listed) == ids
        assert restarted.claim_controller.get("q", claim_id, project)
    finally:
        restarted.close()
