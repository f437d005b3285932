"""What one worker thread holds: its connection, its queues, its counters
and the clock that tells it when to stop."""

from __future__ import annotations

import random
import threading
import time

from zaqar.bench import client as bench_client
from zaqar.bench.settings import Settings
from zaqar.bench.stats import OpStats

# Pause after an empty claim or an empty first page, so that idle
# consumers and observers do not spin against an empty queue.
IDLE_PAUSE = 0.01


class Worker:
    def __init__(self, settings: Settings, queues: list[str],
                 stop: threading.Event):
        self.settings = settings
        self.queues = queues
        self.client = settings.client()
        self.stats: dict[str, OpStats] = {}
        self.deadline = float("inf")
        self._stop = stop
        self._random = random.Random()

    def running(self) -> bool:
        return time.monotonic() < self.deadline and not self._stop.is_set()

    def queue_path(self, suffix: str = "") -> str:
        """Path of a randomly chosen queue of this run."""
        name = self._random.choice(self.queues)
        return f"{self.client.prefix}/v2/queues/{name}{suffix}"

    def op(self, name: str) -> OpStats:
        stats = self.stats.get(name)
        if stats is None:
            stats = self.stats[name] = OpStats()
        return stats

    def call(self, name: str, method: str, path: str, body: bytes | None,
             expect: tuple[int, ...]) -> bench_client.Response | None:
        """Send a request; a failure or an unexpected status is counted
        as an error of ``name`` and gives None. The caller counts the
        success itself, with the messages it carried."""
        try:
            response = self.client.request(method, path, body)
        except bench_client.RequestFailed as exc:
            self.op(name).failure(str(exc))
            time.sleep(IDLE_PAUSE)
            return None
        if response.status not in expect:
            self.op(name).failure(response.describe())
            return None
        return response

    def pause(self) -> None:
        time.sleep(IDLE_PAUSE)
