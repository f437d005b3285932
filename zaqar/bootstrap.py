"""Builds a Zaqar service from its configuration.

storage (one driver, or the pooled one) -> pipeline stages -> API ->
transport. Everything is built lazily so that a forking server (gunicorn)
opens connections in each worker, never in the master.
"""

from __future__ import annotations

import functools
import typing

from stevedore import driver as sd_driver

from zaqar.api import API
from zaqar.notification import service as notification_service
from zaqar.storage import loader, pipeline

TRANSPORT_NAMESPACE = "zaqar.transport"


class Bootstrap:
    def __init__(self, conf: typing.Any):
        self.conf = conf

    @functools.cached_property
    def control(self) -> typing.Any:
        return loader.load_control_driver(self.conf)

    @functools.cached_property
    def storage(self) -> typing.Any:
        if self.conf.pooling:
            from zaqar.storage import pooling
            driver = pooling.DataDriver(self.conf, self.control)
        else:
            driver = loader.load_data_driver(self.conf)
        return pipeline.wrap(self.conf, driver)

    @functools.cached_property
    def api(self) -> API:
        api = API(self.conf, self.storage)
        # Each serving process resumes pending notification deliveries
        # (those of a crashed or restarted server included).
        if notification_service.wanted(self.conf):
            notification_service.for_storage(self.conf, self.storage).start()
        return api

    @functools.cached_property
    def transport(self) -> typing.Any:
        manager = sd_driver.DriverManager(
            TRANSPORT_NAMESPACE, self.conf.drivers.transport,
            invoke_on_load=True, invoke_args=(self.conf, self))
        return manager.driver

    def run(self) -> None:
        self.transport.listen()
