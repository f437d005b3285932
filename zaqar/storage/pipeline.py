"""Stages wrapped around storage controllers (``[storage] *_pipeline``).

A stage is a class registered in the ``zaqar.storage.stages`` entry point
group (upstream's names, e.g. ``zaqar.notification.notifier``). It is built
with ``(conf, wrapped_controller, driver)``, overrides the methods it acts
on and forwards everything else to the controller it wraps. The first
stage listed is the outermost.
"""

from __future__ import annotations

import functools
import typing

from stevedore import driver as sd_driver

NAMESPACE = "zaqar.storage.stages"

_RESOURCES = {"queue": "queue_pipeline", "message": "message_pipeline",
              "claim": "claim_pipeline",
              "subscription": "subscription_pipeline",
              "topic": "topic_pipeline"}


class Stage:
    """Base for stages: forwards what the stage does not override."""

    def __init__(self, conf: typing.Any, wrapped: typing.Any,
                 driver: typing.Any):
        self.conf = conf
        self.wrapped = wrapped
        self.driver = driver

    def __getattr__(self, name: str) -> typing.Any:
        return getattr(self.wrapped, name)


def _stage_class(name: str) -> type:
    return sd_driver.DriverManager(NAMESPACE, name,
                                   invoke_on_load=False).driver


class PipelinedDriver:
    """A data driver whose controllers go through the configured stages."""

    def __init__(self, conf: typing.Any, driver: typing.Any):
        self.conf = conf
        self.driver = driver

    def __getattr__(self, name: str) -> typing.Any:
        return getattr(self.driver, name)

    def _wrap(self, resource: str) -> typing.Any:
        controller = getattr(self.driver, f"{resource}_controller")
        for name in reversed(self.conf.storage[_RESOURCES[resource]]):
            controller = _stage_class(name)(self.conf, controller, self)
        return controller

    @functools.cached_property
    def queue_controller(self) -> typing.Any:
        return self._wrap("queue")

    @functools.cached_property
    def message_controller(self) -> typing.Any:
        return self._wrap("message")

    @functools.cached_property
    def claim_controller(self) -> typing.Any:
        return self._wrap("claim")

    @functools.cached_property
    def subscription_controller(self) -> typing.Any:
        return self._wrap("subscription")


def wrap(conf: typing.Any, driver: typing.Any) -> typing.Any:
    """The driver itself when no stage is configured (no overhead)."""
    if not any(conf.storage[option] for option in _RESOURCES.values()):
        return driver
    return PipelinedDriver(conf, driver)
