"""Several producers and consumers at once on one queue: marker paging
never skips or repeats a message, and no message is ever in two claims."""

from __future__ import annotations

import collections
import threading
import uuid

import pytest

PRODUCERS = 4
POSTS_PER_PRODUCER = 40
CONSUMERS = 4


def _run(threads: list[threading.Thread], timeout: float = 120) -> None:
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
        assert not thread.is_alive(), f"{thread.name} did not finish"


def _project() -> str:
    return "conc-" + uuid.uuid4().hex[:12]


@pytest.mark.slow
def test_concurrent_producers_keep_marker_paging_exact(mongo_driver):
    messages = mongo_driver.message_controller
    project, queue = _project(), "busy"
    posted: dict[int, list[str]] = {p: [] for p in range(PRODUCERS)}
    failures: list[BaseException] = []
    producers_done = threading.Event()

    def produce(producer: int) -> None:
        try:
            for n in range(POSTS_PER_PRODUCER):
                batch = [{"body": {"producer": producer, "n": n, "i": i},
                          "ttl": 300, "delay": 0}
                         for i in range(1 + n % 3)]
                posted[producer].extend(
                    messages.post(queue, batch, project, None))
        except BaseException as exc:  # reported by the main thread
            failures.append(exc)

    seen: list[dict] = []

    def read() -> None:
        marker = None
        try:
            # Page while producers run; stop after an empty page that was
            # asked for once every producer had finished.
            for _ in range(100000):
                finished = producers_done.is_set()
                page = messages.list(queue, project, marker=marker, limit=5)
                if page:
                    seen.extend(page)
                    marker = page[-1]["id"]
                elif finished:
                    return
            failures.append(AssertionError("reader never caught up"))
        except BaseException as exc:
            failures.append(exc)

    producers = [threading.Thread(target=produce, args=(p,),
                                  name=f"producer-{p}")
                 for p in range(PRODUCERS)]
    reader = threading.Thread(target=read, name="reader")
    reader.start()
    _run(producers)
    producers_done.set()
    reader.join(120)
    assert not reader.is_alive()
    assert not failures, failures

    all_posted = [mid for ids in posted.values() for mid in ids]
    assert len(all_posted) == len(set(all_posted)) == sum(
        1 + n % 3 for n in range(POSTS_PER_PRODUCER)) * PRODUCERS
    seen_ids = [m["id"] for m in seen]
    duplicates = [mid for mid, k in collections.Counter(seen_ids).items()
                  if k > 1]
    assert not duplicates, f"paged twice: {duplicates}"
    missing = set(all_posted) - set(seen_ids)
    assert not missing, f"skipped by marker paging: {sorted(missing)}"
    # Each producer's messages come in the order it posted them.
    for producer, ids in posted.items():
        order = [mid for mid in seen_ids if mid in set(ids)]
        assert order == ids, f"producer {producer} out of order"
    # And a fresh listing agrees with what the live reader saw.
    relisted, marker = [], None
    while page := messages.list(queue, project, marker=marker, limit=20):
        relisted.extend(m["id"] for m in page)
        marker = page[-1]["id"]
    assert relisted == seen_ids


def _consume(messages, claims, queue: str, project: str, mode: str,
             taken: list[tuple[str, list[str]]],
             failures: list[BaseException]) -> None:
    try:
        empty_rounds = 0
        while empty_rounds < 3:
            if mode == "claim":
                claim_id, got = claims.create(
                    queue, {"ttl": 300, "grace": 60}, project, limit=3)
                ids = [m["id"] for m in got]
                if ids:
                    assert all(m["claim_id"] == claim_id for m in got)
            else:
                got = messages.pop(queue, 3, project)
                ids = [m["id"] for m in got]
            if ids:
                taken.append((mode, ids))
                empty_rounds = 0
            else:
                empty_rounds += 1
    except BaseException as exc:
        failures.append(exc)


@pytest.mark.slow
@pytest.mark.parametrize("modes", [
    ("claim",) * CONSUMERS,
    ("claim", "pop") * (CONSUMERS // 2),
], ids=["claims", "claims-and-pops"])
def test_concurrent_consumers_never_share_a_message(mongo_driver, modes):
    messages, claims = (mongo_driver.message_controller,
                        mongo_driver.claim_controller)
    project, queue = _project(), "work"
    ids: list[str] = []
    for start in range(0, 120, 20):
        ids += messages.post(queue, [{"body": i, "ttl": 300, "delay": 0}
                                     for i in range(start, start + 20)],
                             project, None)
    taken: list[tuple[str, list[str]]] = []
    failures: list[BaseException] = []
    _run([threading.Thread(target=_consume, name=f"consumer-{n}",
                           args=(messages, claims, queue, project, mode,
                                 taken, failures))
          for n, mode in enumerate(modes)])
    assert not failures, failures
    handed_out = [mid for _, batch in taken for mid in batch]
    twice = [mid for mid, k in collections.Counter(handed_out).items()
             if k > 1]
    assert not twice, f"given to two consumers: {twice}"
    assert sorted(handed_out) == sorted(ids)
    stats = mongo_driver.queue_controller.stats(queue, project)
    popped = sum(len(batch) for mode, batch in taken if mode == "pop")
    assert stats["total"] == len(ids) - popped
    assert stats["claimed"] == stats["total"]
