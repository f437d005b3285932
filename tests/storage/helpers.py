"""Small shared steps of the driver contract suite."""

from __future__ import annotations

import time
import uuid


def post(messages, queue: str, project: str | None, count: int = 1,
         ttl: int = 60, delay: int = 0, client: str | None = None,
         body=None) -> list[str]:
    """Post ``count`` messages (body = its index unless given)."""
    batch = [{"body": i if body is None else body, "ttl": ttl,
              "delay": delay} for i in range(count)]
    return messages.post(queue, batch, project, client)


def ids(records) -> list[str]:
    return [record["id"] for record in records]


def client_id() -> str:
    return str(uuid.uuid4())


def sleep_past(seconds: float) -> None:
    """Sleep until ``seconds`` (a TTL or delay) surely elapsed."""
    time.sleep(seconds + 0.25)


def drain(messages, queue: str, project: str | None, **kw) -> list[dict]:
    """Every message ``list`` yields when paging by marker."""
    found: list[dict] = []
    marker = None
    while True:
        page = messages.list(queue, project, marker=marker, limit=7, **kw)
        if not page:
            return found
        found.extend(page)
        marker = page[-1]["id"]
