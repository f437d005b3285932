"""Consumers claim messages, then delete each one with its claim id."""

from __future__ import annotations

import json

from zaqar.bench.worker import Worker


def claimed_hrefs(body: bytes) -> list[str]:
    """The message hrefs (carrying ``?claim_id=``) of a 201 claim answer."""
    document = json.loads(body)
    if not isinstance(document, dict) or not isinstance(
            document.get("messages"), list):
        raise ValueError("no 'messages' list in the claim answer")
    hrefs = []
    for message in document["messages"]:
        href = message.get("href") if isinstance(message, dict) else None
        if not isinstance(href, str) or "claim_id=" not in href:
            raise ValueError(f"claimed message without a claim href: "
                             f"{str(message)[:100]}")
        hrefs.append(href)
    return hrefs


def run(worker: Worker) -> None:
    settings = worker.settings
    body = json.dumps({"ttl": settings.claim_ttl,
                       "grace": settings.claim_grace}).encode()
    suffix = f"/claims?limit={settings.messages_per_claim}"
    claims, deletes = worker.op("claim"), worker.op("delete")
    while worker.running():
        response = worker.call("claim", "POST", worker.queue_path(suffix),
                               body, (201, 204))
        if response is None:
            continue
        if response.status == 204:
            claims.success(response.latency, 0)
            worker.pause()
            continue
        try:
            hrefs = claimed_hrefs(response.body)
        except ValueError as exc:
            claims.failure(f"bad claim answer: {exc}")
            continue
        claims.success(response.latency, len(hrefs))
        for href in hrefs:
            # Claimed messages are deleted even after the deadline: the
            # consumer finishes the work it took.
            done = worker.call("delete", "DELETE", href, None, (204,))
            if done is not None:
                deletes.success(done.latency, 1)
