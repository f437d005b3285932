"""The notification delivery service of a process: record jobs, run them.

There is one ``Deliveries`` per data store per process, found with
``for_storage`` from any view of that store (the pipelined driver the API
uses, the bare driver, the topic namespace), so that the notifier stage,
the subscription confirmations and the server start-up share one worker.
"""

from __future__ import annotations

import threading
import typing
import weakref

from zaqar.notification import jobs, tasks, worker
from zaqar.storage import pipeline, topics

NOTIFIER_STAGE = "zaqar.notification.notifier"


def wanted(conf: typing.Any) -> bool:
    """Whether this configuration ever sends notifications."""
    return (NOTIFIER_STAGE in conf.storage.message_pipeline
            or conf.notification.require_confirmation)


def data_driver(storage: typing.Any) -> typing.Any:
    """The driver under the pipeline and namespace wrappers: where jobs
    are stored without going through the notifier again."""
    while isinstance(storage, (pipeline.PipelinedDriver,
                               topics.TopicStorage)):
        storage = storage.driver
    return storage


class Deliveries:
    def __init__(self, conf: typing.Any, driver: typing.Any):
        self.jobs = jobs.JobQueue(driver,
                                  conf.notification.delivery_claim_ttl)
        self.worker = worker.DeliveryWorker(conf, self.jobs,
                                            tasks.Tasks(conf))

    def start(self) -> None:
        self.worker.start()

    def record(self, new_jobs: list[dict]) -> None:
        """Store jobs durably, then have this process start on them."""
        if not new_jobs:
            return
        self.jobs.record(new_jobs)
        self.worker.start()
        self.worker.wake()


_services: "weakref.WeakKeyDictionary[typing.Any, Deliveries]" = \
    weakref.WeakKeyDictionary()
_lock = threading.Lock()


def for_storage(conf: typing.Any, storage: typing.Any) -> Deliveries:
    driver = data_driver(storage)
    with _lock:
        service = _services.get(driver)
        if service is None:
            service = _services[driver] = Deliveries(conf, driver)
        return service
