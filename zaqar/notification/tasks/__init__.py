"""Delivery tasks: one per subscriber URI scheme.

Tasks are stevedore plugins of the ``zaqar.notification.tasks`` group,
named by scheme (``http``, ``https``, ``mailto``, ``trust+http``,
``trust+https``). A task class is built with the configuration and has
``deliver(job)``, which returns when the subscriber accepted the
notification and raises DeliveryFailed otherwise.
"""

from __future__ import annotations

import threading
import typing

from stevedore import driver as sd_driver
from stevedore import exception as sd_exception

NAMESPACE = "zaqar.notification.tasks"


class DeliveryFailed(Exception):
    """The subscriber did not get the notification.

    ``retry`` says whether trying again later may succeed (connection
    refused, timeout, a 5xx answer) or not (a 4xx answer, a malformed
    subscriber).
    """

    def __init__(self, reason: str, retry: bool):
        super().__init__(reason)
        self.retry = retry


class Task(typing.Protocol):
    def deliver(self, job: dict) -> None: ...


def scheme(subscriber: str) -> str:
    return subscriber.split(":", 1)[0].lower() if ":" in subscriber else ""


class Tasks:
    """The task of each scheme, loaded once per process on first use."""

    def __init__(self, conf: typing.Any):
        self._conf = conf
        self._loaded: dict[str, Task] = {}
        self._lock = threading.Lock()

    def for_subscriber(self, subscriber: str) -> Task:
        """Raises DeliveryFailed (not retried) for an unknown scheme."""
        name = scheme(subscriber)
        with self._lock:
            if name not in self._loaded:
                try:
                    manager = sd_driver.DriverManager(
                        NAMESPACE, name, invoke_on_load=True,
                        invoke_args=(self._conf,))
                except sd_exception.NoMatches:
                    raise DeliveryFailed(
                        f"no delivery task for scheme {name!r}",
                        retry=False) from None
                self._loaded[name] = manager.driver
            return self._loaded[name]
