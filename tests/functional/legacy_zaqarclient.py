"""Drives a server with python-zaqarclient's v1 client (the last releases
that still have it, ``zaqarclient.queues.v1``) and prints what it saw as
JSON. Run by test_v1_clients.py in a process of its own, with that old
release first on ``sys.path``:

    python legacy_zaqarclient.py URL VERSION PROJECT QUEUE
"""

from __future__ import annotations

import json
import sys
import uuid

from zaqarclient.queues.v1 import client as zaqar_client


def main(url: str, version: str, project: str, queue_name: str) -> dict:
    api_version = 1 if version == "1" else 1.1
    zc = zaqar_client.Client(url, version=api_version, conf={
        "client_uuid": uuid.uuid4().hex,
        "auth_opts": {"backend": "noauth",
                      "options": {"os_project_id": project}}})
    seen: dict = {}
    queue = zc.queue(queue_name, force_create=True)
    if api_version == 1:
        seen["exists"] = queue.exists()
        queue.metadata(new_meta={"description": "legacy"})
        seen["metadata"] = queue.metadata(force_reload=True)
    seen["queues"] = [q.name for q in zc.queues()]
    queue.post([{"body": {"k": 1}, "ttl": 300}, {"body": "two", "ttl": 60},
                {"body": "three", "ttl": 120}])
    listed = list(queue.messages(echo=True))
    seen["listed"] = [[m.body, m.ttl] for m in listed]
    seen["by_id"] = queue.message(listed[1]._id).body
    seen["stats"] = queue.stats["messages"]
    claim = queue.claim(ttl=60, grace=60, limit=1)
    claimed = list(claim)
    seen["claimed"] = [m.body for m in claimed]
    seen["claim_ids"] = [m.claim_id == claim.id for m in claimed]
    claim.update(ttl=120, grace=60)
    seen["claim_ttl"] = zc.follow(
        f"/v{version}/queues/{queue_name}/claims/{claim.id}")["ttl"]
    seen["claimed_stats"] = queue.stats["messages"]
    for message in claimed:
        message.delete()
    claim.delete()
    queue.delete_messages(listed[1]._id)
    seen["left"] = [m.body for m in queue.messages(echo=True)]
    seen["final_stats"] = queue.stats["messages"]
    queue.delete()
    seen["after_delete"] = [q.name for q in zc.queues()]
    return seen


if __name__ == "__main__":
    print(json.dumps(main(*sys.argv[1:5])))
