"""The delivery worker of one server process.

A thread claims pending jobs (``jobs.JobQueue``) as long as delivery
threads are free, hands each to a pool of ``max_notifier_workers``
threads, and otherwise sleeps until woken: at once when this process
recorded jobs, at the time a retry of its own falls due, or after
``delivery_poll_interval`` to pick up jobs recorded by other processes.
A delivery deletes its job on success or final failure and re-records it
with the next retry delay otherwise.
"""

from __future__ import annotations

import concurrent.futures
import heapq
import logging
import os
import threading
import time
import typing

from zaqar.notification import jobs as jobs_module
from zaqar.notification import retry, tasks

LOG = logging.getLogger(__name__)

# Pause after the storage failed, so an outage is not a busy loop.
_STORAGE_BACKOFF = 2.0
# A retry is looked for this long after it falls due, so that it is
# visible in the store by then.
_DUE_SLACK = 0.05


class DeliveryWorker:
    def __init__(self, conf: typing.Any, job_queue: jobs_module.JobQueue,
                 task_registry: tasks.Tasks):
        options = conf.notification
        self._jobs = job_queue
        self._tasks = task_registry
        self._capacity = options.max_notifier_workers
        self._poll = options.delivery_poll_interval
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._due: list[float] = []  # monotonic times of our own retries
        self._busy = 0
        self._pid: int | None = None
        self._stopping = False
        self._thread: threading.Thread | None = None
        self._pool: concurrent.futures.ThreadPoolExecutor | None = None

    # -- lifecycle --------------------------------------------------------

    def start(self) -> None:
        """Run in this process (again after a fork: threads do not
        survive one)."""
        with self._lock:
            if self._pid == os.getpid() and self._thread is not None \
                    and self._thread.is_alive():
                return
            self._pid = os.getpid()
            self._stopping = False
            self._busy = 0
            self._pool = concurrent.futures.ThreadPoolExecutor(
                self._capacity, thread_name_prefix="zaqar-delivery")
            self._thread = threading.Thread(
                target=self._run, name="zaqar-delivery-claimer", daemon=True)
            self._thread.start()

    def stop(self, timeout: float | None = None) -> None:
        """Stop claiming and wait for the deliveries under way."""
        with self._lock:
            self._stopping = True
            thread, pool = self._thread, self._pool
        self._wake.set()
        if thread is not None:
            thread.join(timeout)
        if pool is not None:
            pool.shutdown(wait=True)

    def wake(self) -> None:
        self._wake.set()

    # -- claiming ---------------------------------------------------------

    def _free(self) -> int:
        with self._lock:
            return self._capacity - self._busy

    def _sleep_time(self) -> float:
        with self._lock:
            now = time.monotonic()
            while self._due and self._due[0] <= now:
                heapq.heappop(self._due)
                return 0.0
            if self._due:
                return min(self._poll, self._due[0] - now)
        return self._poll

    def _run(self) -> None:
        while not self._stopping:
            taken = 0
            free = self._free()
            if free > 0:
                try:
                    taken = self._take(free)
                except Exception:
                    LOG.exception("could not take pending deliveries")
                    time.sleep(_STORAGE_BACKOFF)
                    continue
            if taken and taken == free:
                continue  # there may be more waiting
            self._wake.wait(self._sleep_time())
            self._wake.clear()

    def _take(self, limit: int) -> int:
        if not self._jobs.pending():
            return 0
        claimed = self._jobs.claim(limit)
        for job in claimed:
            with self._lock:
                self._busy += 1
            try:
                self._pool.submit(self._perform, job)
            except RuntimeError:
                # The interpreter is exiting: the claimed jobs are taken
                # again once their claim expired.
                self._stopping = True
                return 0
        return len(claimed)

    # -- performing -------------------------------------------------------

    def _perform(self, claimed: jobs_module.ClaimedJob) -> None:
        try:
            self._attempt(claimed)
        except Exception:
            # The storage failed while finishing: the claim will lapse and
            # the job will be attempted again.
            LOG.exception("delivery job %s could not be finished",
                          claimed.message_id)
        finally:
            with self._lock:
                self._busy -= 1
            self._wake.set()

    def _attempt(self, claimed: jobs_module.ClaimedJob) -> None:
        job = claimed.job
        subscriber = job.get("subscriber", "")
        try:
            self._tasks.for_subscriber(subscriber).deliver(job)
        except tasks.DeliveryFailed as failure:
            if failure.retry:
                self._retry_or_give_up(claimed, failure)
                return
            LOG.warning("delivery to %s failed for good: %s", subscriber,
                        failure)
        except Exception:
            LOG.exception("delivery to %s failed unexpectedly; not "
                          "retried", subscriber)
        self._jobs.finish(claimed)

    def _retry_or_give_up(self, claimed: jobs_module.ClaimedJob,
                          failure: Exception) -> None:
        job = claimed.job
        retries = int(job.get("retries", 0)) + 1
        policy = retry.effective(job.get("policy"), None)
        delay = retry.delay_before(policy, retries)
        if delay is None:
            LOG.warning("delivery to %s given up after %d retries: %s",
                        job.get("subscriber"), retries - 1, failure)
            self._jobs.finish(claimed)
            return
        LOG.info("delivery to %s failed (%s); retry %d in %d s",
                 job.get("subscriber"), failure, retries, delay)
        self._jobs.reschedule(claimed, dict(job, retries=retries), delay)
        with self._lock:
            heapq.heappush(self._due, time.monotonic() + delay + _DUE_SLACK)
