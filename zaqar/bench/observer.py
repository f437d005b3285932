"""Observers list messages (echo=true), following the 'next' links until
an empty page, then start again on another queue."""

from __future__ import annotations

import json

from zaqar.bench.worker import Worker


def parse_page(body: bytes) -> tuple[int, str | None]:
    """Number of messages in a listing and its 'next' href (if any)."""
    document = json.loads(body)
    if not isinstance(document, dict) or not isinstance(
            document.get("messages"), list):
        raise ValueError("no 'messages' list in the listing")
    following = None
    for link in document.get("links") or ():
        if isinstance(link, dict) and link.get("rel") == "next":
            following = link.get("href")
    return len(document["messages"]), following


def run(worker: Worker) -> None:
    first = f"/messages?limit={worker.settings.messages_per_list}&echo=true"
    stats = worker.op("list")
    path = None
    while worker.running():
        from_head = path is None
        if from_head:
            path = worker.queue_path(first)
        response = worker.call("list", "GET", path, None, (200,))
        if response is None:
            path = None
            continue
        try:
            count, following = parse_page(response.body)
        except ValueError as exc:
            stats.failure(f"bad listing: {exc}")
            path = None
            continue
        stats.success(response.latency, count)
        path = following if count and following else None
        if not count and from_head:
            worker.pause()
