"""Several API nodes (drivers with pools of their own) working one queue
at once: every message is handed out exactly once, by a claim or a pop,
and queue stats stay exact meanwhile (never more claimed than total)."""

from __future__ import annotations

import collections
import threading

from tests.storage.backends import redis as backend
from tests.storage.redis.conftest import make_conf
from zaqar.storage.redis import driver

PRODUCERS = 3
BATCHES = 30
BATCH = 5
CLAIM = {"ttl": 60, "grace": 60}


def test_producers_claimers_poppers_and_readers(redis_driver, project):
    nodes = [driver.DataDriver(make_conf(), uri=backend.uri())
             for _ in range(3)]
    posted: list[str] = []
    handed: collections.Counter = collections.Counter()
    bad_stats: list = []
    lock = threading.Lock()
    producing = threading.Event()
    producing.set()
    failures: list[BaseException] = []

    def guard(fn):
        def run():
            try:
                fn()
            except BaseException as exc:  # reported by the main thread
                failures.append(exc)
        return run

    def producer(node):
        for i in range(BATCHES):
            ids = node.message_controller.post(
                "q", [{"body": i, "ttl": 120}] * BATCH, project, None)
            with lock:
                posted.extend(ids)

    def claimer(node):
        while producing.is_set() or node.queue_controller.stats(
                "q", project)["free"]:
            claim_id, got = node.claim_controller.create("q", CLAIM,
                                                         project, limit=4)
            for message in got:
                node.message_controller.delete("q", message["id"], project,
                                               claim=claim_id)
            with lock:
                handed.update(m["id"] for m in got)

    def popper(node):
        while producing.is_set() or node.queue_controller.stats(
                "q", project)["free"]:
            got = node.message_controller.pop("q", 3, project)
            with lock:
                handed.update(m["id"] for m in got)

    def observer(node):
        while producing.is_set():
            stats = node.queue_controller.stats("q", project)
            if not 0 <= stats["claimed"] <= stats["total"]:
                bad_stats.append(stats)
            listed = node.message_controller.list(
                "q", project, limit=20, echo=True, include_claimed=True)
            if len({m["id"] for m in listed}) != len(listed):
                bad_stats.append(listed)

    # Consumers ask for the queue's stats at once; a post creates the
    # queue only when the first producer gets there.
    nodes[0].queue_controller.create("q", project)
    producers = [threading.Thread(target=guard(lambda n=n: producer(n)))
                 for n in nodes[:PRODUCERS]]
    consumers = [threading.Thread(target=guard(lambda: claimer(nodes[0]))),
                 threading.Thread(target=guard(lambda: claimer(nodes[1]))),
                 threading.Thread(target=guard(lambda: popper(nodes[2]))),
                 threading.Thread(target=guard(lambda: observer(nodes[2])))]
    try:
        for thread in producers + consumers:
            thread.start()
        for thread in producers:
            thread.join(timeout=60)
        producing.clear()
        for thread in consumers:
            thread.join(timeout=60)
        assert not failures, failures
        assert len(posted) == PRODUCERS * BATCHES * BATCH
        assert sorted(handed) == sorted(posted)
        assert max(handed.values()) == 1
        assert bad_stats == []
        assert nodes[0].queue_controller.stats("q", project)["total"] == 0
    finally:
        for node in nodes:
            node.close()
