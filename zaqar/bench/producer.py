"""Producers post batches of messages to the run's queues."""

from __future__ import annotations

import json
import random
import string

from zaqar.bench.worker import Worker


def payload(size: int, rng: random.Random) -> str:
    """A message body: a JSON string that serialises to ``size`` bytes
    (at least the two quotes)."""
    return "".join(rng.choices(string.ascii_letters + string.digits,
                               k=max(size - 2, 0)))


def run(worker: Worker) -> None:
    settings = worker.settings
    count = settings.messages_per_post
    rng = random.Random()
    body = json.dumps({"messages": [
        {"ttl": settings.message_ttl,
         "body": payload(settings.message_size, rng)}
        for _ in range(count)]}).encode()
    stats = worker.op("post")
    while worker.running():
        response = worker.call("post", "POST", worker.queue_path("/messages"),
                               body, (201,))
        if response is not None:
            stats.success(response.latency, count)
