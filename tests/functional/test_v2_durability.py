"""The embedded SQLite store keeps everything across server restarts: a
new server on the same ``state_path`` sees the queues, metadata, messages
and claims of the previous one, whether that one was stopped cleanly or
killed."""

from __future__ import annotations

import signal

import pytest

from tests.functional import conftest
from tests.functional.exchanges import claim, post_messages
from tests.functional.server import Server


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGKILL],
                         ids=["stopped", "killed"])
def test_restart_on_the_same_state_path(tmp_path, stop):
    first = Server(tmp_path).start()
    try:
        client = conftest.Client(first.url, "p-durable")
        client.put("/v2/queues/c-keep", json={"description": "kept",
                                              "_default_message_ttl": 600})
        ids = post_messages(client, "c-keep", *({"body": {"n": i}}
                                                for i in range(5)))
        claim_id, claimed = claim(client, "c-keep", limit=2, ttl=300)
        assert [m["id"] for m in claimed] == ids[:2]
        client.session.close()
    finally:
        first.stop(stop)

    second = Server(tmp_path).start()
    try:
        client = conftest.Client(second.url, "p-durable")
        assert [q["name"] for q in client.get(
            "/v2/queues").json()["queues"]] == ["c-keep"]
        metadata = client.get("/v2/queues/c-keep").json()
        assert (metadata["description"],
                metadata["_default_message_ttl"]) == ("kept", 600)
        listed = client.get("/v2/queues/c-keep/messages?echo=true&"
                            "include_claimed=true").json()["messages"]
        assert [(m["id"], m["body"], m["ttl"]) for m in listed] == [
            (mid, {"n": i}, 600) for i, mid in enumerate(ids)]
        # the claim survived too
        held = client.get(f"/v2/queues/c-keep/claims/{claim_id}").json()
        assert [m["id"] for m in held["messages"]] == ids[:2]
        stats = client.get("/v2/queues/c-keep/stats").json()["messages"]
        assert (stats["claimed"], stats["free"], stats["total"]) == (2, 3, 5)
        # and the store keeps working: new ids do not collide
        new = post_messages(client, "c-keep", {"body": "after"})
        assert not set(new) & set(ids)
        client.session.close()
    finally:
        second.stop()
