"""Pingers send GET /v2/ping: the cheapest request a server answers
(204), to measure the HTTP stack alone."""

from __future__ import annotations

from zaqar.bench.worker import Worker


def run(worker: Worker) -> None:
    path = f"{worker.client.prefix}/v2/ping"
    stats = worker.op("ping")
    while worker.running():
        response = worker.call("ping", "GET", path, None, (204,))
        if response is not None:
            stats.success(response.latency)
